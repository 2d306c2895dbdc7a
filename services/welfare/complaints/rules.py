"""When a complaint or appeal is due an answer (WEL-9). Pure: dates and `Params` in, a date and
its trace out.

Reading of the seeds: YA-GOV §四(六) asks to 畅通投诉举报渠道，形成信访和投诉举报核查制度，及时处理
扶贫对象及低保对象投诉建议 — complaints are recorded and answered 及时 (in time) but no seed gives a
number of days, so `welfare.complaints.answer_days` is an illustrative parameter (calendar
days after receipt)."""

from __future__ import annotations

from datetime import date, timedelta

from shared.trace import Params, Trace

WEL_9 = "WEL-9"
P_ANSWER_DAYS = "welfare.complaints.answer_days"


def answer_due(received_on: date, params: Params, *, trace: Trace | None = None) -> date:
    """WEL-9: the last day to answer a complaint received on `received_on`."""
    trace = Trace() if trace is None else trace
    days = params.decimal(P_ANSWER_DAYS, trace)
    if days != days.to_integral_value() or days < 0:
        raise ValueError(f"parameter {P_ANSWER_DAYS} must be a whole number of days: {days}")
    due = received_on + timedelta(days=int(days))
    trace.step(WEL_9, "answer due", received_on=received_on, answer_days=days, due=due)
    return due
