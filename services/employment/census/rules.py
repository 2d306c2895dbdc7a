"""Labour census rules (劳动力调查, EMP-1): who is of working age, who is a labourer, who is a
两后生, and what the census counts per township and village.

Pure functions: facts and `Params` in, a result with its `Trace` out. No database, clock or I/O.
Every figure is a parameter in shared/policy/params/employment.yaml, read through `Params` so the
trace names it; every step names its rule ID.

Reading of the seeds
--------------------
- EMP-1, the census itself: FL-HRSS §三(一) asks to 摸清贫困户家庭劳动力状况，掌握就业愿望和需求;
  YA-HRSS §三(二)1 to 摸清底数并登记造册 before training is planned; CITY-HRSS §四(二) to survey
  the needs of the rural poor (需求信息调查摸底). The census records per person: ability to work,
  wish to work, wish to train, skills and current job.
- Working age: no seed gives bounds. ZA-GOV §三(四)1 speaks of 农村青壮年劳动力 without ages. The
  bounds are illustrative parameters: from the 16th birthday (the lowest legal working age, and the
  ENR-P1 age of YA-HRSS §一) up to, not including, the 60th birthday (the pension claim age of
  CITY-HRSS §三(五)12). `min_age <= age < max_age`.
- Labourer (劳动力): of working age, alive, with full or partial ability to work. A person with
  no ability to work is surveyed but is not a labourer.
- 两后生: YA-HRSS §三(一) targets 初、高中毕业后未能升学，有培训和就业愿望的贫困家庭学生, and
  §三(二)1(5) the 初、高中毕业后未能继续升学的“两后生” of every registered household. It is derived
  from the person's highest completed education (junior or senior high school), not being in
  further study, and age. The seeds set no age limit: `employment.two_after.max_age` is an
  illustrative upper bound (below it, inclusive), so that a 50-year-old with a junior-high
  education is not counted as a recent school leaver. When the education is not recorded, the
  census's own declaration is used (`declared_two_after`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.trace import Params, Trace

EMP_1 = "EMP-1"
EMP_2 = "EMP-2"

P_MIN_AGE = "employment.labour.working_age.min"
P_MAX_AGE = "employment.labour.working_age.max"
P_TWO_AFTER_MAX_AGE = "employment.two_after.max_age"


class WorkAbility(StrEnum):
    full = "full"  # 有劳动能力
    partial = "partial"  # 部分丧失劳动能力
    none = "none"  # 无劳动能力


WORK_ABILITY_ZH = {
    WorkAbility.full: "有劳动能力",
    WorkAbility.partial: "部分丧失劳动能力",
    WorkAbility.none: "无劳动能力",
}


class Education(StrEnum):
    none = "none"  # 文盲或半文盲
    primary = "primary"  # 小学
    junior_high = "junior_high"  # 初中
    senior_high = "senior_high"  # 高中
    vocational = "vocational"  # 中专、职高、技校
    college = "college"  # 大专及以上


EDUCATION_ZH = {
    Education.none: "文盲或半文盲",
    Education.primary: "小学",
    Education.junior_high: "初中",
    Education.senior_high: "高中",
    Education.vocational: "中专",
    Education.college: "大专及以上",
}


class JobLocation(StrEnum):
    none = "none"  # 未就业
    local = "local"  # 县内
    province = "province"  # 省内县外
    other_province = "other_province"  # 省外


JOB_LOCATION_ZH = {
    JobLocation.none: "未就业",
    JobLocation.local: "县内",
    JobLocation.province: "省内县外",
    JobLocation.other_province: "省外",
}

TWO_AFTER_LEVELS = (Education.junior_high, Education.senior_high)


def age_on(birth_date: date, day: date) -> int:
    """Whole years completed on `day` (a person born on 29 February ages on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _whole(params: Params, path: str, trace: Trace) -> int:
    value = params.decimal(path, trace)
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"parameter {path} must be a whole number >= 0: {value}")
    return int(value)


@dataclass(frozen=True)
class WorkingAge:
    age: int
    working_age: bool
    min_age: int
    max_age: int
    trace: Trace = field(repr=False)


def working_age(
    birth_date: date, on: date, params: Params, *, trace: Trace | None = None
) -> WorkingAge:
    """EMP-1: of working age on `on` when min_age <= age < max_age (parameters)."""
    trace = Trace() if trace is None else trace
    low = _whole(params, P_MIN_AGE, trace)
    high = _whole(params, P_MAX_AGE, trace)
    if high <= low:
        raise ValueError(f"working age bounds are empty: [{low}, {high})")
    age = age_on(birth_date, on)
    inside = low <= age < high
    trace.step(
        EMP_1,
        "of working age" if inside else "not of working age",
        age=age,
        min_age=low,
        max_age_exclusive=high,
        on=on,
    )
    return WorkingAge(age, inside, low, high, trace)


@dataclass(frozen=True)
class TwoAfterFacts:
    """What the census knows of a person's schooling."""

    birth_date: date
    education: Education | None
    in_school: bool = False  # still studying (在读): not a 两后生
    declared_two_after: bool | None = None  # used only when the education is not recorded


@dataclass(frozen=True)
class TwoAfter:
    two_after: bool
    derived: bool  # False when taken from the declaration
    reason: str
    trace: Trace = field(repr=False)


def two_after_student(
    facts: TwoAfterFacts, on: date, params: Params, *, trace: Trace | None = None
) -> TwoAfter:
    """EMP-2 / YA-HRSS §三(一): a 两后生 left school after junior or senior high school
    (初、高中毕业后未能升学), is not studying, and is at most the parameter age."""
    trace = Trace() if trace is None else trace
    if facts.education is None:
        declared = bool(facts.declared_two_after)
        reason = "education not recorded: the census declaration is used"
        trace.step(EMP_2, reason, declared=declared)
        return TwoAfter(declared, False, reason, trace)
    age = age_on(facts.birth_date, on)
    max_age = _whole(params, P_TWO_AFTER_MAX_AGE, trace)
    if Education(facts.education) not in TWO_AFTER_LEVELS:
        reason = "highest education is not junior or senior high school"
        result = False
    elif facts.in_school:
        reason = "still in school (在读)"
        result = False
    elif age > max_age:
        reason = "above the age of a school leaver"
        result = False
    else:
        reason = "junior/senior high graduate who did not continue (两后生)"
        result = True
    trace.step(
        EMP_2,
        reason,
        education=Education(facts.education).value,
        in_school=facts.in_school,
        age=age,
        max_age=max_age,
    )
    return TwoAfter(result, True, reason, trace)


def is_labourer(ability: WorkAbility, of_working_age: bool, alive: bool) -> bool:
    """EMP-1: a labourer (劳动力) is alive, of working age and able to work fully or partly."""
    return alive and of_working_age and WorkAbility(ability) is not WorkAbility.none


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def working_age_births(
    on: date, params: Params, *, trace: Trace | None = None
) -> tuple[date, date]:
    """EMP-1 as a range of birth dates: of working age on `on` ⇔ first < birth_date <= last."""
    trace = Trace() if trace is None else trace
    low = _whole(params, P_MIN_AGE, trace)
    high = _whole(params, P_MAX_AGE, trace)
    return years_before(on, high), years_before(on, low)
