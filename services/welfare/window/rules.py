"""The deadline of a one-window referral (WEL-7).

Pure functions: dates and `Params` in; a date out, explained in a `Trace`. No database, clock or
I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used.

Reading of the seeds
--------------------
- WEL-7, referral: YA-GOV §四(二) asks for 部门转介办理程序，明确办理时限 and ZA-GOV §三(三)3 for a
  一门受理、协同办理 window, without a figure. The deadline is an illustrative number of calendar
  days after the township window received the request; a department may have its own
  (welfare.window.referral_deadline_days.<department>), else the default applies. Working days
  would need a holiday calendar, which the seeds do not give.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from shared.policy import ParameterNotFound
from shared.rule_inputs import day
from shared.trace import Params, Trace

WEL_7 = "WEL-7"

P_REFERRAL_DAYS = "welfare.window.referral_deadline_days"  # + "." + department to override

_DEPARTMENT = re.compile(r"[a-z][a-z0-9_]*")


def referral_deadline(
    received_on: date, department: str, params: Params, *, trace: Trace | None = None
) -> date:
    """WEL-7: the day by which the department a request was referred to must have handled it."""
    trace = Trace() if trace is None else trace
    received_on = day(received_on, "received on")
    if not isinstance(department, str) or not _DEPARTMENT.fullmatch(department.strip()):
        raise ValueError(
            f"department must be a lower-case name (letters, digits, _), not {department!r}"
        )
    department = department.strip()
    own = f"{P_REFERRAL_DAYS}.{department}"
    try:
        params.policy.resolve(own, params.county, params.on)
    except ParameterNotFound:
        path = P_REFERRAL_DAYS
    else:
        path = own
    days = params.whole(path, trace, minimum=0)
    deadline = received_on + timedelta(days=days)
    trace.step(
        WEL_7,
        "referral deadline" + (f" of {department}" if path == own else " (default)"),
        department=department,
        received_on=received_on,
        deadline_days=days,
        deadline=deadline,
    )
    return deadline
