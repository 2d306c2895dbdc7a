"""The plan targets (PLAN-1, PLAN-2) on the seeds' own figures: 正安 3,115 trained with 50% placed,
300 business leaders in 4 sessions, occupancy 70/85/100% at the ends of June, September and
December 2018; 姚安's ledger by 2017-10-15 and training by 2017-11-20; the due-day reading."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shared.plan.rules import Measure, Status, Unit, last_on_time_day, rollup, target_status
from shared.plan.targets import PlanFileError, plan_of, quote_problems, read_plan
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

POLICY = PolicySet.load(Settings().policy_dir)


def params(county: str, on: date) -> Params:
    return Params(POLICY, county, on)


def status(
    unit: Unit, target: str, due: date, on: date, now: Measure, at_due: Measure | None = None
) -> Status:
    trace = Trace()
    last = last_on_time_day(due, params("520324", on), trace)
    verdict = target_status(
        unit=unit,
        target=Decimal(target),
        last_day=last,
        on=on,
        now=now,
        at_due=at_due,
        trace=trace,
    )
    assert {s.rule for s in trace.steps} == {"PLAN-1"}
    return verdict.status


def test_plan_1_the_plans_are_data_with_verbatim_quotes() -> None:
    assert quote_problems() == []
    za = {t.id: t for t in plan_of("520324").targets}
    assert za["ZA-2018-TRAINING"].target == 3115
    assert za["ZA-2018-PLACEMENT"].target == Decimal("0.50")
    assert za["ZA-2018-LEADERS"].target == 300
    assert za["ZA-2018-LEADER-SESSIONS"].target == 4
    occupancy = [
        (t.target, t.due) for t in plan_of("520324").targets if t.metric == "tekun.occupancy"
    ]
    assert occupancy == [
        (Decimal("0.70"), date(2018, 6, 30)),
        (Decimal("0.85"), date(2018, 9, 30)),
        (Decimal("1"), date(2018, 12, 31)),
    ]
    ya = {t.id: t for t in plan_of("532325").targets}
    assert ya["YA-2017-PENSION-LEDGER"].due == date(2017, 10, 15)
    assert ya["YA-2017-TRAINING-HRSS"].due == date(2017, 11, 20)
    assert ya["YA-2017-TRAINING-HRSS"].responsible == ("532325103", "532325104", "532325200")
    assert ya["YA-2017-DIAGNOSIS-FEE-LEDGER"].due == date(2017, 11, 20)
    assert plan_of("522121").targets == ()


def test_plan_1_due_day_is_on_time_by_default() -> None:
    """Done on the due day is on time (前 read as up to and including the day)."""
    due = date(2017, 10, 15)
    trace = Trace()
    assert last_on_time_day(due, params("532325", due), trace) == due
    assert trace.parameters["plan.due_day_is_on_time"].illustrative
    # measured on the due day: the figure of that day decides
    assert status(Unit.done, "1", due, due, Measure(3, 3)) == Status.met
    assert status(Unit.done, "1", due, due, Measure(2, 3)) == Status.not_due
    # the day after: judged on the figure as of the due day
    after = date(2017, 10, 16)
    assert status(Unit.done, "1", due, after, Measure(3, 3), Measure(3, 3)) == Status.met
    assert status(Unit.done, "1", due, after, Measure(3, 3), Measure(2, 3)) == Status.met_late
    assert status(Unit.done, "1", due, after, Measure(2, 3), Measure(2, 3)) == Status.late


def test_plan_1_the_due_day_late_reading(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "plan.due_day_is_on_time:\n  unit: bool\n  reference: a reading (PLAN-1)\n"
        "  illustrative: true\n  values:\n    2017-01-01: false\n",
        encoding="utf-8",
    )
    policy = PolicySet.load(tmp_path)
    trace = Trace()
    assert last_on_time_day(
        date(2017, 11, 20), Params(policy, "532325", date(2017, 11, 20)), trace
    ) == date(2017, 11, 19)


def test_plan_1_seed_figures_3115_trained_and_50_percent_placed() -> None:
    due = date(2018, 12, 31)
    assert status(Unit.tally, "3115", due, date(2018, 12, 31), Measure(3115)) == Status.met
    assert status(Unit.tally, "3115", due, date(2018, 12, 31), Measure(3114)) == Status.not_due
    assert (
        status(Unit.tally, "3115", due, date(2019, 1, 1), Measure(3114), Measure(3114))
        == Status.late
    )
    # 50%: exact share, no rounding: 1,558 of 3,115 placed is met, 1,557 is not
    assert status(Unit.ratio, "0.50", due, due, Measure(1558, 3115)) == Status.met
    assert status(Unit.ratio, "0.50", due, due, Measure(1557, 3115)) == Status.not_due


def test_plan_1_seed_figures_300_leaders_in_4_sessions_half_poor_all_employed() -> None:
    due = date(2018, 12, 31)
    assert status(Unit.tally, "300", due, due, Measure(300)) == Status.met
    assert status(Unit.tally, "4", due, date(2019, 1, 2), Measure(3), Measure(3)) == Status.late
    assert status(Unit.ratio, "0.50", due, due, Measure(150, 300)) == Status.met
    assert status(Unit.ratio, "1", due, due, Measure(299, 300)) == Status.not_due


@pytest.mark.parametrize(
    ("due", "target", "placed", "late"),
    [
        (date(2018, 6, 30), "0.70", 69, True),
        (date(2018, 6, 30), "0.70", 70, False),
        (date(2018, 9, 30), "0.85", 85, False),
        (date(2018, 9, 30), "0.85", 84, True),
        (date(2018, 12, 31), "1", 99, True),
        (date(2018, 12, 31), "1", 100, False),
    ],
)
def test_plan_1_occupancy_70_85_100_at_their_deadlines(
    due: date, target: str, placed: int, late: bool
) -> None:
    day_after = date.fromordinal(due.toordinal() + 1)
    got = status(Unit.ratio, target, due, day_after, Measure(placed, 100), Measure(placed, 100))
    assert got == (Status.late if late else Status.met)


def test_plan_1_nobody_to_count_is_never_late() -> None:
    assert (
        status(Unit.ratio, "1", date(2017, 11, 20), date(2017, 12, 1), Measure(0, 0), Measure(0, 0))
        == Status.no_base
    )


def test_plan_2_rollup_sums_counts_and_bases() -> None:
    """The county's ratio is recomputed from the sums, never averaged: 1/1 and 0/3 is 1/4."""
    total = rollup([Measure(1, 1), Measure(0, 3)])
    assert total == Measure(1, 4)
    assert rollup([Measure(2), Measure(5)]) == Measure(7)


def test_plan_1_a_bad_plan_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "520324.yaml"
    path.write_text('county: "520324"\ntargets:\n  - id: X\n    rule: EMP-2\n', encoding="utf-8")
    with pytest.raises(PlanFileError, match="missing"):
        read_plan(path)
