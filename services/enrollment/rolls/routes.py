"""HTTP API of the insurance rolls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, UploadFile
from fastapi.responses import JSONResponse
from sqlmodel import Session

from services.enrollment import clock
from services.enrollment.jobs import JobOut, read_upload, start_job
from services.enrollment.registry.roster import RosterFormatError
from services.enrollment.registry.routes import InvalidRoster, check_table_upload
from services.enrollment.rolls.apply import apply_roll
from services.enrollment.rolls.parse import Scheme, parse_roll
from shared.app import RuntimeDep
from shared.auth import Principal, Role, require
from shared.policy import ParameterNotFound
from shared.tabular import TableFormatError, read_rows

router = APIRouter(prefix="/v1/rolls", tags=["insurance rolls"])


def allowed_tiers(runtime: Any, scope: str) -> frozenset[int] | None:
    county = scope[:6] if len(scope) >= 6 else None
    try:
        tiers = runtime.policy.value("enrollment.pension.tiers.allowed", county, clock.today())
    except ParameterNotFound:
        return None
    return frozenset(int(t) for t in tiers)


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
    content, filename = await read_upload(file, runtime.settings.max_upload_bytes)
    check_table_upload(content, filename, file.content_type)
    tiers = allowed_tiers(runtime, principal.scope) if scheme == "pension" else None
    publish_kwargs = runtime.publish_kwargs()

    def work(session: Session, job_id: str, progress: Any) -> dict[str, Any]:
        try:
            roll = parse_roll(scheme, read_rows(content, filename), allowed_tiers=tiers)
        except (RosterFormatError, TableFormatError) as exc:
            raise InvalidRoster(str(exc), getattr(exc, "errors", []), 1) from exc
        if roll.errors:
            raise InvalidRoster(
                f"{roll.error_count} error(s) in the roll; nothing was imported",
                roll.errors,
                roll.error_count,
            )
        return apply_roll(
            session,
            scheme,
            roll.lines,
            import_id=job_id,
            publish_kwargs=publish_kwargs,
            progress=progress,
        )

    return await start_job(
        runtime, principal, kind=f"{scheme}_roll", filename=filename, size=len(content), work=work
    )
