"""Whose figures each employment decision used (policy per county): in a county the seeds never
name (522121) every figure is illustrative and the decision lists it; in the seed county whose
document sets the rule the list holds only what that document leaves open. The response models
fill `illustrative_parameters` from the decision's trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.employment.business.rules import (
    Borrower,
    BusinessFacts,
    LoanKind,
    loan_check,
    startup_subsidy,
)
from services.employment.business.schemas import LoanOut, SubsidyOut
from services.employment.jobs.rules import REGISTERED_POOR, fair_schedule, recommendation_coverage
from services.employment.jobs.schemas import CoverageOut, FairReport
from services.employment.posts.rules import post_occupancy, post_stock
from services.employment.posts.schemas import OccupancyOut
from services.employment.training.rules import (
    CertificateKind,
    JobSeekingFacts,
    PlacementOutcome,
    coverage_bases,
    job_seeking_subsidy,
    placement_rate,
)
from services.employment.training.schemas import SubsidyOut as JobSeekingOut
from shared.domain import PovertyStatus
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
ON = date(2018, 12, 31)
FRESH = "522121"


def params(county: str) -> Params:
    return Params(POLICY, county, ON)


def business_facts() -> BusinessFacts:
    return BusinessFacts(date(2018, 1, 15), None, True, True, "not_exited", False)


STARTUP = {
    "employment.entrepreneurship.one_off_subsidy",
    "employment.entrepreneurship.stable_months",
    "employment.entrepreneurship.subsidy_statuses",
}
LOAN_OPEN = {"employment.loans.guarantee_term_months", "employment.loans.interest_subsidy_ratio"}


def test_marginal_households_are_never_registered_poor_here() -> None:
    # No employment seed sentence names 建档立卡贫困边缘户: one answer for EMP-1 .. EMP-8.
    assert set(REGISTERED_POOR) == {"not_exited", "exited"}
    assert PovertyStatus.marginal.value not in REGISTERED_POOR
    for county in ("360222", "520324", FRESH):
        statuses = POLICY.value("employment.entrepreneurship.subsidy_statuses", county, ON)
        assert "marginal" not in statuses


@pytest.mark.parametrize(
    ("county", "expected"),
    [
        (FRESH, STARTUP),
        ("360222", set()),  # FL-HRSS §三(一)5 sets all three
        # ZA-GOV §三(四)6 sets who (还未脱贫), not the amount nor the months.
        ("520324", STARTUP - {"employment.entrepreneurship.subsidy_statuses"}),
    ],
)
def test_startup_subsidy_lists_the_figures_not_the_countys_own(county: str, expected: set) -> None:
    result = startup_subsidy(business_facts(), date(2018, 7, 20), params(county))
    assert result.amount == Decimal("5000.00")
    assert set(result.trace.illustrative()) == expected
    out = SubsidyOut(
        id=1,
        person_id="p",
        business_id="b",
        amount=result.amount,
        granted_on=date(2018, 7, 20),
        trace=result.trace.out().model_dump(mode="json"),
    )
    assert out.illustrative_parameters == sorted(expected)


@pytest.mark.parametrize(
    ("county", "expected"),
    [
        (FRESH, {"employment.loans.guarantee_cap.individual", *LOAN_OPEN}),
        ("360222", LOAN_OPEN),  # FL-HRSS §三(一)4: the cap, not the term nor the interest share
    ],
)
def test_loan_check_lists_the_illustrative_figures(county: str, expected: set) -> None:
    result = loan_check(
        LoanKind.guarantee, Borrower.individual, Decimal("80000"), 24, params(county)
    )
    assert result.within_caps and result.cap == Decimal("100000.00")
    assert set(result.trace.illustrative()) == expected
    out = LoanOut(
        id=1, person_id="p", household_id="h", township_code="522121100",
        village_code="522121100200", business_id=None, loan_kind=LoanKind.guarantee,
        borrower=Borrower.individual, amount=Decimal("80000"), term_months=24,
        applied_on=date(2018, 6, 1), within_caps=True, cap=result.cap,
        interest_subsidy_ratio=result.interest_subsidy_ratio, status="pending",
        decision_reason=None, decided_on=None,
        check_trace=result.trace.out().model_dump(mode="json"),
    )  # fmt: skip
    assert out.illustrative_parameters == sorted(expected)


@pytest.mark.parametrize(
    ("county", "expected"),
    [
        (
            FRESH,
            {
                "employment.job_seeking.certificate_kinds",
                "employment.job_seeking.certificate_subsidy",
            },
        ),
        ("360222", set()),  # FL-HRSS §三(一)6: 职业资格证, 500元/人
    ],
)
def test_job_seeking_subsidy_lists_the_illustrative_figures(county: str, expected: set) -> None:
    facts = JobSeekingFacts(
        CertificateKind.vocational_qualification, date(2018, 6, 1), "exited", True,
        date(2018, 3, 1), date(2018, 4, 30),
    )  # fmt: skip
    result = job_seeking_subsidy(facts, params(county))
    assert result.eligible and result.amount == Decimal("500.00")
    assert set(result.trace.illustrative()) == expected
    out = JobSeekingOut(
        id=1, person_id="p", certificate_id=1, amount=result.amount, decided_on=ON,
        decided_by="hrss", trace=result.trace.out().model_dump(mode="json"),
    )  # fmt: skip
    assert out.illustrative_parameters == sorted(expected)


def test_job_seeking_subsidy_leaves_marginal_households_out() -> None:
    facts = JobSeekingFacts(
        CertificateKind.vocational_qualification, date(2018, 6, 1), "marginal", True,
        date(2018, 3, 1), date(2018, 4, 30),
    )  # fmt: skip
    assert not job_seeking_subsidy(facts, params("360222")).eligible


@pytest.mark.parametrize(
    ("county", "expected"),
    [
        (FRESH, {"employment.recommendations.min_per_year", "employment.fairs.min_per_quarter"}),
        ("520324", set()),  # ZA-GOV §三(四)5 (3 a year), §三(四)4 (one fair a quarter)
        # 姚安 asks for 100% recommended without a count; no quarterly fairs.
        (
            "532325",
            {"employment.recommendations.min_per_year", "employment.fairs.min_per_quarter"},
        ),
    ],
)
def test_recommendations_and_fairs_list_the_illustrative_figures(
    county: str, expected: set
) -> None:
    trace = Trace()
    cov = recommendation_coverage(["a", "b"], {"a": 3}, 2018, params(county), trace=trace)
    fairs = fair_schedule([date(2018, 2, 1)], 2018, ON, params(county), trace=trace)
    assert cov.minimum == 3 and fairs.minimum == 1
    assert set(trace.illustrative()) == expected
    dumped = trace.out().model_dump(mode="json")
    coverage_out = CoverageOut(
        county_code=county, year=2018, on=ON, minimum=3, labourers=2, recommended=1,
        coverage_rate="0.5", below_minimum=1, townships=[], people=[], trace=dumped,
    )  # fmt: skip
    fair_out = FairReport(
        county_code=county, year=2018, minimum_per_quarter=1, fairs=[], townships=[],
        trace=dumped,
    )  # fmt: skip
    assert coverage_out.illustrative_parameters == fair_out.illustrative_parameters
    assert coverage_out.illustrative_parameters == sorted(expected)


def test_post_targets_are_the_city_plans_everywhere() -> None:
    # CITY-HRSS §三(一)1 (470 posts by 2020, 80% filled) is no county's own figure.
    expected = [
        "employment.posts.occupancy_target",
        "employment.posts.stock_target",
        "employment.posts.stock_target_year",
    ]
    for county in (FRESH, "532325", "520324", "360222"):
        trace = Trace()
        post_occupancy(8, 10, params(county), trace=trace)
        post_stock(10, ON, params(county), trace=trace)
        assert trace.illustrative() == expected, county
        out = OccupancyOut(
            county_code=county, on=ON, positions=10, filled=8, rate="0.8", target="0.8",
            met=True, stock_target=470, stock_target_year=2020, stock_due=False,
            stock_met=False, townships=[], trace=trace.out().model_dump(mode="json"),
        )  # fmt: skip
        assert out.illustrative_parameters == expected


def test_training_targets_are_the_seed_countys_own() -> None:
    # 姚安: YA-HRSS §三(一) sets who is counted (all labourers, willing 两后生); 正安: ZA-GOV
    # §一(六) (willing) and §三(四)1 (≥ 50% placed) — none of it illustrative there.
    yaoan = Trace()
    bases = coverage_bases(params("532325"), trace=yaoan)
    assert (bases.labourers, bases.two_after) == ("all", "willing")
    assert yaoan.illustrative() == []
    zhengan = Trace()
    coverage_bases(params("520324"), trace=zhengan)
    placement_rate([PlacementOutcome.placed], params("520324"), trace=zhengan)
    assert "employment.training.placement_target" not in zhengan.illustrative()
    assert "employment.training.coverage_base" not in zhengan.illustrative()
    fresh = Trace()
    coverage_bases(params(FRESH), trace=fresh)
    placement_rate([PlacementOutcome.placed], params(FRESH), trace=fresh)
    assert {
        "employment.training.coverage_base",
        "employment.two_after.coverage_base",
        "employment.training.placement_target",
    } <= set(fresh.illustrative())
