"""Outpatient special chronic diseases (MED-6), the 15 major diseases (MED-7), the 36 chronic
diseases (MED-8), the general diagnosis fee (MED-9) and special drugs (MED-11), with the seeds'
figures: FL-HRSS §三(三)2 and §三(三)4, ZA-GOV §三(二)3, YA-HRSS §二(二)2, CITY-HRSS §三(五)13."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.medical.outpatient.rules import (
    MAJOR_DISEASES,
    AdminLevel,
    Chronic36Facts,
    ChronicCategory,
    ChronicOutpatientFacts,
    FacilityType,
    GeneralFeeVisit,
    HospitalLevel,
    MajorDiseaseFacts,
    chronic36_aid,
    chronic_outpatient_payment,
    general_diagnosis_fee_refund,
    in_cleanup_window,
    major_disease_payment,
    match_major_disease,
    special_drug_deductible,
)
from shared.policy import ParameterNotFound, PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
FULIANG = Params(POLICY, "360222", date(2018, 6, 1))
ZHENGAN = Params(POLICY, "520324", date(2018, 6, 1))
YAOAN = Params(POLICY, "532325", date(2017, 11, 1))

CAT_I = ChronicCategory.category_i
CAT_II = ChronicCategory.category_ii


def d(text: str) -> Decimal:
    return Decimal(text)


def paths(trace: Trace) -> set[str]:
    return {p.path for p in trace.out().parameters}


def chronic(category, level, cost, ytd="0", params=FULIANG):
    facts = ChronicOutpatientFacts(category, level, d(cost), d(ytd))
    return chronic_outpatient_payment(facts, params)


def cents(max_yuan: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_yuan * 100).map(lambda c: Decimal(c).scaleb(-2))


# --- MED-6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "ratio", "paid"),
    [(1, "0.90", "900.00"), (2, "0.80", "800.00"), (3, "0.60", "600.00")],
)
def test_chronic_ratio_by_hospital_level(level: int, ratio: str, paid: str) -> None:
    for category in (CAT_I, CAT_II):
        result = chronic(category, level, "1000.00")
        assert result.ratio == d(ratio)
        assert result.reimbursed == d(paid)
        assert result.self_pay == d("1000.00") - d(paid)


def test_chronic_caps_are_the_seed_figures() -> None:
    assert chronic(CAT_I, 1, "10").annual_cap == d("100000")
    assert chronic(CAT_II, 1, "10").annual_cap == d("5000")
    path = "medical.outpatient_chronic.category_i.commercial_band_from"
    band = POLICY.resolve(path, "360222", FULIANG.on)
    assert band.value == d("60000")
    assert "FL-HRSS §三(三)2" in band.reference and not band.illustrative
    # 浮梁's figures are 浮梁's own: elsewhere they are repeated, flagged illustrative.
    for county in ("532325", "520324", "522121"):
        other = POLICY.resolve(path, county, FULIANG.on)
        assert other.value == d("60000") and other.illustrative and other.county is None


def test_category_i_below_the_band_is_all_basic_fund() -> None:
    result = chronic(CAT_I, 2, "10000.00", "20000.00")
    assert (result.basic_fund, result.commercial_insurer) == (d("8000.00"), d("0.00"))
    assert result.ytd_after == d("28000.00")


def test_category_i_bill_crossing_60000_is_split_at_60000() -> None:
    result = chronic(CAT_I, 1, "20000.00", "50000.00")
    assert result.due == d("18000.00")
    assert result.basic_fund == d("10000.00")
    assert result.commercial_insurer == d("8000.00")
    assert result.self_pay == d("2000.00")
    assert result.ytd_after == d("68000.00")
    out = result.trace.out()
    assert out.rules == ["MED-6"]
    assert paths(result.trace) == {
        "medical.outpatient_chronic.ratio.level1",
        "medical.outpatient_chronic.category_i.annual_cap",
        "medical.outpatient_chronic.category_i.commercial_band_from",
    }
    assert all("FL-HRSS §三(三)2" in p.reference for p in out.parameters)


def test_category_i_one_fen_below_the_band() -> None:
    result = chronic(CAT_I, 1, "100.00", "59999.99")
    assert (result.basic_fund, result.commercial_insurer) == (d("0.01"), d("89.99"))


def test_category_i_at_60000_all_goes_to_the_commercial_insurer() -> None:
    result = chronic(CAT_I, 3, "1000.00", "60000.00")
    assert (result.basic_fund, result.commercial_insurer) == (d("0.00"), d("600.00"))


def test_category_i_bill_crossing_the_cap() -> None:
    result = chronic(CAT_I, 1, "10000.00", "95000.00")
    assert result.due == d("9000.00")
    assert result.commercial_insurer == d("5000.00")
    assert result.basic_fund == d("0.00")
    assert result.above_cap == d("4000.00")
    assert result.self_pay == d("5000.00")
    assert result.ytd_after == d("100000.00")


def test_category_i_bill_crossing_band_and_cap_at_once() -> None:
    result = chronic(CAT_I, 1, "200000.00", "10000.00")
    assert result.basic_fund == d("50000.00")
    assert result.commercial_insurer == d("40000.00")
    assert result.above_cap == d("90000.00")
    assert result.ytd_after == d("100000.00")


@pytest.mark.parametrize(("category", "cap"), [(CAT_I, "100000.00"), (CAT_II, "5000.00")])
def test_ytd_exactly_at_the_cap_pays_nothing(category: ChronicCategory, cap: str) -> None:
    result = chronic(category, 1, "800.00", cap)
    assert result.reimbursed == d("0.00")
    assert result.self_pay == d("800.00")
    assert result.ytd_after == d(cap)


def test_category_ii_has_no_commercial_band_and_crosses_its_cap() -> None:
    result = chronic(CAT_II, 2, "1000.00", "4500.00")
    assert (result.basic_fund, result.commercial_insurer) == (d("500.00"), d("0.00"))
    assert result.above_cap == d("300.00")
    assert result.ytd_after == d("5000.00")
    assert "medical.outpatient_chronic.category_i.commercial_band_from" not in paths(result.trace)
    assert "medical.outpatient_chronic.category_ii.annual_cap" in paths(result.trace)


def test_chronic_rounds_to_the_fen() -> None:
    assert chronic(CAT_I, 1, "0.05").basic_fund == d("0.05")  # 0.045, half-up


@pytest.mark.parametrize(
    "facts",
    [
        dict(category="I", hospital_level=4, covered_cost=d("1")),
        dict(category="I", hospital_level=True, covered_cost=d("1")),
        dict(category="III", hospital_level=1, covered_cost=d("1")),
        dict(category="I", hospital_level=1, covered_cost=d("-1")),
        dict(category="I", hospital_level=1, covered_cost=d("1.001")),
    ],
)
def test_chronic_bad_facts_are_refused(facts: dict) -> None:
    with pytest.raises(ValueError):
        ChronicOutpatientFacts(**facts)


def test_chronic_refuses_float_and_ytd_above_cap() -> None:
    with pytest.raises(TypeError):
        # A float where money is due: refused at run time (the type says Decimal).
        float_cost: Any = 10.5
        ChronicOutpatientFacts(CAT_I, HospitalLevel.level_1, float_cost)
    with pytest.raises(ValueError, match="above the category's cap"):
        chronic(CAT_II, 1, "10.00", "5000.01")


def test_chronic_figures_start_in_2018() -> None:
    # The seed gives no date for the old caps, so none is shipped before 2018.
    with pytest.raises(ParameterNotFound):
        chronic(CAT_I, 1, "10", params=Params(POLICY, "360222", date(2017, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(
    category=st.sampled_from([CAT_I, CAT_II]),
    level=st.sampled_from(list(HospitalLevel)),
    cost=cents(250_000),
    ytd_share=st.integers(0, 10_000),
)
def test_chronic_properties(category, level, cost, ytd_share) -> None:
    cap = d("100000.00") if category is CAT_I else d("5000.00")
    ytd = (cap * ytd_share / 10_000).quantize(d("0.01"))
    result = chronic_outpatient_payment(ChronicOutpatientFacts(category, level, cost, ytd), FULIANG)
    assert result.basic_fund + result.commercial_insurer + result.self_pay == cost
    assert result.reimbursed <= cost
    assert min(result.basic_fund, result.commercial_insurer, result.self_pay) >= 0
    assert result.ytd_after <= cap
    assert result.ytd_after == ytd + result.reimbursed
    if category is CAT_I:
        assert ytd + result.basic_fund <= d("60000") or result.basic_fund == 0
    else:
        assert result.commercial_insurer == 0


# --- MED-7 -------------------------------------------------------------------------------------

SEED_15 = [
    "耐多药肺结核",
    "肺癌",
    "食道癌",
    "胃癌",
    "结肠癌",
    "直肠癌",
    "慢性粒细胞白血病",
    "急性心肌梗塞",
    "脑梗死",
    "血友病",
    "Ⅰ型糖尿病",
    "甲亢",
    "儿童苯丙酮尿症",
    "尿道下裂",
    "地中海贫血",
]


def test_the_table_has_the_15_diseases_of_the_seed_each_with_a_quota() -> None:
    assert len(MAJOR_DISEASES) == 15
    assert [m.name_zh for m in MAJOR_DISEASES] == SEED_15
    assert len({m.key for m in MAJOR_DISEASES}) == 15
    for disease in MAJOR_DISEASES:
        quota = POLICY.resolve(disease.quota_path, "360222", FULIANG.on)
        assert quota.value > 0
        assert quota.illustrative  # the seed gives no quota figures


@pytest.mark.parametrize(
    ("codes", "age", "key"),
    [
        (["A15.0", "U84.3"], 40, "mdr_tuberculosis"),
        (["A16.2", "Z16.342"], 40, "mdr_tuberculosis"),
        (["C34.1"], 60, "lung_cancer"),
        (["c34.100x001"], 60, "lung_cancer"),
        (["C15.9"], 60, "oesophageal_cancer"),
        (["C16"], 60, "gastric_cancer"),
        (["C18.7"], 60, "colon_cancer"),
        (["C20"], 60, "rectal_cancer"),
        (["C92.1"], 30, "chronic_myeloid_leukaemia"),
        (["C92.10"], 30, "chronic_myeloid_leukaemia"),
        (["I21.0"], 70, "acute_myocardial_infarction"),
        (["I22.1"], 70, "acute_myocardial_infarction"),
        (["I63.9"], 70, "cerebral_infarction"),
        (["D66"], 10, "haemophilia"),
        (["D67"], 10, "haemophilia"),
        (["D68.0"], 10, "haemophilia"),
        (["D68.1"], 10, "haemophilia"),
        (["E10.9"], 20, "type1_diabetes"),
        (["E05.0"], 40, "hyperthyroidism"),
        (["E70.0"], 5, "phenylketonuria"),
        (["E70.0"], 17, "phenylketonuria"),
        (["Q54.0"], 3, "hypospadias"),
        (["D56.1"], 8, "thalassaemia"),
    ],
)
def test_match_major_disease(codes: list[str], age: int, key: str) -> None:
    disease = match_major_disease(codes, age, FULIANG)
    assert disease is not None and disease.key == key


@pytest.mark.parametrize(
    ("codes", "age"),
    [
        (["A15.0"], 40),  # tuberculosis without a resistance code
        (["C19"], 60),  # rectosigmoid junction
        (["C92.0"], 30),  # acute myeloid leukaemia
        (["E70.0"], 18),  # PKU of an adult
        (["E70.1"], 5),
        (["I20.0"], 70),
        (["E11.9"], 60),
        (["D68.2"], 10),
        (["U84.3"], 40),
        ([], 40),
    ],
)
def test_no_major_disease(codes: list[str], age: int) -> None:
    assert match_major_disease(codes, age, FULIANG) is None


def test_first_matching_code_wins_and_child_age_read_only_when_needed() -> None:
    trace = Trace()
    disease = match_major_disease(["J18.9", "I63.9", "C34.1"], 70, FULIANG, trace=trace)
    assert disease is not None and disease.key == "cerebral_infarction"
    assert paths(trace) == set()
    trace = Trace()
    match_major_disease(["E70.0"], 20, FULIANG, trace=trace)
    assert paths(trace) == {"medical.major_disease.child_age_below"}


def test_match_refuses_a_single_string() -> None:
    with pytest.raises(TypeError):
        match_major_disease("C34.1", 60, FULIANG)


def lung_quota() -> Decimal:
    return POLICY.value("medical.major_disease.quota.lung_cancer", "360222", FULIANG.on)


@pytest.mark.parametrize(("level", "ratio"), [(2, "0.80"), (3, "0.70")])
def test_major_disease_ratio_of_the_cost_within_the_quota(level: int, ratio: str) -> None:
    quota = lung_quota()
    cost = (quota / 2).quantize(d("0.01"))
    result = major_disease_payment(
        MajorDiseaseFacts(("C34.1",), 60, HospitalLevel(level), cost), FULIANG
    )
    assert result.applies and result.reason is None
    assert result.ratio == d(ratio)
    assert result.basic_fund == (cost * d(ratio)).quantize(d("0.01"))
    assert result.self_pay == cost - result.basic_fund
    assert result.above_quota == 0
    out = result.trace.out()
    assert out.rules == ["MED-7"]
    assert paths(result.trace) == {
        "medical.major_disease.quota.lung_cancer",
        f"medical.major_disease.ratio.level{level}",
    }
    ratio_param = next(p for p in out.parameters if p.path.endswith(f"level{level}"))
    assert "FL-HRSS §三(三)4" in ratio_param.reference


def test_major_disease_cost_above_the_quota_is_reported_apart() -> None:
    quota = lung_quota()
    result = major_disease_payment(
        MajorDiseaseFacts(("C34.1",), 60, HospitalLevel.level_2, quota + d("10000.00")), FULIANG
    )
    assert result.cost_within_quota == quota
    assert result.basic_fund == (quota * d("0.80")).quantize(d("0.01"))
    assert result.above_quota == d("10000.00")
    assert result.basic_fund + result.self_pay + result.above_quota == quota + d("10000.00")


def test_major_disease_not_at_level_1_nor_for_other_diseases() -> None:
    level1 = major_disease_payment(
        MajorDiseaseFacts(("C34.1",), 60, HospitalLevel.level_1, d("1000")), FULIANG
    )
    assert not level1.applies and level1.disease is not None
    assert "level-2 and level-3" in (level1.reason or "")
    assert level1.basic_fund == 0
    other = major_disease_payment(
        MajorDiseaseFacts(("J18.9",), 60, HospitalLevel.level_2, d("1000")), FULIANG
    )
    assert not other.applies and other.disease is None
    assert other.trace.out().rules == ["MED-7"]


@settings(max_examples=200, deadline=None)
@given(
    disease=st.sampled_from([m for m in MAJOR_DISEASES if not m.needs_mdr_marker]),
    level=st.sampled_from([2, 3]),
    cost=cents(200_000),
)
def test_major_disease_properties(disease, level, cost) -> None:
    code = disease.icd10_prefixes[0]
    result = major_disease_payment(MajorDiseaseFacts((code,), 5, level, cost), FULIANG)
    assert result.applies
    assert result.basic_fund + result.self_pay + result.above_quota == cost
    assert 0 <= result.basic_fund <= result.cost_within_quota <= result.quota
    assert min(result.self_pay, result.above_quota) >= 0


# --- MED-8 -------------------------------------------------------------------------------------


def aid(level: str, bill: str, ytd: str = "0", approved: str | None = None):
    facts = Chronic36Facts(AdminLevel(level), d(bill), d(approved or bill), d(ytd))
    return chronic36_aid(facts, ZHENGAN)


@pytest.mark.parametrize(
    ("level", "cap", "aid_", "self_pay"),
    [
        ("county", "1000", "5000.00", "1000.00"),
        ("city", "3000", "3000.00", "3000.00"),
        ("province", "5000", "1000.00", "5000.00"),
    ],
)
def test_chronic36_caps_by_level(level: str, cap: str, aid_: str, self_pay: str) -> None:
    result = aid(level, "6000.00")
    assert result.cap == d(cap)
    assert (result.aid, result.self_pay_after) == (d(aid_), d(self_pay))
    out = result.trace.out()
    assert out.rules == ["MED-8"]
    assert [p.path for p in out.parameters] == [f"medical.chronic36.self_pay_cap.{level}"]
    assert "ZA-GOV §三(二)3" in out.parameters[0].reference


def test_chronic36_bill_crossing_the_cap() -> None:
    result = aid("county", "500.00", "800.00")
    assert (result.aid, result.self_pay_after, result.ytd_after) == (
        d("300.00"),
        d("200.00"),
        d("1000.00"),
    )


def test_chronic36_ytd_exactly_at_the_cap() -> None:
    result = aid("county", "300.00", "1000.00")
    assert (result.aid, result.self_pay_after, result.ytd_after) == (
        d("300.00"),
        d("0.00"),
        d("1000.00"),
    )


def test_chronic36_below_the_cap_no_aid() -> None:
    result = aid("city", "500.00", "1000.00")
    assert (result.aid, result.self_pay_after, result.ytd_after) == (
        d("0.00"),
        d("500.00"),
        d("1500.00"),
    )


def test_chronic36_aid_limited_to_the_approved_out_of_catalogue_cost() -> None:
    result = aid("county", "3000.00", approved="500.00")
    assert (result.aid, result.self_pay_after) == (d("500.00"), d("2500.00"))


def test_chronic36_several_levels_current_bill_level_cap_on_the_yearly_total() -> None:
    # 2,500 already paid at a city hospital; a county bill is held to the county cap of 1,000.
    result = aid("county", "400.00", "2500.00")
    assert (result.aid, result.self_pay_after, result.ytd_after) == (
        d("400.00"),
        d("0.00"),
        d("2500.00"),
    )
    # The other way: 900 at county level, then a province bill may reach 5,000 in the year.
    result = aid("province", "6000.00", "900.00")
    assert (result.aid, result.self_pay_after, result.ytd_after) == (
        d("1900.00"),
        d("4100.00"),
        d("5000.00"),
    )


def test_chronic36_refuses_approved_above_the_bill() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        Chronic36Facts(AdminLevel.county, d("100"), d("100.01"))


@settings(max_examples=300, deadline=None)
@given(
    level=st.sampled_from(list(AdminLevel)),
    bill=cents(20_000),
    approved_share=st.integers(0, 100),
    ytd=cents(8_000),
)
def test_chronic36_properties(level, bill, approved_share, ytd) -> None:
    approved = (bill * approved_share / 100).quantize(d("0.01"))
    if approved > bill:
        approved = bill
    result = chronic36_aid(Chronic36Facts(level, bill, approved, ytd), ZHENGAN)
    assert result.aid + result.self_pay_after == bill
    assert 0 <= result.aid <= approved
    assert result.self_pay_after >= 0
    assert result.ytd_after <= max(ytd, result.cap) or result.aid == approved
    if approved == bill and ytd <= result.cap:
        assert result.ytd_after <= result.cap


# --- MED-9 -------------------------------------------------------------------------------------


def visit(day: date, facility: str = "village_clinic", poor: bool = True, fee: str = "10.00"):
    return general_diagnosis_fee_refund(GeneralFeeVisit(day, facility, poor, d(fee)), YAOAN)


@pytest.mark.parametrize("facility", [f.value for f in FacilityType])
def test_general_fee_refunded_in_full_in_the_cleanup_window(facility: str) -> None:
    result = visit(date(2017, 5, 3), facility)
    assert result.refund == d("10.00") and result.reason is None
    assert result.in_cleanup_window
    assert result.ledger_deadline == date(2017, 11, 20)
    out = result.trace.out()
    assert out.rules == ["MED-9"]
    assert paths(result.trace) == {
        "medical.general_diagnosis_fee.refund_ratio",
        "medical.general_diagnosis_fee.cleanup.first_day",
        "medical.general_diagnosis_fee.cleanup.last_day",
        "medical.general_diagnosis_fee.cleanup.ledger_deadline",
    }
    assert all("YA-HRSS §二(二)2" in p.reference for p in out.parameters)


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2016, 12, 31), False),
        (date(2017, 1, 1), True),
        (date(2017, 10, 31), True),
        (date(2017, 11, 1), False),
    ],
)
def test_cleanup_window_bounds(day: date, inside: bool) -> None:
    assert in_cleanup_window(day, YAOAN) is inside
    result = visit(day)
    assert result.refund == d("10.00")  # refunded either way; the window only means the ledger
    assert result.in_cleanup_window is inside
    assert result.ledger_deadline == (date(2017, 11, 20) if inside else None)


def test_general_fee_not_refunded_elsewhere_or_for_non_poor() -> None:
    hospital = visit(date(2017, 5, 3), "county_hospital")
    assert hospital.refund == 0 and "township health centre" in (hospital.reason or "")
    assert hospital.ledger_deadline is None
    not_poor = visit(date(2017, 5, 3), poor=False)
    assert not_poor.refund == 0 and "not a registered poor" in (not_poor.reason or "")
    assert "medical.general_diagnosis_fee.refund_ratio" not in paths(not_poor.trace)


@settings(max_examples=100, deadline=None)
@given(fee=cents(1_000), poor=st.booleans(), facility=st.sampled_from(["village_clinic", "x"]))
def test_general_fee_properties(fee, poor, facility) -> None:
    result = general_diagnosis_fee_refund(
        GeneralFeeVisit(date(2018, 3, 1), facility, poor, fee), YAOAN
    )
    assert 0 <= result.refund <= fee
    assert not result.in_cleanup_window


# --- MED-11 ------------------------------------------------------------------------------------


def test_special_drugs_no_deductible_for_the_poor() -> None:
    standard = POLICY.value("medical.special_drugs.deductible", "360222", FULIANG.on)
    poor = special_drug_deductible(True, FULIANG)
    assert (poor.deductible, poor.waived, poor.standard_deductible) == (d("0"), True, standard)
    other = special_drug_deductible(False, FULIANG)
    assert (other.deductible, other.waived) == (standard, False)
    out = poor.trace.out()
    assert out.rules == ["MED-11"]
    assert [p.path for p in out.parameters] == ["medical.special_drugs.deductible"]
    assert "CITY-HRSS §三(五)13" in out.parameters[0].reference


def test_rules_collect_into_one_trace() -> None:
    trace = Trace()
    chronic_outpatient_payment(
        ChronicOutpatientFacts(CAT_II, HospitalLevel.level_1, d("100")), FULIANG, trace=trace
    )
    special_drug_deductible(True, FULIANG, trace=trace)
    assert trace.out().rules == ["MED-6", "MED-11"]


# --- who the outpatient endpoints pay (registry standing on the bill date) ----------------------


def test_standing_refusal() -> None:
    from services.medical.registry.models import RegistryPerson
    from services.medical.registry.service import Standing
    from shared.domain import PovertyStatus

    person = RegistryPerson(person_id="p", id_number="x", household_id="h", name="n", sex="M",
                            birth_date=date(1970, 1, 1), county_code="532325",
                            township_code="532325100", village_code="532325100201",
                            poverty_status=PovertyStatus.marginal, source_event_id="e")  # fmt: skip
    day = date(2018, 3, 1)
    assert Standing(person, "not_exited").refusal("MED-6", day) is None
    assert Standing(person, "exited").refusal("MED-6", day) is None  # 脱贫不脱政策
    marginal = Standing(person, "marginal").refusal("MED-8", day)
    assert marginal is not None and "2018-03-01" in marginal and "边缘户" in marginal
    outsider = Standing(None, None).refusal("MED-9", day)
    assert outsider is not None and "not in the poverty registry" in outsider
