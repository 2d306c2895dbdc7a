"""Whose figures the enrollment rules use (policy per county) and who they cover: 姚安's figures
(YA-GOV §三(五), §三(六)) are its own; another county gets the national rule (国发〔2014〕8号)
or the same figure flagged illustrative; marginal households (边缘户) get no registered-poor
subsidy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.enrollment.pension.rules import (
    P_BASE,
    P_CAP,
    P_CLAIM_AGE,
    P_COUNTY_PAYS,
    P_DIVISOR,
    P_FUNERAL,
    P_LONG_EXTRA,
    P_LONG_YEARS,
    P_MIN_AGE,
    P_MIN_TIER,
    P_MODERATE,
    P_SEVERE_TIER,
    P_STEP,
    P_TIERS,
    ContributionFacts,
    DeathFacts,
    EarlySubsidyFacts,
    contribution_subsidy,
    death_settlement,
    severe_disability_early_subsidy,
)
from shared.domain import PovertyStatus
from shared.policy import PolicySet
from shared.policy.provenance import mismatches
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
ON = date(2018, 1, 1)
YAOAN, ZHENGAN, FULIANG, FRESH = "532325", "520324", "360222", "522121"
ENROLLMENT = [p for p in POLICY.paths if p.startswith("enrollment.")]


@pytest.mark.parametrize("county", [YAOAN, ZHENGAN, FULIANG, FRESH])
def test_no_enrollment_figure_claims_another_countys_law(county: str) -> None:
    found = [m for m in mismatches(POLICY, [county]) if m.path.startswith("enrollment.")]
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize(
    ("path", "yaoan"),
    [
        (P_BASE, "30"),
        (P_STEP, "10"),
        (P_CAP, "100"),
        (P_SEVERE_TIER, "200"),
        (P_MODERATE, "50"),
        (P_LONG_EXTRA, "2"),
        (P_FUNERAL, "600"),
        ("enrollment.medical.fixed_assistance_subsidy", "70"),
        ("enrollment.medical.province_share.not_exited", "0.60"),
        ("enrollment.medical.province_share.exited", "0.40"),
    ],
)
def test_yaoan_figures_are_shipped_under_yaoan(path: str, yaoan: str) -> None:
    own = POLICY.resolve(path, YAOAN, ON)
    assert (own.county, own.value, own.illustrative) == (YAOAN, Decimal(yaoan), False)
    assert "YA-GOV" in own.reference
    for county in (ZHENGAN, FULIANG, FRESH):
        other = POLICY.resolve(path, county, ON)
        assert other.county is None
        assert other.illustrative or "〔2014〕8号" in other.reference, (path, county)


def test_national_figures_hold_everywhere() -> None:
    # 国发〔2014〕8号: age 16 (§三), tiers from 100 (§四(一)), 30 at the lowest tier (§四(三)),
    # claim at 60 and 15 years (§七), divisor 139 (§六).
    for path, value in (
        (P_MIN_AGE, 16),
        (P_MIN_TIER, 100),
        (P_BASE, 30),
        (P_CLAIM_AGE, 60),
        (P_LONG_YEARS, 15),
        (P_DIVISOR, 139),
    ):
        item = POLICY.resolve(path, FRESH, ON)
        assert (item.value, item.illustrative) == (Decimal(value), False), path
        assert "国发〔2014〕8号" in item.reference
    assert not POLICY.resolve(P_TIERS, FRESH, ON).illustrative


def test_fuliang_pays_the_minimum_and_yaoan_says_it_does_not() -> None:
    fuliang = POLICY.resolve(P_COUNTY_PAYS, FULIANG, ON)
    assert (fuliang.value, fuliang.illustrative) == (True, False)
    yaoan = POLICY.resolve(P_COUNTY_PAYS, YAOAN, ON)
    assert (yaoan.value, yaoan.illustrative) == (False, False)
    for county in (ZHENGAN, FRESH):
        other = POLICY.resolve(P_COUNTY_PAYS, county, ON)
        assert (other.value, other.illustrative) == (False, True)
        assert "FL-HRSS" not in other.reference


def test_severely_disabled_tier_elsewhere_is_the_national_lowest_tier() -> None:
    # 国发〔2014〕8号 §四(三): 代缴部分或全部最低标准; 姚安 pays the 200 tier (YA-GOV §三(五)一).
    result = contribution_subsidy(
        ContributionFacts(100, disability_grade=1), Params(POLICY, FRESH, ON)
    )
    assert (result.paid_on_behalf, result.person_pays) == (Decimal("100"), Decimal("0"))
    assert P_SEVERE_TIER in result.trace.illustrative()
    result = contribution_subsidy(
        ContributionFacts(100, disability_grade=1), Params(POLICY, YAOAN, ON)
    )
    assert result.paid_on_behalf == Decimal("200")
    assert P_SEVERE_TIER not in result.trace.illustrative()


@pytest.mark.parametrize("status", [PovertyStatus.marginal, None])
@pytest.mark.parametrize("grade", [None, 1, 3])
def test_pension_subsidies_need_a_registered_poor_person(
    status: PovertyStatus | None, grade: int | None
) -> None:
    # YA-GOV §三(五)一: 贫困人口参保 — the 30..100, the 200 tier and the 50 yuan are theirs.
    trace = Trace()
    result = contribution_subsidy(
        ContributionFacts(300, disability_grade=grade, poverty_status=status),
        Params(POLICY, YAOAN, ON),
        trace=trace,
    )
    assert (result.subsidy, result.paid_on_behalf) == (Decimal(0), Decimal(0))
    assert result.person_pays == result.contribution == result.account_credit == Decimal("300")
    assert {p.path for p in trace.out().parameters} == {P_TIERS}
    assert trace.out().rules == ["ENR-P3"]


@pytest.mark.parametrize("status", [PovertyStatus.not_exited, PovertyStatus.exited])
def test_registered_poor_keep_their_subsidy(status: PovertyStatus) -> None:
    result = contribution_subsidy(
        ContributionFacts(300, disability_grade=3, poverty_status=status),
        Params(POLICY, YAOAN, ON),
    )
    assert (result.tier_subsidy, result.disability_subsidy) == (Decimal("50"), Decimal("50"))


def test_no_fuliang_minimum_for_a_marginal_person() -> None:
    # FL-HRSS §三(二): 建档立卡贫困人口…政府兜底.
    result = contribution_subsidy(
        ContributionFacts(100, poverty_status=PovertyStatus.marginal), Params(POLICY, FULIANG, ON)
    )
    assert (result.paid_on_behalf, result.person_pays) == (Decimal(0), Decimal("100"))


def test_no_55_to_60_subsidy_for_a_marginal_person() -> None:
    today = date(2018, 6, 15)
    born, grade = date(1962, 3, 1), 2
    params = Params(POLICY, YAOAN, today)
    marginal = severe_disability_early_subsidy(
        EarlySubsidyFacts(born, grade, poverty_status=PovertyStatus.marginal), today, params
    )
    assert not marginal.entitled and "边缘户" in (marginal.reason or "")
    poor = severe_disability_early_subsidy(EarlySubsidyFacts(born, grade), today, params)
    assert poor.entitled


def test_funeral_grant_is_flagged_outside_yaoan() -> None:
    facts = DeathFacts(date_of_death=date(2018, 5, 2), insured=True, draws_pension=False)
    for county, flagged in ((YAOAN, []), (FRESH, [P_FUNERAL]), (ZHENGAN, [P_FUNERAL])):
        result = death_settlement(facts, date(2018, 6, 1), Params(POLICY, county, ON))
        assert result.funeral_grant == Decimal("600")
        assert result.trace.illustrative() == flagged
        assert result.trace.out().illustrative_parameters == flagged
