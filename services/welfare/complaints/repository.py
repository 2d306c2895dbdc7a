"""Queries of complaints and appeals (WEL-9), and of the decisions a complaint may name (a relief
case, a one-window request: tables of relief and window, read here only to check the name)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.welfare.complaints.models import Complaint
from services.welfare.complaints.schemas import AgainstType, ComplaintStatus
from services.welfare.relief.models import ReliefCase
from services.welfare.repository_base import WelfareRepository
from services.welfare.window.models import WindowRequest


class Complaints(WelfareRepository[Complaint]):
    model = Complaint
    absent = "no such complaint"

    def listing(
        self, township: str | None, status: ComplaintStatus | None, overdue_on: date | None
    ) -> SelectOfScalar[Complaint]:
        """Complaints in the jurisdiction by answer due date: those still open past their due
        date on `overdue_on` when it is given, else those with `status` (or all)."""
        stmt = self.select(township_code=township)
        if overdue_on is not None:
            stmt = stmt.where(
                Complaint.status == ComplaintStatus.open.value,
                col(Complaint.answer_due) < overdue_on,
            )
        elif status:
            stmt = stmt.where(Complaint.status == status.value)
        return stmt.order_by(col(Complaint.answer_due), col(Complaint.id))


def decision_named(
    session: Session, against_type: AgainstType, ref: str
) -> ReliefCase | WindowRequest | None:
    """The decision this service keeps that `ref` names: a relief case by its id, a one-window
    request by its number."""
    if against_type is AgainstType.relief_case:
        return session.get(ReliefCase, int(ref)) if ref.isdigit() else None
    if against_type is AgainstType.window_request:
        return session.exec(select(WindowRequest).where(WindowRequest.request_no == ref)).first()
    return None
