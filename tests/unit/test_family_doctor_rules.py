"""The family-doctor signing rules (MED-12) on the seed's own figures: ZA-GOV §三(二)3's 36 chronic
diseases among the registered poor (exited included, marginal not) and its 100% signing rate for
正安 (520324); the contract period, the follow-up interval and the indicators per disease group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.medical.family_doctor.rules import (
    INDICATORS,
    DiseaseGroup,
    add_months,
    catalogue,
    chronic_diagnoses,
    contract_end,
    follow_up_status,
    indicator_errors,
    must_be_signed,
    renewal_start,
    required_indicators,
    signing_rate,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

SHIPPED = PolicySet.load(Settings().policy_dir)
ZHENGAN = Params(SHIPPED, "520324", date(2018, 7, 1))
ELSEWHERE = Params(SHIPPED, "522121", date(2018, 7, 1))


def test_med_12_the_catalogue_has_the_seeds_36_diseases_each_with_its_indicators() -> None:
    trace = Trace()
    diseases = catalogue(ZHENGAN, trace)
    assert len(diseases) == 36
    assert len({d.key for d in diseases}) == 36
    assert all(d.icd10_prefixes for d in diseases)
    # The seed names no disease: the list is illustrative, and each decision says so.
    assert trace.illustrative() == ["medical.chronic36.diseases"]
    for group in DiseaseGroup:
        assert all(name in INDICATORS for name in required_indicators([group]))


def test_med_12_codes_are_read_by_prefix_one_match_per_disease() -> None:
    trace = Trace()
    found = chronic_diagnoses(["I10", "e11.9", "E11.65", "S72.0", "C34.1"], ZHENGAN, trace=trace)
    assert [(m.code, m.disease.key) for m in found] == [
        ("I10", "hypertension"),
        ("e11.9", "diabetes"),
        ("C34.1", "malignant_tumour"),
    ]
    assert trace.steps[-1].rule == "MED-12"
    assert chronic_diagnoses(["S72.0", "J18.9"], ZHENGAN) == []
    with pytest.raises(TypeError):
        chronic_diagnoses("I10", ZHENGAN)


@pytest.mark.parametrize(
    ("status", "diseases", "must"),
    [
        ("not_exited", ["hypertension"], True),
        ("exited", ["copd"], True),  # 脱贫不脱政策 (REG-2)
        ("marginal", ["hypertension"], False),  # not 建档立卡
        (None, ["hypertension"], False),  # not in the registry
        ("not_exited", [], False),  # no chronic disease
    ],
)
def test_med_12_who_must_be_signed(status: str | None, diseases: list[str], must: bool) -> None:
    verdict = must_be_signed(status, diseases)
    assert verdict.must_sign is must
    assert (verdict.reason is None) is must
    assert verdict.trace.steps[0].rule == "MED-12"


def test_med_12_the_100_percent_target_is_zhengans_own() -> None:
    trace = Trace()
    full = signing_rate(12, 12, ZHENGAN, trace=trace, where="520324100")
    assert (full.rate, full.target, full.met) == (Decimal("1.0000"), Decimal("1.00"), True)
    assert trace.illustrative() == []
    assert (
        "ZA-GOV §三(二)3" in trace.parameters["medical.family_doctor.signing_rate_target"].reference
    )
    short = signing_rate(3, 2, ZHENGAN, trace=Trace())
    assert (short.rate, short.met) == (Decimal("0.6666"), False)  # rounded down, never up
    assert signing_rate(0, 0, ZHENGAN, trace=Trace()).met is True
    assert signing_rate(0, 0, ZHENGAN, trace=Trace()).rate is None
    other = Trace()
    assert signing_rate(1, 1, ELSEWHERE, trace=other).met is True
    assert other.illustrative() == ["medical.family_doctor.signing_rate_target"]
    with pytest.raises(ValueError):
        signing_rate(2, 3, ZHENGAN, trace=Trace())


def test_med_12_contract_period_and_renewal() -> None:
    assert contract_end(date(2018, 4, 1), ZHENGAN) == date(2019, 3, 31)
    assert contract_end(date(2020, 2, 29), ZHENGAN) == date(2021, 2, 27)
    assert add_months(date(2018, 1, 31), 1) == date(2018, 2, 28)
    # Renewed before the end: continues the day after; lapsed: starts on the renewal day.
    assert renewal_start(date(2019, 3, 31), date(2019, 3, 1)) == date(2019, 4, 1)
    assert renewal_start(date(2019, 3, 31), date(2019, 6, 1)) == date(2019, 6, 1)


def test_med_12_home_follow_up_is_overdue_after_the_interval() -> None:
    within = follow_up_status(date(2018, 4, 1), None, date(2018, 6, 30), ZHENGAN)
    assert (within.due, within.overdue) == (date(2018, 6, 30), False)
    late = follow_up_status(date(2018, 4, 1), date(2018, 5, 1), date(2018, 8, 1), ZHENGAN)
    assert (late.due, late.overdue, late.days_overdue) == (date(2018, 7, 30), True, 2)
    assert "medical.family_doctor.follow_up_interval_days" in late.trace.illustrative()


def test_med_12_indicators_per_disease_group() -> None:
    groups = [DiseaseGroup.hypertension, DiseaseGroup.diabetes]
    assert required_indicators(groups) == ("systolic_bp", "diastolic_bp", "fasting_glucose")
    good = {
        "systolic_bp": Decimal(150),
        "diastolic_bp": Decimal(90),
        "fasting_glucose": Decimal("7.2"),
    }
    assert indicator_errors(groups, good) == []
    assert indicator_errors([DiseaseGroup.mental], {}) == []
    errors = dict(
        indicator_errors(
            groups,
            {"systolic_bp": Decimal(80), "diastolic_bp": Decimal(95), "glucose": Decimal(7)},
        )
    )
    assert set(errors) == {"glucose", "fasting_glucose", "diastolic_bp"}
    assert "below the systolic" in errors["diastolic_bp"]
    wild = dict(indicator_errors([DiseaseGroup.diabetes], {"fasting_glucose": Decimal(72)}))
    assert "outside" in wild["fasting_glucose"]
