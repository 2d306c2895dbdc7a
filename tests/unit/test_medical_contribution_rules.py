"""Resident medical insurance: coverage requirement (ENR-M1) and contribution funding (ENR-M2,
ENR-M3) with the figures of YA-GOV §三(六)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.enrollment.medical.rules import (
    CONTRIBUTION,
    ELDERLY_MIN_AGE,
    FIXED_SUBSIDY,
    PROVINCE_BASIS,
    PROVINCE_SHARE,
    SEVERE_DISABILITY_MAX_GRADE,
    AssistanceGround,
    Fund,
    MedicalContributionFacts,
    medical_contribution_funding,
    medical_coverage_requirement,
)
from shared.domain import PovertyStatus
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
PARAMS = Params(POLICY, "532325", date(2018, 1, 1))


def _after_assistance_policy() -> PolicySet:
    """The shipped files with 姚安's province share taken of what medical assistance leaves
    (the other reading of YA-GOV §三(六), enrollment.medical.province_share.basis)."""
    with tempfile.TemporaryDirectory() as tmp:
        for source in Settings().policy_dir.glob("*.yaml"):
            text = source.read_text(encoding="utf-8")
            if source.name == "enrollment.yaml":
                assert text.count("2017-01-01: whole") == 2
                text = text.replace("2017-01-01: whole", "2017-01-01: after_assistance")
            (Path(tmp) / source.name).write_text(text, encoding="utf-8")
        return PolicySet.load(Path(tmp))


AFTER_ASSISTANCE = Params(_after_assistance_policy(), "532325", date(2018, 1, 1))

NOT_EXITED = PovertyStatus.not_exited
EXITED = PovertyStatus.exited
MARGINAL = PovertyStatus.marginal
BORN_1958 = date(1958, 9, 1)  # turns 60 in 2018
BORN_1959 = date(1959, 1, 1)  # 59 in 2018


def d(text: str) -> Decimal:
    return Decimal(text)


def fund(facts: MedicalContributionFacts, params: Params = PARAMS):
    return medical_contribution_funding(facts, params)


# (label, facts, medical assistance, province, prefecture/county, person pays); 2018: 220 yuan.
# Basis after_assistance: medical assistance first, the province's share of what it leaves.
# (case, facts, medical assistance, province, prefecture/county, person pays)
Row = tuple[str, dict[str, Any], str, str, str, str]
TABLE_2018_AFTER_ASSISTANCE: list[Row] = [
    ("tekun registered", dict(poverty_status=NOT_EXITED, tekun=True), "220", "0", "0", "0"),
    ("tekun not registered", dict(tekun=True), "220", "0", "0", "0"),
    (
        "tekun and dibao: full funding absorbs the 70",
        dict(poverty_status=EXITED, tekun=True, dibao=True),
        "220",
        "0",
        "0",
        "0",
    ),
    ("dibao not exited", dict(poverty_status=NOT_EXITED, dibao=True), "70", "90", "60", "0"),
    ("dibao exited", dict(poverty_status=EXITED, dibao=True), "70", "60", "90", "0"),
    (
        "dibao and disabled: 70 once",
        dict(poverty_status=NOT_EXITED, dibao=True, disability_grade=1, unable_to_work=True),
        "70",
        "90",
        "60",
        "0",
    ),
    (
        "dibao, disabled and low-income 60+, not registered: 70 once",
        dict(
            dibao=True,
            disability_grade=2,
            unable_to_work=True,
            low_income_household=True,
            birth_date=BORN_1958,
        ),
        "70",
        "0",
        "0",
        "150",
    ),
    ("dibao not registered", dict(dibao=True), "70", "0", "0", "150"),
    (
        "grade 2 disabled unable to work",
        dict(disability_grade=2, unable_to_work=True),
        "70",
        "0",
        "0",
        "150",
    ),
    ("grade 2 disabled able to work", dict(disability_grade=2), "0", "0", "0", "220"),
    (
        "grade 3 disabled unable to work",
        dict(disability_grade=3, unable_to_work=True),
        "0",
        "0",
        "0",
        "220",
    ),
    (
        "low-income, turns 60 this year",
        dict(low_income_household=True, birth_date=BORN_1958),
        "70",
        "0",
        "0",
        "150",
    ),
    (
        "low-income, 59",
        dict(low_income_household=True, birth_date=BORN_1959),
        "0",
        "0",
        "0",
        "220",
    ),
    ("60+ but not low-income", dict(birth_date=BORN_1958), "0", "0", "0", "220"),
    ("not exited, no subsidy", dict(poverty_status=NOT_EXITED), "0", "132", "88", "0"),
    ("exited, no subsidy", dict(poverty_status=EXITED), "0", "88", "132", "0"),
    ("marginal, no subsidy", dict(poverty_status=MARGINAL), "0", "0", "0", "220"),
    ("marginal dibao", dict(poverty_status=MARGINAL, dibao=True), "70", "0", "0", "150"),
    ("nobody in particular", dict(), "0", "0", "0", "220"),
]


# The shipped reading (basis whole): the province's 60/40% of the whole 220 first (132 / 88),
# medical assistance out of what it leaves, the prefecture/county the rest. Rows of people off
# the registry (or marginal) do not depend on the basis.
_BASIS_FREE = {
    row[0]: row
    for row in TABLE_2018_AFTER_ASSISTANCE
    if row[1].get("poverty_status") not in (NOT_EXITED, EXITED)
}
TABLE_2018 = [
    ("tekun registered", dict(poverty_status=NOT_EXITED, tekun=True), "88", "132", "0", "0"),
    _BASIS_FREE["tekun not registered"],
    (
        "tekun and dibao exited: medical assistance funds all the province leaves",
        dict(poverty_status=EXITED, tekun=True, dibao=True),
        "132",
        "88",
        "0",
        "0",
    ),
    # YA-GOV §三(六): 省财政…对未脱贫人口补助60% (132) + 70元 民政医疗救助 + 州、县市 18.
    ("dibao not exited", dict(poverty_status=NOT_EXITED, dibao=True), "70", "132", "18", "0"),
    ("dibao exited", dict(poverty_status=EXITED, dibao=True), "70", "88", "62", "0"),
    (
        "dibao and disabled: 70 once",
        dict(poverty_status=NOT_EXITED, dibao=True, disability_grade=1, unable_to_work=True),
        "70",
        "132",
        "18",
        "0",
    ),
    *(row for label, row in _BASIS_FREE.items() if label != "tekun not registered"),
    ("not exited, no subsidy", dict(poverty_status=NOT_EXITED), "0", "132", "88", "0"),
    ("exited, no subsidy", dict(poverty_status=EXITED), "0", "88", "132", "0"),
]


def _check_row(result, assistance: str, province: str, prefecture_county: str, person: str) -> None:
    assert result.contribution == d("220.00")
    assert (
        result.medical_assistance,
        result.province,
        result.prefecture_county,
        result.person_pays,
    ) == (d(assistance), d(province), d(prefecture_county), d(person))
    assert sum(result.shares.values()) + result.person_pays == result.contribution
    for amount in (*result.shares.values(), result.person_pays):
        assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("facts", "assistance", "province", "prefecture_county", "person"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE_2018],
)
def test_funding_table_2018(
    facts: dict, assistance: str, province: str, prefecture_county: str, person: str
) -> None:
    result = fund(MedicalContributionFacts(year=2018, **facts))
    _check_row(result, assistance, province, prefecture_county, person)


@pytest.mark.parametrize(
    ("facts", "assistance", "province", "prefecture_county", "person"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE_2018_AFTER_ASSISTANCE],
)
def test_funding_table_2018_after_assistance(
    facts: dict, assistance: str, province: str, prefecture_county: str, person: str
) -> None:
    # 70 from medical assistance first; the province's 60% of the 150 left is 90.
    result = fund(MedicalContributionFacts(year=2018, **facts), AFTER_ASSISTANCE)
    _check_row(result, assistance, province, prefecture_county, person)


def test_the_two_readings_fund_the_same_total_differently() -> None:
    facts = MedicalContributionFacts(year=2018, poverty_status=NOT_EXITED, dibao=True)
    whole, after = fund(facts), fund(facts, AFTER_ASSISTANCE)
    assert (whole.province, whole.medical_assistance, whole.prefecture_county) == (
        d("132"),
        d("70"),
        d("18"),
    )
    assert (after.province, after.medical_assistance, after.prefecture_county) == (
        d("90"),
        d("70"),
        d("60"),
    )
    for result in (whole, after):
        assert result.person_pays == 0
        assert sum(result.shares.values()) == result.contribution == d("220")


@pytest.mark.parametrize(
    ("year", "status", "dibao", "contribution", "province", "prefecture_county", "person"),
    [
        (2017, NOT_EXITED, False, "180", "108", "72", "0"),
        (2017, EXITED, True, "180", "72", "38", "0"),  # 40% of 180; 180 - 72 - 70
        (2017, None, True, "180", "0", "0", "110"),
        (2018, None, True, "220", "0", "0", "150"),
        (2019, NOT_EXITED, True, "250", "150", "30", "0"),  # 60% of 250; 250 - 150 - 70
    ],
)
def test_each_year_uses_its_own_contribution(
    year: int,
    status: PovertyStatus | None,
    dibao: bool,
    contribution: str,
    province: str,
    prefecture_county: str,
    person: str,
) -> None:
    # PARAMS is bound to 2018; the contribution year decides which figures are in force.
    result = fund(MedicalContributionFacts(year=year, poverty_status=status, dibao=dibao))
    assert result.contribution == d(contribution)
    assert (result.province, result.prefecture_county, result.person_pays) == (
        d(province),
        d(prefecture_county),
        d(person),
    )


def test_grounds_are_all_listed_but_the_subsidy_is_counted_once() -> None:
    facts = MedicalContributionFacts(
        year=2018,
        poverty_status=NOT_EXITED,
        dibao=True,
        disability_grade=1,
        unable_to_work=True,
        low_income_household=True,
        birth_date=BORN_1958,
    )
    result = fund(facts)
    assert result.grounds == (
        AssistanceGround.dibao,
        AssistanceGround.severe_disability,
        AssistanceGround.low_income_elderly,
    )
    assert result.medical_assistance == d("70")
    assert list(result.shares) == [Fund.medical_assistance, Fund.province, Fund.prefecture_county]
    assert result.public_finance == d("150")


def test_trace_shows_rules_parameters_and_figures() -> None:
    trace = Trace()
    medical_contribution_funding(
        MedicalContributionFacts(year=2018, poverty_status=NOT_EXITED, dibao=True), PARAMS, trace
    )
    out = trace.out()
    assert out.rules == ["ENR-M3", "ENR-M2"]
    used = {p.path: p for p in out.parameters}
    assert set(used) == {
        CONTRIBUTION,
        FIXED_SUBSIDY,
        PROVINCE_SHARE[NOT_EXITED],
        PROVINCE_BASIS,
    }
    assert used[CONTRIBUTION].value == "220"
    assert used[CONTRIBUTION].effective_from == date(2018, 1, 1)
    assert "national minimum" in used[CONTRIBUTION].reference
    assert used[FIXED_SUBSIDY].value == "70"
    assert used[FIXED_SUBSIDY].reference.startswith("YA-GOV §三(六)")
    assert used[PROVINCE_SHARE[NOT_EXITED]].value == "0.60"
    assert used[PROVINCE_BASIS].value == "whole"
    # 姚安's own figures are not illustrative; the contribution (no seed figure) is.
    assert out.illustrative_parameters == [CONTRIBUTION]
    m2 = next(s for s in out.steps if s.rule == "ENR-M2" and "province_share" in s.figures)
    assert m2.figures == {
        "basis": "whole",
        "base": "220.00",
        "province_share": "0.60",
        "province": "132.00",
    }
    rest = next(s for s in out.steps if s.rule == "ENR-M2" and "prefecture_county" in s.figures)
    assert rest.figures == {
        "province": "132.00",
        "medical_assistance": "70.00",
        "prefecture_county": "18.00",
    }
    assert out.steps[-1].figures["person_pays"] == "0.00"


def test_trace_reads_only_the_parameters_a_case_needs() -> None:
    trace = Trace()
    medical_contribution_funding(
        MedicalContributionFacts(
            year=2018, tekun=True, dibao=True, low_income_household=True, birth_date=BORN_1958
        ),
        PARAMS,
        trace,
    )
    out = trace.out()
    # 特困 full funding makes the fixed subsidy irrelevant; no province share off the registry.
    assert {p.path for p in out.parameters} == {CONTRIBUTION, ELDERLY_MIN_AGE}
    assert out.rules == ["ENR-M3", "ENR-M2"]
    assert any("not in the poverty registry" in s.text for s in out.steps)

    trace = Trace()
    medical_contribution_funding(
        MedicalContributionFacts(year=2018, disability_grade=1, unable_to_work=True),
        PARAMS,
        trace,
    )
    assert {p.path for p in trace.out().parameters} == {
        CONTRIBUTION,
        SEVERE_DISABILITY_MAX_GRADE,
        FIXED_SUBSIDY,
    }


def test_marginal_household_trace_says_why_there_is_no_public_funding() -> None:
    trace = Trace()
    result = medical_contribution_funding(
        MedicalContributionFacts(year=2018, poverty_status=MARGINAL), PARAMS, trace
    )
    assert result.public_finance == 0
    assert any(s.rule == "ENR-M2" and "边缘户" in s.text for s in trace.out().steps)


@pytest.mark.parametrize(
    ("status", "required"),
    [(NOT_EXITED, True), (EXITED, True), (MARGINAL, False), (None, False)],
)
def test_coverage_requirement(status: PovertyStatus | None, required: bool) -> None:
    trace = Trace()
    requirement = medical_coverage_requirement(status, trace)
    assert requirement.basic_medical_insurance is required
    assert requirement.critical_illness_insurance is required
    assert requirement.required is required
    assert trace.out().rules == ["ENR-M1"]


@pytest.mark.parametrize(
    "facts",
    [
        dict(year=2018, disability_grade=0),
        dict(year=2018, disability_grade=5),
        dict(year=2018, birth_date=date(2019, 1, 1)),
        dict(year=18),
    ],
)
def test_implausible_facts_are_refused(facts: dict) -> None:
    with pytest.raises(ValueError):
        MedicalContributionFacts(**facts)


def test_shipped_parameters() -> None:
    on = date(2018, 1, 1)
    contribution = POLICY.resolve(CONTRIBUTION, "532325", on)
    assert contribution.value == 220
    assert contribution.illustrative
    assert POLICY.value(ELDERLY_MIN_AGE, "532325", on) == 60
    assert POLICY.value(SEVERE_DISABILITY_MAX_GRADE, "532325", on) == 2
    assert not POLICY.resolve(ELDERLY_MIN_AGE, "532325", on).illustrative


# --- properties, over generated parameter values -------------------------------------------

_POLICY_TEMPLATE = """
{contribution_path}:
  unit: yuan/year
  reference: generated
  values:
    2018-01-01: {contribution}
{fixed_path}:
  unit: yuan/year
  reference: generated
  values:
    2018-01-01: {fixed}
{not_exited_path}:
  unit: ratio
  reference: generated
  values:
    2018-01-01: {not_exited}
{exited_path}:
  unit: ratio
  reference: generated
  values:
    2018-01-01: {exited}
{min_age_path}:
  unit: years
  reference: generated
  values:
    2018-01-01: 60
{max_grade_path}:
  unit: grade
  reference: generated
  values:
    2018-01-01: 2
{basis_path}:
  unit: choice
  reference: generated
  values:
    2018-01-01: {basis}
"""


@lru_cache(maxsize=512)
def generated_params(
    contribution: str, fixed: str, not_exited: str, exited: str, basis: str = "whole"
) -> Params:
    text = _POLICY_TEMPLATE.format(
        contribution_path=CONTRIBUTION,
        fixed_path=FIXED_SUBSIDY,
        not_exited_path=PROVINCE_SHARE[NOT_EXITED],
        exited_path=PROVINCE_SHARE[EXITED],
        min_age_path=ELDERLY_MIN_AGE,
        max_grade_path=SEVERE_DISABILITY_MAX_GRADE,
        basis_path=PROVINCE_BASIS,
        basis=basis,
        contribution=contribution,
        fixed=fixed,
        not_exited=not_exited,
        exited=exited,
    )
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "p.yaml").write_text(text, encoding="utf-8")
        policy = PolicySet.load(Path(directory))
    return Params(policy, "532325", date(2018, 1, 1))


def _text(value: Decimal) -> str:
    return format(value, "f")


money = st.decimals(min_value=0, max_value=2000, places=2).map(_text)
ratio = st.decimals(min_value=0, max_value=1, places=4).map(_text)
facts_2018 = st.builds(
    MedicalContributionFacts,
    year=st.just(2018),
    poverty_status=st.sampled_from([None, *PovertyStatus]),
    tekun=st.booleans(),
    dibao=st.booleans(),
    disability_grade=st.one_of(st.none(), st.integers(1, 4)),
    unable_to_work=st.booleans(),
    low_income_household=st.booleans(),
    birth_date=st.one_of(st.none(), st.dates(date(1920, 1, 1), date(2018, 12, 31))),
)


@settings(deadline=None, max_examples=300)
@given(
    facts=facts_2018,
    contribution=money,
    fixed=money,
    not_exited=ratio,
    exited=ratio,
    basis=st.sampled_from(["whole", "after_assistance"]),
)
def test_shares_always_add_up_and_nobody_pays_below_zero(
    facts: MedicalContributionFacts,
    contribution: str,
    fixed: str,
    not_exited: str,
    exited: str,
    basis: str,
) -> None:
    result = fund(facts, generated_params(contribution, fixed, not_exited, exited, basis))
    assert result.contribution == Decimal(contribution)
    assert result.person_pays >= 0
    assert sum(result.shares.values()) + result.person_pays == result.contribution
    for share in result.shares.values():
        assert 0 <= share <= result.contribution
        assert share.as_tuple().exponent == -2
    if facts.poverty_status in (NOT_EXITED, EXITED):
        assert result.person_pays == 0
    else:
        assert result.public_finance == 0
        assert result.person_pays == result.contribution - result.medical_assistance


@settings(deadline=None)
@given(facts=facts_2018)
def test_shipped_figures_keep_the_same_properties(facts: MedicalContributionFacts) -> None:
    result = fund(facts)
    assert result.person_pays >= 0
    assert sum(result.shares.values()) + result.person_pays == result.contribution
    assert all(0 <= share <= result.contribution for share in result.shares.values())
    if facts.tekun:
        # 特困: medical assistance funds all the province does not (basis whole).
        assert result.medical_assistance + result.province == result.contribution
        assert result.prefecture_county == 0
    elif result.grounds:
        assert result.medical_assistance == d("70")


def test_fen_remainder_goes_to_prefecture_county() -> None:
    # 100.01 x 0.60 = 60.006: the province gets 60.01 (half-up), the county the 40.00 left.
    params = generated_params("100.01", "0", "0.60", "0.40")
    result = fund(MedicalContributionFacts(year=2018, poverty_status=NOT_EXITED), params)
    assert (result.province, result.prefecture_county) == (d("60.01"), d("40.00"))
    result = fund(MedicalContributionFacts(year=2018, poverty_status=EXITED), params)
    assert (result.province, result.prefecture_county) == (d("40.00"), d("60.01"))


def test_an_unknown_basis_is_refused() -> None:
    params = generated_params("220", "70", "0.60", "0.40", "half")
    with pytest.raises(ValueError, match=r"province_share\.basis"):
        fund(MedicalContributionFacts(year=2018, poverty_status=NOT_EXITED), params)


def test_fresh_county_lists_every_borrowed_figure() -> None:
    # 522121 has no figure of its own: 姚安's 70 yuan, 60% and reading are illustrative there.
    trace = Trace()
    medical_contribution_funding(
        MedicalContributionFacts(year=2018, poverty_status=NOT_EXITED, dibao=True),
        Params(POLICY, "522121", date(2018, 1, 1)),
        trace,
    )
    assert trace.out().illustrative_parameters == sorted(
        [CONTRIBUTION, FIXED_SUBSIDY, PROVINCE_SHARE[NOT_EXITED], PROVINCE_BASIS]
    )
