"""HTTP API of dibao (低保, WEL-1 .. WEL-3, WEL-8): applications through their procedure, the
public-notice list, households on dibao, reviews and the overdue-review list.

Jurisdiction: an application or household lies in its village. Records outside the caller's
scope are left out of lists and answer 404 when named; 403 is for a role that may not act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.welfare.dibao import applications as apps
from services.welfare.dibao import service
from services.welfare.dibao.models import DibaoApplication, DibaoCase
from services.welfare.dibao.procedure import (
    APPLICATION,
    CASE,
    READERS,
    STATUS_ZH,
    SUBMITTERS,
    ApplicationStatus,
)
from services.welfare.dibao.repository import (
    Applications,
    Cases,
    members_of,
    objections_of,
    reviews_of,
)
from services.welfare.dibao.schemas import (
    AcceptanceIn,
    ActivationIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    CaseMemberOut,
    CaseOut,
    CasePage,
    DecisionIn,
    EconomicReviewIn,
    NoticeIn,
    NoticeRow,
    ObjectionIn,
    ObjectionOut,
    OverdueReview,
    ResolutionIn,
    ReviewIn,
    ReviewOut,
    WriteOffIn,
)
from services.welfare.workflow import StepOut, steps_of
from shared.app import Uow
from shared.auth import Principal, require
from shared.errors import Forbidden
from shared.header_values import content_disposition
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import illustrative_of
from shared.uow import UnitOfWork

router = APIRouter(prefix="/v1/dibao", tags=["dibao 低保 (WEL-1..3, WEL-8)"])

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read dibao records")


def _out(uow: UnitOfWork, app: DibaoApplication, detail: bool = True) -> ApplicationOut:
    out = ApplicationOut(
        **app.model_dump(exclude={"bank_account", "bank_name"}),
        status_zh=STATUS_ZH[ApplicationStatus(app.status)],
        next_steps=[s.value for s in APPLICATION.next_statuses(ApplicationStatus(app.status))],
    )
    if detail:
        assert app.id is not None
        out.objections = [
            ObjectionOut.model_validate(o, from_attributes=True)
            for o in objections_of(uow.session, app.id)
        ]
        out.steps = [
            StepOut.model_validate(s, from_attributes=True)
            for s in steps_of(uow.session, APPLICATION.entity, [str(app.id)])
        ]
    return out


def _application(uow: UnitOfWork, application_id: int) -> DibaoApplication:
    """The application, locked, in the caller's jurisdiction (404 otherwise)."""
    return Applications(uow.session, uow.principal).get_or_404(application_id, lock=True)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    summary="Submit a dibao application (低保申请) for a household",
    description="Taken by a village cadre (代办) or at the township window. WEL-1.",
    dependencies=[Depends(require(*SUBMITTERS))],
)
def post_application(body: ApplicationIn, uow: Uow) -> ApplicationOut:
    return _out(uow, apps.create(uow, body))


@router.get("/applications", response_model=ApplicationPage, summary="Applications in scope")
def list_applications(
    uow: Uow,
    township: TownshipQuery = None,
    status: ApplicationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ApplicationPage:
    _reader(uow.principal)
    repo = Applications(uow.session, uow.principal)
    page = repo.page(repo.listing(township, status), limit=limit, offset=offset)
    return ApplicationPage(total=page.total, items=[_out(uow, a, detail=False) for a in page.items])


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(application_id: int, uow: Uow) -> ApplicationOut:
    _reader(uow.principal)
    return _out(uow, Applications(uow.session, uow.principal).get_or_404(application_id))


@router.post(
    "/applications/{application_id}/acceptance",
    response_model=ApplicationOut,
    summary="Township accepts (受理) or refuses (不予受理, with the reason)",
)
def post_acceptance(application_id: int, body: AcceptanceIn, uow: Uow) -> ApplicationOut:
    app = _application(uow, application_id)
    apps.acceptance(uow, app, body)
    return _out(uow, app)


@router.post(
    "/applications/{application_id}/economic-review",
    response_model=ApplicationOut,
    summary="Township records the household economic review (家庭经济状况核查)",
    description="Members, income by source, assets and other departments' cross-check answers; "
    "the service proposes a category (WEL-2) and computes the amount (WEL-3; the disability "
    "subsidies are paid apart as their own schemes).",
)
def post_economic_review(application_id: int, body: EconomicReviewIn, uow: Uow) -> ApplicationOut:
    app = _application(uow, application_id)
    apps.economic_review(uow, app, body)
    return _out(uow, app)


@router.post(
    "/applications/{application_id}/decision",
    response_model=ApplicationOut,
    summary="County approves with the confirmed category, or rejects with reasons (审批)",
)
def post_decision(application_id: int, body: DecisionIn, uow: Uow) -> ApplicationOut:
    app = _application(uow, application_id)
    apps.decision(uow, app, body)
    return _out(uow, app)


@router.post(
    "/applications/{application_id}/notice",
    response_model=ApplicationOut,
    summary="Start the public notice (公示) for the parameter number of days",
)
def post_notice(application_id: int, body: NoticeIn, uow: Uow) -> ApplicationOut:
    app = _application(uow, application_id)
    apps.notice(uow, app, body)
    return _out(uow, app)


@router.post(
    "/applications/{application_id}/objections",
    status_code=201,
    response_model=ObjectionOut,
    summary="Record an objection lodged during the public notice (公示异议)",
    dependencies=[Depends(require(Role.village_cadre, Role.township_officer, Role.county_civil))],
)
def post_objection(application_id: int, body: ObjectionIn, uow: Uow) -> ObjectionOut:
    app = _application(uow, application_id)
    objection = apps.lodge_objection(uow, app, body)
    return ObjectionOut.model_validate(objection, from_attributes=True)


@router.post(
    "/applications/{application_id}/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
    summary="Resolve an objection: upheld (the application must then be rejected) or dismissed",
    dependencies=[Depends(require(Role.township_officer, Role.county_civil))],
)
def post_resolution(
    application_id: int, objection_id: int, body: ResolutionIn, uow: Uow
) -> ObjectionOut:
    app = _application(uow, application_id)
    objection = apps.resolve_objection(uow, app, objection_id, body)
    return ObjectionOut.model_validate(objection, from_attributes=True)


@router.post(
    "/applications/{application_id}/activation",
    response_model=ApplicationOut,
    summary="Put the household on dibao after the notice (纳入低保); publishes dibao_granted",
)
def post_activation(application_id: int, body: ActivationIn, uow: Uow) -> ApplicationOut:
    app = _application(uow, application_id)
    apps.activate(uow, app, body)
    return _out(uow, app)


def _notice_row(a: DibaoApplication) -> NoticeRow:
    assert a.id is not None and a.notice_start is not None and a.notice_end is not None
    return NoticeRow(
        application_id=a.id,
        township_code=a.township_code,
        village_code=a.village_code,
        applicant_name=a.applicant_name,
        members=len(a.members),
        category=a.category,
        monthly_amount=a.monthly_amount,
        registered_poor=a.registered_poor,
        notice_start=a.notice_start,
        notice_end=a.notice_end,
        illustrative_parameters=illustrative_of(a.benefit),
    )


NOTICE_HEADERS = [
    "申请编号",
    "乡镇",
    "村",
    "申请人",
    "家庭人口",
    "保障类别",
    "月保障金额（元）",
    "建档立卡贫困户",
    "公示开始",
    "公示结束",
]


@router.get(
    "/notices",
    response_model=list[NoticeRow],
    summary="Public-notice list (公示名单), registered poor households flagged",
    description="Applications under notice on the day. `format=xlsx` gives the list with "
    "Chinese headers for posting.",
)
def get_notices(
    uow: Uow,
    township: TownshipQuery = None,
    on: date | None = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    _reader(uow.principal)
    day = on or uow.today()
    rows = [
        _notice_row(a) for a in Applications(uow.session, uow.principal).in_notice(day, township)
    ]
    if format == "json":
        return rows
    content = write_xlsx(
        NOTICE_HEADERS,
        [
            [
                r.application_id,
                r.township_code,
                r.village_code,
                r.applicant_name,
                r.members,
                r.category or "",
                r.monthly_amount,
                "是" if r.registered_poor else "否",
                r.notice_start,
                r.notice_end,
            ]
            for r in rows
        ],
        title="低保公示",
    )
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition(f"dibao-notice-{day}.xlsx")},
    )


def _case_out(uow: UnitOfWork, case: DibaoCase, detail: bool = True) -> CaseOut:
    out = CaseOut(**case.model_dump(exclude={"members"}))
    if detail:
        assert case.id is not None
        out.members = [
            CaseMemberOut.model_validate(m, from_attributes=True)
            for m in members_of(uow.session, case.id)
        ]
        out.reviews = [
            ReviewOut.model_validate(r, from_attributes=True)
            for r in reviews_of(uow.session, case.id)
        ]
    return out


@router.get("/cases", response_model=CasePage, summary="Households on dibao (低保户) in scope")
def list_cases(
    uow: Uow,
    township: TownshipQuery = None,
    status: Annotated[str | None, Query(pattern="^(active|gradual_exit|ended)$")] = None,
    household_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    _reader(uow.principal)
    repo = Cases(uow.session, uow.principal)
    page = repo.page(repo.listing(township, status, household_id), limit=limit, offset=offset)
    return CasePage(total=page.total, items=[_case_out(uow, c, detail=False) for c in page.items])


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: int, uow: Uow) -> CaseOut:
    _reader(uow.principal)
    return _case_out(uow, Cases(uow.session, uow.principal).get_or_404(case_id))


@router.get("/cases/{case_id}/steps", response_model=list[StepOut], summary="Audit trail")
def get_case_steps(case_id: int, uow: Uow) -> Any:
    _reader(uow.principal)
    case = Cases(uow.session, uow.principal).get_or_404(case_id)
    return steps_of(uow.session, CASE.entity, [str(case.id)])


@router.post(
    "/cases/{case_id}/clawback-write-off",
    response_model=CaseOut,
    summary="Write off what a household still owes of an overpayment (追回核销): a county decision",
)
def post_clawback_write_off(case_id: int, body: WriteOffIn, uow: Uow) -> CaseOut:
    case = Cases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    service.write_off_clawback(uow, case, body.reason)
    return _case_out(uow, case)


@router.post(
    "/cases/{case_id}/reviews",
    status_code=201,
    response_model=CaseOut,
    summary="Review a household (复核, WEL-2): keep, adjust or end",
    description="Ending a household whose member found work keeps it on until the gradual-exit "
    "window closes (渐退, WEL-8). Changes publish welfare.dibao_changed / dibao_ended.",
)
def post_review(case_id: int, body: ReviewIn, uow: Uow) -> CaseOut:
    case = Cases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    service.review(uow, case, body)
    return _case_out(uow, case)


@router.get(
    "/reviews/overdue",
    response_model=list[OverdueReview],
    summary="Households whose review (复核) is overdue on the day, by township",
)
def overdue_reviews(
    uow: Uow, township: TownshipQuery = None, on: date | None = None
) -> list[OverdueReview]:
    _reader(uow.principal)
    day = on or uow.today()
    return [_overdue(c, day) for c in Cases(uow.session, uow.principal).overdue(day, township)]


def _overdue(c: DibaoCase, day: date) -> OverdueReview:
    assert c.id is not None
    return OverdueReview(
        case_id=c.id,
        household_id=c.household_id,
        township_code=c.township_code,
        village_code=c.village_code,
        payee_name=c.payee_name,
        category=c.category,
        next_review_due=c.next_review_due,
        days_overdue=(day - c.next_review_due).days,
    )
