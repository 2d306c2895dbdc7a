"""HTTP API of the one window (一门受理、协同办理 / 转办, WEL-7).

Officers see requests inside their jurisdiction (404 outside it, 403 for a role that never
does the thing). The applicant follows a request with its number at `/v1/window/track/{no}`,
which needs no token and shows no name (the ID number masked)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.window.models import WindowRequest
from services.welfare.window.procedure import READERS, Department, RequestStatus, RequestType
from services.welfare.window.schemas import (
    RequestDetail,
    RequestIn,
    RequestOut,
    RequestPage,
    StepIn,
    TrackOut,
)
from services.welfare.window.service import answer, get_request, scoped, take_request
from services.welfare.workflow import StepOut, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.ids import ResidentIdNumber

router = APIRouter(prefix="/v1/window", tags=["one window 一门受理 (WEL-7)"])

Reader = Annotated[Principal, Depends(require(*READERS))]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code (乡镇)")
]


def _steps(session: Session, row: WindowRequest) -> list[StepOut]:
    return [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(session, "window_request", [str(row.id)])
    ]


def _detail(session: Session, row: WindowRequest, today: date) -> RequestDetail:
    return RequestDetail(**RequestOut.of(row, today).model_dump(), steps=_steps(session, row))


@router.post(
    "/requests",
    response_model=RequestDetail,
    status_code=201,
    summary="一门受理: record a request at the township window and refer it (转办) with a deadline",
    description=(
        "WEL-7 (YA-GOV §四(二), ZA-GOV §三(三)3). The request is recorded (received) and referred "
        "to its department (referred) with the deadline of the rule. A temporary-relief request "
        "opens its relief case (WEL-6) at once and follows it; every other request is a tracked "
        "referral answered by the department. The response carries the request number "
        "(受理编号) the applicant follows it with."
    ),
)
def post_request(
    body: RequestIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.township_officer, Role.village_cadre))],
) -> RequestDetail:
    today = clock.today()
    row = take_request(session, runtime.policy, body, principal, today)
    return _detail(session, row, today)


@router.get("/requests", response_model=RequestPage, summary="Requests by township, with filters")
def list_requests(
    session: DbSession,
    principal: Reader,
    township: TownshipQuery = None,
    status: RequestStatus | None = None,
    department: Department | None = None,
    request_type: RequestType | None = None,
    id_number: Annotated[
        ResidentIdNumber | None, Query(description="the applicant's ID number (officers only)")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RequestPage:
    stmt = scoped(select(WindowRequest), principal)
    if township:
        stmt = stmt.where(WindowRequest.township_code == township)
    if status:
        stmt = stmt.where(WindowRequest.status == status.value)
    if department:
        stmt = stmt.where(WindowRequest.department == department.value)
    if request_type:
        stmt = stmt.where(WindowRequest.request_type == request_type.value)
    if id_number:
        stmt = stmt.where(WindowRequest.applicant_id_number == id_number)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(WindowRequest.id).offset(offset).limit(limit)  # type: ignore[arg-type]
    ).all()
    today = clock.today()
    return RequestPage(
        total=total, offset=offset, limit=limit, items=[RequestOut.of(r, today) for r in rows]
    )


@router.get(
    "/referrals/overdue",
    response_model=RequestPage,
    summary="Overdue referrals (转办超期): deadline passed, not resolved or returned",
    description="WEL-7. `on` defaults to today; a referral is overdue the day after its deadline.",
)
def overdue(
    session: DbSession,
    principal: Reader,
    township: TownshipQuery = None,
    department: Department | None = None,
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RequestPage:
    day = on or clock.today()
    stmt = scoped(select(WindowRequest), principal).where(
        WindowRequest.status.in_(  # type: ignore[attr-defined]
            [RequestStatus.referred.value, RequestStatus.accepted.value]
        ),
        WindowRequest.deadline < day,  # type: ignore[operator]
    )
    if township:
        stmt = stmt.where(WindowRequest.township_code == township)
    if department:
        stmt = stmt.where(WindowRequest.department == department.value)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(WindowRequest.deadline, WindowRequest.id)  # type: ignore[arg-type]
        .offset(offset)
        .limit(limit)
    ).all()
    return RequestPage(
        total=total, offset=offset, limit=limit, items=[RequestOut.of(r, day) for r in rows]
    )


@router.get(
    "/requests/{request_no}",
    response_model=RequestDetail,
    summary="One request with every step (officers)",
)
def get_one(request_no: str, session: DbSession, principal: Reader) -> RequestDetail:
    return _detail(session, get_request(session, request_no, principal), clock.today())


@router.post(
    "/requests/{request_no}/steps",
    response_model=RequestDetail,
    summary="Record the department's answer: accepted, resolved or returned",
    description=(
        "WEL-7. Taken by the department's county role (民政 county_civil, 医保 county_medical, "
        "人社 county_hrss, 扶贫办 county_poverty) or, for a department outside this system, by "
        "the township officer. 409 when the step does not follow the current status."
    ),
)
def post_step(
    request_no: str, body: StepIn, session: DbSession, principal: CurrentPrincipal
) -> RequestDetail:
    today = clock.today()
    row = get_request(session, request_no, principal)
    answer(session, row, body, principal, today)
    return _detail(session, row, today)


@router.get(
    "/track/{request_no}",
    response_model=TrackOut,
    summary="办理进度查询: the applicant follows a request by its number (no token)",
    description=(
        "WEL-7: the applicant can follow the request. Shows the department, status, deadline "
        "and dated steps; no name, and the ID number masked."
    ),
)
def track(request_no: str, session: DbSession) -> TrackOut:
    row = get_request(session, request_no, None)
    return TrackOut.of(row, _steps(session, row), clock.today())
