"""HTTP API of the county plans' medical targets (PLAN-1, PLAN-2) and of the townships'
general-diagnosis-fee clean-up ledger reports (YA-HRSS §二(二)2).

Readers: the medical insurance bureau, the HR bureau (the ledger's receiver), the poverty office,
the auditor and township officers (their own township's figures)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.medical.plan import service as svc
from services.medical.plan.schemas import LedgerReportIn, LedgerReportOut, TargetsOut
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan import TARGET_READERS
from shared.roles import Role

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])

READERS = (
    Role.county_medical,
    Role.county_hrss,
    Role.county_poverty,
    Role.auditor,
    Role.township_officer,
)
RECORDERS = (Role.county_medical, Role.county_hrss, Role.township_officer)


@router.get(
    "/targets",
    response_model=TargetsOut,
    summary="The county plan's medical targets and their progress (PLAN-1, PLAN-2)",
    description="PLAN-1, PLAN-2. The general-diagnosis-fee clean-up ledger of each township "
    "(MED-9), measured from this service's records on `on` (default today), with citation, due "
    "date, status and trace.",
)
def get_targets(
    uow: Uow,
    _: Annotated[Principal, Depends(require(*TARGET_READERS))],
    county: CountyCode,
    on: Annotated[date | None, Query(description="the day measured; today if not given")] = None,
) -> TargetsOut:
    return svc.targets(uow, county, on)


@router.post(
    "/diagnosis-fee-ledgers",
    response_model=LedgerReportOut,
    status_code=201,
    summary="Record a township's clean-up ledger reported to the HR bureau (台账上报)",
    description="PLAN-1, MED-9: the window is the clean-up parameters'; the visits and refunds "
    "are the service's own ledger of the township. Once per township and window (409).",
)
def post_ledger(
    body: LedgerReportIn, uow: Uow, _: Annotated[Principal, Depends(require(*RECORDERS))]
) -> LedgerReportOut:
    return LedgerReportOut.model_validate(svc.report(uow, body), from_attributes=True)


@router.get(
    "/diagnosis-fee-ledgers",
    response_model=list[LedgerReportOut],
    summary="Clean-up ledger reports of the county (in your jurisdiction)",
)
def list_ledgers(
    uow: Uow, _: Annotated[Principal, Depends(require(*READERS))], county: CountyCode
) -> list[LedgerReportOut]:
    return svc.reports(uow, county)
