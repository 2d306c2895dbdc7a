"""Targets and deadlines of the county plans (PLAN-1, PLAN-2).

Pure functions: figures measured from the services' records and `Params` in, a frozen verdict and
a `Trace` out. No database, clock or I/O.

Reading of the seeds
--------------------
- PLAN-1, the due day: the plans set deadlines as "X日前" / "X月底前" (YA-HRSS §一(二)3 2017年10月
  15日前上交; ZA-GOV §三(三)6 6 月底前入住率达70%). Whether work done on the day itself is on time
  is the parameter `plan.due_day_is_on_time`; the default reads 前 as "up to and including" the
  day (done on the due day is on time). The last on-time day is the due day, or the day before
  when the parameter says false.
- PLAN-1, status: on or before the last on-time day a target is `met` when the figure reaches
  the target and `not_due` otherwise; after it, the verdict is taken on the figure as of the last
  on-time day: `met` when it reached the target then, `met_late` when it reached it only since,
  `late` when it still has not. A ratio with nothing to count (no labourer in a township) is
  `no_base`, never late. No "on track" projection is made: the plans give no intermediate
  milestones beyond the dated targets themselves.
- PLAN-1, units: a count is met at `count >= target`; a ratio at `count >= target x base` (exact,
  no rounding); a "done" target when every required item is recorded (`count >= base`, base > 0).
- PLAN-2, rollup: a county's figure is the sum of its townships' counts and bases (a ratio is
  recomputed from the sums, never averaged); a township's own verdict is given where the target
  binds each township (the plan's `applies_to`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from shared.trace import Params, Trace

P_DUE_DAY = "plan.due_day_is_on_time"
RATE_PLACES = Decimal("0.0001")


class Unit(StrEnum):
    tally = "count"  # 人数 / 次数 (a count)
    ratio = "ratio"  # 比率
    done = "done"  # 完成 (every required item recorded)


class Status(StrEnum):
    met = "met"  # 已完成
    not_due = "not_due"  # 未到期
    late = "late"  # 逾期未完成
    met_late = "met_late"  # 逾期后完成
    no_base = "no_base"  # 无统计对象


STATUS_ZH = {
    Status.met: "已完成",
    Status.not_due: "未到期",
    Status.late: "逾期未完成",
    Status.met_late: "逾期后完成",
    Status.no_base: "无统计对象",
}


@dataclass(frozen=True)
class Measure:
    """A figure measured from records: `count` done, out of `base` (ratios and done targets)."""

    count: int
    base: int | None = None

    def __post_init__(self) -> None:
        if self.count < 0 or (self.base is not None and self.base < 0):
            raise ValueError(f"a measure is never negative: {self.count}/{self.base}")


@dataclass(frozen=True)
class Verdict:
    status: Status
    late: bool
    met: bool
    value: Decimal | None
    value_at_due: Decimal | None


def value_of(measure: Measure, unit: Unit) -> Decimal | None:
    """The figure shown for a measure: a count, a ratio to 4 places (half-up), or 1/0 for done."""
    if unit == Unit.tally:
        return Decimal(measure.count)
    if not measure.base:
        return None if unit == Unit.ratio else Decimal(0)
    if unit == Unit.ratio:
        return (Decimal(measure.count) / Decimal(measure.base)).quantize(
            RATE_PLACES, rounding=ROUND_HALF_UP
        )
    return Decimal(1) if measure.count >= measure.base else Decimal(0)


def reached(measure: Measure, unit: Unit, target: Decimal) -> bool:
    """Whether a measure reaches the target (PLAN-1 units)."""
    if unit == Unit.tally:
        return Decimal(measure.count) >= target
    if not measure.base:
        return False
    if unit == Unit.ratio:
        return Decimal(measure.count) >= target * Decimal(measure.base)
    return measure.count >= measure.base


def last_on_time_day(due: date, params: Params, trace: Trace) -> date:
    """PLAN-1: the last day on which a target's work is on time: the due day itself, or the day
    before when `plan.due_day_is_on_time` says the due day is already late."""
    on_time = params.get(P_DUE_DAY, trace)
    if not isinstance(on_time, bool):
        raise TypeError(f"parameter {P_DUE_DAY} is not true/false: {on_time!r}")
    last = due if on_time else due - timedelta(days=1)
    trace.step("PLAN-1", "last on-time day of the target", due=due, last_on_time_day=last)
    return last


def target_status(
    *,
    unit: Unit,
    target: Decimal,
    last_day: date,
    on: date,
    now: Measure,
    at_due: Measure | None,
    trace: Trace | None = None,
    label: str = "",
) -> Verdict:
    """PLAN-1: the status of a target on `on` from the figure now and, once the last on-time day
    has passed, the figure as of that day (`at_due`; required then)."""
    value = value_of(now, unit)
    met_now = reached(now, unit, target)
    if unit in (Unit.ratio, Unit.done) and not now.base and (at_due is None or not at_due.base):
        status, late, due_value = Status.no_base, False, None
    elif on <= last_day:
        status = Status.met if met_now else Status.not_due
        late, due_value = False, None
    else:
        if at_due is None:
            raise ValueError("past the last on-time day the figure as of that day is needed")
        due_value = value_of(at_due, unit)
        if reached(at_due, unit, target):
            status, late = Status.met, False
        else:
            status, late = (Status.met_late if met_now else Status.late), True
    if trace is not None:
        trace.step(
            "PLAN-1",
            f"target status{' of ' + label if label else ''}: {status.value}",
            unit=unit.value,
            target=target,
            on=on,
            last_on_time_day=last_day,
            count=now.count,
            base="" if now.base is None else now.base,
            value="" if value is None else value,
            value_at_due="" if due_value is None else due_value,
        )
    return Verdict(status, late, met_now, value, due_value)


def rollup(measures: Iterable[Measure]) -> Measure:
    """PLAN-2: the county's figure from its townships': counts and bases summed (a ratio is
    recomputed from the sums, never averaged). A base is kept when any township has one."""
    items = list(measures)
    bases = [m.base for m in items if m.base is not None]
    return Measure(
        count=sum(m.count for m in items),
        base=sum(bases) if bases else None,
    )


def late_townships(verdicts: Mapping[str, Verdict]) -> list[str]:
    """PLAN-2: the townships whose own target is late (or met only after the deadline), by code."""
    return sorted(code for code, v in verdicts.items() if v.late)
