"""Temporary relief (WEL-6), the registry cross-check (WEL-8) and the procedure's dates (WEL-1,
WEL-7), with the seeds' figures: YA-GOV §三(七), §三(四), §四(二), ZA-GOV §三(三)2-3, §三(二)2."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.welfare.crosscheck.rules import (
    CrossCheckFinding,
    FindingKind,
    RegistryPerson,
    cross_check,
)
from services.welfare.dibao.rules import DibaoCategory, WorkAbility, public_notice_end, review_due
from services.welfare.relief.rules import (
    MonthlySpending,
    ReliefKind,
    essential_spending_trigger,
    relief_amount,
    relief_eligible,
)
from services.welfare.window.rules import referral_deadline
from shared.domain import PovertyStatus
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)
ZHENGAN = Params(POLICY, "520324", date(2018, 7, 1))
YAOAN = Params(POLICY, "532325", date(2018, 7, 1))


def d(text: str) -> Decimal:
    return Decimal(text)


def paths(trace: Trace) -> set[str]:
    return {p.path for p in trace.out().parameters}


def spending(year: int, month: int, spent: str, income: str) -> MonthlySpending:
    return MonthlySpending(date(year, month, 1), d(spent), d(income))


# --- WEL-6 amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "persons", "need", "params", "amount", "cap"),
    [
        # fixed: 400 per person (YA-GOV), 1,500 per person (ZA-GOV); the need does not count
        (ReliefKind.childbirth, 1, "0", YAOAN, "400.00", "400.00"),
        (ReliefKind.childbirth, 2, "9999", YAOAN, "800.00", "800.00"),
        (ReliefKind.relocation, 4, "0", ZHENGAN, "6000.00", "6000.00"),
        # capped: months x 3,876 / 12 = 323 per person in 正安
        (ReliefKind.accident, 3, "5000.00", ZHENGAN, "5000.00", "5814.00"),  # 6 x 323 x 3
        (ReliefKind.accident, 3, "8000.00", ZHENGAN, "5814.00", "5814.00"),
        (ReliefKind.disaster, 1, "1938.00", ZHENGAN, "1938.00", "1938.00"),  # at the cap
        (ReliefKind.essential_spending, 2, "2500", ZHENGAN, "1938.00", "1938.00"),  # 3 x 323 x 2
        (ReliefKind.serious_illness, 1, "10000", ZHENGAN, "3876.00", "3876.00"),  # 12 x 323
        (ReliefKind.high_medical_burden, 2, "1234.56", ZHENGAN, "1234.56", "7752.00"),
        # 姚安, illustrative standard 3,500: 6 x 291.666... = 1,750
        (ReliefKind.accident, 1, "3000", YAOAN, "1750.00", "1750.00"),
        (ReliefKind.essential_spending, 1, "0", YAOAN, "0.00", "875.00"),
    ],
)
def test_relief_amount_table(kind, persons, need, params, amount, cap) -> None:
    result = relief_amount(kind, persons, d(need), params)
    assert (result.amount, result.cap) == (d(amount), d(cap))
    assert result.trace.out().rules == ["WEL-6"]


def test_fixed_relief_names_the_seed() -> None:
    result = relief_amount(ReliefKind.relocation, 1, d("0"), ZHENGAN)
    (param,) = result.trace.out().parameters
    assert param.path == "welfare.temporary_relief.relocation"
    assert "ZA-GOV §三(三)3" in param.reference and param.county == "520324"
    result = relief_amount(ReliefKind.childbirth, 1, d("0"), YAOAN)
    assert "YA-GOV §三(七)" in result.trace.out().parameters[0].reference


def test_capped_relief_reads_cap_and_standard() -> None:
    result = relief_amount(ReliefKind.disaster, 2, d("10000"), ZHENGAN)
    assert paths(result.trace) == {
        "welfare.temporary_relief.cap_months.disaster",
        "welfare.dibao.rural_standard",
    }
    assert result.reason == "assessed need capped"


@pytest.mark.parametrize(
    ("kind", "persons", "need"),
    [
        ("fire", 1, "1"),
        (ReliefKind.accident, 0, "1"),
        (ReliefKind.accident, True, "1"),
        (ReliefKind.accident, 1, "-1"),
        (ReliefKind.accident, 1, "1.001"),
    ],
)
def test_relief_amount_bad_input(kind, persons, need) -> None:
    with pytest.raises(ValueError):
        relief_amount(kind, persons, d(need), ZHENGAN)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(ReliefKind)),
    persons=st.integers(1, 12),
    need=st.integers(0, 10_000_000).map(lambda c: Decimal(c).scaleb(-2)),
    params=st.sampled_from([ZHENGAN, YAOAN]),
)
def test_relief_never_exceeds_its_cap(kind, persons, need, params) -> None:
    result = relief_amount(kind, persons, need, params)
    assert 0 <= result.amount <= result.cap
    assert result.amount == result.amount.quantize(d("0.01"))
    if kind not in (ReliefKind.childbirth, ReliefKind.relocation):
        assert result.amount == min(need, result.cap)


# --- WEL-6 who -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "params", "eligible"),
    [
        (ReliefKind.essential_spending, "not_exited", YAOAN, True),
        (ReliefKind.essential_spending, "exited", YAOAN, True),
        (ReliefKind.essential_spending, "marginal", YAOAN, True),
        (ReliefKind.essential_spending, "贫困边缘户", YAOAN, True),
        (ReliefKind.essential_spending, None, YAOAN, False),
        (ReliefKind.essential_spending, "", ZHENGAN, False),
        (ReliefKind.childbirth, "未脱贫", YAOAN, True),
        (ReliefKind.childbirth, "marginal", YAOAN, False),
        (ReliefKind.relocation, "exited", ZHENGAN, True),
        (ReliefKind.relocation, "none", ZHENGAN, False),
        (ReliefKind.accident, "exited", YAOAN, True),
        (ReliefKind.accident, "marginal", YAOAN, False),  # YA-GOV: 识别到户的贫困对象
        (ReliefKind.accident, None, ZHENGAN, True),  # ZA-GOV: any household in hardship
        (ReliefKind.disaster, None, YAOAN, True),
        (ReliefKind.serious_illness, "marginal", YAOAN, True),
        (ReliefKind.high_medical_burden, "not_exited", ZHENGAN, True),
        (ReliefKind.high_medical_burden, "marginal", ZHENGAN, False),
    ],
)
def test_relief_eligibility(kind, status, params, eligible) -> None:
    result = relief_eligible(kind, status, params)
    assert result.eligible is eligible
    assert bool(result) is eligible
    assert (result.reason is None) is eligible
    assert result.trace.out().rules == ["WEL-6"]
    assert paths(result.trace) == {f"welfare.temporary_relief.eligible_statuses.{kind.value}"}


def test_relief_eligibility_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown poverty status"):
        relief_eligible(ReliefKind.accident, "poor", YAOAN)
    with pytest.raises(ValueError, match="relief kind"):
        relief_eligible(cast(ReliefKind, "flood"), "exited", YAOAN)


def test_every_poverty_status_may_have_essential_spending_relief() -> None:
    for status in PovertyStatus:
        assert relief_eligible(ReliefKind.essential_spending, status.value, YAOAN)


# --- WEL-6 essential-spending trigger -----------------------------------------------------------


def trigger(*months: MonthlySpending, params: Params = YAOAN):
    return essential_spending_trigger(list(months), params)


def test_three_consecutive_months_at_three_times_income_trigger() -> None:
    result = trigger(
        spending(2018, 1, "300.00", "100.00"),  # exactly 3x
        spending(2018, 2, "450.00", "100.00"),
        spending(2018, 3, "301.00", "100.00"),
    )
    assert result.triggered
    assert result.run == (date(2018, 1, 1), date(2018, 2, 1), date(2018, 3, 1))
    assert result.trace.out().rules == ["WEL-6"]
    assert paths(result.trace) == {
        "welfare.temporary_relief.essential_spending.income_multiple",
        "welfare.temporary_relief.essential_spending.consecutive_months",
    }
    assert all("YA-GOV §三(七)" in p.reference for p in result.trace.out().parameters)


def test_just_below_three_times_does_not_count() -> None:
    result = trigger(
        spending(2018, 1, "300.00", "100.00"),
        spending(2018, 2, "299.99", "100.00"),
        spending(2018, 3, "300.00", "100.00"),
        spending(2018, 4, "300.00", "100.00"),
    )
    assert not result.triggered and result.run == ()


def test_a_missing_month_breaks_the_run() -> None:
    result = trigger(
        spending(2018, 1, "900", "100"),
        spending(2018, 2, "900", "100"),
        spending(2018, 4, "900", "100"),
        spending(2018, 5, "900", "100"),
    )
    assert not result.triggered


def test_run_across_the_new_year_in_any_order() -> None:
    result = trigger(
        spending(2019, 1, "900", "100"),
        spending(2018, 11, "900", "100"),
        spending(2018, 12, "900", "100"),
    )
    assert result.run == (date(2018, 11, 1), date(2018, 12, 1), date(2019, 1, 1))


def test_the_latest_whole_run_is_reported() -> None:
    months = [spending(2018, m, "900", "100") for m in (1, 2, 3, 5, 6, 7, 8)]
    result = trigger(*months)
    assert result.run == tuple(date(2018, m, 1) for m in (5, 6, 7, 8))


def test_no_income_needs_some_spending() -> None:
    assert not trigger(*(spending(2018, m, "0", "0") for m in (1, 2, 3))).triggered
    assert trigger(*(spending(2018, m, "0.01", "0") for m in (1, 2, 3))).triggered


def test_trigger_bad_input() -> None:
    with pytest.raises(ValueError, match="twice"):
        trigger(
            spending(2018, 1, "9", "1"), spending(2018, 2, "9", "1"), spending(2018, 1, "9", "1")
        )
    with pytest.raises(ValueError, match="first day"):
        MonthlySpending(date(2018, 1, 2), d("1"), d("1"))
    with pytest.raises(ValueError):
        MonthlySpending(date(2018, 1, 1), d("-1"), d("1"))
    with pytest.raises(TypeError):
        MonthlySpending(date(2018, 1, 1), cast(Decimal, 1.5), d("1"))
    assert not trigger().triggered


month_offsets = st.lists(st.integers(0, 30), max_size=24, unique=True)


@settings(max_examples=400, deadline=None)
@given(offsets=month_offsets, data=st.data())
def test_trigger_iff_three_consecutive_qualifying_months(offsets, data) -> None:
    months = []
    qualifying = set()
    for offset in offsets:
        year, month = divmod(2017 * 12 + offset, 12)
        income = data.draw(st.integers(0, 500))
        spent = data.draw(st.integers(0, 2000))
        months.append(MonthlySpending(date(year, month + 1, 1), Decimal(spent), Decimal(income)))
        if spent > 0 and spent >= 3 * income:
            qualifying.add(offset)
    result = essential_spending_trigger(months, YAOAN)
    expected = any({m, m + 1, m + 2} <= qualifying for m in qualifying)
    assert result.triggered is expected
    if expected:
        run = [m.year * 12 + m.month - 1 - 2017 * 12 for m in result.run]
        assert len(run) >= 3
        assert run == list(range(run[0], run[0] + len(run)))
        assert set(run) <= qualifying
    else:
        assert result.run == ()


# --- WEL-8 cross-check ---------------------------------------------------------------------------


BASE_PERSON = RegistryPerson(
    person_id="P1",
    household_id="H1",
    division_code="532325100201",
    poverty_status=PovertyStatus.not_exited,
    has_income=False,
    work_ability=WorkAbility.none,
    on_dibao=False,
    on_tekun=False,
    exited_on=None,
)


def person(**kw: Any) -> RegistryPerson:
    return replace(BASE_PERSON, **kw)


ON = date(2018, 12, 31)


@pytest.mark.parametrize(
    ("kw", "kind"),
    [
        ({}, FindingKind.two_without_not_on_dibao),
        ({"poverty_status": "exited"}, FindingKind.two_without_not_on_dibao),
        # 扶贫系统中的“两无”人员 (ZA-GOV §三(三)2) are the registered poor; a marginal household
        # is covered only where a seed names it (建档立卡贫困边缘户, YA-GOV §三(七)).
        ({"poverty_status": "边缘户"}, None),
        ({"on_dibao": True}, None),
        ({"on_tekun": True}, None),
        ({"has_income": True}, None),
        ({"work_ability": "partial"}, None),
        (
            {"poverty_status": "exited", "on_dibao": True, "exited_on": date(2018, 9, 30)},
            FindingKind.exited_due_review,
        ),
        (
            {"poverty_status": "exited", "on_dibao": True, "exited_on": date(2018, 10, 1)},
            None,  # due on 2019-01-01
        ),
        ({"poverty_status": "exited", "on_dibao": True}, FindingKind.exited_due_review),
        ({"poverty_status": "exited", "on_dibao": False, "has_income": True}, None),
        ({"poverty_status": "not_exited", "on_dibao": True, "has_income": True}, None),
    ],
)
def test_cross_check_table(kw: dict, kind: FindingKind | None) -> None:
    trace = Trace()
    finding = cross_check(person(**kw), ON, YAOAN, trace=trace)
    if kind is None:
        assert finding is None
    else:
        assert isinstance(finding, CrossCheckFinding)
        assert finding.kind is kind
        assert (finding.person_id, finding.household_id) == ("P1", "H1")
        assert finding.division_code == "532325100201"
    assert trace.out().rules == ["WEL-8"]


def test_exit_review_due_date_and_parameter() -> None:
    finding = cross_check(
        person(poverty_status="exited", on_dibao=True, exited_on=date(2018, 5, 31)), ON, ZHENGAN
    )
    assert finding is not None and finding.due_since == date(2018, 8, 31)
    assert paths(finding.trace) == {"welfare.crosscheck.exit_review_months"}
    unknown = cross_check(person(poverty_status="exited", on_dibao=True), ON, ZHENGAN)
    assert unknown is not None and unknown.due_since is None


def test_registry_person_bad_input() -> None:
    with pytest.raises(ValueError):
        person(poverty_status="poor")
    with pytest.raises(ValueError):
        person(work_ability="some")
    with pytest.raises(ValueError):
        person(on_dibao="yes")


# --- WEL-1, WEL-7 procedure -----------------------------------------------------------------------


def test_public_notice_lasts_seven_days_first_day_counted() -> None:
    trace = Trace()
    assert public_notice_end(date(2018, 3, 1), YAOAN, trace=trace) == date(2018, 3, 7)
    assert public_notice_end(date(2018, 12, 28), YAOAN) == date(2019, 1, 3)
    assert trace.out().rules == ["WEL-1"]
    (param,) = trace.out().parameters
    assert param.path == "welfare.dibao.public_notice_days"
    assert POLICY.resolve(param.path, "532325", YAOAN.on).illustrative


def test_referral_deadline_default() -> None:
    trace = Trace()
    assert referral_deadline(date(2018, 3, 25), "medical", ZHENGAN, trace=trace) == date(2018, 4, 4)
    assert trace.out().rules == ["WEL-7"]
    assert paths(trace) == {"welfare.window.referral_deadline_days"}


def test_referral_deadline_of_a_department(tmp_path: Path) -> None:
    shutil.copy(Settings().policy_dir / "welfare.yaml", tmp_path / "welfare.yaml")
    (tmp_path / "window.yaml").write_text(
        "welfare.window.referral_deadline_days.housing:\n"
        "  unit: days\n"
        '  reference: "test"\n'
        "  values:\n"
        "    2018-01-01: 3\n",
        encoding="utf-8",
    )
    params = Params(PolicySet.load(tmp_path), "532325", date(2018, 7, 1))
    trace = Trace()
    assert referral_deadline(date(2018, 3, 1), "housing", params, trace=trace) == date(2018, 3, 4)
    assert paths(trace) == {"welfare.window.referral_deadline_days.housing"}
    assert referral_deadline(date(2018, 3, 1), "medical", params) == date(2018, 3, 11)
    # not yet in force on the day the parameters are bound to: the default applies
    early = Params(params.policy, "532325", date(2017, 7, 1))
    assert referral_deadline(date(2017, 3, 1), "housing", early) == date(2017, 3, 11)


@pytest.mark.parametrize("department", ["", "Medical", "civil affairs", "a.b", 3])
def test_referral_bad_department(department) -> None:
    with pytest.raises(ValueError, match="department"):
        referral_deadline(date(2018, 3, 1), department, ZHENGAN)


def test_one_trace_collects_several_rules() -> None:
    trace = Trace()
    end = public_notice_end(date(2018, 3, 1), ZHENGAN, trace=trace)
    review_due(DibaoCategory.C, end, ZHENGAN, trace=trace)
    relief_amount(ReliefKind.childbirth, 1, d("0"), ZHENGAN, trace=trace)
    assert trace.out().rules == ["WEL-1", "WEL-2", "WEL-6"]
    assert len(trace.out().parameters) == 3
