"""Settling an in-patient stay (MED-1..MED-5) with the shipped parameters for 姚安 (532325).

Figures used below (medical.yaml, medical_settlement.yaml): deductible 100/300/800 and basic
ratio 0.85/0.75/0.60 at levels 1/2/3, -0.10 for a non-compliant referral; critical illness
deductible 10000 (5000 for the poor), ratio 0.50 (0.55 for registered poor); assistance 0.90
特困, 0.70 dibao, 0.60 registered poor; target 0.90 of the total cost (YA-GOV §三(六) 实际报销
比例, 姚安's basis); annual cap on (姚安's rule), rural disposable income 9000 (2017) and 9800
(2018); high-burden threshold 5000."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.medical.settlement.rules import (
    RURAL_INCOME,
    StayDecision,
    StayFacts,
    Upstream,
    YearToDate,
    settle_stay,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
PARAMS = Params(POLICY, "532325", date(2018, 6, 1))
YTD0 = YearToDate()
TARGET = Decimal("0.90")


def d(text: str) -> Decimal:
    return Decimal(text)


def stay(**changes: Any) -> StayFacts:
    base = StayFacts(
        admission=date(2018, 6, 1),
        discharge=date(2018, 6, 10),
        hospital_level=3,
        admin_level="county",
        referral_compliant=True,
        total_cost=d("20000.00"),
        covered_cost=d("20000.00"),
        poverty_status="not_exited",
    )
    if "admission" in changes and "discharge" not in changes:
        changes["discharge"] = changes["admission"]
    return replace(base, **changes)


def admitted(facts: StayFacts, day: date) -> StayFacts:
    return replace(facts, admission=day, discharge=day)


def layers(x: StayDecision) -> tuple[str, ...]:
    return tuple(
        str(v)
        for v in (x.basic, x.critical_illness, x.assistance, x.topup, x.annual_cap, x.self_pay)
    )


# (label, facts, ytd, basic, critical illness, assistance, topup, annual cap, self-pay)
TABLE = [
    (
        # Level 2, deductible waived: 10000*0.75 = 7500; 2500 counted < 5000 -> no CI;
        # assistance 2500*0.60 = 1500; 9000/10000 = 0.90 exactly.
        "ratio already at 90%: no top-up",
        stay(hospital_level=2, total_cost=d("10000.00"), covered_cost=d("10000.00")),
        YTD0,
        ("7500.00", "0.00", "1500.00", "0.00", "0.00", "1000.00"),
    ),
    (
        # The same layers with 2000 outside the catalogue: 9000/12000 = 0.75 of the total cost
        # (实际报销比例), topped up to 10800; self-pay 1200 = 10% of the total.
        "out-of-catalogue cost counts in the basis: top-up to 90% of the total",
        stay(hospital_level=2, total_cost=d("12000.00"), covered_cost=d("10000.00")),
        YTD0,
        ("7500.00", "0.00", "1500.00", "1800.00", "0.00", "1200.00"),
    ),
    (
        # Level 3: 800 deductible; (20000-800)*0.60 = 11520; counted 8480, above 5000 -> 3480
        # *0.55 = 1914; assistance (20000-11520-1914)*0.60 = 3939.60; paid 17373.60;
        # top-up 18000 - 17373.60 = 626.40.
        "not exited, level 3: top-up to 90%",
        stay(),
        YTD0,
        ("11520.00", "1914.00", "3939.60", "626.40", "0.00", "2000.00"),
    ),
    (
        "exited: still covered (脱贫不脱政策)",
        stay(poverty_status="exited"),
        YTD0,
        ("11520.00", "1914.00", "3939.60", "626.40", "0.00", "2000.00"),
    ),
    (
        # Ratio 0.50: (20000-800)*0.50 = 9600; counted 10400, above 5000 -> 5400*0.55 = 2970;
        # assistance (20000-9600-2970)*0.60 = 4458; no top-up, no cap.
        "non-compliant referral: lower ratio, no top-up",
        stay(referral_compliant=False),
        YTD0,
        ("9600.00", "2970.00", "4458.00", "0.00", "0.00", "2972.00"),
    ),
    (
        # Full deductible and CI deductible 10000: 11520; counted 8480 < 10000; no assistance.
        "not registered: no MED-5, no assistance, no top-up",
        stay(poverty_status=None),
        YTD0,
        ("11520.00", "0.00", "0.00", "0.00", "0.00", "8480.00"),
    ),
    (
        # Level 2 deductible 300 charged: 9700*0.75 = 7275; CI deductible 10000; no assistance.
        "marginal household: not registered poor",
        stay(
            hospital_level=2,
            poverty_status="marginal",
            total_cost=d("12000.00"),
            covered_cost=d("10000.00"),
        ),
        YTD0,
        ("7275.00", "0.00", "0.00", "0.00", "0.00", "4725.00"),
    ),
    (
        # Deductible waived at level 2 and CI deductible halved (FL-HRSS §三(三)3), but CI ratio
        # not raised and no top-up; assistance 2500*0.70 = 1750.
        "dibao outside the registry: waiver, assistance, no top-up",
        stay(
            hospital_level=2,
            poverty_status=None,
            dibao=True,
            total_cost=d("12000.00"),
            covered_cost=d("10000.00"),
        ),
        YTD0,
        ("7500.00", "0.00", "1750.00", "0.00", "0.00", "2750.00"),
    ),
    (
        # Level 1 waived: 8500; counted 1500; 特困 is the best category: 1500*0.90 = 1350.
        "特困 registered at level 1: best assistance category",
        stay(
            hospital_level=1,
            tekun=True,
            total_cost=d("10000.00"),
            covered_cost=d("10000.00"),
        ),
        YTD0,
        ("8500.00", "0.00", "1350.00", "0.00", "0.00", "150.00"),
    ),
    (
        # Deductible min(800, 100.05) = 100.05 -> basic 0; CI 0; assistance 60.03;
        # 0.9*100.05 = 90.045 -> 90.05 to the fen: top-up 30.02.
        "top-up ceiled to the fen",
        stay(total_cost=d("100.05"), covered_cost=d("100.05")),
        YTD0,
        ("0.00", "0.00", "60.03", "30.02", "0.00", "10.00"),
    ),
    (
        # Upstream paid 15000 of 20000 covered: top-up 18000 - 15000 = 3000.
        "upstream amounts taken as given",
        stay(upstream=Upstream(d("10000.00"), d("2000.00"), d("3000.00"))),
        YTD0,
        ("10000.00", "2000.00", "3000.00", "3000.00", "0.00", "2000.00"),
    ),
    (
        # The computed layers of "not exited, level 3" given upstream: the same top-up.
        "upstream equal to the computed layers",
        stay(upstream=Upstream(d("11520.00"), d("1914.00"), d("3939.60"))),
        YTD0,
        ("11520.00", "1914.00", "3939.60", "626.40", "0.00", "2000.00"),
    ),
]


@pytest.mark.parametrize(("label", "facts", "ytd", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_rule_table(label: str, facts: StayFacts, ytd: YearToDate, expected: tuple) -> None:
    decision = settle_stay(facts, ytd, PARAMS)
    assert layers(decision) == expected
    assert decision.reimbursed + decision.self_pay == facts.total_cost


def test_deductible_waived_at_level_1_and_2_for_the_poor_not_at_level_3() -> None:
    costs = dict(total_cost=d("10000.00"), covered_cost=d("10000.00"))
    for level in (1, 2):
        assert settle_stay(stay(hospital_level=level, **costs), YTD0, PARAMS).basic_deductible == 0
        other = settle_stay(stay(hospital_level=level, poverty_status=None, **costs), YTD0, PARAMS)
        assert other.basic_deductible == {1: d("100.00"), 2: d("300.00")}[level]
    assert settle_stay(stay(**costs), YTD0, PARAMS).basic_deductible == d("800.00")
    assert "MED-5" in settle_stay(stay(hospital_level=1, **costs), YTD0, PARAMS).trace.out().rules


def test_critical_illness_deductible_halved_and_five_points_for_the_poor() -> None:
    # Earlier stays brought the CI base to 9000; this one adds 8480 (see the table).
    ytd = YearToDate(critical_illness_base=d("9000.00"))
    poor = settle_stay(stay(), ytd, PARAMS)
    other = settle_stay(stay(poverty_status=None), ytd, PARAMS)
    assert poor.critical_illness_counted == other.critical_illness_counted == d("8480.00")
    # Poor: deductible 5000 already passed, all 8480 above it at 0.55.
    assert poor.critical_illness == d("4664.00")
    # Others: 17480 - 10000 = 7480 above the deductible at 0.50.
    assert other.critical_illness == d("3740.00")
    steps = [s for s in poor.trace.out().steps if s.rule == "MED-5"]
    assert [s.figures for s in steps] == [
        {"factor": "0.5", "deductible": "5000.00"},
        {"bonus": "0.05", "ratio": "0.55"},
    ]


def test_annual_cap_crossed_by_the_second_stay() -> None:
    # Each stay: the "not exited, level 3" layers plus 5000 outside the catalogue, topped up to
    # 90% of the total 25000 (22500), so 2500 self-pay each; 6000 compliant self-pay earlier.
    facts = stay(total_cost=d("25000.00"))
    earlier = YearToDate(self_pay=d("6000.00"), compliant_self_pay=d("6000.00"))
    first = settle_stay(facts, earlier, PARAMS)
    assert (first.topup, first.annual_cap, first.self_pay) == (d("5126.40"), d("0"), d("2500.00"))
    assert first.ratio_before_topup == d("0.6949") and first.ratio_after == d("0.9000")
    assert first.high_burden  # 8500 > 5000
    ytd = earlier.plus(first)
    assert ytd == YearToDate(
        basic_deductible_used=d("800.00"),
        critical_illness_base=d("8480.00"),
        basic_paid=d("11520.00"),
        critical_illness_paid=d("1914.00"),
        assistance_paid=d("3939.60"),
        topup_paid=d("5126.40"),
        annual_cap_paid=d("0.00"),
        self_pay=d("8500.00"),
        compliant_self_pay=d("8500.00"),
    )
    # Second stay: CI base 8480 -> 16960, all 8480 above 5000: 4664; assistance
    # (20000-11520-4664)*0.60 = 2289.60; paid 18473.60, top-up 22500 - 18473.60 = 4026.40;
    # self-pay 2500; year 11000 - 9800 = 1200 covered.
    second = settle_stay(admitted(facts, date(2018, 9, 1)), ytd, PARAMS)
    assert layers(second) == ("11520.00", "4664.00", "2289.60", "4026.40", "1200.00", "1300.00")
    assert second.ytd_self_pay == d("9800.00")
    assert second.ratio_before_topup == d("0.7389")
    assert second.ratio_after == d("0.9480")
    # A third stay is covered in full: the year is already at the income figure.
    third = settle_stay(admitted(facts, date(2018, 11, 1)), ytd.plus(second), PARAMS)
    assert third.self_pay == 0
    assert third.ytd_self_pay == d("9800.00")
    assert ytd.plus(second).minus(second) == ytd


def test_annual_cap_not_for_non_compliant_or_marginal() -> None:
    ytd = YearToDate(self_pay=d("9000.00"))
    non_compliant = settle_stay(stay(referral_compliant=False), ytd, PARAMS)
    assert non_compliant.annual_cap == 0
    assert non_compliant.high_burden  # MED-4 counts what was paid, compliant or not
    # A marginal household gets neither the cap nor the MED-4 flag: ZA-GOV §三(二)2 and
    # CITY-HRSS §三(五)13 speak of the poor after the 90%, which it does not get.
    marginal = settle_stay(stay(poverty_status="marginal"), ytd, PARAMS)
    assert marginal.annual_cap == 0
    assert not marginal.high_burden
    assert "not registered poor" in marginal.trace.out().steps[-1].text


def test_parameters_read_for_the_admission_date() -> None:
    """Rural income 9000 in 2017, 9800 from 2018-01-01 (medical.yaml); Params bound to 2018-06."""
    ytd = YearToDate(self_pay=d("8000.00"), compliant_self_pay=d("8000.00"))
    facts = stay(total_cost=d("25000.00"))  # self-pay 2500 before the cap (see above)
    old = settle_stay(
        replace(facts, admission=date(2017, 12, 30), discharge=date(2018, 1, 5)), ytd, PARAMS
    )
    new = settle_stay(admitted(facts, date(2018, 1, 2)), ytd, PARAMS)
    assert (old.annual_cap, old.self_pay) == (d("1500.00"), d("1000.00"))  # 10500 - 9000
    assert (new.annual_cap, new.self_pay) == (d("700.00"), d("1800.00"))  # 10500 - 9800
    used = {p.path: p for p in old.trace.out().parameters}[RURAL_INCOME]
    assert (used.value, used.effective_from) == ("9000", date(2017, 1, 1))


def test_parameter_change_in_a_small_policy_set(tmp_path: Path) -> None:
    """A county override of the basic ratio from 2018-07-01 applies to later admissions only."""
    for file in Settings().policy_dir.glob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        if file.name == "medical_settlement.yaml":
            text = text.replace(
                "    2017-01-01: 0.60\n",
                '    2017-01-01: 0.60\n  counties:\n    "532325":\n'
                '      reference: "county notice"\n      values:\n        2018-07-01: 0.70\n',
                1,
            )
        (tmp_path / file.name).write_text(text, encoding="utf-8")
    params = Params(PolicySet.load(tmp_path), "532325", date(2018, 12, 31))
    before = settle_stay(stay(admission=date(2018, 6, 30)), YTD0, params)
    after = settle_stay(stay(admission=date(2018, 7, 1)), YTD0, params)
    assert before.basic == d("11520.00")  # 19200 * 0.60
    assert after.basic == d("13440.00")  # 19200 * 0.70


def test_decision_figures_and_trace() -> None:
    decision = settle_stay(stay(), YTD0, PARAMS)
    assert decision.eligible_for_guarantee
    assert decision.cost_basis == d("20000.00")
    assert decision.ratio_before_topup == d("0.8686")  # 17373.60 / 20000 = 0.86868
    assert decision.ratio_after == d("0.9000")
    assert decision.ytd_self_pay == d("2000.00")
    assert not decision.high_burden
    out = decision.trace.out()
    assert out.rules == ["MED-1", "MED-5", "MED-2", "MED-3", "MED-4"]
    paths = {p.path for p in out.parameters}
    assert {"medical.guarantee.target_ratio", "medical.basic.ratio.level3"} <= paths
    assert "medical.basic.deductible.level3" in paths


def test_not_registered_has_no_high_burden_check() -> None:
    decision = settle_stay(stay(poverty_status=None), YearToDate(self_pay=d("9000.00")), PARAMS)
    assert not decision.high_burden
    assert "medical.high_burden.threshold" not in {p.path for p in decision.trace.out().parameters}


def test_ytd_minus_below_zero_refused() -> None:
    decision = settle_stay(stay(), YTD0, PARAMS)
    with pytest.raises(ValueError, match="negative"):
        YTD0.minus(decision)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(covered_cost=d("20000.01")), "exceeds"),
        (dict(discharge=date(2018, 5, 31)), "before admission"),
        (dict(hospital_level=4), "hospital level"),
        (dict(admin_level="township"), "admin level"),
        (dict(total_cost=d("1.001")), "decimal places"),
        (dict(poverty_status="poor"), "poor"),
        (dict(upstream=Upstream(d("20000.00"), d("0.01"), d("0"))), "upstream"),
    ],
)
def test_invalid_facts_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        stay(**changes)


def test_float_refused() -> None:
    with pytest.raises(TypeError):
        stay(total_cost=20000.0)


# --- properties -------------------------------------------------------------------------------

FEN = Decimal("0.01")
amounts = st.integers(min_value=0, max_value=30_000_000).map(lambda fen: Decimal(fen) * FEN)


@st.composite
def cases(draw: st.DrawFn) -> tuple[StayFacts, YearToDate]:
    covered = draw(amounts)
    total = covered + draw(st.integers(min_value=0, max_value=5_000_000)) * FEN
    upstream = None
    if draw(st.booleans()):
        basic = draw(st.integers(min_value=0, max_value=int(total * 100))) * FEN
        ci = draw(st.integers(min_value=0, max_value=int((total - basic) * 100))) * FEN
        assistance = draw(st.integers(min_value=0, max_value=int((total - basic - ci) * 100)))
        upstream = Upstream(basic, ci, assistance * FEN)
    admission = draw(st.dates(min_value=date(2017, 1, 1), max_value=date(2020, 12, 31)))
    facts = StayFacts(
        admission=admission,
        discharge=admission,
        hospital_level=draw(st.sampled_from((1, 2, 3))),
        admin_level=draw(st.sampled_from(("county", "city", "province"))),
        referral_compliant=draw(st.booleans()),
        total_cost=total,
        covered_cost=covered,
        poverty_status=draw(st.sampled_from(("not_exited", "exited", "marginal", None))),
        tekun=draw(st.booleans()),
        dibao=draw(st.booleans()),
        upstream=upstream,
    )
    small = st.integers(min_value=0, max_value=50_000_000).map(lambda fen: Decimal(fen) * FEN)
    ytd = YearToDate(**{name: draw(small) for name in YearToDate.__dataclass_fields__})
    return facts, ytd


@settings(max_examples=300, deadline=None)
@given(cases())
def test_properties(case: tuple[StayFacts, YearToDate]) -> None:
    facts, ytd = case
    x = settle_stay(facts, ytd, PARAMS)
    amounts_out = (x.basic, x.critical_illness, x.assistance, x.topup, x.annual_cap, x.self_pay)
    # Money: Decimal with 2 places, never negative; layers + self-pay == total exactly.
    for amount in amounts_out:
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(FEN)
        assert amount >= 0
    assert sum(amounts_out) == facts.total_cost
    assert x.ytd_self_pay == ytd.self_pay + x.self_pay
    # The guarantee: at or above 90% after the top-up, and one fen less would be below it.
    paid = x.basic + x.critical_illness + x.assistance
    if x.eligible_for_guarantee and x.cost_basis > 0:
        assert (paid + x.topup) / x.cost_basis >= TARGET
        assert x.ratio_after >= TARGET
        if x.topup > 0:
            assert (paid + x.topup - FEN) / x.cost_basis < TARGET
    if not x.eligible_for_guarantee:
        assert x.topup == 0 and x.annual_cap == 0
    assert x.eligible_for_guarantee == (
        facts.poverty_status in ("not_exited", "exited") and facts.referral_compliant
    )
    # Running totals go in and back out exactly.
    assert ytd.plus(x).minus(x) == ytd


@settings(max_examples=200, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=4))
def test_year_of_stays_never_above_the_income_for_the_eligible(
    stays: list[tuple[StayFacts, YearToDate]],
) -> None:
    """Eligible stays in a year: the year's self-pay stops at the income figure (MED-3)."""
    ytd = YTD0
    for facts, _ in stays:
        facts = replace(
            admitted(facts, date(2018, 6, 1)), poverty_status="not_exited", referral_compliant=True
        )
        x = settle_stay(facts, ytd, PARAMS)
        ytd = ytd.plus(x)
        assert ytd.self_pay <= d("9800.00")


# --- MED-3 counts compliant self-pay only -------------------------------------------------------


def test_annual_cap_counts_compliant_stays_only() -> None:
    """A non-compliant stay's self-pay adds to the year's total self-pay (MED-4) but not to the
    compliant total the annual cap is measured against (YA-GOV §三(六): 符合转诊、转院规范)."""
    big = stay(total_cost=d("25000.00"))  # compliant: self-pay 7000 (see above)
    off = settle_stay(replace(big, referral_compliant=False), YTD0, PARAMS)
    assert off.compliant_self_pay == 0 and off.self_pay == d("7972.00")
    ytd = YTD0.plus(off)
    assert ytd.compliant_self_pay == 0 and ytd.self_pay == off.self_pay
    second = settle_stay(admitted(big, date(2018, 9, 1)), ytd, PARAMS)
    # The two together are above 9800, but the compliant part alone is not: nothing covered.
    assert off.self_pay + second.self_pay > d("9800.00")
    assert second.annual_cap == 0 and second.self_pay < d("9800.00")
    assert second.compliant_self_pay == second.self_pay
    assert second.ytd_self_pay == off.self_pay + second.self_pay  # MED-4 keeps the whole total
    cap = next(s for s in second.trace.out().steps if s.rule == "MED-3")
    assert cap.figures["ytd_compliant_self_pay"] == "0.00"
    assert cap.figures["ytd_self_pay"] == format(off.self_pay, "f")


def test_compliant_stay_before_registration_counts_toward_the_cap() -> None:
    """The seed counts the person's yearly compliant payment; the status only decides the cover."""
    big = stay(total_cost=d("25000.00"))
    before = settle_stay(replace(big, poverty_status="marginal"), YTD0, PARAMS)
    assert before.annual_cap == 0 and before.compliant_self_pay == before.self_pay
    after = settle_stay(admitted(big, date(2018, 9, 1)), YTD0.plus(before), PARAMS)
    # The year's compliant self-pay already passed 9800 before this stay: all of it is covered.
    assert before.self_pay > d("9800.00")
    assert after.annual_cap > 0 and after.self_pay == 0


def test_correction_takes_the_compliant_total_back_out() -> None:
    first = settle_stay(stay(total_cost=d("25000.00")), YTD0, PARAMS)
    ytd = YTD0.plus(first)
    assert ytd.compliant_self_pay == d("2500.00")
    assert ytd.minus(first) == YTD0


# --- MED-7 major diseases in the chain ----------------------------------------------------------


def med7(**changes: object) -> StayFacts:
    base = {"diagnosis_codes": ("C34.1",), "age": 50}
    return stay(**{**base, **changes})


def test_major_disease_sets_the_basic_layer_at_level_3() -> None:
    """Lung cancer quota 40000, level-3 ratio 0.70: basic 14000 instead of (20000-800) x 0.60.
    Then CI (6000 - 5000) x 0.55 = 550, assistance 5450 x 0.60 = 3270, top-up to 18000: 180."""
    decision = settle_stay(med7(), YTD0, PARAMS)
    assert decision.basic == d("14000.00") and decision.basic_deductible == 0
    assert layers(decision)[:4] == ("14000.00", "550.00", "3270.00", "180.00")
    out = decision.trace.out()
    assert "MED-7" in out.rules
    assert "medical.major_disease.quota.lung_cancer" in {p.path for p in out.parameters}
    assert "medical.basic.ratio.level3" not in {p.path for p in out.parameters}


def test_major_disease_level_2_ratio_and_quota_excess() -> None:
    """脑梗死 quota 20000 at level 2 (0.80): basic 16000 of a 30000 stay; the 10000 above the
    quota is left to the later layers, not dropped."""
    decision = settle_stay(
        med7(
            diagnosis_codes=("I63.9",),
            hospital_level=2,
            total_cost=d("30000.00"),
            covered_cost=d("30000.00"),
        ),
        YTD0,
        PARAMS,
    )
    assert decision.basic == d("16000.00")
    step = [s for s in decision.trace.out().steps if s.rule == "MED-7"][-1]
    assert step.figures["above_quota"] == "10000.00"
    assert decision.reimbursed + decision.self_pay == d("30000.00")


@pytest.mark.parametrize(
    ("label", "changes", "basic"),
    [
        ("not registered poor", {"poverty_status": None}, "11520.00"),
        ("marginal household", {"poverty_status": "marginal"}, "11520.00"),
        ("level-1 hospital", {"hospital_level": 1}, "17000.00"),  # 20000 x 0.85, no deductible
        ("no major disease", {"diagnosis_codes": ("J18.9",)}, "11520.00"),
        ("TB without resistance", {"diagnosis_codes": ("A15.0",)}, "11520.00"),
        ("PKU of an adult", {"diagnosis_codes": ("E70.0",), "age": 30}, "11520.00"),
        ("before MED-7 parameters", {"admission": date(2017, 6, 1)}, "11520.00"),
    ],
)
def test_major_disease_not_applied(label: str, changes: dict, basic: str) -> None:
    decision = settle_stay(med7(**changes), YTD0, PARAMS)
    assert decision.basic == d(basic), label


def test_major_disease_exited_and_child_pku() -> None:
    exited = settle_stay(med7(poverty_status="exited"), YTD0, PARAMS)
    assert exited.basic == d("14000.00")
    child = settle_stay(med7(diagnosis_codes=("E70.0",), age=8), YTD0, PARAMS)
    assert child.basic == d("7000.00")  # quota 10000 x 0.70


def test_major_disease_ignored_when_settled_upstream() -> None:
    upstream = Upstream(d("9000.00"), d("1000.00"), d("500.00"))
    decision = settle_stay(med7(upstream=upstream), YTD0, PARAMS)
    assert decision.basic == d("9000.00")
    assert "MED-7" not in decision.trace.out().rules
