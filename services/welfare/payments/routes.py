"""HTTP API of the monthly payment cycle (WEL-3, WEL-5): prepare, approve (a second officer),
pay with the bank file, summary per township, bank failures and their one re-issue."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func
from sqlmodel import select

from services.welfare import clock
from services.welfare.payments import cycle as cycles
from services.welfare.payments.models import PaymentCycle, PaymentLine
from services.welfare.payments.schemas import (
    CycleIn,
    CycleOut,
    FailureIn,
    LineOut,
    LinePage,
    ReissueIn,
    TownshipTotal,
)
from services.welfare.workflow import StepOut, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role
from shared.errors import Conflict, Forbidden
from shared.tabular import XLSX_MEDIA, write_csv, write_xlsx

router = APIRouter(prefix="/v1", tags=["payments 发放 (WEL-3, WEL-5)"])

READERS = (Role.county_civil, Role.township_officer, Role.auditor, Role.county_poverty)
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read payment records")


def _out(session: Any, cycle: PaymentCycle) -> CycleOut:
    out = CycleOut.model_validate(cycle, from_attributes=True)
    out.steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(session, cycles.CYCLE.entity, [str(cycle.id)])
    ]
    return out


@router.post(
    "/payment-cycles",
    response_model=CycleOut,
    status_code=201,
    summary="Prepare a county's monthly payment (造册); the same month again returns it (200)",
    responses={200: {"model": CycleOut, "description": "already prepared"}},
)
def post_cycle(
    body: CycleIn, session: DbSession, runtime: RuntimeDep, principal: CurrentPrincipal
) -> Any:
    done = cycles.prepare(
        session,
        runtime.policy,
        runtime.publish_kwargs(),
        body.county_code,
        body.first_day,
        principal,
        clock.today(),
    )
    out = _out(session, done.cycle)
    if done.created:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("/payment-cycles", response_model=list[CycleOut], summary="Cycles in scope")
def list_cycles(session: DbSession, principal: CurrentPrincipal) -> list[CycleOut]:
    _reader(principal)
    stmt = select(PaymentCycle).order_by(PaymentCycle.month.desc())  # type: ignore[attr-defined]
    if principal.scope:
        stmt = stmt.where(PaymentCycle.county_code == principal.scope[:6])
    return [CycleOut.model_validate(c, from_attributes=True) for c in session.exec(stmt)]


@router.get("/payment-cycles/{cycle_id}", response_model=CycleOut)
def get_cycle(cycle_id: int, session: DbSession, principal: CurrentPrincipal) -> CycleOut:
    _reader(principal)
    return _out(session, cycles.load(session, cycle_id, principal))


@router.post(
    "/payment-cycles/{cycle_id}/approval",
    response_model=CycleOut,
    summary="Approve a prepared cycle (复核审批): a second officer; the cycle is then frozen",
)
def post_approval(cycle_id: int, session: DbSession, principal: CurrentPrincipal) -> CycleOut:
    cycle = cycles.load(session, cycle_id, principal, lock=True)
    cycles.approve(session, cycle, principal)
    return _out(session, cycle)


@router.post(
    "/payment-cycles/{cycle_id}/payment",
    response_model=CycleOut,
    summary="Pay an approved cycle: its lines are sent; the bank file is then available",
)
def post_payment(cycle_id: int, session: DbSession, principal: CurrentPrincipal) -> CycleOut:
    cycle = cycles.load(session, cycle_id, principal, lock=True)
    cycles.pay(session, cycle, principal)
    return _out(session, cycle)


BANK_HEADERS = [
    "序号",
    "收款人姓名",
    "身份证号码",
    "开户银行",
    "银行账号",
    "金额（元）",
    "类别",
    "所属月份",
    "摘要",
]
SCHEME_ZH = {"dibao": "农村低保", "tekun": "特困供养"}


@router.get(
    "/payment-cycles/{cycle_id}/bank-file",
    summary="The bank payment file (CSV, Chinese headers) of an approved or paid cycle",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def bank_file(cycle_id: int, session: DbSession, principal: CurrentPrincipal) -> Response:
    # Full ID numbers and bank accounts, for the bank: civil affairs only.
    if not principal.has(Role.county_civil, Role.admin):
        raise Forbidden("the bank file is read by county_civil")
    cycle = cycles.load(session, cycle_id, principal)
    if cycle.status == cycles.CycleStatus.prepared.value:
        raise Conflict("the cycle is not approved yet; no bank file before approval")
    lines = session.exec(
        select(PaymentLine)
        .where(PaymentLine.cycle_id == cycle.id)
        .order_by(PaymentLine.township_code, PaymentLine.village_code, PaymentLine.id)  # type: ignore[arg-type]
    )
    rows = (
        [
            i,
            line.payee_name,
            line.payee_id_number,
            line.bank_name,
            line.bank_account,
            f"{line.amount:.2f}",
            SCHEME_ZH.get(line.scheme, line.scheme),
            f"{line.month:%Y-%m}",
            "补发" if line.attempt > 1 else "",
        ]
        for i, line in enumerate(lines, 1)
    )
    name = f"bank-{cycle.county_code}-{cycle.month:%Y%m}.csv"
    return Response(
        write_csv(BANK_HEADERS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


SUMMARY_HEADERS = ["乡镇", "类别", "户（人）数", "金额（元）"]


@router.get(
    "/payment-cycles/{cycle_id}/summary",
    response_model=list[TownshipTotal],
    summary="Totals per township and scheme (发放汇总); `format=xlsx` for county staff",
)
def summary(
    cycle_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    _reader(principal)
    cycle = cycles.load(session, cycle_id, principal)
    stmt = (
        select(
            PaymentLine.township_code,
            PaymentLine.scheme,
            func.count(),
            func.coalesce(func.sum(PaymentLine.amount), 0),
        )
        .where(PaymentLine.cycle_id == cycle.id)
        .group_by(PaymentLine.township_code, PaymentLine.scheme)
        .order_by(PaymentLine.township_code, PaymentLine.scheme)
    )
    if principal.scope and len(principal.scope) > 6:
        stmt = stmt.where(PaymentLine.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    totals = [
        TownshipTotal(
            township_code=t, scheme=s, lines=n, amount=Decimal(a).quantize(Decimal("0.01"))
        )
        for t, s, n, a in session.exec(stmt)
    ]
    if format == "json":
        return totals
    content = write_xlsx(
        SUMMARY_HEADERS,
        [[t.township_code, SCHEME_ZH.get(t.scheme, t.scheme), t.lines, t.amount] for t in totals],
        title="发放汇总",
    )
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={
            "Content-Disposition": f'attachment; filename="summary-{cycle.county_code}-'
            f'{cycle.month:%Y%m}.xlsx"'
        },
    )


@router.get("/payment-cycles/{cycle_id}/lines", response_model=LinePage)
def lines(
    cycle_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    status: Annotated[str | None, Query(pattern="^(due|sent|failed|reissued)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LinePage:
    _reader(principal)
    cycle = cycles.load(session, cycle_id, principal)
    stmt = select(PaymentLine).where(PaymentLine.cycle_id == cycle.id)
    if principal.scope:
        stmt = stmt.where(PaymentLine.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(PaymentLine.township_code == township)
    if status:
        stmt = stmt.where(PaymentLine.status == status)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(PaymentLine.id).offset(offset).limit(limit))  # type: ignore[arg-type]
    return LinePage(
        total=total, items=[LineOut.model_validate(r, from_attributes=True) for r in rows]
    )


@router.post(
    "/payment-lines/{line_id}/failure",
    response_model=LineOut,
    summary="Record that the bank returned a sent payment",
)
def post_failure(
    line_id: int, body: FailureIn, session: DbSession, principal: CurrentPrincipal
) -> LineOut:
    line = cycles.load_line(session, line_id, principal)
    cycles.fail(session, line, body.reason, principal)
    return LineOut.model_validate(line, from_attributes=True)


@router.post(
    "/payment-lines/{line_id}/reissue",
    response_model=LineOut,
    status_code=201,
    summary="Re-issue a failed payment once; it is paid with the county's next cycle",
)
def post_reissue(
    line_id: int, body: ReissueIn, session: DbSession, principal: CurrentPrincipal
) -> LineOut:
    line = cycles.load_line(session, line_id, principal)
    new = cycles.reissue(session, line, principal, body.bank_account)
    return LineOut.model_validate(new, from_attributes=True)
