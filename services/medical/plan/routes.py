"""HTTP API of the county plans' medical targets (PLAN-1, PLAN-2) and of the townships'
general-diagnosis-fee clean-up ledger reports (YA-HRSS §二(二)2).

Readers: the medical insurance bureau, the HR bureau (the ledger's receiver), the poverty office,
the auditor and township officers (their own township's figures)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.medical.plan import service as svc
from services.medical.plan.schemas import LedgerReportIn, LedgerReportOut
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan.routes import add_targets_route
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


add_targets_route(
    router,
    svc.targets,
    service="medical",
    measures="The general-diagnosis-fee clean-up ledger of each township (MED-9)",
)


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
