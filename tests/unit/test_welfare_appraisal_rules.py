"""The appraisal indicators (IND-1 .. IND-4, YA-GOV §四(六)) on 正安's dibao standard (3,876 yuan a
year from 2018, floor 3,535, ZA-GOV §一(四), §三(三)2) and on counts whose shares are known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.welfare.appraisal.rules import (
    AreaCounts,
    add_counts,
    category_shares,
    dibao_standard,
    empty_counts,
    recipient_accuracy,
    topup_level,
)
from services.welfare.dibao.rules import DibaoCategory
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

A, B, C = DibaoCategory.A, DibaoCategory.B, DibaoCategory.C
POLICY = PolicySet.load(Settings().policy_dir)


def params(county: str, on: date) -> Params:
    return Params(POLICY, county, on)


def test_ind_1_zhengan_standard_and_floor() -> None:
    trace = Trace()
    s = dibao_standard(params("520324", date(2018, 6, 1)), trace)
    assert s.annual == Decimal("3876.00") and s.monthly == Decimal("323.00")
    assert s.floor_annual == Decimal("3535.00") and s.meets_floor is True
    assert trace.out().steps[-1].rule == "IND-1"
    assert "welfare.dibao.rural_standard" not in trace.illustrative()


def test_ind_1_a_county_without_a_published_standard_is_illustrative() -> None:
    trace = Trace()
    s = dibao_standard(params("532325", date(2018, 6, 1)), trace)
    assert s.meets_floor is None and s.floor_annual is None
    assert "welfare.dibao.rural_standard" in trace.illustrative()


COUNTS = AreaCounts(
    households={A: 2, B: 5, C: 3},
    persons={A: 3, B: 12, C: 9},
    monthly_total=Decimal("4845.00"),
    flagged_households=1,
)


def test_ind_2_accuracy_is_the_share_passing_the_crosscheck() -> None:
    accuracy = recipient_accuracy(COUNTS, Trace(), area="520324100")
    assert (accuracy.checked, accuracy.flagged, accuracy.value) == (10, 1, Decimal("0.9000"))


def test_ind_2_no_run_no_value() -> None:
    no_run = AreaCounts(COUNTS.households, COUNTS.persons, COUNTS.monthly_total, None)
    assert recipient_accuracy(no_run, Trace(), area="x").value is None


def test_ind_3_topup_per_person_and_share_of_the_monthly_standard() -> None:
    standard = dibao_standard(params("520324", date(2018, 6, 1)), Trace())
    topup = topup_level(COUNTS, standard, Trace(), area="520324100")
    # 4,845 over 24 people = 201.875 → 201.88 a month; 201.875 / 323 = 0.625
    assert topup.per_person_monthly == Decimal("201.88")
    assert topup.share_of_standard == Decimal("0.6250")
    nobody = topup_level(empty_counts(0), standard, Trace(), area="x")
    assert nobody.per_person_monthly is None and nobody.share_of_standard is None


def test_ind_4_category_shares() -> None:
    shares = category_shares(COUNTS, Trace(), area="520324100")
    assert shares.shares == {A: Decimal("0.2000"), B: Decimal("0.5000"), C: Decimal("0.3000")}
    assert shares.persons == {A: 3, B: 12, C: 9}
    assert category_shares(empty_counts(None), Trace(), area="x").shares == {
        A: None,
        B: None,
        C: None,
    }


def test_county_total_adds_townships() -> None:
    total = add_counts(add_counts(empty_counts(0), COUNTS), COUNTS)
    assert total.household_total == 20 and total.person_total == 48
    assert total.flagged_households == 2 and total.monthly_total == Decimal("9690.00")
    assert add_counts(empty_counts(None), empty_counts(None)).flagged_households is None
