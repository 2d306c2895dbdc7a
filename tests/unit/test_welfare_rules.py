"""Dibao categories and reviews (WEL-2), gradual exit (WEL-8), the dibao benefit without the
disability subsidies (WEL-3), extreme-poverty support and occupancy (WEL-5) and the welfare
parameters, with the seeds' figures: YA-GOV §三(三)-(四), ZA-GOV §一(四), §三(三)2, 4, 5, 6."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.welfare.dibao.rules import (
    CategoryFacts,
    DibaoCategory,
    HouseholdBenefitFacts,
    MemberFacts,
    StandardBelowFloor,
    WorkAbility,
    dibao_benefit,
    gradual_exit_until,
    propose_category,
    review_due,
)
from services.welfare.tekun.rules import SelfCare, occupancy, tekun_support
from shared.policy import ParameterNotFound, PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
ZHENGAN = Params(POLICY, "520324", date(2018, 7, 1))
YAOAN = Params(POLICY, "532325", date(2018, 7, 1))
YAOAN_2017 = Params(POLICY, "532325", date(2017, 12, 28))


A, B, C = DibaoCategory.A, DibaoCategory.B, DibaoCategory.C
FULL, PARTIAL, NONE = WorkAbility.full, WorkAbility.partial, WorkAbility.none


def ill_typed(value: object) -> Any:
    """A value of the wrong type, passed on purpose: the rules refuse it at run time."""
    return value


def d(text: str) -> Decimal:
    return Decimal(text)


def paths(trace: Trace) -> set[str]:
    return {p.path for p in trace.out().parameters}


def member(pid: str = "p1", age: int = 40, work: str = "full", **kw) -> MemberFacts:
    return MemberFacts(pid, age, WorkAbility(work), **kw)


def household(*members: MemberFacts, income: str = "0", category=A, **kw) -> HouseholdBenefitFacts:
    return HouseholdBenefitFacts(tuple(members), d(income), category, **kw)


# --- WEL-2 categories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "category"),
    [
        ((member(work="none"),), A),
        ((member(work="full", self_care=False),), A),  # cannot care for self
        ((member("p1", 80, "none"), member("p2", 8, "none")), A),  # grandparent and child
        ((member("p1", 80, "none"), member("p2", 50, "partial")), B),
        ((member("p1", 70, "none", disability_grade=1), member("p2", 40, "full")), B),
        ((member("p1", 55, "partial", chronic_illness=True), member("p2", 30, "full")), B),
        ((member("p1", 45, "partial"),), B),  # the seed's causes end in 等
        ((member("p1", 45, "full"), member("p2", 10, "full")), C),
        ((member("p1", 45, "full", disability_grade=4),), C),  # disabled but able to work
    ],
)
def test_category_table(members: tuple[MemberFacts, ...], category: DibaoCategory) -> None:
    proposal = propose_category(CategoryFacts(members), ZHENGAN)
    assert proposal.category is category
    assert proposal.reasons
    assert proposal.trace.out().rules == ["WEL-2"]


def test_category_reasons_name_members_and_causes() -> None:
    members = (
        member("p1", 70, "none", disability_grade=2, serious_illness=True),
        member("p2", 40, "full"),
    )
    reasons = propose_category(CategoryFacts(members), ZHENGAN).reasons
    assert any("p1" in r and "disability grade 2" in r and "serious illness" in r for r in reasons)
    assert not any("p2" in r for r in reasons)


@pytest.mark.parametrize(
    ("category", "last", "due"),
    [
        (A, date(2018, 3, 15), date(2019, 3, 15)),
        (B, date(2018, 3, 15), date(2018, 9, 15)),
        (C, date(2018, 3, 15), date(2018, 6, 15)),
        (C, date(2018, 11, 30), date(2019, 2, 28)),  # shorter month: its last day
        (B, date(2018, 8, 31), date(2019, 2, 28)),
        (A, date(2019, 2, 28), date(2020, 2, 28)),
        (C, date(2019, 11, 30), date(2020, 2, 29)),  # leap year
    ],
)
def test_review_due(category: DibaoCategory, last: date, due: date) -> None:
    trace = Trace()
    assert review_due(category, last, YAOAN, trace=trace) == due
    assert paths(trace) == {f"welfare.dibao.review_interval_months.{category.value}"}
    assert "YA-GOV §三(四)" in trace.out().parameters[0].reference


def test_gradual_exit_is_six_illustrative_months() -> None:
    trace = Trace()
    assert gradual_exit_until(date(2018, 8, 31), ZHENGAN, trace=trace) == date(2019, 2, 28)
    assert trace.out().rules == ["WEL-8"]
    resolved = POLICY.resolve("welfare.dibao.gradual_exit_months", "520324", ZHENGAN.on)
    assert resolved.illustrative and resolved.value == 6


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(person_id="", age=1, work_ability="full"),
        dict(person_id="p", age=-1, work_ability="full"),
        dict(person_id="p", age=True, work_ability="full"),
        dict(person_id="p", age=151, work_ability="full"),
        dict(person_id="p", age=30, work_ability="some"),
        dict(person_id="p", age=30, work_ability="full", disability_grade=5),
        dict(person_id="p", age=30, work_ability="full", disability_grade=0),
        dict(person_id="p", age=30, work_ability="full", disability_grade=True),
        dict(person_id="p", age=30, work_ability="full", self_care="yes"),
    ],
)
def test_bad_member_facts_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        MemberFacts(**kwargs)


def test_bad_households_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one member"):
        CategoryFacts(())
    with pytest.raises(ValueError, match="twice"):
        CategoryFacts((member("p1"), member("p1")))
    with pytest.raises(TypeError):
        CategoryFacts(ill_typed(member("p1")))
    with pytest.raises(ValueError):
        household(member(), income="-1")
    with pytest.raises(ValueError):
        household(member(), income="1.005")
    with pytest.raises(ValueError):
        household(member(), category="D")
    with pytest.raises(TypeError):
        HouseholdBenefitFacts((member(),), ill_typed(100.5), A)
    with pytest.raises(ValueError):
        review_due(A, ill_typed("2018-01-01"), ZHENGAN)


def test_work_ability_is_normalised() -> None:
    assert member(work="partial").work_ability is WorkAbility.partial


# --- WEL-3 benefit (the disability subsidies, WEL-4, are paid apart) -----------------------------

# (members, income, category, base, increment, total); 正安 2018: standard 3,876/yr (323/month),
# increments A 50 / B 30 / C 0. A disabled member changes nothing here: the living and nursing
# subsidies are their own schemes (tests/unit/test_welfare_disability_rules.py).
BENEFIT_CASES = [
    # one person, no income, category A: 323 + 50
    ((member(work="none"),), "0", A, "323.00", "50.00", "373.00"),
    # three people, 3,000 a year, category C: (11,628 - 3,000) / 12
    ((member("p1"), member("p2"), member("p3", 10, "none")), "3000", C, "719.00", "0.00", "719.00"),
    # half-up to the fen: (3,876 - 1) / 12 = 322.9166...
    ((member(),), "1", C, "322.92", "0.00", "322.92"),
    # one fen below the standard is still eligible, the top-up rounds to 0
    ((member("p1"), member("p2")), "7751.99", B, "0.00", "60.00", "60.00"),
    # grade-2 member of an A household: no subsidy inside the dibao (before: + 96.90 + 40)
    ((member(work="none", disability_grade=2),), "0", A, "323.00", "50.00", "373.00"),
    # grade-1 and grade-3 members of a B household (before: + 129.20 + 50)
    (
        (
            member("p1", 70, "none", disability_grade=1),
            member("p2", 45, "partial", disability_grade=3),
        ),
        "1200",
        B,
        "546.00",
        "60.00",
        "606.00",
    ),
    # grade-4 member of a C household (before: + 32.30)
    ((member(disability_grade=4),), "0", C, "323.00", "0.00", "323.00"),
    # ZA-GOV §三(三)2's 3,535 floors the standard, not the benefit: a safety-net person with 600 a
    # year gets the 补差 (3,876 - 600) / 12 = 273, no top-up to 3,535 / 12.
    ((member(work="none"),), "600", A, "273.00", "50.00", "323.00"),
]


@pytest.mark.parametrize(("members", "income", "category", "base", "inc", "total"), BENEFIT_CASES)
def test_benefit_table(members, income, category, base, inc, total) -> None:
    facts = household(*members, income=income, category=category)
    result = dibao_benefit(facts, ZHENGAN)
    assert result.eligible and result.reason is None
    assert result.standard_annual == d("3876.00")
    assert (
        result.base_monthly,
        result.category_increment_monthly,
        result.monthly_amount,
    ) == (d(base), d(inc), d(total))
    assert sum(m.category_increment for m in result.per_member) == (
        result.category_increment_monthly
    )
    assert [m.person_id for m in result.per_member] == [m.person_id for m in members]


def test_benefit_trace_names_rules_and_seed_parameters() -> None:
    facts = household(
        member("p1", 70, "none", disability_grade=1),
        member("p2", 45, "partial"),
        income="1200",
        category=B,
    )
    out = dibao_benefit(facts, ZHENGAN).trace.out()
    assert out.rules == ["WEL-3"]
    by_path = {p.path: p for p in out.parameters}
    assert set(by_path) == {
        "welfare.dibao.rural_standard",
        "welfare.dibao.standard_floor",
        "welfare.dibao.category_increment.B",
    }
    standard = by_path["welfare.dibao.rural_standard"]
    assert (standard.value, standard.county) == ("3876", "520324")
    assert "ZA-GOV §一(四)" in standard.reference


def test_a_disabled_member_reads_no_disability_parameter() -> None:
    facts = household(member(work="none", disability_grade=1), category=C)
    result = dibao_benefit(facts, ZHENGAN)
    assert not any(p.startswith("welfare.disability") for p in paths(result.trace))


@pytest.mark.parametrize("income", ["3876", "3876.01", "100000"])
def test_per_capita_income_at_or_above_the_standard_is_not_eligible(income: str) -> None:
    facts = household(member(work="none", disability_grade=1), income=income)
    result = dibao_benefit(facts, ZHENGAN)
    assert not result.eligible
    assert "at or above" in (result.reason or "")
    assert result.monthly_amount == d("0.00")
    assert all(m.category_increment == 0 for m in result.per_member)
    assert result.per_capita_income_annual == d(income).quantize(d("0.01"))
    assert result.trace.out().rules == ["WEL-3"]


def test_per_capita_income_is_reported_rounded_but_not_used_rounded() -> None:
    # 1,000 / 3 = 333.333...; the top-up uses the household total: (11,628 - 1,000) / 12.
    facts = household(member("p1"), member("p2"), member("p3"), income="1000", category=C)
    result = dibao_benefit(facts, ZHENGAN)
    assert result.per_capita_income_annual == d("333.33")
    assert result.base_monthly == d("885.67")  # 10,628 / 12 = 885.666...


def test_yaoan_gets_the_illustrative_standard() -> None:
    result = dibao_benefit(household(member(), category=C), YAOAN_2017)
    assert result.standard_annual == d("3500.00")
    assert result.base_monthly == d("291.67")  # 3,500 / 12 = 291.666...
    standard = POLICY.resolve("welfare.dibao.rural_standard", "532325", YAOAN_2017.on)
    assert standard.illustrative and standard.county is None
    seed = POLICY.resolve("welfare.dibao.rural_standard", "520324", ZHENGAN.on)
    assert not seed.illustrative and seed.county == "520324"


def test_the_seed_household_of_three_gets_the_gap_to_the_standard() -> None:
    """ZA-GOV §一(四), §三(三)2: 正安 2018, standard 3,876 (not below the floor 3,535); a
    household of 3 with per-capita income 2,000 gets (3,876 - 2,000) x 3 = 5,628 a year, 469 a
    month of 补差, with no top-up of the benefit to 3,535."""
    facts = household(member("p1"), member("p2"), member("p3"), income="6000", category=C)
    result = dibao_benefit(facts, Params(POLICY, "520324", date(2018, 4, 24)))
    assert result.standard_annual == d("3876.00")
    assert result.per_capita_income_annual == d("2000.00")
    assert result.base_monthly * 12 == d("5628.00")
    assert result.monthly_amount == d("469.00")
    out = result.trace.out()
    floor = next(p for p in out.parameters if p.path == "welfare.dibao.standard_floor")
    assert (floor.value, floor.county, floor.illustrative) == ("3535", "520324", False)
    # The increments are no seed's figure (ZA-GOV §三(三)1 gives none): the one illustrative.
    assert out.illustrative_parameters == ["welfare.dibao.category_increment.C"]


def test_a_standard_below_the_floor_is_refused(tmp_path: Path) -> None:
    """A county whose standard in force is below its own floor gets no amount computed: 409,
    naming both parameters."""
    (tmp_path / "w.yaml").write_text(
        """
welfare.dibao.rural_standard:
  unit: yuan/person/year
  reference: "ZA-GOV §一(四) (WEL-3)"
  values: {2018-01-01: 3400}
welfare.dibao.standard_floor:
  unit: yuan/person/year
  counties:
    "520324":
      reference: "ZA-GOV §三(三)2 (WEL-3)"
      values: {2018-01-01: 3535}
welfare.dibao.category_increment.C:
  unit: yuan/person/month
  reference: "not in the seeds (WEL-3)"
  illustrative: true
  values: {2018-01-01: 0}
""",
        encoding="utf-8",
    )
    policy = PolicySet.load(tmp_path)
    facts = household(member(), income="0", category=C)
    with pytest.raises(StandardBelowFloor) as raised:
        dibao_benefit(facts, Params(policy, "520324", date(2018, 7, 1)))
    assert raised.value.status == 409
    assert {e.field for e in raised.value.errors} == {
        "welfare.dibao.rural_standard",
        "welfare.dibao.standard_floor",
    }
    assert "3400" in raised.value.detail and "3535" in raised.value.detail
    # Another county published no floor: its standard is used as it is.
    other = dibao_benefit(facts, Params(policy, "522121", date(2018, 7, 1)))
    assert other.standard_annual == d("3400.00")
    assert "welfare.dibao.standard_floor" not in paths(other.trace)


def test_no_shipped_standard_is_below_its_floor() -> None:
    """On every date any parameter changes, for every county with a figure of its own and a
    county the seeds never name, the dibao standard in force is not below the floor."""
    checked = 0
    for county in sorted(POLICY.counties() | {"522121"}):
        for on in sorted(POLICY.effective_dates()):
            try:
                floor = POLICY.value("welfare.dibao.standard_floor", county, on)
            except ParameterNotFound:
                continue
            standard = POLICY.value("welfare.dibao.rural_standard", county, on)
            assert standard >= floor, (county, on, standard, floor)
            checked += 1
    assert checked  # 正安 has a floor from 2018


def test_yaoan_has_no_standard_floor() -> None:
    result = dibao_benefit(household(member(work="none"), income="3000"), YAOAN)
    assert result.base_monthly == d("41.67")  # (3,500 - 3,000) / 12
    assert "welfare.dibao.standard_floor" not in paths(result.trace)


money = st.integers(0, 2_000_000).map(lambda c: Decimal(c).scaleb(-2))
members_st = st.lists(
    st.builds(
        MemberFacts,
        person_id=st.uuids().map(str),
        age=st.integers(0, 100),
        work_ability=st.sampled_from(list(WorkAbility)),
        self_care=st.booleans(),
        disability_grade=st.one_of(st.none(), st.integers(1, 4)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    members=members_st,
    low=money,
    high=money,
    category=st.sampled_from(list(DibaoCategory)),
    params=st.sampled_from([ZHENGAN, YAOAN]),
)
def test_benefit_properties(members, low, high, category, params) -> None:
    low, high = min(low, high), max(low, high)
    results = [
        dibao_benefit(HouseholdBenefitFacts(tuple(members), income, category), params)
        for income in (low, high)
    ]
    for income, r in zip((low, high), results, strict=True):
        parts = (r.base_monthly, r.category_increment_monthly)
        assert min(*parts, r.monthly_amount) >= 0
        assert r.monthly_amount == sum(parts)
        assert r.monthly_amount == r.monthly_amount.quantize(d("0.01"))
        assert r.eligible == (income < r.standard_annual * len(members))
    # more income never means more dibao
    assert results[1].monthly_amount <= results[0].monthly_amount
    assert results[1].base_monthly <= results[0].base_monthly


# --- WEL-5 extreme-poverty support ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_care", "care", "total"),
    [("full", "60.00", "801.00"), ("partial", "200.00", "941.00"), ("none", "400.00", "1141.00")],
)
def test_tekun_support_in_zhengan(self_care: str, care: str, total: str) -> None:
    result = tekun_support(SelfCare(self_care), ZHENGAN)
    assert result.monthly_basic == d("741.00")
    assert (result.care_monthly, result.monthly_amount) == (d(care), d(total))
    out = result.trace.out()
    assert out.rules == ["WEL-5"]
    assert paths(result.trace) == {
        "welfare.tekun.monthly_support",
        f"welfare.tekun.care_standard.{self_care}",
    }
    basic = next(p for p in out.parameters if p.path == "welfare.tekun.monthly_support")
    assert (basic.effective_from, basic.county) == (date(2018, 6, 1), "520324")


def test_tekun_741_starts_in_june_2018() -> None:
    with pytest.raises(ParameterNotFound):
        tekun_support(SelfCare.full, Params(POLICY, "520324", date(2018, 5, 31)))
    assert (
        tekun_support(SelfCare.full, Params(POLICY, "520324", date(2018, 6, 1))).monthly_basic
        == 741
    )


def test_tekun_in_yaoan_is_illustrative() -> None:
    assert tekun_support(SelfCare.none, YAOAN_2017).monthly_amount == d("1100.00")
    resolved = POLICY.resolve("welfare.tekun.monthly_support", "532325", YAOAN_2017.on)
    assert resolved.illustrative


def test_tekun_bad_self_care() -> None:
    with pytest.raises(ValueError, match="self-care"):
        tekun_support(ill_typed("some"), ZHENGAN)


@pytest.mark.parametrize(
    ("on", "target", "target_from"),
    [
        (date(2018, 6, 30), "0.70", date(2018, 6, 30)),
        (date(2018, 9, 29), "0.70", date(2018, 6, 30)),
        (date(2018, 9, 30), "0.85", date(2018, 9, 30)),
        (date(2018, 12, 30), "0.85", date(2018, 9, 30)),
        (date(2018, 12, 31), "1.00", date(2018, 12, 31)),
        (date(2019, 6, 1), "1.00", date(2018, 12, 31)),
    ],
)
def test_occupancy_targets_by_deadline(on: date, target: str, target_from: date) -> None:
    # `params` is bound to another day: the target is the one in force on `on`.
    result = occupancy(85, 100, on, ZHENGAN)
    assert (result.target, result.target_from) == (d(target), target_from)
    assert result.rate == d("0.8500")
    assert result.met == (d(target) <= d("0.85"))
    assert result.trace.out().rules == ["WEL-5"]
    assert "ZA-GOV §三(三)6" in result.trace.out().parameters[0].reference


def test_no_occupancy_target_before_the_end_of_june_2018() -> None:
    with pytest.raises(ParameterNotFound):
        occupancy(1, 10, date(2018, 6, 29), ZHENGAN)


def test_occupancy_met_uses_the_exact_share() -> None:
    result = occupancy(13_999, 20_000, date(2018, 7, 1), ZHENGAN)
    assert result.rate == d("0.7000")  # 0.69995, half-up
    assert not result.met
    assert occupancy(14_000, 20_000, date(2018, 7, 1), ZHENGAN).met
    assert occupancy(0, 3, date(2018, 7, 1), YAOAN).rate == d("0.0000")
    assert occupancy(2, 3, date(2018, 7, 1), YAOAN).rate == d("0.6667")


@pytest.mark.parametrize(("occupied", "beds"), [(1, 0), (11, 10), (-1, 10), (True, 10), (1.0, 2)])
def test_occupancy_bad_counts(occupied, beds) -> None:
    with pytest.raises(ValueError):
        occupancy(occupied, beds, date(2018, 7, 1), ZHENGAN)


# --- parameters ----------------------------------------------------------------------------------

WELFARE_PATHS = [p for p in POLICY.paths if p.startswith("welfare.")]
# A county's own commitment, read only where published (a county without one has no floor).
# 正安's rehabilitation programme (ZA-GOV §三(二)5, WEL-10 to WEL-12) has no default either.
COUNTY_ONLY = {
    "welfare.dibao.standard_floor",
    "welfare.disability.mental_illness.hospital_monthly",
    "welfare.disability.mental_illness.home_drugs_yearly",
    "welfare.disability.devices.max_grade",
    "welfare.disability.adaptation.max_grade",
    "welfare.disability.child_rehab.max_age",
}


@pytest.mark.parametrize("county", ["532325", "520324", "360222"])
def test_every_welfare_parameter_resolves_in_the_seed_counties(county: str) -> None:
    for path in WELFARE_PATHS:
        if path in COUNTY_ONLY and county != "520324":
            with pytest.raises(ParameterNotFound, match="must publish its own figure"):
                POLICY.resolve(path, county, date(2018, 12, 31))
            continue
        resolved = POLICY.resolve(path, county, date(2018, 12, 31))
        assert resolved.reference and resolved.unit, path
        if "not in the seeds" in resolved.reference:
            assert resolved.illustrative, path


def test_yaoan_resolves_from_2017() -> None:
    on = date(2017, 12, 28)  # YA-GOV's date
    missing = []
    for path in sorted(set(WELFARE_PATHS) - COUNTY_ONLY):
        try:
            POLICY.resolve(path, "532325", on)
        except ParameterNotFound:
            missing.append(path)
    # Only the occupancy targets, 正安's 2018 deadlines, start later.
    assert missing == ["welfare.tekun.occupancy_target"]


@pytest.mark.parametrize(
    ("path", "county", "value", "reference"),
    [
        ("welfare.dibao.rural_standard", "520324", "3876", "ZA-GOV §一(四)"),
        ("welfare.dibao.standard_floor", "520324", "3535", "ZA-GOV §三(三)2"),
        ("welfare.tekun.monthly_support", "520324", "741", "ZA-GOV §一(四), §三(三)6"),
        ("welfare.disability.nursing_subsidy.grade1", "520324", "50", "ZA-GOV §三(三)4"),
        ("welfare.disability.nursing_subsidy.grade2", "520324", "40", "ZA-GOV §三(三)4"),
        ("welfare.temporary_relief.childbirth", "532325", "400", "YA-GOV §三(七)"),
        ("welfare.temporary_relief.relocation", "520324", "1500", "ZA-GOV §三(三)3"),
        ("welfare.tekun.occupancy_target", "520324", "1.00", "ZA-GOV §三(三)6"),
        ("welfare.dibao.review_interval_months.B", "532325", "6", "YA-GOV §三(四)"),
    ],
)
def test_seed_figures_are_not_illustrative(path, county, value, reference) -> None:
    resolved = POLICY.resolve(path, county, date(2018, 12, 31))
    assert resolved.value == d(value)
    assert reference in resolved.reference
    assert not resolved.illustrative


@pytest.mark.parametrize(
    ("kind", "county", "statuses", "reference"),
    [
        ("accident", "532325", ["not_exited", "exited"], "YA-GOV §三(七)"),
        ("accident", "520324", ["not_exited", "exited", "marginal", "none"], "ZA-GOV §三(三)3"),
        ("essential_spending", "532325", ["not_exited", "exited", "marginal"], "YA-GOV §三(七)"),
        ("childbirth", "532325", ["not_exited", "exited"], "YA-GOV §三(七)"),
        ("relocation", "520324", ["not_exited", "exited"], "ZA-GOV §三(三)3"),
        ("high_medical_burden", "520324", ["not_exited", "exited"], "ZA-GOV §三(二)2"),
    ],
)
def test_relief_statuses_are_the_countys_own(kind, county, statuses, reference) -> None:
    """Who may have relief is the county's own sentence; elsewhere the list is illustrative."""
    path = f"welfare.temporary_relief.eligible_statuses.{kind}"
    resolved = POLICY.resolve(path, county, date(2018, 12, 31))
    assert (resolved.value, resolved.county, resolved.illustrative) == (statuses, county, False)
    assert reference in resolved.reference
    assert POLICY.resolve(path, "522121", date(2018, 12, 31)).illustrative
