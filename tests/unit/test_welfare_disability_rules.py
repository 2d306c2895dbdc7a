"""Disability support on 正安's figures (ZA-GOV §三(三)4, §三(二)5): the nursing subsidy by grade
with no means test (50 / 40), the living subsidy of the disabled in hardship (10-30% of the
3,876 standard / 12 = 323 a month), from the month after the grade is known, through the month
of death (WEL-4); mental illness 300 a month in hospital and 800 a year of drugs (WEL-10);
devices and adaptation (WEL-11); children 0-6 of poor families (WEL-12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.welfare.disability.rules import (
    GradeChange,
    Hardship,
    RehabFacts,
    RehabKind,
    SubsidyFacts,
    drug_issue,
    hospital_month,
    month_subsidy,
    rehab_eligibility,
)
from shared.policy import ParameterNotFound, PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
JULY = date(2018, 7, 1)
ZHENGAN = Params(POLICY, "520324", JULY)
YAOAN = Params(POLICY, "532325", JULY)
d = Decimal


def since(grade: int | None, on: date = date(2018, 5, 20)) -> tuple[GradeChange, ...]:
    return (GradeChange(grade, on),)


@pytest.mark.parametrize(
    ("grade", "hardship", "category", "nursing", "living"),
    [
        (1, Hardship.none, None, "50.00", "0.00"),  # no means test for nursing
        (2, Hardship.none, None, "40.00", "0.00"),
        (3, Hardship.none, None, "0.00", "0.00"),
        (4, Hardship.none, None, "0.00", "0.00"),
        (1, Hardship.dibao, "A", "50.00", "96.90"),  # 30% of 323
        (2, Hardship.dibao, "B", "40.00", "64.60"),  # 20%
        (3, Hardship.dibao, "C", "0.00", "32.30"),  # 10%
        (4, Hardship.tekun, None, "0.00", "96.90"),  # 特困: category A's share
    ],
)
def test_month_subsidy_in_zhengan(grade, hardship, category, nursing, living) -> None:
    result = month_subsidy(SubsidyFacts(JULY, since(grade), hardship, category), ZHENGAN)
    assert (result.grade, result.nursing, result.living) == (grade, d(nursing), d(living))
    out = result.trace.out()
    assert out.rules == ["WEL-4"]
    used = {p.path: p for p in out.parameters}
    if grade in (1, 2):
        p = used[f"welfare.disability.nursing_subsidy.grade{grade}"]
        assert (p.county, p.illustrative) == ("520324", False)
        assert "ZA-GOV §三(三)4" in p.reference
    if hardship is not Hardship.none:
        assert used["welfare.dibao.rural_standard"].value == "3876"


def test_the_living_subsidy_stays_within_10_to_30_percent_of_the_standard() -> None:
    monthly = d("3876") / 12
    for category in ("A", "B", "C"):
        result = month_subsidy(SubsidyFacts(JULY, since(4), Hardship.dibao, category), ZHENGAN)
        assert monthly * d("0.10") <= result.living <= monthly * d("0.30")


def test_a_grade_counts_in_the_month_it_is_known() -> None:
    """start_lag_months 0: the first cycle prepared after the grade reaches welfare pays it."""
    grades = since(1, date(2018, 7, 15))
    june = month_subsidy(SubsidyFacts(date(2018, 6, 1), grades), ZHENGAN)
    july = month_subsidy(SubsidyFacts(JULY, grades), ZHENGAN)
    assert (june.nursing, july.nursing) == (d("0.00"), d("50.00"))
    assert "welfare.disability.subsidy.start_lag_months" in {
        p.path for p in july.trace.out().parameters
    }


def test_the_grade_at_the_end_of_the_month_decides_it() -> None:
    grades = (GradeChange(1, date(2018, 1, 10)), GradeChange(3, date(2018, 7, 15)))
    june = month_subsidy(SubsidyFacts(date(2018, 6, 1), grades), ZHENGAN)
    july = month_subsidy(SubsidyFacts(JULY, grades), ZHENGAN)
    assert (june.grade, june.nursing) == (1, d("50.00"))
    assert (july.grade, july.nursing) == (3, d("0.00"))


def test_paid_through_the_month_of_death() -> None:
    died = date(2018, 7, 31)
    july = month_subsidy(SubsidyFacts(JULY, since(2), deceased_on=died), ZHENGAN)
    assert july.nursing == d("40.00")
    after = month_subsidy(SubsidyFacts(date(2018, 8, 1), since(2), deceased_on=died), ZHENGAN)
    assert after.total == 0 and after.reasons == ("deceased",)


def test_a_dibao_person_needs_the_category() -> None:
    with pytest.raises(ValueError, match="category"):
        SubsidyFacts(JULY, since(1), Hardship.dibao, None)
    with pytest.raises(ValueError):
        GradeChange(5, JULY)


# --- WEL-10 -------------------------------------------------------------------------------------


def test_hospital_month_is_300_or_the_bill() -> None:
    stay = (date(2018, 6, 20), date(2018, 8, 3))
    for month in (date(2018, 6, 1), JULY, date(2018, 8, 1)):
        assert hospital_month(month, *stay, ZHENGAN).amount == d("300.00")
    assert hospital_month(JULY, *stay, ZHENGAN, bill=d("120.50")).amount == d("120.50")
    with pytest.raises(ValueError, match="no day of the stay"):
        hospital_month(date(2018, 9, 1), *stay, ZHENGAN)
    out = hospital_month(JULY, *stay, ZHENGAN).trace.out()
    assert out.rules == ["WEL-10"] and "ZA-GOV §三(二)5" in out.parameters[0].reference


def test_drugs_draw_down_800_a_year() -> None:
    first = drug_issue(JULY, d("500"), d("0"), ZHENGAN)
    assert (first.entitlement, first.remaining) == (d("800.00"), d("300.00"))
    assert drug_issue(JULY, d("300"), d("500"), ZHENGAN).remaining == d("0.00")
    with pytest.raises(ValueError, match="exceeds"):
        drug_issue(JULY, d("300.01"), d("500"), ZHENGAN)


def test_the_programme_is_zhengans_only() -> None:
    with pytest.raises(ParameterNotFound):
        hospital_month(JULY, JULY, None, YAOAN)
    facts = RehabFacts(RehabKind.device, JULY, date(1960, 1, 1), grade=3)
    with pytest.raises(ParameterNotFound):
        rehab_eligibility(facts, YAOAN)


# --- WEL-10 to WEL-12 eligibility ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "eligible", "rule"),
    [
        (RehabFacts(RehabKind.mental_home, JULY, date(1970, 1, 1), diagnosis=True), True, "WEL-10"),
        (RehabFacts(RehabKind.mental_hospital, JULY, date(1970, 1, 1)), False, "WEL-10"),
        (RehabFacts(RehabKind.device, JULY, date(1970, 1, 1), grade=4), True, "WEL-11"),
        (RehabFacts(RehabKind.device, JULY, date(1970, 1, 1)), False, "WEL-11"),
        (
            RehabFacts(RehabKind.adaptation, JULY, date(1950, 1, 1), 2, hardship=Hardship.tekun),
            True,
            "WEL-11",
        ),
        (RehabFacts(RehabKind.adaptation, JULY, date(1950, 1, 1), 2), False, "WEL-11"),
        (
            RehabFacts(RehabKind.adaptation, JULY, date(1950, 1, 1), 3, hardship=Hardship.dibao),
            False,
            "WEL-11",
        ),
        # 6 years and 364 days: still 6周岁
        (
            RehabFacts(RehabKind.child_rehab, JULY, date(2011, 7, 2), 2, poverty_status="exited"),
            True,
            "WEL-12",
        ),
        (
            RehabFacts(RehabKind.child_rehab, JULY, date(2011, 7, 1), 2, poverty_status="exited"),
            False,
            "WEL-12",
        ),
        (
            RehabFacts(
                RehabKind.child_rehab,
                JULY,
                date(2015, 1, 1),
                diagnosis=True,
                poverty_status="marginal",
            ),
            False,
            "WEL-12",
        ),
        (
            RehabFacts(
                RehabKind.child_rehab,
                JULY,
                date(2015, 1, 1),
                diagnosis=True,
                poverty_status="not_exited",
            ),
            True,
            "WEL-12",
        ),
    ],
)
def test_rehab_eligibility(facts: RehabFacts, eligible: bool, rule: str) -> None:
    result = rehab_eligibility(facts, ZHENGAN)
    assert (result.eligible, result.rule) == (eligible, rule)
    assert result.trace.out().rules == [rule]
