"""The route every service serves for the county plan (PLAN-1, PLAN-2):
`GET /v1/plan/targets?county=&on=`, the targets the service measures in its own records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan import TARGET_READERS
from shared.plan.schemas import TargetsOut
from shared.uow import UnitOfWork

Targets = Callable[[UnitOfWork, str, date | None], TargetsOut]
Readers = Annotated[Principal, Depends(require(*TARGET_READERS))]
On = Annotated[date | None, Query(description="the day measured; today if not given")]


def add_targets_route(router: APIRouter, targets: Targets, *, service: str, measures: str) -> None:
    """Add `GET /targets` to the service's plan router: `measures` says what its targets count
    (for the API description)."""

    def get_targets(uow: Uow, _: Readers, county: CountyCode, on: On = None) -> TargetsOut:
        return targets(uow, county, on)

    router.add_api_route(
        "/targets",
        get_targets,
        methods=["GET"],
        response_model=TargetsOut,
        summary=f"The county plan's {service} targets and their progress (PLAN-1, PLAN-2)",
        description=f"PLAN-1, PLAN-2. {measures}: measured from this service's records on `on` "
        "(default today), per township and for the county, with the citation, the due date, "
        "the status (met / not_due / late / met_late / no_base) and the trace. Every county "
        "department, the poverty office and the auditor read them; a township officer their "
        "own township's figures.",
    )
