"""HTTP API of the county plans' welfare targets (PLAN-1, PLAN-2): `GET /v1/plan/targets`.
Readers: civil affairs, the poverty office, the auditor and township officers (their own
township's figures). A county outside the reader's jurisdiction 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.welfare.plan import service as svc
from services.welfare.plan.schemas import TargetsOut
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan import TARGET_READERS

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])


@router.get(
    "/targets",
    response_model=TargetsOut,
    summary="The county plan's welfare targets and their progress (PLAN-1, PLAN-2)",
    description="PLAN-1, PLAN-2. 特困 certification with the self-care assessment and care-home "
    "occupancy (WEL-5), measured from this service's records on `on` (default today), per "
    "township and for the county, with the citation, due date, status and trace.",
)
def get_targets(
    uow: Uow,
    _: Annotated[Principal, Depends(require(*TARGET_READERS))],
    county: CountyCode,
    on: Annotated[date | None, Query(description="the day measured; today if not given")] = None,
) -> TargetsOut:
    return svc.targets(uow, county, on)
