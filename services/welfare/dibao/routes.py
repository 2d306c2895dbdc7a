"""HTTP API of dibao (低保, WEL-1 .. WEL-3, WEL-8): applications through their procedure, the
public-notice list, households on dibao, reviews and the overdue-review list.

Jurisdiction: an application or household lies in its village. Records outside the caller's
scope are left out of lists and answer 404 when named; 403 is for a role that may not act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.dibao import applications as apps
from services.welfare.dibao import cases
from services.welfare.dibao.models import DibaoApplication, DibaoCase, DibaoReview
from services.welfare.dibao.procedure import (
    APPLICATION,
    READERS,
    STATUS_ZH,
    SUBMITTERS,
    ApplicationStatus,
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
)
from services.welfare.workflow import StepOut, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import Forbidden
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import illustrative_of

router = APIRouter(prefix="/v1/dibao", tags=["dibao 低保 (WEL-1..3, WEL-8)"])

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read dibao records")


def _today() -> date:
    return clock.today()


def _scoped(stmt: Any, model: Any, principal: Principal, township: str | None) -> Any:
    if principal.scope:
        stmt = stmt.where(model.village_code.startswith(principal.scope))
    if township:
        stmt = stmt.where(model.township_code == township)
    return stmt


def _out(session: Session, app: DibaoApplication, detail: bool = True) -> ApplicationOut:
    out = ApplicationOut(
        **app.model_dump(exclude={"bank_account", "bank_name"}),
        status_zh=STATUS_ZH[ApplicationStatus(app.status)],
        next_steps=[s.value for s in APPLICATION.next_statuses(ApplicationStatus(app.status))],
    )
    if detail:
        out.objections = [
            ObjectionOut.model_validate(o, from_attributes=True)
            for o in apps.objections_of(session, app.id)  # type: ignore[arg-type]
        ]
        out.steps = [
            StepOut.model_validate(s, from_attributes=True)
            for s in steps_of(session, APPLICATION.entity, [str(app.id)])
        ]
    return out


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    summary="Submit a dibao application (低保申请) for a household",
    description="Taken by a village cadre (代办) or at the township window. WEL-1.",
)
def post_application(
    body: ApplicationIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*SUBMITTERS))],
) -> ApplicationOut:
    return _out(session, apps.create(session, body, principal))


@router.get("/applications", response_model=ApplicationPage, summary="Applications in scope")
def list_applications(
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    status: ApplicationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ApplicationPage:
    _reader(principal)
    stmt = _scoped(select(DibaoApplication), DibaoApplication, principal, township)
    if status is not None:
        stmt = stmt.where(DibaoApplication.status == status.value)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(DibaoApplication.id).offset(offset).limit(limit))  # type: ignore[arg-type]
    return ApplicationPage(total=total, items=[_out(session, a, detail=False) for a in rows])


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(
    application_id: int, session: DbSession, principal: CurrentPrincipal
) -> ApplicationOut:
    _reader(principal)
    return _out(session, apps.load(session, application_id, principal))


@router.post(
    "/applications/{application_id}/acceptance",
    response_model=ApplicationOut,
    summary="Township accepts (受理) or refuses (不予受理, with the reason)",
)
def post_acceptance(
    application_id: int,
    body: AcceptanceIn,
    session: DbSession,
    principal: CurrentPrincipal,
) -> ApplicationOut:
    app = apps.load(session, application_id, principal, lock=True)
    apps.acceptance(session, app, body, principal)
    return _out(session, app)


@router.post(
    "/applications/{application_id}/economic-review",
    response_model=ApplicationOut,
    summary="Township records the household economic review (家庭经济状况核查)",
    description="Members, income by source, assets and other departments' cross-check answers; "
    "the service proposes a category (WEL-2) and computes the amount (WEL-3, WEL-4).",
)
def post_economic_review(
    application_id: int,
    body: EconomicReviewIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ApplicationOut:
    app = apps.load(session, application_id, principal, lock=True)
    apps.economic_review(session, runtime.policy, app, body, principal, _today())
    return _out(session, app)


@router.post(
    "/applications/{application_id}/decision",
    response_model=ApplicationOut,
    summary="County approves with the confirmed category, or rejects with reasons (审批)",
)
def post_decision(
    application_id: int,
    body: DecisionIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ApplicationOut:
    app = apps.load(session, application_id, principal, lock=True)
    apps.decision(session, runtime.policy, app, body, principal, _today())
    return _out(session, app)


@router.post(
    "/applications/{application_id}/notice",
    response_model=ApplicationOut,
    summary="Start the public notice (公示) for the parameter number of days",
)
def post_notice(
    application_id: int,
    body: NoticeIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ApplicationOut:
    app = apps.load(session, application_id, principal, lock=True)
    apps.notice(session, runtime.policy, app, body, principal, _today())
    return _out(session, app)


@router.post(
    "/applications/{application_id}/objections",
    status_code=201,
    response_model=ObjectionOut,
    summary="Record an objection lodged during the public notice (公示异议)",
)
def post_objection(
    application_id: int,
    body: ObjectionIn,
    session: DbSession,
    principal: Annotated[
        Principal,
        Depends(require(Role.village_cadre, Role.township_officer, Role.county_civil)),
    ],
) -> ObjectionOut:
    app = apps.load(session, application_id, principal, lock=True)
    objection = apps.lodge_objection(session, app, body, principal, _today())
    return ObjectionOut.model_validate(objection, from_attributes=True)


@router.post(
    "/applications/{application_id}/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
    summary="Resolve an objection: upheld (the application must then be rejected) or dismissed",
)
def post_resolution(
    application_id: int,
    objection_id: int,
    body: ResolutionIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Role.township_officer, Role.county_civil))],
) -> ObjectionOut:
    app = apps.load(session, application_id, principal, lock=True)
    objection = apps.resolve_objection(session, app, objection_id, body, principal)
    return ObjectionOut.model_validate(objection, from_attributes=True)


@router.post(
    "/applications/{application_id}/activation",
    response_model=ApplicationOut,
    summary="Put the household on dibao after the notice (纳入低保); publishes dibao_granted",
)
def post_activation(
    application_id: int,
    body: ActivationIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ApplicationOut:
    app = apps.load(session, application_id, principal, lock=True)
    apps.activate(session, runtime.policy, runtime.publish_kwargs(), app, body, principal, _today())
    return _out(session, app)


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
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    on: date | None = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    _reader(principal)
    day = on or _today()
    stmt = _scoped(select(DibaoApplication), DibaoApplication, principal, township).where(
        DibaoApplication.status == ApplicationStatus.in_notice.value,
        DibaoApplication.notice_start <= day,  # type: ignore[operator]
        DibaoApplication.notice_end >= day,  # type: ignore[operator]
    )
    rows = [
        NoticeRow(
            application_id=a.id,  # type: ignore[arg-type]
            township_code=a.township_code,
            village_code=a.village_code,
            applicant_name=a.applicant_name,
            members=len(a.members),
            category=a.category,
            monthly_amount=a.monthly_amount,
            registered_poor=a.registered_poor,
            notice_start=a.notice_start,  # type: ignore[arg-type]
            notice_end=a.notice_end,  # type: ignore[arg-type]
            illustrative_parameters=illustrative_of(a.benefit),
        )
        for a in session.exec(stmt.order_by(DibaoApplication.village_code, DibaoApplication.id))  # type: ignore[arg-type]
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
        headers={"Content-Disposition": f'attachment; filename="dibao-notice-{day}.xlsx"'},
    )


def _case_out(session: Session, case: DibaoCase, detail: bool = True) -> CaseOut:
    out = CaseOut(**case.model_dump(exclude={"members"}))
    if detail:
        out.members = [
            CaseMemberOut.model_validate(m, from_attributes=True)
            for m in cases.members_of(session, case.id)  # type: ignore[arg-type]
        ]
        out.reviews = [
            ReviewOut.model_validate(r, from_attributes=True)
            for r in session.exec(
                select(DibaoReview).where(DibaoReview.case_id == case.id).order_by(DibaoReview.id)  # type: ignore[arg-type]
            )
        ]
    return out


@router.get("/cases", response_model=CasePage, summary="Households on dibao (低保户) in scope")
def list_cases(
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    status: Annotated[str | None, Query(pattern="^(active|gradual_exit|ended)$")] = None,
    household_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    _reader(principal)
    stmt = _scoped(select(DibaoCase), DibaoCase, principal, township)
    if status:
        stmt = stmt.where(DibaoCase.status == status)
    if household_id:
        stmt = stmt.where(DibaoCase.household_id == household_id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(DibaoCase.id).offset(offset).limit(limit))  # type: ignore[arg-type]
    return CasePage(total=total, items=[_case_out(session, c, detail=False) for c in rows])


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: int, session: DbSession, principal: CurrentPrincipal) -> CaseOut:
    _reader(principal)
    return _case_out(session, cases.load(session, case_id, principal))


@router.get("/cases/{case_id}/steps", response_model=list[StepOut], summary="Audit trail")
def get_case_steps(case_id: int, session: DbSession, principal: CurrentPrincipal) -> Any:
    _reader(principal)
    case = cases.load(session, case_id, principal)
    return steps_of(session, cases.CASE.entity, [str(case.id)])


@router.post(
    "/cases/{case_id}/reviews",
    status_code=201,
    response_model=CaseOut,
    summary="Review a household (复核, WEL-2): keep, adjust or end",
    description="Ending a household whose member found work keeps it on until the gradual-exit "
    "window closes (渐退, WEL-8). Changes publish welfare.dibao_changed / dibao_ended.",
)
def post_review(
    case_id: int,
    body: ReviewIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> CaseOut:
    case = cases.load(session, case_id, principal, lock=True)
    cases.review(session, runtime.policy, runtime.publish_kwargs(), case, body, principal, _today())
    return _case_out(session, case)


@router.get(
    "/reviews/overdue",
    response_model=list[OverdueReview],
    summary="Households whose review (复核) is overdue on the day, by township",
)
def overdue_reviews(
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    on: date | None = None,
) -> list[OverdueReview]:
    _reader(principal)
    day = on or _today()
    stmt = _scoped(select(DibaoCase), DibaoCase, principal, township).where(
        DibaoCase.status == cases.ACTIVE,
        DibaoCase.next_review_due < day,
    )
    return [
        OverdueReview(
            case_id=c.id,  # type: ignore[arg-type]
            household_id=c.household_id,
            township_code=c.township_code,
            village_code=c.village_code,
            payee_name=c.payee_name,
            category=c.category,
            next_review_due=c.next_review_due,
            days_overdue=(day - c.next_review_due).days,
        )
        for c in session.exec(stmt.order_by(DibaoCase.next_review_due, DibaoCase.id))  # type: ignore[arg-type]
    ]
