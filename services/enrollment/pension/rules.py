"""Resident pension rules (城乡居民基本养老保险) for the registered poor: ENR-P1, ENR-P3..P9.

Pure functions: facts (and, where age matters, today's date) in; a result with Decimal yuan and a
`Trace` out. No database, clock or I/O. Every figure is a policy parameter read through `Params`,
so the trace names each parameter used (path, value, effective date, reference) and each step
names its rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
YA-GOV §三(五) is the main source; FL-HRSS §三(二) and CITY-HRSS §三(五)11-12 add to it.

- ENR-P1: the seeds say only "符合参保条件"; they do not define eligibility. Age >= 16, not a
  full-time student and not covered by the employee scheme is the national rule (国发〔2014〕8号
  §三), which the spec attributes to the seeds; enrollment.pension.eligibility.min_age cites it
  (YA-HRSS §一(一) gives no age).
- Who is covered. YA-GOV §三(五)一 gives the subsidies to "贫困人口参保" (ENR-P3, both ENR-P4
  clauses), FL-HRSS §三(二) its 兜底 to "建档立卡贫困人口" (ENR-P5) and §三(五)二 its ledger to
  "贫困人口" (ENR-P6): registered poor only, not marginal households (边缘户,
  PovertyStatus.is_registered_poor), who pay their chosen tier like any resident (any ordinary
  subsidy of the resident scheme is the pension office's, outside these rules). §三(五)三 and
  §三(五)四 say "参保人" / "参保人员" (ENR-P7, ENR-P8, ENR-P9): every insured person, marginal
  ones included.
- ENR-P3: YA-GOV says the government "gives" the 30..100 yuan 参保补贴 but not whether it lowers
  what the person pays. The national rule credits it to the individual account; the parameter
  enrollment.pension.subsidy.deducted_from_payment (illustrative, default false) decides.
- ENR-P4, grade 3-4: the 50 yuan is a 缴费补助, a separate clause with its own noun after the capped
  参保补贴, and these people are poor contributors too. It is added to the tier subsidy and is not
  under its 100-yuan cap (tier 100 -> 30 + 50). The spec does not say how the two combine.
- ENR-P4, grade 1-2: the government pays the 200 tier (代缴); a lower chosen tier is raised to 200,
  above 200 the person pays the difference. As poor contributors they also get the 参保补贴 of the
  tier contributed (200 -> 40).
- ENR-P5: FL-HRSS §三(二) says only "养老保险政府兜底", no amount; the spec reads it as the whole
  minimum contribution, which is what is paid here. With grade 1-2 the larger tier is paid; the
  two payments on the person's behalf do not add up.
- ENR-P4, 55-60: the seed gives no basic-pension figure (parameter, illustrative). The subsidy runs
  from the month after the 55th birthday to the month of the 60th birthday (60 months), so it
  ends where the pension begins.
- ENR-P6: the seeds give neither the scheme's start date, the tier of the one-off back payment, nor
  a "near 60" window (CITY-HRSS §三(五)12 lists 60+ only): all three are illustrative parameters.
  Missed years are the begun years from the scheme's start (or the 16th birthday, if later) to
  the 60th birthday, less the years paid. A person now 60+ with no year missing is listed as
  claim_without_contribution (claim, nothing to pay).
- ENR-P8: the seed grants 600 yuan on the death of a 参保人员; that the pension stops from the month
  after death is the national practice, not in the seeds.
- ENR-P7: the seed gives the +2 yuan per year beyond 15; the basic pension and the 139 divisor of
  the individual account are national figures (illustrative parameters).
- ENR-P9: the seed offers the move only under 15 employee-scheme years and only on application
  (可申请); 15 years or more is refused here. Years are counted in months, as the employee scheme
  records them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from shared.domain import PovertyStatus
from shared.money import ZERO, yuan
from shared.trace import Params, Trace

# The national disability classification (1 = most severe); 重度残疾 means grades 1-2.
SEVERE_GRADES = frozenset({1, 2})
MODERATE_GRADES = frozenset({3, 4})

P_MIN_AGE = "enrollment.pension.eligibility.min_age"
P_TIERS = "enrollment.pension.tiers.allowed"
P_MIN_TIER = "enrollment.pension.tiers.minimum"
P_BASE = "enrollment.pension.subsidy.base"
P_STEP = "enrollment.pension.subsidy.step"
P_STEP_TIER = "enrollment.pension.subsidy.step_tier"
P_CAP = "enrollment.pension.subsidy.cap"
P_DEDUCTED = "enrollment.pension.subsidy.deducted_from_payment"
P_SEVERE_TIER = "enrollment.pension.severe_disability.paid_tier"
P_MODERATE = "enrollment.pension.moderate_disability.subsidy"
P_COUNTY_PAYS = "enrollment.pension.county_pays_minimum"
P_BASIC = "enrollment.pension.basic_pension.monthly"
P_CLAIM_AGE = "enrollment.pension.claim_age"
P_EARLY_FROM = "enrollment.pension.severe_disability.early_subsidy.from_age"
P_EARLY_YEARS = "enrollment.pension.severe_disability.early_subsidy.max_years"
P_NEAR_FROM = "enrollment.pension.ledger.near_from_age"
P_SCHEME_START = "enrollment.pension.scheme_start"
P_BACK_TIER = "enrollment.pension.back_payment.tier"
P_LONG_YEARS = "enrollment.pension.long_contribution.threshold_years"
P_LONG_EXTRA = "enrollment.pension.long_contribution.extra_per_year"
P_DIVISOR = "enrollment.pension.account_divisor"
P_FUNERAL = "enrollment.pension.funeral_grant"
P_TRANSFER_YEARS = "enrollment.pension.transfer_in.max_employee_years"


# --- dates -------------------------------------------------------------------------------------


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years (周岁) on a day; a 29 February birthday counts from 1 March otherwise."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birthday(birth_date: date, age: int) -> date:
    """The day a person reaches `age`, consistent with `age_on`."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:  # 29 February in a common year
        return date(birth_date.year + age, 3, 1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _begun_years(start: date, end: date) -> int:
    """Years of the period [start, end), a begun year counting as a whole one."""
    if end <= start:
        return 0
    months = _month_index(end) - _month_index(start) + (1 if end.day > start.day else 0)
    return -(-months // 12)


# --- parameter reads ---------------------------------------------------------------------------


def _whole(params: Params, path: str, trace: Trace) -> int:
    value = params.decimal(path, trace)
    if value != value.to_integral_value():
        raise TypeError(f"parameter {path} must be a whole number: {value}")
    return int(value)


def _flag(params: Params, path: str, trace: Trace) -> bool:
    value = params.get(path, trace)
    if not isinstance(value, bool):
        raise TypeError(f"parameter {path} is not true/false: {value!r}")
    return value


def _check_grade(grade: int | None) -> None:
    # bool is an int: refuse it so True is not read as grade 1.
    if grade is not None and (isinstance(grade, bool) or grade not in (1, 2, 3, 4)):
        raise ValueError(f"disability grade must be None or 1-4, not {grade!r}")


def _check_not_after(day: date, today: date, what: str) -> None:
    if day > today:
        raise ValueError(f"{what} {day.isoformat()} is after today {today.isoformat()}")


# --- ENR-P1 eligibility ------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityFacts:
    """A registered poor person checked for the resident pension (参保条件)."""

    birth_date: date
    full_time_student: bool = False  # 在校学生
    employee_pension_covered: bool = False  # 属于职工基本养老保险覆盖范围


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    age: int
    reason: str | None  # why not eligible; None when eligible
    trace: Trace = field(repr=False)


def pension_eligibility(
    facts: EligibilityFacts, today: date, params: Params, *, trace: Trace | None = None
) -> EligibilityResult:
    """ENR-P1: may this person join the resident pension (城乡居民基本养老保险参保条件)?"""
    trace = Trace() if trace is None else trace
    _check_not_after(facts.birth_date, today, "birth date")
    min_age = _whole(params, P_MIN_AGE, trace)
    age = age_on(facts.birth_date, today)
    reasons = []
    if age < min_age:
        reasons.append(f"aged {age}, under {min_age}")
    if facts.full_time_student:
        reasons.append("full-time student")
    if facts.employee_pension_covered:
        reasons.append("covered by the employee pension scheme")
    reason = "; ".join(reasons) or None
    trace.step(
        "ENR-P1",
        "eligible for the resident pension" if reason is None else f"not eligible: {reason}",
        age=age,
        min_age=min_age,
        full_time_student=facts.full_time_student,
        employee_pension_covered=facts.employee_pension_covered,
    )
    return EligibilityResult(eligible=reason is None, age=age, reason=reason, trace=trace)


# --- ENR-P3/P4/P5 contribution -----------------------------------------------------------------


def _registered_poor(status: PovertyStatus | None) -> bool:
    return status is not None and status.is_registered_poor


def _not_covered(status: PovertyStatus | None) -> str:
    who = (
        "marginal household (边缘户)"
        if status is PovertyStatus.marginal
        else "not in the poverty registry"
    )
    return f"{who}: the poverty pension rules cover registered poor (贫困人口) only"


@dataclass(frozen=True)
class ContributionFacts:
    """One contributor's year (贫困人口参保缴费); the subsidies need a registered poor person."""

    tier: Decimal | int  # chosen tier (缴费档次), yuan/year
    disability_grade: int | None = None  # certified (持证) grade 1-4, None when not disabled
    # REG-2 status; None when not in the registry. Marginal and unregistered get no subsidy.
    poverty_status: PovertyStatus | None = PovertyStatus.not_exited


@dataclass(frozen=True)
class ContributionResult:
    chosen_tier: Decimal
    contribution: Decimal  # tier contributed for the year (raised to the tier paid on behalf)
    tier_subsidy: Decimal  # 参保补贴, capped (ENR-P3)
    disability_subsidy: Decimal  # 缴费补助 of certified grade 3-4 (ENR-P4)
    subsidy: Decimal  # government subsidy: the two above
    paid_on_behalf: Decimal  # 代缴: grade 1-2 (ENR-P4) or county 兜底 (ENR-P5)
    person_pays: Decimal  # never below 0
    account_credit: Decimal  # into the individual account for the year
    subsidy_deducted: bool  # the subsidy lowered the payment instead of being credited on top
    trace: Trace = field(repr=False)


def _tier_list(params: Params, trace: Trace) -> list[Decimal]:
    value = params.get(P_TIERS, trace)
    if not isinstance(value, list) or not all(isinstance(v, Decimal) for v in value):
        raise TypeError(f"parameter {P_TIERS} must be a list of amounts: {value!r}")
    return sorted(value)


def contribution_subsidy(
    facts: ContributionFacts, params: Params, *, trace: Trace | None = None
) -> ContributionResult:
    """ENR-P3/P4/P5: subsidy (参保补贴, 缴费补助), payment on the person's behalf (代缴, 政府兜底)
    and what the person pays, for one registered poor contributor in one year.

    Raises ValueError for a tier that is not allowed or a grade outside 1-4."""
    trace = Trace() if trace is None else trace
    grade = facts.disability_grade
    _check_grade(grade)
    if isinstance(facts.tier, float):
        raise TypeError("tier must not be a float")
    allowed = _tier_list(params, trace)
    chosen = yuan(facts.tier)
    if chosen not in allowed:
        listed = ", ".join(format(t, "f") for t in allowed)
        raise ValueError(f"tier {facts.tier} yuan is not an allowed tier (allowed: {listed})")
    if not _registered_poor(facts.poverty_status):
        why = _not_covered(facts.poverty_status)
        trace.step(
            "ENR-P3",
            f"no subsidy, no tier paid on the person's behalf: {why}",
            poverty_status=facts.poverty_status.value if facts.poverty_status else "none",
            contribution=chosen,
            person_pays=chosen,
        )
        return ContributionResult(
            chosen_tier=chosen,
            contribution=chosen,
            tier_subsidy=ZERO,
            disability_subsidy=ZERO,
            subsidy=ZERO,
            paid_on_behalf=ZERO,
            person_pays=chosen,
            account_credit=chosen,
            subsidy_deducted=False,
            trace=trace,
        )
    minimum = params.decimal(P_MIN_TIER, trace)

    on_behalf_tier = ZERO
    if grade in SEVERE_GRADES:
        on_behalf_tier = params.decimal(P_SEVERE_TIER, trace)
        trace.step(
            "ENR-P4",
            "certified grade 1-2 disabled: the government pays this tier (代缴)",
            grade=grade,
            paid_tier=on_behalf_tier,
        )
    if _flag(params, P_COUNTY_PAYS, trace):
        # Paying the larger tier covers the smaller one; the two never add up.
        on_behalf_tier = max(on_behalf_tier, minimum)
        trace.step("ENR-P5", "the county pays the minimum tier (政府兜底)", minimum_tier=minimum)
    else:
        trace.step("ENR-P5", "the county does not pay the minimum contribution")
    contribution = yuan(max(chosen, on_behalf_tier))
    if contribution != chosen:
        trace.step(
            "ENR-P4" if grade in SEVERE_GRADES else "ENR-P5",
            "tier raised to the tier paid on the person's behalf",
            chosen_tier=chosen,
            contribution=contribution,
        )

    base = params.decimal(P_BASE, trace)
    step = params.decimal(P_STEP, trace)
    step_tier = params.decimal(P_STEP_TIER, trace)
    cap = params.decimal(P_CAP, trace)
    steps = max(ZERO, ((contribution - minimum) / step_tier).to_integral_value(ROUND_FLOOR))
    tier_subsidy = yuan(min(cap, base + step * steps))
    trace.step(
        "ENR-P3",
        "参保补贴: base at the minimum tier, one step per further step_tier, at most cap",
        contribution=contribution,
        base=base,
        steps=steps,
        step=step,
        cap=cap,
        tier_subsidy=tier_subsidy,
    )

    disability_subsidy = ZERO
    if grade in MODERATE_GRADES:
        disability_subsidy = yuan(params.decimal(P_MODERATE, trace))
        trace.step(
            "ENR-P4",
            "certified grade 3-4 disabled: 缴费补助 on top of the 参保补贴",
            grade=grade,
            disability_subsidy=disability_subsidy,
        )
    subsidy = tier_subsidy + disability_subsidy

    deducted = _flag(params, P_DEDUCTED, trace)
    remaining = contribution
    if deducted:
        remaining -= min(subsidy, remaining)
    paid_on_behalf = min(on_behalf_tier, remaining)
    person_pays = max(ZERO, remaining - paid_on_behalf)
    account_credit = contribution if deducted else contribution + subsidy
    trace.step(
        "ENR-P3",
        "subsidy deducted from the payment"
        if deducted
        else "subsidy credited to the individual account on top of the contribution",
        contribution=contribution,
        subsidy=subsidy,
        paid_on_behalf=paid_on_behalf,
        person_pays=person_pays,
        account_credit=account_credit,
    )
    return ContributionResult(
        chosen_tier=chosen,
        contribution=contribution,
        tier_subsidy=tier_subsidy,
        disability_subsidy=disability_subsidy,
        subsidy=subsidy,
        paid_on_behalf=yuan(paid_on_behalf),
        person_pays=yuan(person_pays),
        account_credit=yuan(account_credit),
        subsidy_deducted=deducted,
        trace=trace,
    )


# --- ENR-P4 the 55-60 subsidy of grade 1-2 disabled --------------------------------------------


@dataclass(frozen=True)
class EarlySubsidyFacts:
    """A certified disabled person (持证残疾人) before the claim age."""

    birth_date: date
    disability_grade: int | None
    # REG-2 status; None when not in the registry. Only registered poor are covered.
    poverty_status: PovertyStatus | None = PovertyStatus.not_exited


@dataclass(frozen=True)
class EarlySubsidyResult:
    entitled: bool  # entitled in today's month
    reason: str | None  # why not entitled today; None when entitled
    monthly_amount: Decimal  # equal to the basic pension (0 when not entitled)
    first_month: date | None  # first day of the first month paid; None when never entitled
    last_month: date | None  # first day of the last month paid
    months_remaining: int  # from today's month to the last month, both included
    trace: Trace = field(repr=False)


def severe_disability_early_subsidy(
    facts: EarlySubsidyFacts, today: date, params: Params, *, trace: Trace | None = None
) -> EarlySubsidyResult:
    """ENR-P4: monthly subsidy equal to the basic pension (基础养老金标准养老补助) for a certified
    grade 1-2 disabled person from 55 until 60, for at most 5 years."""
    trace = Trace() if trace is None else trace
    grade = facts.disability_grade
    _check_grade(grade)
    _check_not_after(facts.birth_date, today, "birth date")
    if not _registered_poor(facts.poverty_status):
        why = _not_covered(facts.poverty_status)
        trace.step("ENR-P4", f"no 55-60 subsidy: {why}", grade=grade)
        return EarlySubsidyResult(False, why, ZERO, None, None, 0, trace)
    if grade not in SEVERE_GRADES:
        trace.step("ENR-P4", "not a certified grade 1-2 disabled person", grade=grade)
        return EarlySubsidyResult(
            False, "not a certified grade 1-2 disabled person", ZERO, None, None, 0, trace
        )
    from_age = _whole(params, P_EARLY_FROM, trace)
    claim_age = _whole(params, P_CLAIM_AGE, trace)
    max_years = _whole(params, P_EARLY_YEARS, trace)
    # Paid from the month after the birthday, like a pension, up to the month the pension begins.
    first = _month_index(birthday(facts.birth_date, from_age)) + 1
    last = min(
        _month_index(birthday(facts.birth_date, claim_age)),
        first + max_years * 12 - 1,
    )
    now = _month_index(today)
    age = age_on(facts.birth_date, today)
    if now < first:
        reason = f"aged {age}: paid from {_month_start(first).isoformat()}"
    elif now > last:
        reason = f"aged {age}: the subsidy ended {_month_start(last).isoformat()}"
    else:
        reason = None
    entitled = reason is None
    monthly = yuan(params.decimal(P_BASIC, trace)) if entitled else ZERO
    remaining = last - max(now, first) + 1 if now <= last else 0
    trace.step(
        "ENR-P4",
        "55-60 subsidy of certified grade 1-2 disabled"
        + ("" if entitled else f" not paid now: {reason}"),
        grade=grade,
        age=age,
        from_age=from_age,
        claim_age=claim_age,
        max_years=max_years,
        first_month=_month_start(first),
        last_month=_month_start(last),
        monthly_amount=monthly,
        months_remaining=remaining,
    )
    return EarlySubsidyResult(
        entitled=entitled,
        reason=reason,
        monthly_amount=monthly,
        first_month=_month_start(first),
        last_month=_month_start(last),
        months_remaining=remaining,
        trace=trace,
    )


# --- ENR-P6 ledger of people at or near 60 -----------------------------------------------------


class LedgerCategory(StrEnum):
    ALREADY_CLAIMING = "already_claiming"
    CLAIM_WITHOUT_CONTRIBUTION = "claim_without_contribution"
    LUMP_SUM_BACK_PAYMENT = "lump_sum_back_payment"
    APPROACHING_60 = "approaching_60"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class LedgerFacts:
    """A registered poor person for the pension ledger (城乡居民养老保险待遇扶贫台账)."""

    birth_date: date
    years_paid: int  # contribution years already paid
    draws_pension: bool  # 已领取养老金


@dataclass(frozen=True)
class LedgerRow:
    category: LedgerCategory
    age: int
    years_due: int  # contribution years from the scheme's start (to 60, or to today if younger)
    years_missing: int
    lump_sum: Decimal  # one-off back payment (一次性补缴); 0 unless lump_sum_back_payment
    trace: Trace = field(repr=False)


def pension_claim_ledger_row(
    facts: LedgerFacts, today: date, params: Params, *, trace: Trace | None = None
) -> LedgerRow:
    """ENR-P6: the ledger row of a registered poor person at or near 60: claim without
    contributing (制度实施时已年满60周岁), back-pay the missed years in one sum then claim
    (一次性补缴), approaching 60, already claiming, or not applicable."""
    trace = Trace() if trace is None else trace
    _check_not_after(facts.birth_date, today, "birth date")
    if facts.years_paid < 0:
        raise ValueError(f"years paid must not be negative: {facts.years_paid}")
    age = age_on(facts.birth_date, today)

    def row(
        category: LedgerCategory, due: int, missing: int, lump: Decimal, text: str
    ) -> LedgerRow:
        trace.step(
            "ENR-P6",
            text,
            category=category.value,
            age=age,
            years_paid=facts.years_paid,
            years_due=due,
            years_missing=missing,
            lump_sum=lump,
        )
        return LedgerRow(category, age, due, missing, lump, trace)

    if facts.draws_pension:
        return row(LedgerCategory.ALREADY_CLAIMING, 0, 0, ZERO, "already draws a pension")
    claim_age = _whole(params, P_CLAIM_AGE, trace)
    near_from = _whole(params, P_NEAR_FROM, trace)
    if age < near_from:
        return row(LedgerCategory.NOT_APPLICABLE, 0, 0, ZERO, f"under {near_from}")
    scheme_start = params.day(P_SCHEME_START, trace)
    reaches_claim_age = birthday(facts.birth_date, claim_age)
    if reaches_claim_age <= scheme_start:
        return row(
            LedgerCategory.CLAIM_WITHOUT_CONTRIBUTION,
            0,
            0,
            ZERO,
            f"already {claim_age} when the scheme began on {scheme_start.isoformat()}: "
            "enrol and claim without contributing",
        )
    min_age = _whole(params, P_MIN_AGE, trace)
    owes_from = max(scheme_start, birthday(facts.birth_date, min_age))
    if age < claim_age:
        due = _begun_years(owes_from, today)
        missing = max(0, due - facts.years_paid)
        return row(
            LedgerCategory.APPROACHING_60,
            due,
            missing,
            ZERO,
            f"approaching {claim_age} on {reaches_claim_age.isoformat()}: keep paying each year",
        )
    due = _begun_years(owes_from, reaches_claim_age)
    missing = max(0, due - facts.years_paid)
    if missing == 0:
        return row(
            LedgerCategory.CLAIM_WITHOUT_CONTRIBUTION,
            due,
            0,
            ZERO,
            "every year since the scheme began is paid: claim without further contribution",
        )
    tier = params.decimal(P_BACK_TIER, trace)
    lump = yuan(tier * missing)
    return row(
        LedgerCategory.LUMP_SUM_BACK_PAYMENT,
        due,
        missing,
        lump,
        f"pay the missed years since {owes_from.isoformat()} in one sum at {tier} yuan a year, "
        "then claim",
    )


# --- ENR-P7 monthly benefit --------------------------------------------------------------------


@dataclass(frozen=True)
class BenefitFacts:
    """A pensioner at the claim (待遇领取)."""

    contribution_years: int  # 累计缴费年限
    account_balance: Decimal  # 个人账户储存额, yuan


@dataclass(frozen=True)
class BenefitResult:
    basic_pension: Decimal  # 基础养老金
    long_contribution_extra: Decimal  # 长缴多得: per year beyond the threshold
    account_pension: Decimal  # 个人账户养老金: balance / divisor
    monthly_total: Decimal
    trace: Trace = field(repr=False)


def monthly_benefit(
    facts: BenefitFacts, params: Params, *, trace: Trace | None = None
) -> BenefitResult:
    """ENR-P7: monthly resident pension (养老金月待遇) = basic pension + extra per contribution
    year beyond 15 + individual account / 139."""
    trace = Trace() if trace is None else trace
    if facts.contribution_years < 0:
        raise ValueError(f"contribution years must not be negative: {facts.contribution_years}")
    balance = yuan(facts.account_balance)
    if balance < 0:
        raise ValueError(f"account balance must not be negative: {balance}")
    basic = yuan(params.decimal(P_BASIC, trace))
    threshold = _whole(params, P_LONG_YEARS, trace)
    per_year = params.decimal(P_LONG_EXTRA, trace)
    extra_years = max(0, facts.contribution_years - threshold)
    extra = yuan(per_year * extra_years)
    divisor = params.decimal(P_DIVISOR, trace)
    account = yuan(balance / divisor)
    total = basic + extra + account
    trace.step(
        "ENR-P7",
        "basic pension + extra per year beyond the threshold + account balance / divisor",
        basic_pension=basic,
        contribution_years=facts.contribution_years,
        threshold_years=threshold,
        extra_per_year=per_year,
        long_contribution_extra=extra,
        account_balance=balance,
        divisor=divisor,
        account_pension=account,
        monthly_total=total,
    )
    return BenefitResult(basic, extra, account, total, trace)


# --- ENR-P8 death --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeathFacts:
    """The death of a person (参保人员死亡)."""

    date_of_death: date
    insured: bool  # a contributor or pensioner of the resident scheme (参保人员)
    draws_pension: bool


@dataclass(frozen=True)
class DeathResult:
    funeral_grant: Decimal  # 丧葬补助金; paid once, which the caller enforces
    pension_stops_from: date | None  # first day of the month after death; None if no pension
    reason: str | None  # why no grant; None when granted
    trace: Trace = field(repr=False)


def death_settlement(
    facts: DeathFacts, today: date, params: Params, *, trace: Trace | None = None
) -> DeathResult:
    """ENR-P8: one-off funeral grant (一次性丧葬补助金) on the death of an insured person, and the
    month from which the pension stops."""
    trace = Trace() if trace is None else trace
    _check_not_after(facts.date_of_death, today, "date of death")
    if not facts.insured:
        trace.step("ENR-P8", "not insured in the resident scheme: no funeral grant")
        return DeathResult(ZERO, None, "not insured in the resident scheme", trace)
    # The month of death is still paid in full; nothing is reclaimed for it.
    stops = _month_start(_month_index(facts.date_of_death) + 1) if facts.draws_pension else None
    grant = yuan(params.decimal(P_FUNERAL, trace))
    trace.step(
        "ENR-P8",
        "funeral grant on the death of an insured person; any pension stops after that month",
        date_of_death=facts.date_of_death,
        funeral_grant=grant,
        pension_stops_from=stops if stops is not None else "no pension",
    )
    return DeathResult(grant, stops, None, trace)


# --- ENR-P9 transfer in from the employee scheme -----------------------------------------------


@dataclass(frozen=True)
class TransferFacts:
    """A move from the employee pension (城镇职工基本养老保险) into the resident scheme."""

    employee_contribution_months: int  # 职工养老保险缴费月数
    employee_account_balance: Decimal  # 职工个人账户储存额, yuan
    resident_contribution_years: int = 0
    resident_account_balance: Decimal = ZERO


@dataclass(frozen=True)
class TransferResult:
    allowed: bool
    reason: str | None  # why refused; None when allowed
    merged_account_balance: Decimal | None  # None when refused
    merged_contribution_months: int | None
    merged_contribution_years: int | None  # whole years of the merged months
    trace: Trace = field(repr=False)


def transfer_in_from_employee_scheme(
    facts: TransferFacts, params: Params, *, trace: Trace | None = None
) -> TransferResult:
    """ENR-P9: with fewer than 15 employee-scheme years the individual account and the years merge
    into the resident scheme (个人账户储存额全部并入, 缴费年限合并计算); otherwise refused."""
    trace = Trace() if trace is None else trace
    if facts.employee_contribution_months < 0 or facts.resident_contribution_years < 0:
        raise ValueError("contribution periods must not be negative")
    employee_balance = yuan(facts.employee_account_balance)
    resident_balance = yuan(facts.resident_account_balance)
    if employee_balance < 0 or resident_balance < 0:
        raise ValueError("account balances must not be negative")
    max_years = _whole(params, P_TRANSFER_YEARS, trace)
    if facts.employee_contribution_months >= max_years * 12:
        reason = (
            f"{facts.employee_contribution_months} employee-scheme months is not under "
            f"{max_years} years: stays in the employee scheme"
        )
        trace.step(
            "ENR-P9",
            f"transfer refused: {reason}",
            employee_contribution_months=facts.employee_contribution_months,
            max_employee_years=max_years,
        )
        return TransferResult(False, reason, None, None, None, trace)
    months = facts.resident_contribution_years * 12 + facts.employee_contribution_months
    balance = employee_balance + resident_balance
    trace.step(
        "ENR-P9",
        "account and years merge into the resident scheme",
        employee_contribution_months=facts.employee_contribution_months,
        max_employee_years=max_years,
        employee_account_balance=employee_balance,
        resident_account_balance=resident_balance,
        merged_account_balance=balance,
        merged_contribution_months=months,
    )
    return TransferResult(True, None, balance, months, months // 12, trace)
