"""MED-11's second half on the seeds' own lists: 正安's nine medical rehabilitation items of the
disabled (ZA-GOV §三(二)5) count as policy-covered cost; 浮梁's plan names none (FL-HRSS §三(三)8,
按规定), so its list is the same nine, flagged illustrative."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.medical.outpatient.rules import (
    P_REHABILITATION_ITEMS,
    RehabilitationCharge,
    rehabilitation_coverage,
)
from services.medical.settlement.rules import StayFacts, YearToDate, settle_stay
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params

SHIPPED = PolicySet.load(Settings().policy_dir)
NINE = {
    "运动疗法",
    "偏瘫肢体综合训练",
    "脑瘫肢体综合训练",
    "截瘫综合训练",
    "作业疗法",
    "认知知觉功能障碍训练",
    "言语训练",
    "吞咽功能障碍训练",
    "日常生活能力评定",
}


@pytest.mark.parametrize("county", ["520324", "360222", "532325"])
def test_med_11_the_nine_items_of_the_seed(county: str) -> None:
    listed = SHIPPED.resolve(P_REHABILITATION_ITEMS, county, date(2018, 7, 1))
    assert set(listed.value.values()) == NINE
    # 正安 names them (ZA-GOV §三(二)5); 浮梁 and others borrow them, flagged illustrative.
    assert listed.illustrative is (county != "520324")


def test_med_11_listed_items_are_covered_cost_others_outside() -> None:
    charges = [
        RehabilitationCharge("speech_training", Decimal("1200.00")),
        RehabilitationCharge("adl_assessment", Decimal("80.00")),
        RehabilitationCharge("hydrotherapy", Decimal("300.00")),
    ]
    own = rehabilitation_coverage(charges, Params(SHIPPED, "520324", date(2018, 7, 1)))
    assert (own.covered, own.outside) == (Decimal("1280.00"), Decimal("300.00"))
    assert own.covered_items == ("speech_training", "adl_assessment")
    assert own.outside_items == ("hydrotherapy",)
    assert own.trace.steps[-1].rule == "MED-11"
    assert own.trace.illustrative() == []
    fuliang = rehabilitation_coverage(charges, Params(SHIPPED, "360222", date(2018, 7, 1)))
    assert fuliang.covered == Decimal("1280.00")
    assert fuliang.trace.illustrative() == [P_REHABILITATION_ITEMS]
    with pytest.raises(ValueError):
        RehabilitationCharge("speech_training", Decimal("-1"))


def covered_in_chain(params: Params, admission: date) -> tuple[Decimal, list[str]]:
    """The policy-covered cost a stay is settled on (the MED-1 step), and the rules applied."""
    facts = StayFacts(
        admission=admission,
        discharge=admission,
        hospital_level=2,
        admin_level="county",
        referral_compliant=True,
        total_cost=Decimal("10000"),
        covered_cost=Decimal("6000"),
        poverty_status="not_exited",
        rehabilitation=(
            RehabilitationCharge("运动疗法", Decimal("800")),
            RehabilitationCharge("speech_training", Decimal("400")),
            RehabilitationCharge("针灸推拿", Decimal("300")),
        ),
    )
    trace = settle_stay(facts, YearToDate(), params).trace.out()
    first = next(s for s in trace.steps if s.rule == "MED-1")
    return Decimal(str(first.figures["covered_cost"])), trace.rules


def test_med_11_a_stays_listed_rehabilitation_items_are_covered() -> None:
    """In the chain: 正安's listed items (by name or key) join the stay's policy-covered cost;
    an item it does not list stays outside; 姚安 has no list in 2017, so nothing is added."""
    covered, rules = covered_in_chain(Params(SHIPPED, "520324", date(2018, 6, 1)), date(2018, 6, 1))
    assert covered == Decimal("7200.00") and "MED-11" in rules  # 6,000 + 800 + 400
    covered, rules = covered_in_chain(Params(SHIPPED, "532325", date(2017, 6, 1)), date(2017, 6, 1))
    assert covered == Decimal("6000.00") and "MED-11" in rules
