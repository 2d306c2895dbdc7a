"""HTTP API of the county plans' welfare targets (PLAN-1, PLAN-2): `GET /v1/plan/targets`
(shared.plan.routes: every county department, the poverty office and the auditor read them, a
township officer their own township's figures; a county outside the reader's jurisdiction 404)."""

from __future__ import annotations

from fastapi import APIRouter

from services.welfare.plan import service as svc
from shared.plan.routes import add_targets_route

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])


add_targets_route(
    router,
    svc.targets,
    service="welfare",
    measures="特困 certification with the self-care assessment and care-home occupancy (WEL-5)",
)
