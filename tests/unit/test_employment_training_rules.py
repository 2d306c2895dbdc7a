"""Training rules (技能培训, EMP-2) and the job-seeking subsidy (求职创业补贴, EMP-7): tables with
the seeds' figures and properties (rates within [0, 1], the subsidy once only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.employment.training.rules import (
    CertificateKind,
    CoverageCounts,
    JobSeekingFacts,
    PersonCoverageFacts,
    PlacementOutcome,
    check_assignment,
    count_people,
    coverage,
    coverage_bases,
    job_seeking_subsidy,
    placement_outcome,
    placement_rate,
    rate,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
YAOAN, FULIANG, ZHENGAN = "532325", "360222", "520324"
P_YA = Params(POLICY, YAOAN, date(2017, 11, 20))
P_FL = Params(POLICY, FULIANG, date(2018, 4, 4))
P_ZA = Params(POLICY, ZHENGAN, date(2018, 6, 1))


# --- YA-HRSS §三(二)1: department per township ------------------------------------------------


@pytest.mark.parametrize(
    ("department", "townships", "two_after", "allowed"),
    [
        ("县人社局", ["532325103", "532325104", "532325200"], False, True),  # 弥兴 太平 适中
        ("县扶贫办", ["532325102"], False, True),  # 前场镇
        ("县农业局", ["532325101"], False, True),  # 光禄镇
        ("县妇联", ["532325100"], False, True),  # 栋川镇
        ("县人社局", ["532325100"], False, False),  # 栋川镇 is 妇联's
        ("县教育局", ["532325100", "532325101"], True, True),  # 两后生 county-wide
        ("县教育局", ["532325100"], False, False),  # but not other training
    ],
)
def test_department_assignment(
    department: str, townships: list[str], two_after: bool, allowed: bool
) -> None:
    result = check_assignment(department, townships, two_after, P_YA)
    assert result.allowed is allowed
    assert result.trace.out().rules == ["EMP-2"]


def test_no_assignment_table_elsewhere() -> None:
    assert check_assignment("县人社局", ["360222100"], False, P_FL).allowed


# --- coverage --------------------------------------------------------------------------------


def person(**over: bool) -> PersonCoverageFacts:
    values = dict(
        labourer=True, wishes_to_train=False, wishes_to_work=False, two_after=False, trained=False
    )
    values.update(over)
    return PersonCoverageFacts(**values)


def test_coverage_base_all_labourers_in_yaoan_willing_elsewhere() -> None:
    people = [
        person(wishes_to_train=True, trained=True),
        person(wishes_to_train=True),
        person(),  # a labourer without the wish to train
        person(labourer=False, wishes_to_train=True, trained=True),
    ]
    ya = count_people(people, coverage_bases(P_YA))  # YA-HRSS §三(一): every labourer
    fl = count_people(people, coverage_bases(P_FL))  # CITY-HRSS §二: willing labourers
    assert (ya.labourers, ya.willing, ya.base, ya.trained) == (3, 2, 3, 1)
    assert (fl.labourers, fl.willing, fl.base, fl.trained) == (3, 2, 2, 1)
    assert coverage(ya, P_YA).training_rate == Decimal("0.3333")
    result = coverage(fl, P_FL)
    assert result.training_rate == Decimal("0.5000")
    assert result.training_target == Decimal("1.00") and result.training_met is False


def test_two_after_coverage_counts_those_who_wish() -> None:
    people = [
        person(labourer=False, two_after=True, wishes_to_train=True, trained=True),
        person(labourer=False, two_after=True, wishes_to_work=True),
        person(labourer=False, two_after=True),  # no wish: outside YA-HRSS §三(一)'s target
    ]
    counts = count_people(people, coverage_bases(P_YA))
    assert (counts.two_after, counts.two_after_base, counts.two_after_trained) == (3, 2, 1)
    assert coverage(counts, P_YA).two_after_rate == Decimal("0.5000")


def test_empty_base_has_no_rate() -> None:
    result = coverage(CoverageCounts(), P_YA)
    assert result.training_rate is None and result.training_met is None


# --- placement after training (ZA-GOV §三(四)1: ≥ 50%) -----------------------------------------


@pytest.mark.parametrize(
    ("completions", "placements", "on", "expected"),
    [
        ([date(2018, 3, 1)], [date(2018, 5, 1)], date(2018, 12, 31), PlacementOutcome.placed),
        ([date(2018, 3, 1)], [date(2018, 9, 1)], date(2018, 12, 31), PlacementOutcome.placed),
        ([date(2018, 3, 1)], [date(2018, 9, 2)], date(2018, 12, 31), PlacementOutcome.not_placed),
        ([date(2018, 3, 1)], [date(2018, 2, 1)], date(2018, 12, 31), PlacementOutcome.not_placed),
        ([date(2018, 3, 1)], [], date(2018, 5, 1), PlacementOutcome.pending),
        ([date(2018, 3, 1)], [date(2018, 5, 1)], date(2018, 4, 1), PlacementOutcome.pending),
        ([date(2018, 3, 1)], [], date(2018, 2, 1), None),  # not yet trained
        # a second training, then a job within its window
        ([date(2017, 3, 1), date(2018, 3, 1)], [date(2018, 4, 1)], date(2019, 1, 1), "placed"),
    ],
)
def test_placement_outcome(
    completions: list[date], placements: list[date], on: date, expected: object
) -> None:
    assert placement_outcome(completions, placements, on, 6) == expected


def test_placement_rate_against_zhengan_target() -> None:
    outcomes: list[PlacementOutcome | None] = [PlacementOutcome.placed] * 2
    outcomes += [PlacementOutcome.not_placed] * 2
    outcomes += [PlacementOutcome.pending, None]
    result = placement_rate(outcomes, P_ZA)
    assert (result.placed, result.not_placed, result.pending) == (2, 2, 1)
    assert result.rate == Decimal("0.5000") and result.target == Decimal("0.50")
    assert result.met is True
    out = result.trace.out()
    assert "employment.training.placement_target" in {p.path for p in out.parameters}
    assert out.rules == ["EMP-2"]


@given(
    st.lists(st.sampled_from([*PlacementOutcome, None]), max_size=50),
)
def test_placement_rate_within_unit_interval(outcomes: list[PlacementOutcome | None]) -> None:
    result = placement_rate(outcomes, P_ZA)
    assert result.rate is None or Decimal(0) <= result.rate <= Decimal(1)


@given(
    st.lists(
        st.builds(
            PersonCoverageFacts,
            labourer=st.booleans(),
            wishes_to_train=st.booleans(),
            wishes_to_work=st.booleans(),
            two_after=st.booleans(),
            trained=st.booleans(),
        ),
        max_size=40,
    ),
    st.sampled_from([P_YA, P_FL]),
)
def test_coverage_rates_within_unit_interval(
    people: list[PersonCoverageFacts], params: Params
) -> None:
    counts = count_people(people, coverage_bases(params))
    assert counts.trained <= counts.base <= counts.labourers
    assert counts.two_after_trained <= counts.two_after_base <= counts.two_after
    result = coverage(counts, params)
    for value in (result.training_rate, result.two_after_rate):
        assert value is None or Decimal(0) <= value <= Decimal(1)


def test_rate_refuses_part_above_whole() -> None:
    with pytest.raises(ValueError):
        rate(3, 2)


# --- EMP-7 job-seeking subsidy (FL-HRSS §三(一)6: 500 yuan once) --------------------------------


def facts(**over: Any) -> JobSeekingFacts:
    values = JobSeekingFacts(
        certificate_kind=CertificateKind.vocational_qualification,
        issued_on=date(2018, 4, 1),
        poverty_status="not_exited",
        labourer=True,
        training_started_on=date(2018, 3, 1),
        training_completed_on=date(2018, 3, 20),
    )
    return replace(values, **over)


def test_subsidy_500_to_a_trained_poor_labourer() -> None:
    result = job_seeking_subsidy(facts(), P_FL)
    assert result.eligible and result.amount == Decimal("500.00")
    out = result.trace.out()
    assert out.rules == ["EMP-7"]
    assert {p.path for p in out.parameters} >= {"employment.job_seeking.certificate_subsidy"}


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"poverty_status": "marginal"}, "registered poor"),
        ({"poverty_status": None}, "registered poor"),
        ({"labourer": False}, "labourer"),
        ({"training_completed_on": None}, "training not completed"),
        ({"issued_on": date(2018, 2, 1)}, "before the training"),
        ({"certificate_kind": CertificateKind.skill_level}, "not accepted"),
        ({"already_granted": True}, "already granted"),
    ],
)
def test_subsidy_refused(over: dict[str, object], reason: str) -> None:
    result = job_seeking_subsidy(facts(**over), P_FL)
    assert not result.eligible and result.amount == 0
    assert any(reason in r for r in result.reasons)


def test_exited_people_keep_the_subsidy() -> None:
    assert job_seeking_subsidy(facts(poverty_status="exited"), P_FL).eligible  # REG-2


@given(st.integers(min_value=1, max_value=6))
def test_subsidy_once_only(requests: int) -> None:
    granted = Decimal(0)
    already = False
    for _ in range(requests):
        result = job_seeking_subsidy(facts(already_granted=already), P_FL)
        granted += result.amount
        already = already or result.eligible
    assert granted == Decimal("500.00")
