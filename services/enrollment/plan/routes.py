"""HTTP API of the county plans' enrollment targets (PLAN-1, PLAN-2) and of the pension ledger
copies (参保信息台账一式三份, YA-HRSS §一(二)3).

`GET /v1/plan/targets?county=&on=`: readers are HR & social security, the poverty office, the
auditor and township officers (their own township's figures); a county outside the reader's
jurisdiction 404. Township officers and the HR bureau record the copies handed over."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.enrollment.plan import service as svc
from services.enrollment.plan.schemas import LedgerCopyIn, LedgerCopyOut, TargetsOut
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan import TARGET_READERS
from shared.roles import Role

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])

READERS = (Role.county_hrss, Role.county_poverty, Role.auditor, Role.township_officer)
RECORDERS = (Role.county_hrss, Role.township_officer)


@router.get(
    "/targets",
    response_model=TargetsOut,
    summary="The county plan's enrollment targets and their progress (PLAN-1, PLAN-2)",
    description="PLAN-1, PLAN-2. Pension enrollment of the eligible poor (ENR-P1) and the "
    "pension ledger in three copies (ENR-M4), measured from this service's records on `on` "
    "(default today), per township and for the county, with citation, due date, status, trace.",
)
def get_targets(
    uow: Uow,
    _: Annotated[Principal, Depends(require(*TARGET_READERS))],
    county: CountyCode,
    on: Annotated[date | None, Query(description="the day measured; today if not given")] = None,
) -> TargetsOut:
    return svc.targets(uow, county, on)


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
