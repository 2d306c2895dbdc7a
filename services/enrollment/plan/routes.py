"""HTTP API of the county plans' enrollment targets (PLAN-1, PLAN-2) and of the pension ledger
copies (参保信息台账一式三份, YA-HRSS §一(二)3).

`GET /v1/plan/targets?county=&on=` (shared.plan.routes): every county department, the poverty
office and the auditor read it, township officers their own township's figures; a county outside
the reader's jurisdiction 404. Township officers and the HR bureau record the copies handed over
and, with the poverty office and the auditor, read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.enrollment.plan import service as svc
from services.enrollment.plan.schemas import LedgerCopyIn, LedgerCopyOut
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan.routes import add_targets_route
from shared.roles import Role

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])

READERS = (Role.county_hrss, Role.county_poverty, Role.auditor, Role.township_officer)
RECORDERS = (Role.county_hrss, Role.township_officer)


add_targets_route(
    router,
    svc.targets,
    service="enrollment",
    measures="Pension enrollment of the eligible poor (ENR-P1) and the pension ledger in three "
    "copies",
)


@router.post(
    "/pension-ledger-copies",
    response_model=LedgerCopyOut,
    status_code=201,
    summary="Record a copy of the pension enrollment ledger handed over (台账一式三份)",
    description="PLAN-1, ENR-M4: the township's copy, a village's copy or the county centre's "
    "(县人社局城居保中心) copy, with the day handed over. Once per copy (409).",
)
def post_copy(
    body: LedgerCopyIn, uow: Uow, _: Annotated[Principal, Depends(require(*RECORDERS))]
) -> LedgerCopyOut:
    return LedgerCopyOut.model_validate(svc.record_copy(uow, body), from_attributes=True)


@router.get(
    "/pension-ledger-copies",
    response_model=list[LedgerCopyOut],
    summary="Copies of the pension enrollment ledger recorded (in your jurisdiction)",
)
def list_copies(
    uow: Uow,
    _: Annotated[Principal, Depends(require(*READERS))],
    county: CountyCode,
    year: Annotated[int, Query(ge=2014, le=2100)],
) -> list[LedgerCopyOut]:
    return svc.copies(uow, county, year)
