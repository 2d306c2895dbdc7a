"""HTTP API of the general diagnosis fee refunds (一般诊疗费清退, MED-9): facilities post visits,
county medical insurance officers and auditors read a visit and the ledger (台账) per county or
township and period, as JSON or as the XLSX the townships hand in (Chinese headers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from services.medical.access import BILL_POSTERS, check_post_county, check_reader, guard_record
from services.medical.diagnosis_fee.schemas import Ledger, LedgerLine, VisitOut
from services.medical.diagnosis_fee.service import DiagnosisFeeService, VisitIn
from services.medical.models import DiagnosisFeeVisit, RegistryPerson
from services.medical.outpatient.rules import FacilityType
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.errors import FieldError, InvalidInput, NotFound
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1/general-diagnosis-fees", tags=["general diagnosis fee (MED-9)"])
FACILITY_ZH = {
    FacilityType.township_health_centre.value: "乡镇卫生院",
    FacilityType.village_clinic.value: "村卫生室",
}
LEDGER_HEADERS = (
    "乡镇代码", "就诊编号", "证件号码", "姓名", "机构类型", "机构名称", "就诊日期",
    "一般诊疗费自付金额", "退还金额", "是否清理期间", "台账上报截止日期",
)  # fmt: skip


def service(runtime: RuntimeDep) -> DiagnosisFeeService:
    return DiagnosisFeeService(runtime.policy)


@router.post(
    "",
    response_model=VisitOut,
    status_code=201,
    responses={200: {"model": VisitOut, "description": "the same visit, posted again"}},
    summary="Record a visit's self-paid general diagnosis fee and decide its refund (MED-9)",
)
def post_visit(
    body: VisitIn,
    session: DbSession,
    svc: Annotated[DiagnosisFeeService, Depends(service)],
    principal: Annotated[Principal, Depends(require(*BILL_POSTERS))],
) -> JSONResponse:
    check_post_county(principal, body.county_code)
    visit, created = svc.record(session, body, principal.subject)
    out = VisitOut.model_validate(visit, from_attributes=True).model_dump(mode="json")
    return JSONResponse(out, status_code=201 if created else 200)


def _ledger(
    session: Session,
    principal: Principal,
    county: str,
    township: str | None,
    start: date | None,
    end: date | None,
) -> Ledger:
    check_reader(principal, "the general diagnosis fee ledger")
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise NotFound("no such county in your jurisdiction")
    if township is not None and not township.startswith(county):
        raise InvalidInput(
            "the township is not in the county",
            errors=[FieldError(field="query.township", reason=f"not in county {county}")],
        )
    if start and end and end < start:
        raise InvalidInput(
            "the period ends before it starts",
            errors=[FieldError(field="query.to", reason="before `from`")],
        )
    stmt = (
        select(DiagnosisFeeVisit, RegistryPerson.name)
        .join(RegistryPerson, RegistryPerson.id_number == DiagnosisFeeVisit.id_number, isouter=True)  # type: ignore[arg-type]
        .where(DiagnosisFeeVisit.county_code == county, DiagnosisFeeVisit.refund > 0)  # type: ignore[operator]
    )
    if township:
        stmt = stmt.where(DiagnosisFeeVisit.township_code == township)
    if principal.scope and len(principal.scope) > 6:
        stmt = stmt.where(DiagnosisFeeVisit.township_code.startswith(principal.scope[:9]))  # type: ignore[attr-defined]
    if start:
        stmt = stmt.where(DiagnosisFeeVisit.visit_date >= start)
    if end:
        stmt = stmt.where(DiagnosisFeeVisit.visit_date <= end)
    order = (
        DiagnosisFeeVisit.township_code,
        DiagnosisFeeVisit.visit_date,
        DiagnosisFeeVisit.visit_id,
    )
    lines = [
        LedgerLine(
            visit_id=v.visit_id,
            township_code=v.township_code,
            id_number=v.id_number,
            name=name,
            facility_type=v.facility_type,
            facility_name=v.facility_name,
            visit_date=v.visit_date,
            fee_self_pay=v.fee_self_pay,
            refund=v.refund,
            in_cleanup_window=v.in_cleanup_window,
            ledger_deadline=v.ledger_deadline,
        )
        for v, name in session.exec(stmt.order_by(*order)).all()  # type: ignore[arg-type]
    ]
    cleanup = [line for line in lines if line.in_cleanup_window]
    return Ledger(
        county=county,
        township=township,
        period_start=start,
        period_end=end,
        visits=len(lines),
        refund=sum((line.refund for line in lines), Decimal("0.00")),
        cleanup_visits=len(cleanup),
        cleanup_refund=sum((line.refund for line in cleanup), Decimal("0.00")),
        lines=lines,
    )


def _xlsx(ledger: Ledger) -> bytes:
    rows = (
        (
            line.township_code,
            line.visit_id,
            line.id_number,
            line.name or "",
            FACILITY_ZH.get(line.facility_type, line.facility_type),
            line.facility_name,
            line.visit_date,
            line.fee_self_pay,
            line.refund,
            line.in_cleanup_window,
            line.ledger_deadline,
        )
        for line in ledger.lines
    )
    period = f"{ledger.period_start or '…'} 至 {ledger.period_end or '…'}"
    preamble = (
        "建档立卡贫困人口一般诊疗费自付部分清退台账 (MED-9)",
        f"县 {ledger.county}  乡镇 {ledger.township or '全部'}  就诊日期 {period}",
        f"合计 {ledger.visits} 人次, 退还 {ledger.refund} 元; 其中清理期间 "
        f"{ledger.cleanup_visits} 人次, {ledger.cleanup_refund} 元",
    )
    return write_xlsx(LEDGER_HEADERS, rows, title="一般诊疗费台账", preamble=preamble)


@router.get(
    "/ledger",
    response_model=Ledger,
    summary="Ledger of refunded general diagnosis fees per county / township and period",
    description=(
        "Refunded visits (registered poor, township health centres and village clinics) whose "
        "visit date lies in the period, per township of the facility; visits of the clean-up "
        "period are marked with the day the ledger is due. `format=xlsx` gives the same lines "
        "as a workbook with Chinese headers."
    ),
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_ledger(
    session: DbSession,
    principal: CurrentPrincipal,
    county: Annotated[CountyCode, Query(description="6-digit county code")],
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    start: Annotated[date | None, Query(alias="from", description="first visit date")] = None,
    end: Annotated[date | None, Query(alias="to", description="last visit date")] = None,
    format: Literal["json", "xlsx"] = "json",
) -> Any:
    ledger = _ledger(session, principal, county, township, start, end)
    if format == "json":
        return ledger
    name = f"general-diagnosis-fee-ledger-{township or county}.xlsx"
    return Response(
        _xlsx(ledger),
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{visit_id}", response_model=VisitOut, summary="One visit's refund decision")
def get_visit(visit_id: str, session: DbSession, principal: CurrentPrincipal) -> VisitOut:
    check_reader(principal, "general diagnosis fee visits", hospital_too=True)
    visit = session.get(DiagnosisFeeVisit, visit_id)
    if visit is None:
        raise NotFound("no visit with that id")
    guard_record(principal, visit.county_code, visit.submitted_by, "visit")
    return VisitOut.model_validate(visit, from_attributes=True)
