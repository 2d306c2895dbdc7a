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

The monthly dibao benefit of a household: the top-up to the standard and the category increment
(WEL-3). The disability subsidies (WEL-4) are not part of it: they are paid as their own schemes
(services/welfare/disability/).

Pure functions: frozen facts and `Params` in; a frozen result with Decimal yuan (2 places) and a
`Trace` out. No database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used; every step names its
rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
- WEL-3, standard: ZA-GOV §一(四) raises the rural dibao standard to 3,876 yuan per person per
  year (每人每年提高到3876元，增幅10%) in the 2018 plan; it is shipped for county 520324 from
  2018-01-01. The other seeds give no figure (YA-GOV §一 only merges the dibao line with the
  poverty line, 两线合一), so every other county, 姚安 532325 included, gets an illustrative
  default (3,500 from 2017-01-01).
- WEL-3, amount (补差): benefit = (standard − household per-capita income) × members, per month
  /12. It is computed on the household as (standard × members − household income) / 12, so the
  per-capita income is never rounded before use; `per_capita_income_annual` is reported rounded.
  A household whose per-capita income reaches the standard is not eligible and every amount is 0
  (gradual exit, WEL-8, is the caller's).
- WEL-3, standard floor: ZA-GOV §三(三)2 确保所有兜底保障对象2018年人均低保保障标准不低于3535元/年
  bounds the county's guarantee line (低保保障标准, the standard, merged with the poverty line,
  两线合一), not the benefit: the benefit stays 补差. The floor is the county's parameter
  `welfare.dibao.standard_floor` (正安 3,535 from 2018; no default, a county that published no
  floor has none). Before any amount is computed the standard in force is checked against the
  floor: a standard below it is refused (`StandardBelowFloor`, 409, naming both parameters),
  since paying on it would short every safety-net household.
- WEL-3, category increments: ZA-GOV §三(三)1 asks to 全面落实增发补助金 without figures; they
  are illustrative parameters in yuan per person per month (every member of the household), by
  category.
- WEL-4 is not dibao's: ZA-GOV §三(三)4 gives 重度残疾人护理补贴 by grade with no means test and
  困难残疾人生活补贴 to the disabled in hardship (dibao and 特困), so neither is computed inside
  the dibao amount (which would pay them to dibao households only). Both are paid per person as
  their own schemes in the payment cycle (services/welfare/disability/rules.py); the living
  subsidy still reads the dibao household's category for its share.
- Rounding: each household component is rounded once to the fen, half-up: the top-up on the
  household total; the increment per member (so `per_member` adds up to the household figure
  exactly); `monthly_amount` is the sum of the rounded components.
- WEL-1, public notice: YA-GOV §三(二) has the applicants posted (张榜公示, marking whether they
  are registered poor) and ZA-GOV §三(三)1 asks 逢进必公示, but neither gives a length. The notice
  lasts an illustrative 7 calendar days, the first day counted: a notice posted on the 1st ends
  on the 7th.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import cast

from services.welfare.parameters import amount_param, optional_amount_param
from shared.errors import Conflict, FieldError
from shared.money import ZERO, yuan
from shared.rule_inputs import add_months, count, day, money, set_field
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


WEL_3 = "WEL-3"

MONTHS = Decimal(12)

P_STANDARD = "welfare.dibao.rural_standard"
P_STANDARD_FLOOR = "welfare.dibao.standard_floor"
P_INCREMENT = {
    DibaoCategory.A: "welfare.dibao.category_increment.A",
    DibaoCategory.B: "welfare.dibao.category_increment.B",
    DibaoCategory.C: "welfare.dibao.category_increment.C",
}


class StandardBelowFloor(Conflict):
    """WEL-3: the county's dibao standard in force is below the floor it committed to (ZA-GOV
    §三(三)2); no amount is computed on it until the parameters are corrected."""

    title, slug = "Dibao standard below its floor", "dibao-standard-below-floor"


@dataclass(frozen=True)
class HouseholdBenefitFacts:
    """A dibao household: its members, its total annual income from all sources and its
    category (WEL-2)."""

    members: tuple[MemberFacts, ...]
    annual_income: Decimal  # household total, all sources
    category: DibaoCategory

    def __post_init__(self) -> None:
        set_field(self, "members", check_members(self.members))
        set_field(self, "annual_income", money(self.annual_income, "annual income"))
        set_field(self, "category", DibaoCategory(self.category))


@dataclass(frozen=True)
class MemberBenefit:
    person_id: str
    category_increment: Decimal = ZERO  # WEL-3 increment, per month


@dataclass(frozen=True)
class DibaoBenefit:
    """When eligible: monthly_amount == base_monthly + category_increment_monthly. Otherwise
    every amount is 0."""

    eligible: bool
    reason: str | None  # why not eligible; None when eligible
    standard_annual: Decimal
    per_capita_income_annual: Decimal
    base_monthly: Decimal  # 补差
    category_increment_monthly: Decimal
    monthly_amount: Decimal
    per_member: tuple[MemberBenefit, ...]
    trace: Trace = field(repr=False)


def standard_checked(params: Params, trace: Trace) -> Decimal:
    """WEL-3: the county's yearly dibao standard, refused when below the county's floor."""
    standard = yuan(amount_param(params, P_STANDARD, trace))
    floor = optional_amount_param(params, P_STANDARD_FLOOR, trace)
    if floor is None:
        trace.step(WEL_3, "no standard floor published for the county", standard_annual=standard)
        return standard
    floor = yuan(floor)
    if standard < floor:
        raise StandardBelowFloor(
            f"the dibao standard {standard} ({P_STANDARD}) is below the county's floor {floor} "
            f"({P_STANDARD_FLOOR}) on {params.on.isoformat()}: no dibao amount is computed on "
            "it; correct the standard or the floor",
            errors=[
                FieldError(field=P_STANDARD, reason="below the floor", value=str(standard)),
                FieldError(field=P_STANDARD_FLOOR, reason="above the standard", value=str(floor)),
            ],
        )
    trace.step(
        WEL_3,
        "the dibao standard is not below the county's floor for safety-net households",
        standard_annual=standard,
        standard_floor_annual=floor,
    )
    return standard


def dibao_benefit(
    facts: HouseholdBenefitFacts, params: Params, *, trace: Trace | None = None
) -> DibaoBenefit:
    """WEL-3: the household's monthly dibao, (standard − per-capita income) × members / 12 plus
    the category increment. The disability subsidies are not in it: they are paid apart."""
    trace = Trace() if trace is None else trace
    members = facts.members
    size = len(members)
    standard = standard_checked(params, trace)
    income = facts.annual_income
    per_capita = yuan(income / size)
    gap = standard * size - income  # yearly, household

    if gap <= 0:
        reason = "per-capita income at or above the dibao standard"
        trace.step(
            WEL_3,
            f"not eligible: {reason}",
            standard_annual=standard,
            members=size,
            annual_income=income,
            per_capita_income_annual=per_capita,
        )
        zero_members = tuple(MemberBenefit(m.person_id) for m in members)
        return DibaoBenefit(
            False, reason, standard, per_capita, ZERO, ZERO, ZERO, zero_members, trace
        )

    base = yuan(gap / MONTHS)
    trace.step(
        WEL_3,
        "top-up to the standard: (standard x members - household income) / 12",
        standard_annual=standard,
        members=size,
        annual_income=income,
        per_capita_income_annual=per_capita,
        base_monthly=base,
    )
    category = facts.category
    increment = yuan(amount_param(params, P_INCREMENT[category], trace))
    trace.step(
        WEL_3,
        f"category {category.value} increment per member and month",
        category=category.value,
        increment_per_member=increment,
        members=size,
        category_increment_monthly=increment * size,
    )

    per_member = tuple(MemberBenefit(m.person_id, increment) for m in members)
    increments = sum((b.category_increment for b in per_member), ZERO)
    total = base + increments
    trace.step(
        WEL_3,
        "monthly dibao of the household",
        base_monthly=base,
        category_increment_monthly=increments,
        monthly_amount=total,
    )
    return DibaoBenefit(
        True, None, standard, per_capita, base, increments, total, per_member, trace
    )


WEL_1 = "WEL-1"
P_NOTICE_DAYS = "welfare.dibao.public_notice_days"


def public_notice_end(start: date, params: Params, *, trace: Trace | None = None) -> date:
    """WEL-1: last day of the public notice (公示) of a dibao approval posted on `start`."""
    trace = Trace() if trace is None else trace
    start = day(start, "notice start")
    days = params.whole(P_NOTICE_DAYS, trace, minimum=1)
    end = start + timedelta(days=days - 1)
    trace.step(
        WEL_1,
        "public notice: the first day counts",
        start=start,
        public_notice_days=days,
        end=end,
    )
    return end
