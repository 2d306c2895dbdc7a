"""HTTP API of complaints and appeals (投诉举报、申诉, WEL-9): record, answer, list the unanswered
and the overdue.

A complaint lies in the complainant's village: out of the caller's scope it answers 404; a role
that never records or answers complaints gets 403. Answered by county civil affairs or the
township officer in scope, once (a second answer is a 409)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.complaints.models import Complaint
from services.welfare.complaints.rules import WEL_9, answer_due
from services.welfare.complaints.schemas import (
    STATUS_ZH,
    AgainstType,
    AnswerIn,
    ComplaintDetail,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    ComplaintStatus,
)
from services.welfare.relief import facts
from services.welfare.relief.models import ReliefCase
from services.welfare.window.models import WindowRequest
from services.welfare.workflow import StepOut, Workflow, advance, record_step, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal, Role, require
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput, NotFound
from shared.trace import Params, Trace

router = APIRouter(prefix="/v1/complaints", tags=["complaints and appeals 投诉申诉 (WEL-9)"])


ANSWERERS = frozenset({Role.county_civil, Role.township_officer})
COMPLAINT = Workflow[ComplaintStatus](
    entity="complaint",
    transitions={(ComplaintStatus.open, ComplaintStatus.answered): ANSWERERS},
    labels_zh=STATUS_ZH,
)
RECORDERS = (Role.township_officer, Role.village_cadre, Role.county_civil)
READERS = (*RECORDERS, Role.county_poverty, Role.auditor)


def _detail(session: Session, row: Complaint, today: date) -> ComplaintDetail:
    steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(session, "complaint", [str(row.id)])
    ]
    return ComplaintDetail(**ComplaintOut.of(row, today).model_dump(), steps=steps)


def _check_target(session: Session, body: ComplaintIn, principal: Principal) -> None:
    """A complaint against a decision this service keeps names one that exists in scope."""
    model = {AgainstType.relief_case: ReliefCase, AgainstType.window_request: WindowRequest}.get(
        body.against_type
    )
    if model is None:
        return
    error = FieldError(field="against_ref", reason=f"no such {body.against_type.value}")
    if body.against_ref is None:
        raise InvalidInput("name the decision complained about", errors=[error])
    row: Any = None
    if model is ReliefCase and body.against_ref.isdigit():
        row = session.get(ReliefCase, int(body.against_ref))
    elif model is WindowRequest:
        row = session.exec(
            select(WindowRequest).where(WindowRequest.request_no == body.against_ref)
        ).first()
    where = None if row is None else (row.village_code or row.township_code or row.county_code)
    if row is None or not principal.covers(where):
        raise InvalidInput("the decision complained about is unknown", errors=[error])


@router.post(
    "",
    response_model=ComplaintDetail,
    status_code=201,
    summary="Record a complaint or appeal (投诉、申诉): who, against what decision, what",
    description=(
        "WEL-9 (YA-GOV §四(六)). The answer is due `welfare.complaints.answer_days` days after "
        "receipt (illustrative: the seeds give no limit)."
    ),
)
def post_complaint(
    body: ComplaintIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(*RECORDERS))],
) -> ComplaintDetail:
    person = facts.person_by_id_number(session, body.complainant_id_number)
    village = person.village_code if person else body.village_code
    if village is None:
        raise InvalidInput(
            "the complainant is not in the registry: give the village_code",
            errors=[FieldError(field="village_code", reason="required outside the registry")],
        )
    principal.guard(village)
    _check_target(session, body, principal)
    today = clock.today()
    trace = Trace()
    due = answer_due(today, Params(runtime.policy, village[:6], today), trace=trace)
    now = utcnow()
    row = Complaint(
        kind=body.kind.value,
        complainant_name=body.complainant_name,
        complainant_id_number=body.complainant_id_number,
        household_id=person.household_id if person else None,
        county_code=village[:6],
        township_code=village[:9],
        village_code=village,
        against_type=body.against_type.value,
        against_ref=body.against_ref,
        content=body.content,
        status=ComplaintStatus.open.value,
        received_on=today,
        answer_due=due,
        trace=trace.out().model_dump(mode="json"),
        recorded_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    role = sorted(principal.roles & set(RECORDERS)) or [Role.admin]
    record_step(
        session,
        COMPLAINT,
        str(row.id),
        None,
        ComplaintStatus.open,
        principal,
        role[0],
        note=f"{body.kind.value} against {body.against_type.value}",
        data={"rule": WEL_9, "answer_due": due.isoformat()},
    )
    return _detail(session, row, today)


def _get(session: Session, complaint_id: int, principal: Principal) -> Complaint:
    row = session.get(Complaint, complaint_id, populate_existing=True)
    if row is None:
        raise NotFound("no such complaint")
    principal.guard(row.village_code)
    return row


@router.post(
    "/{complaint_id}/answer",
    response_model=ComplaintDetail,
    summary="Answer a complaint (答复): county civil affairs or the township officer in scope",
    description="WEL-9. Once: a second answer is a 409; out of scope 404; other roles 403.",
)
def post_answer(
    complaint_id: int,
    body: AnswerIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*ANSWERERS))],
) -> ComplaintDetail:
    row = _get(session, complaint_id, principal)
    role = COMPLAINT.check(ComplaintStatus(row.status), ComplaintStatus.answered, principal)
    advance(
        session,
        COMPLAINT,
        Complaint,
        row,
        ComplaintStatus.answered,
        principal,
        note=body.answer[:2000],
        changes={
            "answer": body.answer,
            "answered_by": principal.subject,
            "answered_role": role.value,
            "answered_at": utcnow(),
        },
        data={"rule": WEL_9},
        status_enum=ComplaintStatus,
    )
    return _detail(session, row, clock.today())


@router.get(
    "",
    response_model=ComplaintPage,
    summary="Complaints by township: unanswered, overdue, or all",
    description="WEL-9. `overdue` (unanswered past `answer_due` on `on`, default today).",
)
def list_complaints(
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*READERS))],
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    status: ComplaintStatus | None = None,
    overdue: bool = False,
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ComplaintPage:
    day = on or clock.today()
    stmt = select(Complaint)
    if principal.scope:
        stmt = stmt.where(Complaint.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(Complaint.township_code == township)
    if overdue:
        stmt = stmt.where(
            Complaint.status == ComplaintStatus.open.value,
            Complaint.answer_due < day,  # type: ignore[operator]
        )
    elif status:
        stmt = stmt.where(Complaint.status == status.value)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(Complaint.answer_due, Complaint.id).offset(offset).limit(limit)  # type: ignore[arg-type]
    ).all()
    return ComplaintPage(
        total=total, offset=offset, limit=limit, items=[ComplaintOut.of(r, day) for r in rows]
    )


@router.get("/{complaint_id}", response_model=ComplaintDetail, summary="One complaint, its steps")
def get_complaint(
    complaint_id: int,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*READERS))],
) -> ComplaintDetail:
    return _detail(session, _get(session, complaint_id, principal), clock.today())
