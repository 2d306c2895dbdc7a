"""A service's answer for its targets (PLAN-1, PLAN-2): the service measures, per township, what
a target's metric counts in its own records as of a day; this turns the measures into the
target's progress with its trace. No database here: the service passes a function that measures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from shared.plan.rules import (
    STATUS_ZH,
    Measure,
    Unit,
    last_on_time_day,
    late_townships,
    rollup,
    target_status,
)
from shared.plan.schemas import TargetOut, TownshipProgressOut
from shared.plan.targets import Target
from shared.trace import Params, Trace

# township code -> measure, as of a day (a metric may record the parameters it reads)
Measurer = Callable[[Target, date, Trace], Mapping[str, Measure]]


def _bound(target: Target, measures: Mapping[str, Measure]) -> dict[str, Measure]:
    """PLAN-2: a target naming townships is measured on those only (each named one shown, a
    township without records included at zero)."""
    if target.responsible == ("each",):
        return dict(measures)
    empty = Measure(0, 0 if target.unit != Unit.tally else None)
    return {code: measures.get(code, empty) for code in target.responsible}


def progress(target: Target, on: date, params: Params, measure: Measurer) -> TargetOut:
    """PLAN-1, PLAN-2: a target's progress on `on`: per township and for the county (the sum of
    the townships), its status against the last on-time day, and the trace."""
    trace = Trace()
    trace.step(
        "PLAN-1",
        f"{target.id}: {target.title_zh} ({target.citation}), tracks {target.rule}",
        metric=target.metric,
        target=target.target,
        due=target.due,
    )
    last = last_on_time_day(target.due, params, trace)
    now = _bound(target, measure(target, on, trace))
    at_due = _bound(target, measure(target, last, trace)) if on > last else None
    total_now = rollup(now.values())
    total_due = rollup(at_due.values()) if at_due is not None else None
    trace.step(
        "PLAN-2",
        "county figure: the sum of the townships' counts and bases",
        townships=len(now),
        count=total_now.count,
        base="" if total_now.base is None else total_now.base,
    )
    verdict = target_status(
        unit=target.unit,
        target=target.target,
        last_day=last,
        on=on,
        now=total_now,
        at_due=total_due,
        trace=trace,
        label="the county",
    )
    rows: list[TownshipProgressOut] = []
    township_verdicts = {}
    for code in sorted(set(now) | set(at_due or {})):
        m_now = now.get(code, Measure(0, 0 if target.unit != Unit.tally else None))
        m_due = None if at_due is None else at_due.get(code, Measure(0, m_now.base))
        own = target_status(
            unit=target.unit,
            target=target.target,
            last_day=last,
            on=on,
            now=m_now,
            at_due=m_due,
        )
        if target.each_township:
            township_verdicts[code] = own
        rows.append(
            TownshipProgressOut(
                township_code=code,
                count=m_now.count,
                base=m_now.base,
                value=own.value,
                value_at_due=own.value_at_due,
                status=own.status.value if target.each_township else None,
                late=own.late if target.each_township else False,
            )
        )
    late_ones = late_townships(township_verdicts)
    if target.each_township:
        trace.step(
            "PLAN-2",
            "townships late against their own target",
            late=", ".join(late_ones) or "none",
        )
    return TargetOut(
        id=target.id,
        rule=target.rule,
        title_zh=target.title_zh,
        title_en=target.title_en,
        citation=target.citation,
        quote=target.quote,
        service=target.service,
        metric=target.metric,
        unit=target.unit.value,
        target=target.target,
        period_start=target.period_start,
        due=target.due,
        last_on_time_day=last,
        applies_to=target.applies_to,
        responsible=list(target.responsible),
        lead=target.lead,
        on=on,
        count=total_now.count,
        base=total_now.base,
        value=verdict.value,
        value_at_due=verdict.value_at_due,
        status=verdict.status.value,
        status_zh=STATUS_ZH[verdict.status],
        late=verdict.late or bool(late_ones),
        late_townships=late_ones,
        townships=rows,
        trace=trace.out().model_dump(mode="json"),
    )
