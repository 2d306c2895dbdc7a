"""HTTP API of the appraisal indicators (考核指标, YA-GOV §四(六), IND-1 .. IND-4):
`GET /v1/appraisal/indicators?county=&on=&format=json|xlsx`, per township and for the county.

Readers: civil affairs, the poverty office, the auditor, and a township officer (their own
township's row). A county outside the reader's jurisdiction answers 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.welfare.appraisal import service
from services.welfare.appraisal.rules import DEFINITIONS
from services.welfare.appraisal.schemas import (
    AccuracyOut,
    AreaOut,
    CategoryOut,
    IndicatorsOut,
    RunOut,
    StandardOut,
    TopUpOut,
)
from services.welfare.appraisal.xlsx import write_indicators
from shared.app import Uow
from shared.header_values import content_disposition
from shared.ids import CountyCode
from shared.roles import Role
from shared.tabular import XLSX_MEDIA

router = APIRouter(prefix="/v1/appraisal", tags=["appraisal indicators 考核指标 (IND-1..IND-4)"])

READERS = (Role.county_civil, Role.county_poverty, Role.auditor, Role.township_officer)


def _area(a: service.AreaIndicators) -> AreaOut:
    return AreaOut(
        code=a.code,
        households=a.counts.household_total,
        persons=a.counts.person_total,
        accuracy=AccuracyOut(
            households=a.accuracy.checked, flagged=a.accuracy.flagged, value=a.accuracy.value
        ),
        topup=TopUpOut(
            per_person_monthly=a.topup.per_person_monthly,
            share_of_standard=a.topup.share_of_standard,
        ),
        categories={
            c.value: CategoryOut(
                households=a.categories.households[c],
                persons=a.categories.persons[c],
                share=a.categories.shares[c],
            )
            for c in a.categories.households
        },
    )


def indicators_out(result: service.Indicators) -> IndicatorsOut:
    s = result.standard
    return IndicatorsOut(
        county_code=result.county,
        on=result.on,
        definitions=DEFINITIONS,
        standard=StandardOut(
            annual=s.annual,
            monthly=s.monthly,
            floor_annual=s.floor_annual,
            meets_floor=s.meets_floor,
        ),
        crosscheck_run=(
            None
            if result.crosscheck_run_id is None or result.crosscheck_run_on is None
            else RunOut(id=result.crosscheck_run_id, on=result.crosscheck_run_on)
        ),
        townships=[_area(a) for a in result.townships],
        total=_area(result.total),
        trace=result.trace.out().model_dump(mode="json"),
    )


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="低保考核指标 per township: standard, recipient accuracy, top-up level, category "
    "shares (IND-1, IND-2, IND-3, IND-4)",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_indicators(
    county: CountyCode,
    on: date,
    uow: Uow,
    format: Annotated[Literal["json", "xlsx"], Query(description="json or xlsx")] = "json",
) -> Any:
    out = indicators_out(service.indicators(uow, county, on))
    if format == "xlsx":
        content = write_indicators(out)
        name = f"appraisal-{county}-{on.isoformat()}.xlsx"
        return Response(
            content,
            media_type=XLSX_MEDIA,
            headers={"Content-Disposition": content_disposition(name)},
        )
    return out
