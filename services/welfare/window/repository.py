"""Every query of the one window (一门受理, WEL-7): requests and their steps.

A request lies in its village, or its township when the applicant gave no village. A county or
township officer sees the requests of the townships inside the jurisdiction, a village cadre
those of the village."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from services.welfare.window.models import WindowRequest
from services.welfare.window.procedure import REQUEST, RequestStatus
from services.welfare.workflow import WorkflowStep, steps_of
from shared.errors import NotFound
from shared.repository import Page, ScopedRepository, in_jurisdiction

TOWNSHIP_DIGITS = 9


@dataclass(frozen=True)
class RequestFilter:
    """What a list of requests is narrowed to (each filter only when given)."""

    township: str | None = None
    status: str | None = None
    department: str | None = None
    request_type: str | None = None
    id_number: str | None = None


class WindowRequests(ScopedRepository[WindowRequest]):
    model = WindowRequest

    def visible(self, row: WindowRequest) -> bool:
        code = row.village_code or row.township_code
        return in_jurisdiction(self.principal, code, county_wide=False)

    def jurisdiction(self) -> ColumnElement[bool] | None:
        if self.principal is None or not self.principal.scope:
            return None
        scope = self.principal.scope
        if len(scope) <= TOWNSHIP_DIGITS:
            return col(WindowRequest.township_code).startswith(scope)
        return col(WindowRequest.village_code).startswith(scope)

    def by_number(self, request_no: str) -> WindowRequest:
        """The request with the number (受理编号); 404 when none is in the jurisdiction."""
        row = self.session.exec(
            select(WindowRequest).where(WindowRequest.request_no == request_no)
        ).first()
        if row is None:
            raise NotFound("no such request")
        if not self.visible(row):
            raise NotFound(self.missing)
        return row

    def steps(self, request_id: int) -> list[WorkflowStep]:
        return steps_of(self.session, REQUEST.entity, [str(request_id)])

    def page_of(self, wanted: RequestFilter, *, limit: int, offset: int) -> Page[WindowRequest]:
        """One page of the requests in the jurisdiction matching `wanted`, by id."""
        stmt = self.where_given(
            select(WindowRequest),
            township_code=wanted.township,
            status=wanted.status,
            department=wanted.department,
            request_type=wanted.request_type,
            applicant_id_number=wanted.id_number,
        )
        return self.page(stmt, limit=limit, offset=offset, order_by=col(WindowRequest.id))

    def overdue(
        self,
        on: date,
        *,
        township: str | None,
        department: str | None,
        limit: int,
        offset: int,
    ) -> Page[WindowRequest]:
        """Referrals past their deadline on `on` and not answered (by deadline, then id)."""
        stmt = select(WindowRequest).where(
            col(WindowRequest.status).in_(
                [RequestStatus.referred.value, RequestStatus.accepted.value]
            ),
            col(WindowRequest.deadline) < on,
        )
        if township:
            stmt = stmt.where(WindowRequest.township_code == township)
        if department:
            stmt = stmt.where(WindowRequest.department == department)
        ordered = stmt.order_by(col(WindowRequest.deadline), col(WindowRequest.id))
        return self.page(ordered, limit=limit, offset=offset)
