"""HTTP API of the general diagnosis fee refunds (一般诊疗费清退, MED-9): facilities post visits,
county medical insurance officers and auditors read a visit and the ledger (台账) per county or
township and period, as JSON or as the XLSX the townships hand in (Chinese headers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from services.medical.access import BILL_POSTERS, check_post_county, check_reader
from services.medical.diagnosis_fee.schemas import Ledger, VisitIn, VisitOut
from services.medical.diagnosis_fee.service import ledger, readable_visit, record
from services.medical.outpatient.rules import FacilityType
from shared.app import Uow
from shared.auth import require
from shared.header_values import content_disposition
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


@router.post(
    "",
    response_model=VisitOut,
    status_code=201,
    responses={200: {"model": VisitOut, "description": "the same visit, posted again"}},
    summary="Record a visit's self-paid general diagnosis fee and decide its refund (MED-9)",
    dependencies=[Depends(require(*BILL_POSTERS))],
)
def post_visit(body: VisitIn, uow: Uow) -> JSONResponse:
    check_post_county(uow.principal, body.county_code)
    visit, created = record(uow, body)
    out = VisitOut.model_validate(visit, from_attributes=True).model_dump(mode="json")
    return JSONResponse(out, status_code=201 if created else 200)


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
    uow: Uow,
    county: Annotated[CountyCode, Query(description="6-digit county code")],
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    start: Annotated[date | None, Query(alias="from", description="first visit date")] = None,
    end: Annotated[date | None, Query(alias="to", description="last visit date")] = None,
    format: Literal["json", "xlsx"] = "json",
) -> Any:
    answer = ledger(uow, county, township, start, end)
    if format == "json":
        return answer
    name = f"general-diagnosis-fee-ledger-{township or county}.xlsx"
    return Response(
        _xlsx(answer),
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition(name)},
    )


@router.get("/{visit_id}", response_model=VisitOut, summary="One visit's refund decision")
def get_visit(visit_id: str, uow: Uow) -> VisitOut:
    check_reader(uow.principal, "general diagnosis fee visits", hospital_too=True)
    return VisitOut.model_validate(readable_visit(uow, visit_id), from_attributes=True)
