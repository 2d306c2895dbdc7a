"""Disability support (残疾人保障): the monthly living and nursing subsidies (WEL-4) and the
rehabilitation assistance of 正安 (WEL-10, WEL-11, WEL-12).

Pure functions: frozen facts and `Params` in; a frozen result with Decimal yuan and a `Trace`
out. No database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml, welfare_disability.yaml); every step names its rule ID.

Reading of the seeds
--------------------
- WEL-4, two subsidies, two tests. ZA-GOV §三(三)4 (贯彻实施《关于全面建立困难残疾人生活补贴和
  重度残疾人护理补贴制度的意见》) gives 困难残疾人生活补贴 to disabled people in hardship and
  重度残疾人护理补贴 to the severely disabled: 一级50元/人/月，二级40元/人/月. The nursing
  subsidy has no means test: it follows the grade (1 or 2) alone, on dibao or not. The living
  subsidy is for the disabled (any grade 1-4) in hardship, read as on dibao or in 特困供养 in the
  month; it 执行低保对象“分类施保”政策，按照当地低保标准的10%-30%增发: the share follows the
  dibao household's category (A/B/C, parameters inside the range), and a 特困 person, who has
  no category, gets the category A share (`welfare.disability.living_subsidy.ratio.tekun`).
  Neither is part of the dibao amount any more: each is its own scheme in the payment cycle,
  one line per person and month.
- WEL-4, from when: nobody applies, so the first cycle prepared after a grade reaches welfare
  pays it (`welfare.disability.subsidy.start_lag_months`, 0): the grade in force on the last day
  of the month (`lag` months before the month paid) decides the month, so a change mid-month (up
  or down) decides the whole month, and a grade known after its month's cycle was prepared
  counts from the next cycle's month.
  Hardship counts for a month when dibao or 特困供养 is in force on any day of it, as those
  schemes pay. A person is paid through the month of their death, nothing after.
- WEL-10, mental illness (精神病人, a diagnosis, no means test in the sentence): in hospital,
  300 yuan per calendar month with a day of the stay, towards the bill (the month's bill when
  it is lower); at home, 800 yuan of psychiatric drugs per calendar year, drawn down by issues.
- WEL-11, assistive devices free to every disabled person who asks (有需求的残疾人, any grade up
  to `welfare.disability.devices.max_grade`); barrier-free adaptation of the home of the
  severely disabled (grade 1-2) whose family is in hardship (家庭困难, dibao or 特困供养).
- WEL-12, free rescue rehabilitation (免费抢救性康复) of a disabled child aged 0-6 周岁 (before
  the 7th birthday) of a poor family: registered poor (not exited or exited: 脱贫不脱政策), as
  the seeds' 贫困家庭 is read everywhere (WEL-6), not marginal households; a child is disabled
  with a certificate grade or a diagnosis, since few children under 7 hold a certificate.
- §三(二)5 is 正安's programme: its figures and conditions are 520324's parameters and another
  county's case is refused (the caller turns the missing parameter into a 422).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.money import ZERO, yuan
from shared.rule_inputs import add_months, day, money
from shared.trace import Params, Trace

WEL_4 = "WEL-4"
WEL_10 = "WEL-10"
WEL_11 = "WEL-11"
WEL_12 = "WEL-12"

MONTHS = Decimal(12)
GRADES = (1, 2, 3, 4)

P_STANDARD = "welfare.dibao.rural_standard"
P_NURSING = {
    1: "welfare.disability.nursing_subsidy.grade1",
    2: "welfare.disability.nursing_subsidy.grade2",
}
P_LIVING_RATIO = {
    "A": "welfare.disability.living_subsidy.ratio.A",
    "B": "welfare.disability.living_subsidy.ratio.B",
    "C": "welfare.disability.living_subsidy.ratio.C",
    "tekun": "welfare.disability.living_subsidy.ratio.tekun",
}
P_START_LAG = "welfare.disability.subsidy.start_lag_months"
P_HOSPITAL_MONTHLY = "welfare.disability.mental_illness.hospital_monthly"
P_HOME_DRUGS = "welfare.disability.mental_illness.home_drugs_yearly"
P_DEVICES_MAX_GRADE = "welfare.disability.devices.max_grade"
P_ADAPTATION_MAX_GRADE = "welfare.disability.adaptation.max_grade"
P_CHILD_MAX_AGE = "welfare.disability.child_rehab.max_age"

POOR = frozenset({"not_exited", "exited"})  # 贫困家庭: registered poor, 脱贫不脱政策


class Hardship(StrEnum):
    """Hardship of a disabled person in a month (困难残疾人)."""

    none = "none"
    dibao = "dibao"  # 低保
    tekun = "tekun"  # 特困供养


class Scheme(StrEnum):
    """The payment schemes of WEL-4 (PaymentLine.scheme, at most 10 characters)."""

    nursing = "nursing"  # 重度残疾人护理补贴
    living = "disab_liv"  # 困难残疾人生活补贴


def _grade(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or value not in GRADES:
        raise ValueError(f"{what} must be 1-4 or None, not {value!r}")
    assert isinstance(value, int)
    return value


def month_first(value: date) -> date:
    return value.replace(day=1)


def month_last(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


@dataclass(frozen=True)
class GradeChange:
    """A disability grade in force from `valid_from` (None: no longer disabled)."""

    grade: int | None
    valid_from: date

    def __post_init__(self) -> None:
        _grade(self.grade, "grade")
        day(self.valid_from, "valid_from")


@dataclass(frozen=True)
class SubsidyFacts:
    """A disabled person in the month paid for: the grade history, death, and the hardship in
    force on some day of the month (with the dibao category when on dibao)."""

    month: date
    grades: tuple[GradeChange, ...]
    hardship: Hardship = Hardship.none
    dibao_category: str | None = None
    deceased_on: date | None = None

    def __post_init__(self) -> None:
        day(self.month, "month")
        if self.month.day != 1:
            raise ValueError("month must be the first day of the month paid for")
        for g in self.grades:
            if not isinstance(g, GradeChange):
                raise TypeError(f"not a GradeChange: {g!r}")
        object.__setattr__(self, "hardship", Hardship(self.hardship))
        if self.hardship is Hardship.dibao and self.dibao_category not in ("A", "B", "C"):
            raise ValueError("a person on dibao needs the household's category A, B or C")


@dataclass(frozen=True)
class MonthSubsidy:
    """What the person is owed for the month: nursing and living, 0 when not."""

    month: date
    grade: int | None
    nursing: Decimal
    living: Decimal
    reasons: tuple[str, ...]
    trace: Trace = field(repr=False)

    @property
    def total(self) -> Decimal:
        return self.nursing + self.living


def grade_for_month(
    grades: tuple[GradeChange, ...], month: date, params: Params, trace: Trace
) -> tuple[int | None, date]:
    """WEL-4: the grade deciding `month`, the one in force on the last day of the month
    `start_lag_months` before (the latest change on or before that day), and that day."""
    lag = params.whole(P_START_LAG, trace)
    ref = month_last(add_months(month, -lag))
    chosen: GradeChange | None = None
    for g in sorted(grades, key=lambda g: g.valid_from):
        if g.valid_from <= ref:
            chosen = g
    grade = None if chosen is None else chosen.grade
    trace.step(
        WEL_4,
        f"grade in force on {ref.isoformat()}, {lag} month(s) before the month paid",
        month=month,
        start_lag_months=lag,
        reference_day=ref,
        grade=grade if grade is not None else "none",
    )
    return grade, ref


def paid_facts(
    month: date, grade: int, hardship: str, trace: dict[str, Any] | None
) -> SubsidyFacts:
    """The facts a month's subsidy was computed on, from its ledger row: the grade that decided
    the month, the hardship, and the dibao category (the living ratio its trace read), to
    compute it again under other figures."""
    category = None
    if hardship == Hardship.dibao.value:
        by_path = {path: key for key, path in P_LIVING_RATIO.items() if key != "tekun"}
        category = next(
            (by_path[p["path"]] for p in (trace or {}).get("parameters", [])
             if p["path"] in by_path),
            None,
        )  # fmt: skip
    return SubsidyFacts(month, (GradeChange(grade, date.min),), Hardship(hardship), category)


def month_subsidy(
    facts: SubsidyFacts, params: Params, *, trace: Trace | None = None
) -> MonthSubsidy:
    """WEL-4: the nursing subsidy by grade (1: 50, 2: 40 yuan a month in 正安, no means test)
    and the living subsidy of a disabled person in hardship (the dibao category's share of the
    monthly dibao standard; 特困: the tekun share), for one month."""
    trace = Trace() if trace is None else trace
    month = facts.month
    if facts.deceased_on is not None and facts.deceased_on < month:
        trace.step(
            WEL_4,
            "died before the month: nothing is paid after the month of death",
            month=month,
            deceased_on=facts.deceased_on,
        )
        return MonthSubsidy(month, None, ZERO, ZERO, ("deceased",), trace)
    grade, _ = grade_for_month(facts.grades, month, params, trace)
    if grade is None:
        return MonthSubsidy(month, None, ZERO, ZERO, ("no disability grade in force",), trace)
    reasons: list[str] = []
    nursing = ZERO
    if grade in P_NURSING:
        nursing = params.amount(P_NURSING[grade], trace)
        trace.step(
            WEL_4,
            f"nursing subsidy of a grade-{grade} severely disabled person, no means test",
            grade=grade,
            nursing=nursing,
        )
        reasons.append(f"nursing: grade {grade}")
    else:
        reasons.append(f"no nursing subsidy: grade {grade} is not severe (1-2)")
    living = ZERO
    if facts.hardship is Hardship.none:
        trace.step(WEL_4, "no living subsidy: neither on dibao nor in 特困供养 in the month")
        reasons.append("no living subsidy: not in hardship")
    else:
        key = facts.dibao_category if facts.hardship is Hardship.dibao else "tekun"
        assert key is not None
        ratio = params.ratio(P_LIVING_RATIO[key], trace)
        standard = params.amount(P_STANDARD, trace)
        living = yuan(standard / MONTHS * ratio)
        trace.step(
            WEL_4,
            f"living subsidy of a disabled person on {facts.hardship.value}"
            + (f" (category {key})" if facts.hardship is Hardship.dibao else ""),
            hardship=facts.hardship.value,
            ratio=ratio,
            standard_annual=standard,
            standard_monthly=yuan(standard / MONTHS),
            living=living,
        )
        reasons.append(f"living: {facts.hardship.value} {key}")
    return MonthSubsidy(month, grade, nursing, living, tuple(reasons), trace)


# --- rehabilitation assistance (ZA-GOV §三(二)5) ------------------------------------------------


class RehabKind(StrEnum):
    mental_hospital = "mental_hospital"  # 住院精神病人住院费补助 (WEL-10)
    mental_home = "mental_home"  # 在家治疗精神病人免费药品 (WEL-10)
    device = "device"  # 基础型辅助器具 (WEL-11)
    adaptation = "adaptation"  # 家居环境无障碍改造 (WEL-11)
    child_rehab = "child_rehab"  # 0-6岁残疾儿童抢救性康复 (WEL-12)


RULE_OF = {
    RehabKind.mental_hospital: WEL_10,
    RehabKind.mental_home: WEL_10,
    RehabKind.device: WEL_11,
    RehabKind.adaptation: WEL_11,
    RehabKind.child_rehab: WEL_12,
}


@dataclass(frozen=True)
class RehabFacts:
    """The person a rehabilitation case is for, on the day it is decided."""

    kind: RehabKind
    on: date
    birth_date: date
    grade: int | None = None
    diagnosis: bool = False  # a diagnosis (mental illness, a child's disability) is recorded
    hardship: Hardship = Hardship.none
    poverty_status: str | None = None  # registry status; None: not registered

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RehabKind(self.kind))
        object.__setattr__(self, "hardship", Hardship(self.hardship))
        day(self.on, "on")
        day(self.birth_date, "birth_date")
        _grade(self.grade, "grade")
        if self.birth_date > self.on:
            raise ValueError("born after the decision day")

    @property
    def age(self) -> int:
        b, on = self.birth_date, self.on
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@dataclass(frozen=True)
class RehabEligibility:
    eligible: bool
    rule: str
    reasons: tuple[str, ...]
    trace: Trace = field(repr=False)


def rehab_eligibility(
    facts: RehabFacts, params: Params, *, trace: Trace | None = None
) -> RehabEligibility:
    """WEL-10, WEL-11, WEL-12: whether the person qualifies for the kind of assistance asked.
    WEL-10 needs a mental-illness diagnosis; WEL-11 a device needs a grade up to the county's
    devices grade, an adaptation a severe grade and hardship (dibao or 特困); WEL-12 a disabled
    child (grade or diagnosis) up to the county's age, of a registered poor family."""
    trace = Trace() if trace is None else trace
    kind = facts.kind
    rule = RULE_OF[kind]
    failed: list[str] = []
    if kind in (RehabKind.mental_hospital, RehabKind.mental_home):
        # The programme's figure is read first: another county has none (422).
        path = P_HOSPITAL_MONTHLY if kind is RehabKind.mental_hospital else P_HOME_DRUGS
        params.amount(path, trace)
        if not facts.diagnosis:
            failed.append("no mental-illness diagnosis recorded")
        trace.step(
            WEL_10,
            "mental illness: a diagnosis, no means test",
            kind=kind.value,
            diagnosis=facts.diagnosis,
        )
    elif kind is RehabKind.device:
        max_grade = params.whole(P_DEVICES_MAX_GRADE, trace, minimum=1)
        if facts.grade is None or facts.grade > max_grade:
            failed.append(f"a certified grade 1-{max_grade} is needed for a free device")
        trace.step(
            WEL_11,
            "basic assistive device free on request to a disabled person",
            grade=facts.grade or "none",
            max_grade=max_grade,
        )
    elif kind is RehabKind.adaptation:
        max_grade = params.whole(P_ADAPTATION_MAX_GRADE, trace, minimum=1)
        if facts.grade is None or facts.grade > max_grade:
            failed.append(f"barrier-free adaptation is for the severely disabled (1-{max_grade})")
        if facts.hardship is Hardship.none:
            failed.append("the family is not in hardship (neither dibao nor 特困供养)")
        trace.step(
            WEL_11,
            "barrier-free home adaptation of a severely disabled person in hardship",
            grade=facts.grade or "none",
            max_grade=max_grade,
            hardship=facts.hardship.value,
        )
    else:
        max_age = params.whole(P_CHILD_MAX_AGE, trace)
        if facts.age > max_age:
            failed.append(f"aged {facts.age}: rescue rehabilitation is for children 0-{max_age}")
        if facts.grade is None and not facts.diagnosis:
            failed.append("no disability grade or diagnosis recorded")
        if facts.poverty_status not in POOR:
            failed.append("not of a registered poor family (贫困家庭)")
        trace.step(
            WEL_12,
            "free rescue rehabilitation of a disabled child of a poor family",
            age=facts.age,
            max_age=max_age,
            grade=facts.grade or "none",
            diagnosis=facts.diagnosis,
            poverty_status=facts.poverty_status or "none",
        )
    eligible = not failed
    trace.step(rule, "eligible" if eligible else "not eligible: " + "; ".join(failed))
    return RehabEligibility(eligible, rule, tuple(failed) or ("all conditions met",), trace)


@dataclass(frozen=True)
class HospitalMonth:
    month: date
    amount: Decimal
    trace: Trace = field(repr=False)


def hospital_month(
    month: date,
    stay_from: date,
    stay_to: date | None,
    params: Params,
    *,
    bill: Decimal | None = None,
    trace: Trace | None = None,
) -> HospitalMonth:
    """WEL-10: the month's help towards an in-patient stay, 300 yuan a month in 正安 for every
    calendar month with a day of the stay, the month's bill when lower. A month outside the stay
    is refused (ValueError)."""
    trace = Trace() if trace is None else trace
    first = month_first(day(month, "month"))
    if stay_from > month_last(first) or (stay_to is not None and stay_to < first):
        raise ValueError(f"{first:%Y-%m} has no day of the stay")
    monthly = params.amount(P_HOSPITAL_MONTHLY, trace)
    amount = monthly if bill is None else min(monthly, money(bill, "bill"))
    trace.step(
        WEL_10,
        "help towards the hospital stay for a month with a day of it",
        month=first,
        monthly=monthly,
        bill=bill if bill is not None else "not given",
        amount=amount,
    )
    return HospitalMonth(first, amount, trace)


@dataclass(frozen=True)
class DrugIssue:
    year: int
    entitlement: Decimal
    issued_before: Decimal
    amount: Decimal
    remaining: Decimal
    trace: Trace = field(repr=False)


def drug_issue(
    on: date,
    amount: Decimal,
    issued_this_year: Decimal,
    params: Params,
    *,
    trace: Trace | None = None,
) -> DrugIssue:
    """WEL-10: psychiatric drugs issued to a person treated at home, drawn from the year's
    entitlement (800 yuan a year in 正安). An issue beyond what is left is refused
    (ValueError)."""
    trace = Trace() if trace is None else trace
    amount = money(amount, "amount")
    issued = money(issued_this_year, "issued this year")
    if amount <= 0:
        raise ValueError("an issue must be worth more than 0")
    entitlement = params.amount(P_HOME_DRUGS, trace)
    left = entitlement - issued
    if amount > left:
        raise ValueError(
            f"{amount} exceeds what is left of the {on.year} entitlement ({left} of {entitlement})"
        )
    trace.step(
        WEL_10,
        "psychiatric drugs issued against the year's entitlement",
        year=on.year,
        entitlement=entitlement,
        issued_before=issued,
        amount=amount,
        remaining=left - amount,
    )
    return DrugIssue(on.year, entitlement, issued, amount, left - amount, trace)
