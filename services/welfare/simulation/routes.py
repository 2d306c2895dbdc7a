"""`POST /v1/simulations`: what a proposed change of the county's dibao figures would cost and
whom it would move, on the households on dibao now, before it is approved; nothing is written.
`format=xlsx` gives the county staff's sheet (测算表)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.welfare.simulation.schemas import SimulationIn, SimulationOut
from services.welfare.simulation.service import simulate
from shared.app import Uow
from shared.header_values import content_disposition
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1", tags=["simulation"])
RUNNERS = (Role.county_civil, Role.county_poverty, Role.auditor)
HEADERS = ["乡镇", "案件号", "户编号", "人数", "现行月保障金", "拟调整月保障金", "期间差额"]


@router.post(
    "/simulations",
    response_model=SimulationOut,
    summary="Simulate a change of the county's dibao figures on the live registry (政策调整测算)",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def post_simulation(
    body: SimulationIn,
    uow: Uow,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    out = simulate(uow, body)
    if format == "json":
        return out
    rows = [
        [e.township_code, e.case_id, e.household_id, e.people, e.current_monthly,
         e.proposed_monthly, e.difference_total]
        for e in (*out.winners, *out.losers)
    ]  # fmt: skip
    preamble = [
        f"低保标准调整测算 {out.county_code} {out.from_month}至{out.to_month}：受影响 "
        f"{out.households_affected} 户 {out.people_affected} 人，期间支出差额 "
        f"{out.funds[0].difference} 元",
    ]
    content = write_xlsx(HEADERS, rows, title="调整测算", preamble=preamble)
    name = f"simulation-{out.county_code}-{out.from_month}-{out.to_month}.xlsx"
    return Response(
        content, media_type=XLSX_MEDIA, headers={"Content-Disposition": content_disposition(name)}
    )
