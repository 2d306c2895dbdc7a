"""What a window request does when the relief case opened from it is decided (WEL-7): kept apart
from the window's service so that relief can call it without importing the window, which itself
opens relief cases (relief.sources)."""

from __future__ import annotations

from services.welfare.relief.models import ReliefCase
from services.welfare.window.models import WindowRequest
from services.welfare.window.procedure import REQUEST, WEL_7, RequestStatus
from services.welfare.window.repository import WindowRequests
from services.welfare.workflow import advance
from shared.uow import UnitOfWork

R = RequestStatus


def linked_case_decided(uow: UnitOfWork, case: ReliefCase, *, approved: bool, note: str) -> None:
    """The relief case opened at the window was decided: civil affairs accepted the request and
    resolved it (an approval or a reasoned rejection is an answer either way)."""
    row = WindowRequests(uow.session, None).find(case.window_request_id)
    if row is None or row.status != R.referred.value:
        return
    outcome = f"relief case {case.id} " + (
        f"approved: {case.amount} yuan" if approved else f"rejected: {note}"
    )
    data = {"rule": WEL_7, "relief_case": case.id}
    advance(
        uow.session,
        REQUEST,
        WindowRequest,
        row,
        R.accepted,
        uow.principal,
        data=data,
        note=f"relief case {case.id} decided",
        status_enum=RequestStatus,
    )
    advance(
        uow.session,
        REQUEST,
        WindowRequest,
        row,
        R.resolved,
        uow.principal,
        note=outcome,
        changes={"outcome": outcome, "resolved_on": case.decided_on},
        data=data,
        status_enum=RequestStatus,
    )
