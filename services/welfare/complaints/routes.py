"""HTTP API of complaints and appeals (投诉举报、申诉, WEL-9): record, answer, list the unanswered
and the overdue.

A complaint lies in the complainant's village: out of the caller's scope it answers 404; a role
that never records or answers complaints gets 403. Answered by county civil affairs or the
township officer in scope, once (a second answer is a 409)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.welfare.complaints import service
from services.welfare.complaints.models import Complaint
from services.welfare.complaints.repository import Complaints
from services.welfare.complaints.schemas import (
    AnswerIn,
    ComplaintDetail,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    ComplaintStatus,
)
from services.welfare.complaints.service import ANSWERERS, COMPLAINT, READERS, RECORDERS
from services.welfare.workflow import StepOut, steps_of
from shared.app import Uow
from shared.auth import require
from shared.uow import UnitOfWork

router = APIRouter(prefix="/v1/complaints", tags=["complaints and appeals 投诉申诉 (WEL-9)"])


def _detail(uow: UnitOfWork, row: Complaint) -> ComplaintDetail:
    steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(uow.session, COMPLAINT.entity, [str(row.id)])
    ]
    return ComplaintDetail(**ComplaintOut.of(row, uow.today()).model_dump(), steps=steps)


@router.post(
    "",
    response_model=ComplaintDetail,
    status_code=201,
    summary="Record a complaint or appeal (投诉、申诉): who, against what decision, what",
    description=(
        "WEL-9 (YA-GOV §四(六)). The answer is due `welfare.complaints.answer_days` days after "
        "receipt (illustrative: the seeds give no limit)."
    ),
    dependencies=[Depends(require(*RECORDERS))],
)
def post_complaint(body: ComplaintIn, uow: Uow) -> ComplaintDetail:
    return _detail(uow, service.record(uow, body))


@router.post(
    "/{complaint_id}/answer",
    response_model=ComplaintDetail,
    summary="Answer a complaint (答复): county civil affairs or the township officer in scope",
    description="WEL-9. Once: a second answer is a 409; out of scope 404; other roles 403.",
    dependencies=[Depends(require(*ANSWERERS))],
)
def post_answer(complaint_id: int, body: AnswerIn, uow: Uow) -> ComplaintDetail:
    row = Complaints(uow.session, uow.principal).get_or_404(complaint_id)
    service.answer(uow, row, body)
    return _detail(uow, row)


@router.get(
    "",
    response_model=ComplaintPage,
    summary="Complaints by township: unanswered, overdue, or all",
    description="WEL-9. `overdue` (unanswered past `answer_due` on `on`, default today).",
    dependencies=[Depends(require(*READERS))],
)
def list_complaints(
    uow: Uow,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    status: ComplaintStatus | None = None,
    overdue: bool = False,
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ComplaintPage:
    day = on or uow.today()
    repo = Complaints(uow.session, uow.principal)
    page = repo.page(
        repo.listing(township, status, day if overdue else None), limit=limit, offset=offset
    )
    return ComplaintPage(
        total=page.total,
        offset=offset,
        limit=limit,
        items=[ComplaintOut.of(r, day) for r in page.items],
    )


@router.get(
    "/{complaint_id}",
    response_model=ComplaintDetail,
    summary="One complaint, its steps",
    dependencies=[Depends(require(*READERS))],
)
def get_complaint(complaint_id: int, uow: Uow) -> ComplaintDetail:
    return _detail(uow, Complaints(uow.session, uow.principal).get_or_404(complaint_id))
