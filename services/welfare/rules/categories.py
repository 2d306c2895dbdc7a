"""Dibao categories A, B and C, their review cycles, and gradual exit (WEL-2, WEL-8).

Pure functions: frozen facts and `Params` in; a frozen result (or a date) and a `Trace` out. No
database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used; every step names its
rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
- WEL-2, YA-GOV §三(三) defines the categories by household: A (重点保障户) is the family that
  has fully lost the ability to work or to care for itself (完全丧失劳动能力或生活自理能力) and is
  chronically in hardship; B (基本保障户) has partly lost it through age, disability, serious or
  chronic illness (因年老、残疾、患重特大疾病或长期慢性病等原因，部分丧失); C (一般保障户) is low
  income for any other reason. Read member by member: a member has *fully lost* when their work
  ability is `none` or they cannot care for themselves; the household is A when every member has
  fully lost, B when it is not A and at least one member has lost ability in part or in full, C
  when every member keeps full work ability and self-care. The causes in the seed end in 等 (and
  the like), so they are reported as reasons, not required. A child's work ability is recorded by
  the caller (a child is `none`); income below the standard and assets within limits (B, C) are
  the caller's check before a category is proposed (WEL-3 tests the income).
- WEL-2, reviews: YA-GOV §三(四) reviews A yearly, B half-yearly and C quarterly (年度、半年度、或
  季度); the intervals are parameters in months (12 / 6 / 3), counted from the last review to the
  same day of the month, or the month's last day when the month is shorter.
- WEL-8, gradual exit: ZA-GOV §三(三)5 says only 农村低保实行渐退制, without a period. The period
  is an illustrative parameter (6 months), counted like a review interval from the day the job
  was found; the returned day is the last day of the gradual exit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import cast

from services.welfare.rules._base import add_months, count, day, set_field
from shared.trace import Params, Trace

WEL_2 = "WEL-2"
WEL_8 = "WEL-8"


class DibaoCategory(StrEnum):
    """Dibao category (分类施保)."""

    A = "A"  # 重点保障户
    B = "B"  # 基本保障户
    C = "C"  # 一般保障户


class WorkAbility(StrEnum):
    """Ability to work (劳动能力)."""

    full = "full"  # 有劳动能力
    partial = "partial"  # 部分丧失劳动能力
    none = "none"  # 完全丧失劳动能力


P_REVIEW_MONTHS = {
    DibaoCategory.A: "welfare.dibao.review_interval_months.A",
    DibaoCategory.B: "welfare.dibao.review_interval_months.B",
    DibaoCategory.C: "welfare.dibao.review_interval_months.C",
}
P_GRADUAL_EXIT_MONTHS = "welfare.dibao.gradual_exit_months"

DISABILITY_GRADES = (1, 2, 3, 4)


@dataclass(frozen=True)
class MemberFacts:
    """One member of a dibao household."""

    person_id: str
    age: int
    work_ability: WorkAbility
    self_care: bool = True  # 生活能自理
    disability_grade: int | None = None  # 残疾等级 1-4; None: not disabled
    serious_illness: bool = False  # 重特大疾病
    chronic_illness: bool = False  # 长期慢性病

    def __post_init__(self) -> None:
        if not isinstance(self.person_id, str) or not self.person_id.strip():
            raise ValueError(f"person_id must be a non-empty string, not {self.person_id!r}")
        count(self.age, "age")
        if self.age > 150:
            raise ValueError(f"age out of range: {self.age}")
        try:
            set_field(self, "work_ability", WorkAbility(self.work_ability))
        except ValueError:
            raise ValueError(
                f"work ability must be full, partial or none, not {self.work_ability!r}"
            ) from None
        grade = self.disability_grade
        if grade is not None and (isinstance(grade, bool) or grade not in DISABILITY_GRADES):
            raise ValueError(f"disability grade must be 1-4 or None, not {grade!r}")
        for name in ("self_care", "serious_illness", "chronic_illness"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}")

    @property
    def fully_lost(self) -> bool:
        """完全丧失劳动能力或生活自理能力."""
        return self.work_ability is WorkAbility.none or not self.self_care

    @property
    def lost_in_part_or_full(self) -> bool:
        return self.fully_lost or self.work_ability is WorkAbility.partial

    def causes(self) -> tuple[str, ...]:
        out = []
        if self.disability_grade is not None:
            out.append(f"disability grade {self.disability_grade}")
        if self.serious_illness:
            out.append("serious illness")
        if self.chronic_illness:
            out.append("chronic illness")
        if not self.self_care:
            out.append("cannot care for self")
        return tuple(out)


def check_members(members: object) -> tuple[MemberFacts, ...]:
    if isinstance(members, MemberFacts) or isinstance(members, str | bytes):
        raise TypeError("members must be a sequence of MemberFacts")
    out = tuple(cast("Iterable[MemberFacts]", members))
    if not out:
        raise ValueError("a household needs at least one member")
    for member in out:
        if not isinstance(member, MemberFacts):
            raise TypeError(f"not a MemberFacts: {member!r}")
    ids = [m.person_id for m in out]
    if len(set(ids)) != len(ids):
        raise ValueError("a person is listed twice in the household")
    return out


@dataclass(frozen=True)
class CategoryFacts:
    members: tuple[MemberFacts, ...]

    def __post_init__(self) -> None:
        set_field(self, "members", check_members(self.members))


@dataclass(frozen=True)
class CategoryProposal:
    category: DibaoCategory
    reasons: tuple[str, ...]
    trace: Trace = field(repr=False)


def _describe(member: MemberFacts) -> str:
    causes = member.causes()
    text = f"{member.person_id} (age {member.age}): work ability {member.work_ability.value}"
    return text + (f", {', '.join(causes)}" if causes else "")


def propose_category(
    facts: CategoryFacts, params: Params, *, trace: Trace | None = None
) -> CategoryProposal:
    """WEL-2: propose A when every member has fully lost the ability to work or to care for
    themself, B when some have lost it in part or in full, C otherwise. The category is a proposal
    for the township's review, not a decision."""
    trace = Trace() if trace is None else trace
    members = facts.members
    if all(m.fully_lost for m in members):
        category = DibaoCategory.A
        reasons = (
            "every member has fully lost the ability to work or to care for self",
            *(_describe(m) for m in members),
        )
    elif any(m.lost_in_part_or_full for m in members):
        category = DibaoCategory.B
        reasons = (
            "some members have lost the ability to work or to care for self",
            *(_describe(m) for m in members if m.lost_in_part_or_full),
        )
    else:
        category = DibaoCategory.C
        reasons = ("every member keeps the ability to work and to care for self: other causes",)
    trace.step(
        WEL_2,
        f"category {category.value} proposed",
        category=category.value,
        members=len(members),
        fully_lost=sum(m.fully_lost for m in members),
        lost_in_part=sum(m.work_ability is WorkAbility.partial and m.self_care for m in members),
    )
    return CategoryProposal(category, reasons, trace)


def review_due(
    category: DibaoCategory, last_review: date, params: Params, *, trace: Trace | None = None
) -> date:
    """WEL-2: the next review of a dibao household, A yearly, B half-yearly, C quarterly."""
    trace = Trace() if trace is None else trace
    category = DibaoCategory(category)
    last_review = day(last_review, "last review")
    months = params.whole(P_REVIEW_MONTHS[category], trace, minimum=1)
    due = add_months(last_review, months)
    trace.step(
        WEL_2,
        f"category {category.value} reviewed every {months} months",
        category=category.value,
        last_review=last_review,
        interval_months=months,
        review_due=due,
    )
    return due


def gradual_exit_until(job_found_on: date, params: Params, *, trace: Trace | None = None) -> date:
    """WEL-8: last day of the gradual exit (渐退) of a dibao household that found work."""
    trace = Trace() if trace is None else trace
    job_found_on = day(job_found_on, "job found on")
    months = params.whole(P_GRADUAL_EXIT_MONTHS, trace)
    until = add_months(job_found_on, months)
    trace.step(
        WEL_8,
        "gradual exit after finding work",
        job_found_on=job_found_on,
        gradual_exit_months=months,
        until=until,
    )
    return until
