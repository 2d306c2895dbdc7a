"""Resident pension rules (ENR-P1, ENR-P3..P9) against the seeds' own figures (YA-GOV §三(五),
FL-HRSS §三(二)), with the shipped parameter files."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.enrollment.pension.rules import (
    BenefitFacts,
    ContributionFacts,
    ContributionResult,
    DeathFacts,
    EarlySubsidyFacts,
    EligibilityFacts,
    LedgerCategory,
    LedgerFacts,
    TransferFacts,
    age_on,
    contribution_subsidy,
    death_settlement,
    monthly_benefit,
    pension_claim_ledger_row,
    pension_eligibility,
    severe_disability_early_subsidy,
    transfer_in_from_employee_scheme,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

ON = date(2018, 1, 1)
SHIPPED = PolicySet.load(Settings().policy_dir)
YAOAN = Params(SHIPPED, "532325", ON)
FULIANG = Params(SHIPPED, "360222", ON)
TIERS = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000]


def _deducting_policy() -> PolicySet:
    """The shipped files with the subsidy deducted from the payment instead of credited."""
    with tempfile.TemporaryDirectory() as tmp:
        for source in Settings().policy_dir.glob("*.yaml"):
            text = source.read_text(encoding="utf-8")
            if source.name == "enrollment_pension.yaml":
                assert text.count("2017-01-01: false") == 1
                text = text.replace("2017-01-01: false", "2017-01-01: true")
            (Path(tmp) / source.name).write_text(text, encoding="utf-8")
        return PolicySet.load(Path(tmp))


DEDUCTING = _deducting_policy()


def d(value: str | int) -> Decimal:
    return Decimal(value)


def rules_of(trace: Trace) -> list[str]:
    return trace.out().rules


def paths_of(trace: Trace) -> set[str]:
    return {p.path for p in trace.out().parameters}


# --- ENR-P1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "eligible"),
    [
        (date(2002, 1, 1), date(2018, 1, 1), True),  # 16 today
        (date(2002, 1, 2), date(2018, 1, 1), False),  # 16 tomorrow
        (date(2000, 2, 29), date(2016, 2, 28), False),
        (date(2000, 2, 29), date(2016, 2, 29), True),
        (date(2001, 2, 28), date(2017, 2, 28), True),
        (date(1950, 5, 5), date(2018, 1, 1), True),
    ],
)
def test_eligibility_age_boundary(birth: date, today: date, eligible: bool) -> None:
    result = pension_eligibility(EligibilityFacts(birth), today, YAOAN)
    assert result.eligible is eligible
    assert (result.reason is None) is eligible
    if not eligible:
        assert "under 16" in (result.reason or "")
    assert rules_of(result.trace) == ["ENR-P1"]
    assert "enrollment.pension.eligibility.min_age" in paths_of(result.trace)


def test_eligibility_student_and_employee_scheme_give_reasons() -> None:
    student = pension_eligibility(
        EligibilityFacts(date(2000, 1, 1), full_time_student=True), ON, YAOAN
    )
    assert not student.eligible and student.reason == "full-time student"
    both = pension_eligibility(
        EligibilityFacts(date(2003, 1, 1), full_time_student=True, employee_pension_covered=True),
        ON,
        YAOAN,
    )
    assert not both.eligible
    assert (
        both.reason
        == "aged 15, under 16; full-time student; covered by the employee pension scheme"
    )


def test_eligibility_refuses_birth_in_the_future() -> None:
    with pytest.raises(ValueError, match="after today"):
        pension_eligibility(EligibilityFacts(date(2019, 1, 1)), ON, YAOAN)


# --- ENR-P3/P4/P5 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "subsidy"),
    [
        (100, "30"),  # YA-GOV §三(五)一
        (200, "40"),
        (300, "50"),
        (500, "70"),
        (800, "100"),
        (900, "100"),
        (1000, "100"),
        (1500, "100"),
        (2000, "100"),
    ],
)
def test_tier_subsidy_seed_figures(tier: int, subsidy: str) -> None:
    result = contribution_subsidy(ContributionFacts(tier), YAOAN)
    assert result.tier_subsidy == d(subsidy)
    assert result.subsidy == d(subsidy)
    assert result.disability_subsidy == 0
    assert result.paid_on_behalf == 0
    # Credited to the individual account on top (national rule; the shipped default).
    assert result.person_pays == d(tier)
    assert result.account_credit == d(tier) + d(subsidy)
    assert not result.subsidy_deducted


@pytest.mark.parametrize(
    ("tier", "grade", "contribution", "tier_subsidy", "disability", "on_behalf", "person"),
    [
        # Grade 1-2: the government pays the 200 tier (代缴), raising a lower tier to it.
        (100, 2, 200, "40", "0", "200", "0"),
        (200, 1, 200, "40", "0", "200", "0"),
        (500, 2, 500, "70", "0", "200", "300"),
        # Grade 3-4: 50 yuan 缴费补助 on top of the 参保补贴, outside its cap.
        (100, 3, 100, "30", "50", "0", "100"),
        (300, 4, 300, "50", "50", "0", "300"),
        (1000, 3, 1000, "100", "50", "0", "1000"),
    ],
)
def test_disability(
    tier: int,
    grade: int,
    contribution: int,
    tier_subsidy: str,
    disability: str,
    on_behalf: str,
    person: str,
) -> None:
    result = contribution_subsidy(ContributionFacts(tier, disability_grade=grade), YAOAN)
    assert result.contribution == contribution
    assert result.tier_subsidy == d(tier_subsidy)
    assert result.disability_subsidy == d(disability)
    assert result.subsidy == d(tier_subsidy) + d(disability)
    assert result.paid_on_behalf == d(on_behalf)
    assert result.person_pays == d(person)
    assert "ENR-P4" in rules_of(result.trace)


def test_grade_two_trace_names_the_rules_and_parameters() -> None:
    result = contribution_subsidy(ContributionFacts(100, disability_grade=2), YAOAN)
    assert rules_of(result.trace) == ["ENR-P4", "ENR-P5", "ENR-P3"]
    assert {
        "enrollment.pension.tiers.allowed",
        "enrollment.pension.tiers.minimum",
        "enrollment.pension.severe_disability.paid_tier",
        "enrollment.pension.county_pays_minimum",
        "enrollment.pension.subsidy.base",
        "enrollment.pension.subsidy.step",
        "enrollment.pension.subsidy.step_tier",
        "enrollment.pension.subsidy.cap",
        "enrollment.pension.subsidy.deducted_from_payment",
    } <= paths_of(result.trace)
    assert "enrollment.pension.moderate_disability.subsidy" not in paths_of(result.trace)
    paid = next(s for s in result.trace.steps if "代缴" in s.text)
    assert paid.figures["paid_tier"] == "200"


@pytest.mark.parametrize(
    ("tier", "grade", "on_behalf", "person", "subsidy"),
    [
        (100, None, "100", "0", "30"),  # the county pays the whole minimum tier (政府兜底)
        (300, None, "100", "200", "50"),
        (100, 3, "100", "0", "80"),
        # 浮梁's documents pay no 200 tier (姚安's, YA-GOV): the illustrative lowest tier and
        # the county's 兜底 of the same tier do not add up.
        (100, 2, "100", "0", "30"),
    ],
)
def test_fuliang_county_pays_the_minimum(
    tier: int, grade: int | None, on_behalf: str, person: str, subsidy: str
) -> None:
    result = contribution_subsidy(ContributionFacts(tier, disability_grade=grade), FULIANG)
    assert result.paid_on_behalf == d(on_behalf)
    assert result.person_pays == d(person)
    assert result.subsidy == d(subsidy)
    step = next(s for s in result.trace.steps if s.rule == "ENR-P5")
    assert "兜底" in step.text
    used = {p.path: p for p in result.trace.out().parameters}
    assert used["enrollment.pension.county_pays_minimum"].county == "360222"
    assert used["enrollment.pension.county_pays_minimum"].value is True


def test_fuliang_before_2018_and_yaoan_do_not_pay_the_minimum() -> None:
    for params in (Params(SHIPPED, "360222", date(2017, 6, 1)), YAOAN):
        result = contribution_subsidy(ContributionFacts(100), params)
        assert (result.paid_on_behalf, result.person_pays) == (Decimal(0), Decimal(100))


@pytest.mark.parametrize(
    ("params", "tier", "grade", "subsidy", "on_behalf", "person"),
    [
        (Params(DEDUCTING, "532325", ON), 100, None, "30", "0", "70"),
        (Params(DEDUCTING, "532325", ON), 100, 3, "80", "0", "20"),
        (Params(DEDUCTING, "532325", ON), 100, 2, "40", "160", "0"),
        (Params(DEDUCTING, "360222", ON), 100, None, "30", "70", "0"),
        (Params(DEDUCTING, "360222", ON), 300, None, "50", "100", "150"),
    ],
)
def test_subsidy_deducted_from_payment(
    params: Params, tier: int, grade: int | None, subsidy: str, on_behalf: str, person: str
) -> None:
    result = contribution_subsidy(ContributionFacts(tier, disability_grade=grade), params)
    assert result.subsidy_deducted
    assert result.subsidy == d(subsidy)
    assert result.paid_on_behalf == d(on_behalf)
    assert result.person_pays == d(person)
    assert result.account_credit == result.contribution


@pytest.mark.parametrize("tier", [0, 50, 150, 1100, 3000, "100.50"])
def test_tier_not_allowed(tier: int | str) -> None:
    with pytest.raises(ValueError, match=rf"tier {tier} yuan is not an allowed tier"):
        contribution_subsidy(ContributionFacts(Decimal(tier)), YAOAN)


@pytest.mark.parametrize("grade", [0, 5, -1, True])
def test_grade_out_of_range(grade: int) -> None:
    with pytest.raises(ValueError, match="disability grade"):
        contribution_subsidy(ContributionFacts(100, disability_grade=grade), YAOAN)


def test_float_tier_refused() -> None:
    tier: Any = 100.0  # what an untyped caller might pass
    with pytest.raises(TypeError, match="float"):
        contribution_subsidy(ContributionFacts(tier), YAOAN)


PARAMS = st.sampled_from(
    [YAOAN, FULIANG, Params(DEDUCTING, "532325", ON), Params(DEDUCTING, "360222", ON)]
)
GRADES = st.sampled_from([None, 1, 2, 3, 4])


def _check_amounts(result: ContributionResult) -> None:
    assert result.subsidy <= result.contribution
    assert 0 <= result.tier_subsidy <= 100
    assert result.person_pays >= 0
    assert result.paid_on_behalf >= 0
    deducted = result.subsidy if result.subsidy_deducted else 0
    assert result.person_pays + result.paid_on_behalf + deducted == result.contribution


@given(params=PARAMS, tier=st.sampled_from(TIERS), grade=GRADES)
def test_amounts_are_bounded_and_add_up(params: Params, tier: int, grade: int | None) -> None:
    _check_amounts(contribution_subsidy(ContributionFacts(tier, disability_grade=grade), params))


@given(params=PARAMS, tiers=st.lists(st.sampled_from(TIERS), min_size=2, max_size=2), grade=GRADES)
def test_subsidy_monotone_in_tier(params: Params, tiers: list[int], grade: int | None) -> None:
    low, high = sorted(tiers)
    a = contribution_subsidy(ContributionFacts(low, disability_grade=grade), params)
    b = contribution_subsidy(ContributionFacts(high, disability_grade=grade), params)
    assert a.tier_subsidy <= b.tier_subsidy
    assert a.subsidy <= b.subsidy
    assert a.person_pays <= b.person_pays


# --- ENR-P4 55-60 subsidy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "entitled", "remaining"),
    [
        (date(1963, 1, 15), date(2018, 1, 1), False, 60),  # 54: paid from February 2018
        (date(1963, 1, 1), date(2018, 1, 1), False, 60),  # 55 today: from next month
        (date(1962, 12, 10), date(2018, 1, 1), True, 60),  # first month
        (date(1960, 6, 1), date(2018, 1, 1), True, 30),  # 2018-01 .. 2020-06
        (date(1958, 1, 15), date(2018, 1, 20), True, 1),  # 60 this month: last month
        (date(1958, 1, 15), date(2018, 2, 1), False, 0),  # the pension takes over
    ],
)
def test_early_subsidy_from_55_until_60(
    birth: date, today: date, entitled: bool, remaining: int
) -> None:
    result = severe_disability_early_subsidy(EarlySubsidyFacts(birth, 2), today, YAOAN)
    assert result.entitled is entitled
    assert result.months_remaining == remaining
    assert result.monthly_amount == (d(88) if entitled else 0)
    # From the month after the 55th birthday to the month of the 60th.
    assert result.first_month == date(birth.year + 55 + birth.month // 12, birth.month % 12 + 1, 1)
    assert result.last_month == date(birth.year + 60, birth.month, 1)
    assert rules_of(result.trace) == ["ENR-P4"]
    paths = paths_of(result.trace)
    assert "enrollment.pension.severe_disability.early_subsidy.from_age" in paths
    assert "enrollment.pension.severe_disability.early_subsidy.max_years" in paths
    assert ("enrollment.pension.basic_pension.monthly" in paths) is entitled


def test_early_subsidy_lasts_five_years() -> None:
    result = severe_disability_early_subsidy(
        EarlySubsidyFacts(date(1962, 12, 10), 1), date(2018, 1, 1), YAOAN
    )
    assert (result.first_month, result.last_month) == (date(2018, 1, 1), date(2022, 12, 1))


@pytest.mark.parametrize("grade", [None, 3, 4])
def test_early_subsidy_only_for_grades_one_and_two(grade: int | None) -> None:
    result = severe_disability_early_subsidy(
        EarlySubsidyFacts(date(1960, 6, 1), grade), date(2018, 1, 1), YAOAN
    )
    assert not result.entitled
    assert result.reason == "not a certified grade 1-2 disabled person"
    assert (result.monthly_amount, result.first_month) == (Decimal(0), None)


# --- ENR-P6 ledger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "paid", "draws", "category", "due", "missing", "lump"),
    [
        (date(1940, 1, 1), 0, True, LedgerCategory.ALREADY_CLAIMING, 0, 0, "0"),
        (date(1950, 3, 1), 0, False, LedgerCategory.CLAIM_WITHOUT_CONTRIBUTION, 0, 0, "0"),
        # 60 on the day the scheme began (2011-07-01, illustrative).
        (date(1951, 7, 1), 0, False, LedgerCategory.CLAIM_WITHOUT_CONTRIBUTION, 0, 0, "0"),
        # 60 on 2015-03-10: 2011-07 .. 2015-03 is 3 years 8 months and a few days -> 4 years.
        (date(1955, 3, 10), 1, False, LedgerCategory.LUMP_SUM_BACK_PAYMENT, 4, 3, "300"),
        (date(1955, 3, 10), 4, False, LedgerCategory.CLAIM_WITHOUT_CONTRIBUTION, 4, 0, "0"),
        (date(1958, 1, 1), 0, False, LedgerCategory.LUMP_SUM_BACK_PAYMENT, 7, 7, "700"),  # 60
        (date(1958, 1, 2), 5, False, LedgerCategory.APPROACHING_60, 7, 2, "0"),  # 59
        (date(1963, 1, 1), 6, False, LedgerCategory.APPROACHING_60, 7, 1, "0"),  # 55
        (date(1963, 1, 2), 0, False, LedgerCategory.NOT_APPLICABLE, 0, 0, "0"),  # 54
    ],
)
def test_ledger_rows(
    birth: date,
    paid: int,
    draws: bool,
    category: LedgerCategory,
    due: int,
    missing: int,
    lump: str,
) -> None:
    row = pension_claim_ledger_row(LedgerFacts(birth, paid, draws), ON, YAOAN)
    assert (row.category, row.years_due, row.years_missing, row.lump_sum) == (
        category,
        due,
        missing,
        d(lump),
    )
    assert row.age == age_on(birth, ON)
    assert rules_of(row.trace) == ["ENR-P6"]
    if category is LedgerCategory.LUMP_SUM_BACK_PAYMENT:
        assert {
            "enrollment.pension.scheme_start",
            "enrollment.pension.back_payment.tier",
            "enrollment.pension.claim_age",
        } <= paths_of(row.trace)


def test_ledger_refuses_negative_years() -> None:
    with pytest.raises(ValueError, match="negative"):
        pension_claim_ledger_row(LedgerFacts(date(1950, 1, 1), -1, False), ON, YAOAN)


# --- ENR-P7 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "balance", "extra", "account", "total"),
    [
        (15, "0", "0", "0", "88"),
        (16, "0", "2", "0", "90"),  # YA-GOV §三(五)三: each year beyond 15 adds 2/month
        (20, "0", "10", "0", "98"),
        (10, "0", "0", "0", "88"),
        (16, "1390", "2", "10", "100"),
        (15, "1000", "0", "7.19", "95.19"),
    ],
)
def test_monthly_benefit(years: int, balance: str, extra: str, account: str, total: str) -> None:
    result = monthly_benefit(BenefitFacts(years, d(balance)), YAOAN)
    assert result.basic_pension == 88
    assert result.long_contribution_extra == d(extra)
    assert result.account_pension == d(account)
    assert result.monthly_total == d(total)
    assert rules_of(result.trace) == ["ENR-P7"]
    assert {
        "enrollment.pension.basic_pension.monthly",
        "enrollment.pension.long_contribution.extra_per_year",
        "enrollment.pension.long_contribution.threshold_years",
        "enrollment.pension.account_divisor",
    } <= paths_of(result.trace)


# --- ENR-P8 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("died", "draws", "stops"),
    [
        (date(2018, 3, 15), True, date(2018, 4, 1)),
        (date(2017, 12, 31), True, date(2018, 1, 1)),
        (date(2018, 3, 15), False, None),  # a contributor: the grant, no pension to stop
    ],
)
def test_funeral_grant(died: date, draws: bool, stops: date | None) -> None:
    result = death_settlement(
        DeathFacts(died, insured=True, draws_pension=draws), date(2019, 1, 1), YAOAN
    )
    assert result.funeral_grant == 600
    assert result.pension_stops_from == stops
    assert result.reason is None
    assert rules_of(result.trace) == ["ENR-P8"]
    assert "enrollment.pension.funeral_grant" in paths_of(result.trace)


def test_no_funeral_grant_when_not_insured() -> None:
    result = death_settlement(DeathFacts(date(2018, 3, 15), False, False), date(2018, 4, 1), YAOAN)
    assert (result.funeral_grant, result.pension_stops_from) == (Decimal(0), None)
    assert result.reason == "not insured in the resident scheme"


def test_death_in_the_future_refused() -> None:
    with pytest.raises(ValueError, match="after today"):
        death_settlement(DeathFacts(date(2018, 3, 15), True, True), date(2018, 3, 14), YAOAN)


# --- ENR-P9 --------------------------------------------------------------------------------------


def test_transfer_merges_account_and_years() -> None:
    result = transfer_in_from_employee_scheme(
        TransferFacts(
            employee_contribution_months=10 * 12 + 5,
            employee_account_balance=d("8000.50"),
            resident_contribution_years=3,
            resident_account_balance=d("1200"),
        ),
        YAOAN,
    )
    assert result.allowed and result.reason is None
    assert result.merged_account_balance == d("9200.50")
    assert (result.merged_contribution_months, result.merged_contribution_years) == (161, 13)
    assert rules_of(result.trace) == ["ENR-P9"]
    assert "enrollment.pension.transfer_in.max_employee_years" in paths_of(result.trace)


@pytest.mark.parametrize(("months", "allowed"), [(179, True), (180, False), (300, False)])
def test_transfer_needs_under_fifteen_years(months: int, allowed: bool) -> None:
    result = transfer_in_from_employee_scheme(TransferFacts(months, d("100")), YAOAN)
    assert result.allowed is allowed
    if not allowed:
        assert result.reason is not None and "15 years" in result.reason
        assert result.merged_account_balance is None
