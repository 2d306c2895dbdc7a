"""HTTP API of the insurance rolls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, UploadFile
from fastapi.responses import JSONResponse

from services.enrollment.jobs.schemas import JobOut
from services.enrollment.jobs.service import check_table_upload, read_upload, start_job
from services.enrollment.rolls.schemas import Scheme
from services.enrollment.rolls.service import roll_import
from shared.app import RuntimeDep
from shared.auth import Principal, require
from shared.roles import Role

router = APIRouter(prefix="/v1/rolls", tags=["insurance rolls"])


@router.post(
    "/{scheme}/imports",
    response_model=JobOut,
    status_code=201,
    summary="Import the pension or medical insurance roll (参保缴费名册), CSV or XLSX",
    description=(
        "Pension roll columns: 证件号码 id_number, 年度 year, 缴费档次 tier, 是否缴费 paid, "
        "optionally 领取待遇 drawing. "
        "Medical roll columns: 证件号码 id_number, 年度 year, 是否缴费 paid, "
        "大病保险 critical_illness. Upserts by (ID number, year); all or nothing."
    ),
    responses={202: {"model": JobOut}},
)
async def import_roll(
    runtime: RuntimeDep,
    scheme: Annotated[Scheme, Path(description="pension or medical")],
    principal: Annotated[
        Principal, Depends(require(Role.county_hrss, Role.county_medical, Role.county_poverty))
    ],
    file: Annotated[UploadFile, File()],
) -> JSONResponse:
    # The import runs in its own transactions (a job), so the route holds no unit of work.
    content, filename = await read_upload(file, runtime.settings.max_upload_bytes)
    check_table_upload(content, filename, file.content_type)
    return await start_job(
        runtime,
        principal,
        kind=f"{scheme}_roll",
        filename=filename,
        size=len(content),
        work=roll_import(scheme, content, filename),
    )
