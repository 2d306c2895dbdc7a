"""HTTP API of the monthly payment cycle (WEL-3, WEL-5): prepare, approve (a second officer),
pay with the bank file, summary per township, bank failures and their one re-issue."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from services.welfare.disability import subsidies as disability
from services.welfare.payments import returns
from services.welfare.payments import service as cycles
from services.welfare.payments.models import PaymentCycle
from services.welfare.payments.repository import Cycles, Lines
from services.welfare.payments.schemas import (
    AdjustmentOut,
    BankReturnOut,
    CycleIn,
    CycleOut,
    FailureIn,
    LineOut,
    LinePage,
    ReconciliationOut,
    ReissueIn,
    TallyOut,
    TownshipReconciliation,
    TownshipTotal,
)
from services.welfare.workflow import StepOut, steps_of
from shared.app import Uow
from shared.auth import Principal
from shared.errors import Conflict, Forbidden
from shared.header_values import content_disposition
from shared.policy.recalculation.service import changed
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, write_csv, write_xlsx
from shared.uow import UnitOfWork
from shared.uploads import read_upload, upload_limit

router = APIRouter(prefix="/v1", tags=["payments 发放 (WEL-3, WEL-4, WEL-5)"])

READERS = (Role.county_civil, Role.township_officer, Role.auditor, Role.county_poverty)
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read payment records")


def _out(uow: UnitOfWork, cycle: PaymentCycle) -> CycleOut:
    out = CycleOut.model_validate(cycle, from_attributes=True)
    out.steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(uow.session, cycles.CYCLE.entity, [str(cycle.id)])
    ]
    return out


def _cycle(uow: UnitOfWork, cycle_id: int, *, lock: bool = False) -> PaymentCycle:
    """The cycle of a county the caller works in (its townships and villages read it too)."""
    return Cycles(uow.session, uow.principal).get_or_404(cycle_id, lock=lock)


@router.post(
    "/payment-cycles",
    response_model=CycleOut,
    status_code=201,
    summary="Prepare a county's monthly payment (造册); the same month again returns it (200)",
    responses={200: {"model": CycleOut, "description": "already prepared"}},
)
def post_cycle(body: CycleIn, uow: Uow) -> Any:
    done = cycles.prepare(uow, body.county_code, body.first_day)
    out = _out(uow, done.cycle)
    if done.created:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("/payment-cycles", response_model=list[CycleOut], summary="Cycles in scope")
def list_cycles(uow: Uow) -> list[CycleOut]:
    _reader(uow.principal)
    return [
        CycleOut.model_validate(c, from_attributes=True)
        for c in Cycles(uow.session, uow.principal).latest_first()
    ]


@router.get("/payment-cycles/{cycle_id}", response_model=CycleOut)
def get_cycle(cycle_id: int, uow: Uow) -> CycleOut:
    _reader(uow.principal)
    return _out(uow, _cycle(uow, cycle_id))


@router.post(
    "/payment-cycles/{cycle_id}/approval",
    response_model=CycleOut,
    summary="Approve a prepared cycle (复核审批): a second officer; the cycle is then frozen",
)
def post_approval(cycle_id: int, uow: Uow) -> CycleOut:
    cycle = _cycle(uow, cycle_id, lock=True)
    cycles.approve(uow, cycle)
    return _out(uow, cycle)


@router.post(
    "/payment-cycles/{cycle_id}/payment",
    response_model=CycleOut,
    summary="Pay an approved cycle: its lines are sent; the bank file is then available",
)
def post_payment(cycle_id: int, uow: Uow) -> CycleOut:
    cycle = _cycle(uow, cycle_id, lock=True)
    cycles.pay(uow, cycle)
    return _out(uow, cycle)


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
SCHEME_ZH = {
    "dibao": "农村低保",
    "dibao_bp": "农村低保调标补发",
    "tekun": "特困供养",
    **disability.SCHEME_ZH,
}


@router.get(
    "/payment-cycles/{cycle_id}/bank-file",
    summary="The bank payment file (CSV, Chinese headers) of an approved or paid cycle",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def bank_file(cycle_id: int, uow: Uow) -> Response:
    # Full ID numbers and bank accounts, for the bank: civil affairs only.
    if not uow.principal.has(Role.county_civil, Role.admin):
        raise Forbidden("the bank file is read by county_civil")
    cycle = _cycle(uow, cycle_id)
    if cycle.status == cycles.CycleStatus.prepared.value:
        raise Conflict("the cycle is not approved yet; no bank file before approval")
    lines = Lines(uow.session, uow.principal).for_bank(cycle)
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
        headers={"Content-Disposition": content_disposition(name)},
    )


SUMMARY_HEADERS = ["乡镇", "类别", "户（人）数", "金额（元）"]


@router.get(
    "/payment-cycles/{cycle_id}/summary",
    response_model=list[TownshipTotal],
    summary="Totals per township and scheme (发放汇总); `format=xlsx` for county staff",
)
def summary(
    cycle_id: int,
    uow: Uow,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    _reader(uow.principal)
    cycle = _cycle(uow, cycle_id)
    totals = [
        TownshipTotal(
            township_code=t, scheme=s, lines=n, amount=Decimal(a).quantize(Decimal("0.01"))
        )
        for t, s, n, a in Lines(uow.session, uow.principal).totals(cycle)
    ]
    # Disability subsidies held for want of an account (WEL-4), up to the cycle's month.
    totals += [
        TownshipTotal(township_code=t, scheme=s, lines=n, amount=a, held=True)
        for t, s, n, a in disability.held_totals(uow, cycle.county_code, cycle.month)
    ]
    if format == "json":
        return totals
    content = write_xlsx(
        SUMMARY_HEADERS,
        [
            [
                t.township_code,
                SCHEME_ZH.get(t.scheme, t.scheme) + ("（暂缓发放：无账户）" if t.held else ""),
                t.lines,
                t.amount,
            ]
            for t in totals
        ],
        title="发放汇总",
    )
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={
            "Content-Disposition": content_disposition(
                f"summary-{cycle.county_code}-{cycle.month:%Y%m}.xlsx"
            )
        },
    )


@router.get("/payment-cycles/{cycle_id}/lines", response_model=LinePage)
def lines(
    cycle_id: int,
    uow: Uow,
    township: TownshipQuery = None,
    status: Annotated[str | None, Query(pattern="^(due|sent|failed|reissued)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LinePage:
    _reader(uow.principal)
    cycle = _cycle(uow, cycle_id)
    repo = Lines(uow.session, uow.principal)
    page = repo.page(repo.of_cycle(cycle, township, status), limit=limit, offset=offset)
    return LinePage(
        total=page.total,
        items=[LineOut.model_validate(r, from_attributes=True) for r in page.items],
    )


@router.post(
    "/payment-lines/{line_id}/failure",
    response_model=LineOut,
    summary="Record that the bank returned a sent payment",
)
def post_failure(line_id: int, body: FailureIn, uow: Uow) -> LineOut:
    line = Lines(uow.session, uow.principal).get_or_404(line_id, lock=True)
    cycles.fail(uow, line, body.reason)
    return LineOut.model_validate(line, from_attributes=True)


@router.post(
    "/payment-lines/{line_id}/reissue",
    response_model=LineOut,
    status_code=201,
    summary="Re-issue a failed payment once; it is paid with the county's next cycle",
)
def post_reissue(line_id: int, body: ReissueIn, uow: Uow) -> LineOut:
    line = Lines(uow.session, uow.principal).get_or_404(line_id, lock=True)
    new = cycles.reissue(uow, line, body.bank_account)
    return LineOut.model_validate(new, from_attributes=True)


@router.post(
    "/payment-cycles/{cycle_id}/bank-returns",
    response_model=BankReturnOut,
    status_code=201,
    summary="Import the bank's return file of a paid cycle (银行回盘): paid and returned payments",
    description=(
        "CSV (UTF-8/GB18030) or XLSX. Headers: 银行账号 account, 金额 amount, 状态 status "
        "(成功/失败), 失败原因 reason (required for 失败); optional 户名 name and 序号 (the bank "
        "file's row number). Each row is matched to the cycle's payment by 序号 or by account and "
        "amount. A returned payment is recorded as failed with the bank's reason and waits for "
        "its re-issue (POST /v1/payment-lines/{id}/reissue, with the corrected account); a made "
        "one is confirmed paid. Any bad row rejects the file (422 by row and field), nothing "
        "recorded; the same file again answers 200 with the first import and changes nothing."
    ),
    responses={200: {"model": BankReturnOut, "description": "The same file, imported before"}},
)
async def post_bank_return(
    cycle_id: int,
    request: Request,
    uow: Uow,
    file: Annotated[UploadFile, File(description="the bank's return file (.csv or .xlsx)")],
) -> Any:
    content, name = await read_upload(file, upload_limit(request))
    cycle = _cycle(uow, cycle_id, lock=True)
    record, new = returns.import_return(uow, cycle, content, name)
    out = BankReturnOut.model_validate(record, from_attributes=True)
    if new:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


RECONCILIATION_HEADERS = [
    "乡镇", "发放笔数", "发放金额", "已入账笔数", "已入账金额", "退回笔数", "退回金额",
    "已补发金额", "待补发金额", "补发后仍失败金额", "待回盘金额",
]  # fmt: skip


@router.get(
    "/payment-cycles/{cycle_id}/reconciliation",
    response_model=ReconciliationOut,
    summary="The cycle reconciled with the bank (对账): paid, returned, re-issued, outstanding",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_reconciliation(
    cycle_id: int,
    uow: Uow,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    _reader(uow.principal)
    cycle = _cycle(uow, cycle_id)
    per_town = returns.reconciliation(uow, cycle)
    kinds = ("total", "paid", "failed", "reissued", "awaiting_reissue", "failed_after_reissue",
             "unconfirmed")  # fmt: skip

    def tallies(code: str, found: dict[str, returns.Tally]) -> TownshipReconciliation:
        return TownshipReconciliation(
            township_code=code,
            **{k: TallyOut(lines=found[k].lines, amount=found[k].amount) for k in kinds},
        )

    towns = [tallies(code, found) for code, found in sorted(per_town.items())]
    grand: dict[str, returns.Tally] = {k: returns.Tally() for k in kinds}
    for found in per_town.values():
        for k in kinds:
            grand[k].lines += found[k].lines
            grand[k].amount += found[k].amount
    bank_paid, bank_failed = returns.bank_totals(uow, cycle)
    totals = tallies("", grand)
    balanced = bank_paid == totals.paid.amount and (
        totals.paid.amount + totals.failed.amount + totals.unconfirmed.amount == totals.total.amount
    )
    out = ReconciliationOut(
        cycle_id=cycle_id, county_code=cycle.county_code, month=cycle.month, townships=towns,
        totals=totals, bank_paid_amount=bank_paid, bank_failed_amount=bank_failed,
        balanced=balanced,
    )  # fmt: skip
    if format == "json":
        return out
    rows = [
        [t.township_code or "合计", t.total.lines, t.total.amount, t.paid.lines, t.paid.amount,
         t.failed.lines, t.failed.amount, t.reissued.amount, t.awaiting_reissue.amount,
         t.failed_after_reissue.amount, t.unconfirmed.amount]
        for t in (*towns, totals)
    ]  # fmt: skip
    content = write_xlsx(
        RECONCILIATION_HEADERS,
        rows,
        title="对账",
        preamble=[
            f"发放对账 {cycle.county_code} {cycle.month:%Y-%m}：银行回盘入账 {bank_paid} 元，"
            f"{'账实相符' if balanced else '账实不符'}"
        ],
    )
    name = f"reconciliation-{cycle.county_code}-{cycle.month:%Y%m}.xlsx"
    return Response(
        content, media_type=XLSX_MEDIA, headers={"Content-Disposition": content_disposition(name)}
    )


@router.get(
    "/payment-cycles/{cycle_id}/adjustments",
    response_model=list[AdjustmentOut],
    summary="Months already paid, recalculated when the cycle was prepared (调标补发 / 追回)",
)
def get_adjustments(cycle_id: int, uow: Uow) -> list[AdjustmentOut]:
    _reader(uow.principal)
    cycle = _cycle(uow, cycle_id)
    rows = Lines(uow.session, uow.principal).adjustments(cycle)
    return [
        AdjustmentOut.model_validate(
            r.model_dump() | {"changed": changed(r.old_trace, r.new_trace)}
        )
        for r in rows
    ]
