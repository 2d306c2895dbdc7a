"""HTTP API of the one window (一门受理、协同办理 / 转办, WEL-7).

Officers see requests inside their jurisdiction (404 outside it, 403 for a role that never
does the thing). The applicant follows a request with its number at `/v1/window/track/{no}`,
which needs no token and shows no name (the ID number masked)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.welfare.window import service
from services.welfare.window.procedure import READERS, Department, RequestStatus, RequestType
from services.welfare.window.repository import RequestFilter, WindowRequests
from services.welfare.window.schemas import (
    RequestDetail,
    RequestIn,
    RequestOut,
    RequestPage,
    StepIn,
    TrackOut,
)
from services.welfare.window.service import ApplicantUow
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import ResidentIdNumber
from shared.roles import Role

router = APIRouter(prefix="/v1/window", tags=["one window 一门受理 (WEL-7)"])

Reader = Annotated[Principal, Depends(require(*READERS))]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code (乡镇)")
]


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
    uow: Uow,
    _: Annotated[Principal, Depends(require(Role.township_officer, Role.village_cadre))],
) -> RequestDetail:
    return service.detail(uow, service.take_request(uow, body))


@router.get("/requests", response_model=RequestPage, summary="Requests by township, with filters")
def list_requests(
    uow: Uow,
    _: Reader,
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
    wanted = RequestFilter(
        township=township,
        status=status.value if status else None,
        department=department.value if department else None,
        request_type=request_type.value if request_type else None,
        id_number=id_number,
    )
    page = WindowRequests(uow.session, uow.principal).page_of(wanted, limit=limit, offset=offset)
    today = uow.today()
    return RequestPage(
        total=page.total,
        offset=offset,
        limit=limit,
        items=[RequestOut.of(r, today) for r in page.items],
    )


@router.get(
    "/referrals/overdue",
    response_model=RequestPage,
    summary="Overdue referrals (转办超期): deadline passed, not resolved or returned",
    description="WEL-7. `on` defaults to today; a referral is overdue the day after its deadline.",
)
def overdue(
    uow: Uow,
    _: Reader,
    township: TownshipQuery = None,
    department: Department | None = None,
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RequestPage:
    day = on or uow.today()
    page = WindowRequests(uow.session, uow.principal).overdue(
        day,
        township=township,
        department=department.value if department else None,
        limit=limit,
        offset=offset,
    )
    return RequestPage(
        total=page.total,
        offset=offset,
        limit=limit,
        items=[RequestOut.of(r, day) for r in page.items],
    )


@router.get(
    "/requests/{request_no}",
    response_model=RequestDetail,
    summary="One request with every step (officers)",
)
def get_one(request_no: str, uow: Uow, _: Reader) -> RequestDetail:
    return service.detail(uow, WindowRequests(uow.session, uow.principal).by_number(request_no))


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
def post_step(request_no: str, body: StepIn, uow: Uow) -> RequestDetail:
    return service.detail(uow, service.answer(uow, request_no, body))


@router.get(
    "/track/{request_no}",
    response_model=TrackOut,
    summary="办理进度查询: the applicant follows a request by its number (no token)",
    description=(
        "WEL-7: the applicant can follow the request. Shows the department, status, deadline "
        "and dated steps; no name, and the ID number masked."
    ),
)
def track(request_no: str, uow: ApplicantUow) -> TrackOut:
    return service.track(uow, request_no)
