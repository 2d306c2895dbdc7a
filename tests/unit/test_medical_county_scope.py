"""Medical rules per county: each seed county's own figures, a fresh county (522121) served with
every borrowed figure flagged illustrative, 正安's MED-8 refused elsewhere, 姚安's MED-3 and
MED-9 clean-up only where they exist, and MED-10's separation of duties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.medical.campaign.rules import FormStatus, check_separation
from services.medical.outpatient.rules import (
    AdminLevel,
    Chronic36Facts,
    FacilityType,
    GeneralFeeVisit,
    chronic36_aid,
    general_diagnosis_fee_refund,
)
from services.medical.settlement.rules import (
    StayFacts,
    Upstream,
    YearToDate,
    settle_stay,
)
from shared.errors import Conflict
from shared.policy import ParameterNotFound, PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
D = Decimal
THRESHOLD = "medical.high_burden.threshold"


def seed_stay(day: date, **changes: object) -> StayFacts:
    """The seeds' arithmetic: total 10,000, covered 8,000, 7,000 reimbursed by the layers."""
    values: dict = dict(
        admission=day,
        discharge=day,
        hospital_level=2,
        admin_level="county",
        referral_compliant=True,
        total_cost=D("10000.00"),
        covered_cost=D("8000.00"),
        poverty_status="not_exited",
        upstream=Upstream(D("6000.00"), D("500.00"), D("500.00")),
    )
    values.update(changes)
    return StayFacts(**values)


@pytest.mark.parametrize(
    ("county", "day", "illustrative"),
    [
        # YA-GOV §三(六) 实际报销比例: 姚安's own basis, target and MED-3; no income figure.
        ("532325", date(2017, 6, 1), [RURAL := "medical.annual_cap.rural_disposable_income"]),
        # ZA-GOV §三(二)2 实际补偿比达90%; MED-3 off by 正安's own rule.
        ("520324", date(2018, 6, 1), []),
        # FL-HRSS §三(三)5 自付…控制在10%以内; no annual cap in 浮梁's plan (flagged default).
        ("360222", date(2018, 6, 1), ["medical.annual_cap.applies"]),
    ],
)
def test_ninety_percent_of_the_total_cost_in_each_seed_county(
    county: str, day: date, illustrative: list[str]
) -> None:
    decision = settle_stay(seed_stay(day), YearToDate(), Params(POLICY, county, day))
    assert decision.cost_basis == D("10000.00")
    assert decision.ratio_before_topup == D("0.7000")  # 7,000 of 10,000
    assert decision.topup == D("2000.00")  # to 9,000 = 90% of the total
    assert decision.self_pay == D("1000.00")  # 10% of the total
    assert decision.ratio_after == D("0.9000")
    out = decision.trace.out()
    used = {p.path: p for p in out.parameters}
    for path in ("medical.guarantee.target_ratio", "medical.guarantee.cost_basis"):
        assert used[path].county == county and not used[path].illustrative
    # The high-burden threshold is in no document: illustrative everywhere.
    assert out.illustrative_parameters == sorted([*illustrative, THRESHOLD])


def test_a_fresh_county_is_served_with_every_borrowed_figure_flagged() -> None:
    day = date(2018, 6, 1)
    decision = settle_stay(seed_stay(day), YearToDate(), Params(POLICY, "522121", day))
    assert decision.topup == D("2000.00")
    assert decision.trace.out().illustrative_parameters == [
        "medical.annual_cap.applies",
        "medical.guarantee.cost_basis",
        "medical.guarantee.target_ratio",
        THRESHOLD,
    ]
    computed = settle_stay(
        seed_stay(day, upstream=None, dibao=True), YearToDate(), Params(POLICY, "522121", day)
    )
    # The city plan's critical-illness figures are nobody's own.
    flagged = computed.trace.out().illustrative_parameters
    assert "medical.critical_illness.deductible_factor_poor" in flagged
    assert "medical.critical_illness.ratio_bonus_poor" in flagged


def test_critical_illness_deductible_halved_is_fuliangs_own() -> None:
    day = date(2018, 6, 1)
    decision = settle_stay(
        seed_stay(day, upstream=None), YearToDate(), Params(POLICY, "360222", day)
    )
    used = {p.path: p for p in decision.trace.out().parameters}
    factor = used["medical.critical_illness.deductible_factor_poor"]
    assert (factor.value, factor.county, factor.illustrative) == ("0.5", "360222", False)
    assert used["medical.critical_illness.ratio_bonus_poor"].illustrative  # CITY-HRSS only


def test_annual_cap_is_yaoans_rule_only() -> None:
    """YA-GOV §三(六) covers the yearly compliant self-pay above the rural income; 正安 sends the
    remaining burden to temporary relief (MED-4) and 浮梁 has no such cap."""
    ytd = YearToDate(self_pay=D("20000.00"), compliant_self_pay=D("20000.00"))
    yaoan = settle_stay(
        seed_stay(date(2018, 6, 1)), ytd, Params(POLICY, "532325", date(2018, 6, 1))
    )
    assert yaoan.annual_cap == D("1000.00") and yaoan.self_pay == 0
    rural = {p.path: p for p in yaoan.trace.out().parameters}[RURAL]
    assert rural.illustrative  # YA-GOV gives no figure
    for county in ("520324", "360222", "522121"):
        other = settle_stay(
            seed_stay(date(2018, 6, 1)), ytd, Params(POLICY, county, date(2018, 6, 1))
        )
        assert other.annual_cap == 0 and other.self_pay == D("1000.00")
        assert other.high_burden  # the burden goes to MED-4 instead
        assert RURAL not in {p.path for p in other.trace.out().parameters}


def test_high_burden_is_for_registered_poor_only() -> None:
    ytd = YearToDate(self_pay=D("20000.00"))
    day = date(2018, 6, 1)
    for status, flagged in (("not_exited", True), ("exited", True), ("marginal", False)):
        decision = settle_stay(
            seed_stay(day, poverty_status=status), ytd, Params(POLICY, "520324", day)
        )
        assert decision.high_burden is flagged, status


def test_chronic36_is_zhengans_programme_only() -> None:
    facts = Chronic36Facts(AdminLevel.county, D("3000.00"), D("2500.00"))
    aid = chronic36_aid(facts, Params(POLICY, "520324", date(2018, 6, 1)))
    assert (aid.cap, aid.aid, aid.self_pay_after) == (D("1000.00"), D("2000.00"), D("1000.00"))
    assert aid.trace.out().illustrative_parameters == []
    for county in ("532325", "360222", "522121"):
        with pytest.raises(ParameterNotFound) as caught:
            chronic36_aid(facts, Params(POLICY, county, date(2018, 6, 1)))
        assert "medical.chronic36.self_pay_cap.county" in str(caught.value)
        assert "must publish its own figure" in str(caught.value)


def visit(day: date) -> GeneralFeeVisit:
    return GeneralFeeVisit(day, FacilityType.village_clinic.value, True, D("10.00"))


def test_diagnosis_fee_clean_up_only_in_yaoan() -> None:
    day = date(2017, 5, 1)
    yaoan = general_diagnosis_fee_refund(visit(day), Params(POLICY, "532325", day))
    assert yaoan.refund == D("10.00") and yaoan.in_cleanup_window
    assert yaoan.ledger_deadline == date(2017, 11, 20)
    assert yaoan.trace.out().illustrative_parameters == []
    for county in ("520324", "360222", "522121"):
        other = general_diagnosis_fee_refund(visit(day), Params(POLICY, county, day))
        # Refunded at settlement, flagged; no clean-up period, no ledger deadline, no refusal.
        assert other.refund == D("10.00") and not other.in_cleanup_window
        assert other.ledger_deadline is None
        assert other.trace.out().illustrative_parameters == [
            "medical.general_diagnosis_fee.refund_ratio"
        ]
        assert "no clean-up period" in other.trace.out().steps[0].text


H, V, C, T, A = (
    FormStatus.home_visited,
    FormStatus.household_confirmed,
    FormStatus.village_checked,
    FormStatus.township_signed,
    FormStatus.county_approved,
)


def test_separation_of_duties_on_one_form() -> None:
    """YA-HRSS §二(二)3: visit, household confirmation, village and township checks and the
    county approval are each someone else's; the visiting cadre records the household's
    confirmation, and nothing more."""
    check_separation(V, "cadre-a", [(FormStatus.issued, "county"), (H, "cadre-a")])
    with pytest.raises(Conflict, match=r"MED-10 separation of duties.*cadre-a already recorded"):
        check_separation(C, "cadre-a", [(H, "cadre-a"), (V, "cadre-a")])
    with pytest.raises(Conflict, match="household_confirmed"):
        check_separation(C, "cadre-b", [(H, "cadre-a"), (V, "cadre-b")])
    check_separation(C, "cadre-b", [(H, "cadre-a"), (V, "cadre-a")])
    with pytest.raises(Conflict):
        check_separation(A, "officer", [(H, "x"), (V, "x"), (C, "y"), (T, "officer")])
    # Issuing, paying and rejecting are not checks of the form.
    check_separation(FormStatus.paid, "officer", [(A, "officer")])
    check_separation(FormStatus.rejected, "cadre-a", [(H, "cadre-a")])
    check_separation(A, "county", [(FormStatus.issued, "county")])


@pytest.mark.parametrize(("county", "flagged"), [("360222", False), ("522121", True)])
def test_deductible_waiver_is_fuliangs_figure(county: str, flagged: bool) -> None:
    """MED-5: FL-HRSS §三(三)3 取消…在一级、二级定点医疗机构住院的起付线 is 浮梁's own;
    elsewhere the same levels are used and the decision says they are borrowed."""
    day = date(2018, 6, 1)
    decision = settle_stay(seed_stay(day, upstream=None), YearToDate(), Params(POLICY, county, day))
    assert decision.basic_deductible == D("0.00")
    waiver = "medical.basic.deductible_waived_levels"
    assert (waiver in decision.trace.out().illustrative_parameters) is flagged
    level3 = settle_stay(
        seed_stay(day, upstream=None, hospital_level=3), YearToDate(), Params(POLICY, county, day)
    )
    assert level3.basic_deductible > 0  # level 3 keeps its deductible
