"""Job recommendation and fairs (EMP-3), public-welfare posts (EMP-4), the entrepreneurship
subsidy and loan caps (EMP-6), with the seeds' figures: CITY-HRSS §三(一)1, 3; ZA-GOV §三(四)4-6;
FL-HRSS §三(一)4, 5. The workshop subsidy (EMP-5): test_employment_workshop_rules.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.employment.business.rules import (
    Borrower,
    BusinessFacts,
    LoanKind,
    loan_check,
    startup_subsidy,
)
from services.employment.jobs.rules import (
    fair_schedule,
    quarter_of,
    recommendation_coverage,
    working_age,
)
from services.employment.posts.rules import post_occupancy, post_stock
from shared.policy import PolicySet
from shared.rule_inputs import add_months
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
FULIANG = Params(POLICY, "360222", date(2018, 7, 1))
ZHENGAN = Params(POLICY, "520324", date(2018, 7, 1))
YAOAN = Params(POLICY, "532325", date(2018, 7, 1))


def d(text: str) -> Decimal:
    return Decimal(text)


def paths(trace: Trace) -> set[str]:
    return {p.path for p in trace.out().parameters}


# --- EMP-3 -------------------------------------------------------------------------------------


def test_working_age_is_16_until_the_60th_birthday() -> None:
    age = working_age(date(2018, 7, 1), YAOAN)
    assert age.holds(date(2002, 7, 1))  # 16 today
    assert not age.holds(date(2002, 7, 2))  # 16 tomorrow
    assert age.holds(date(1958, 7, 2))  # 60 tomorrow
    assert not age.holds(date(1958, 7, 1))  # 60 today
    assert "EMP-3" in age.trace.out().rules


@pytest.mark.parametrize(
    ("counts", "below"),
    [
        ({}, ["a", "b", "c"]),
        ({"a": 3, "b": 2, "c": 5}, ["b"]),
        ({"a": 3, "b": 3, "c": 3}, []),
        ({"a": 0, "b": 1, "c": 2}, ["a", "b", "c"]),
    ],
)
def test_three_recommendations_per_year(counts: dict[str, int], below: list[str]) -> None:
    # ZA-GOV §三(四)5: 每年至少向农村贫困劳动力推荐就业岗位3次.
    cov = recommendation_coverage(["a", "b", "c"], counts, 2018, ZHENGAN)
    assert cov.minimum == 3
    assert [s.person_id for s in cov.below] == below
    assert all(s.missing == 3 - s.recommendations for s in cov.below)
    assert cov.trace.out().rules == ["EMP-3"]
    assert "employment.recommendations.min_per_year" in paths(cov.trace)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 6)))
def test_coverage_partitions_the_labourers(counts: dict[str, int]) -> None:
    people = list("abcdefgh")
    cov = recommendation_coverage(people, counts, 2019, YAOAN)
    below = {s.person_id for s in cov.below}
    assert cov.at_minimum + len(below) == cov.labourers == len(people)
    for p in people:
        assert (p in below) == (counts.get(p, 0) < cov.minimum)
    assert 0 <= cov.coverage_rate <= 1


def test_fairs_per_quarter() -> None:
    # CITY-HRSS §三(一)3: 每季度至少举办一次.
    held = [date(2018, 2, 10), date(2018, 3, 1), date(2018, 8, 8)]
    sched = fair_schedule(held, 2018, date(2018, 9, 30), FULIANG)
    assert [(q.quarter, q.fairs, q.met) for q in sched.quarters] == [
        (1, 2, True),
        (2, 0, False),
        (3, 1, True),
    ]
    whole = fair_schedule(held, 2018, date(2019, 1, 5), FULIANG)
    assert len(whole.quarters) == 4 and not whole.quarters[3].met
    assert quarter_of(date(2018, 12, 31)) == 4


# --- EMP-4 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filled", "positions", "met", "rate"),
    [
        (376, 470, True, "0.8000"),  # exactly 80%
        (375, 470, False, "0.7979"),
        (470, 470, True, "1.0000"),
        (0, 0, False, "0.0000"),
        (4, 5, True, "0.8000"),
        (3, 5, False, "0.6000"),
    ],
)
def test_post_occupancy_against_80_percent(
    filled: int, positions: int, met: bool, rate: str
) -> None:
    occ = post_occupancy(filled, positions, YAOAN)
    assert occ.target == d("0.80") and occ.met is met and occ.rate == d(rate)
    assert "EMP-4" in occ.trace.out().rules


def test_post_stock_470_by_2020() -> None:
    # CITY-HRSS §三(一)1: 力争到 2020 年岗位保有量不低于470 个.
    early = post_stock(300, date(2019, 6, 30), YAOAN)
    assert early.target == 470 and early.target_year == 2020 and not early.due and not early.met
    late = post_stock(470, date(2020, 12, 31), YAOAN)
    assert late.due and late.met


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 1000), st.integers(0, 1000))
def test_occupancy_met_iff_share_reaches_target(a: int, b: int) -> None:
    filled, positions = min(a, b), max(a, b)
    occ = post_occupancy(filled, positions, YAOAN)
    assert occ.met == (positions > 0 and filled * 100 >= 80 * positions)


def test_post_occupancy_refuses_more_filled_than_positions() -> None:
    with pytest.raises(ValueError, match="exceed"):
        post_occupancy(6, 5, YAOAN)


# --- EMP-6 -------------------------------------------------------------------------------------


def facts(**over: Any) -> BusinessFacts:
    values = BusinessFacts(
        started_on=date(2018, 1, 15),
        closed_on=None,
        in_county=True,
        first_business=True,
        poverty_status="not_exited",
        already_granted=False,
    )
    return replace(values, **over)


def test_startup_subsidy_5000_after_6_months() -> None:
    # FL-HRSS §三(一)5: 初次创办企业且稳定经营6个月以上的，可享受5000元的一次性创业补贴.
    early = startup_subsidy(facts(), date(2018, 7, 14), FULIANG)
    assert not early.eligible and early.amount == 0 and early.stable_from == date(2018, 7, 15)
    due = startup_subsidy(facts(), date(2018, 7, 15), FULIANG)
    assert due.eligible and due.amount == d("5000.00")
    assert due.trace.out().rules == ["EMP-6"]
    assert {
        "employment.entrepreneurship.one_off_subsidy",
        "employment.entrepreneurship.stable_months",
    } <= paths(due.trace)


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"already_granted": True}, "before"),
        ({"in_county": False}, "not in the county"),
        ({"first_business": False}, "first"),
        ({"closed_on": date(2018, 5, 1)}, "closed"),
        ({"poverty_status": "marginal"}, "registry status"),
    ],
)
def test_startup_subsidy_refusals(over: dict, why: str) -> None:
    result = startup_subsidy(facts(**over), date(2019, 1, 1), FULIANG)
    assert not result.eligible and any(why in r for r in result.reasons)


def test_zhengan_gives_the_startup_subsidy_only_before_exit() -> None:
    # ZA-GOV §三(四)6: 对还未脱贫且符合条件的贫困创业户实施一次性创业补贴.
    assert not startup_subsidy(facts(poverty_status="exited"), date(2019, 1, 1), ZHENGAN).eligible
    assert startup_subsidy(facts(poverty_status="exited"), date(2019, 1, 1), FULIANG).eligible
    assert startup_subsidy(facts(), date(2019, 1, 1), ZHENGAN).eligible


@pytest.mark.parametrize(
    ("kind", "borrower", "amount", "term", "within", "cap"),
    [
        ("guarantee", "individual", "100000", 36, True, "100000.00"),
        ("guarantee", "individual", "100000.01", 36, False, "100000.00"),
        ("guarantee", "partnership", "500000", 24, True, "500000.00"),
        ("guarantee", "small_firm", "4000000", 36, True, "4000000.00"),
        ("guarantee", "small_firm", "4000001", 36, False, "4000000.00"),
        ("guarantee", "individual", "50000", 37, False, "100000.00"),
        ("microcredit", "individual", "50000", 36, True, "50000.00"),
        ("microcredit", "individual", "60000", 36, False, "50000.00"),
        ("microcredit", "partnership", "10000", 12, False, "50000.00"),
    ],
)
def test_loan_caps(
    kind: str, borrower: str, amount: str, term: int, within: bool, cap: str
) -> None:
    # FL-HRSS §三(一)4: 个人…10万元, 合伙…50万元, 小微企业…400万元.
    check = loan_check(LoanKind(kind), Borrower(borrower), d(amount), term, FULIANG)
    assert check.within_caps is within and check.cap == d(cap)
    assert check.trace.out().rules == ["EMP-6"] and (within or check.reasons)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5_000_000), st.integers(1, 120), st.sampled_from(list(Borrower)))
def test_guarantee_loan_within_caps_iff_amount_and_term_fit(
    amount: int, term: int, borrower: Borrower
) -> None:
    check = loan_check(LoanKind.guarantee, borrower, Decimal(amount), term, FULIANG)
    assert check.within_caps == (Decimal(amount) <= check.cap and term <= check.term_cap_months)


def test_add_months_clips_to_month_end() -> None:
    assert add_months(date(2018, 8, 31), 6) == date(2019, 2, 28)
