"""HTTP API of the registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile, status
from pydantic import BaseModel

from services.enrollment.registry.imports import apply_roster
from services.enrollment.registry.roster import RosterFormatError, decode, parse_roster
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal, Role, require
from shared.errors import FieldError, Forbidden, InvalidInput, PayloadTooLarge, UnsupportedMediaType

router = APIRouter(prefix="/v1/registry", tags=["registry"])

CSV_TYPES = {"text/csv", "application/csv", "application/vnd.ms-excel", "text/plain"}


class ImportResult(BaseModel):
    import_id: str
    filename: str
    rows: int
    households_created: int
    persons_created: int
    persons_updated: int
    persons_unchanged: int
    created_at: datetime


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
    summary="Import the poverty office's roster (建档立卡花名册): CSV, English or Chinese headers",
    description=(
        "Every row is validated (ID check digit, division codes, status, duplicates); a file with "
        "any invalid row is rejected whole with every error listed and nothing written. "
        "Re-importing upserts by ID number."
    ),
    responses={409: {"description": "a person is registered in another household"}},
)
async def import_roster(
    runtime: RuntimeDep,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Role.county_poverty))],
    file: Annotated[UploadFile, File(description="roster.csv (UTF-8 or GB18030)")],
) -> ImportResult:
    limit = runtime.settings.max_upload_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"file is larger than {limit} bytes")
    filename = (file.filename or "roster.csv").replace("\\", "/").rsplit("/", 1)[-1][:255]
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    if content_type and content_type not in CSV_TYPES and not filename.lower().endswith(".csv"):
        raise UnsupportedMediaType(f"expected a CSV file, got {content_type}")
    try:
        roster = parse_roster(decode(content))
    except RosterFormatError as exc:
        raise InvalidInput(str(exc), errors=exc.errors) from exc
    errors = list(roster.errors)
    for row in roster.rows:
        if not principal.covers(row.village_code):
            errors.append(
                FieldError(
                    field="county_code",
                    reason=f"outside your jurisdiction ({principal.scope})",
                    value=row.county_code,
                    row=row.row,
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.field))
        if all(e.reason.startswith("outside your jurisdiction") for e in errors):
            raise Forbidden("the roster has rows outside your jurisdiction", errors=errors)
        raise InvalidInput(
            f"{len(errors)} error(s) in the roster; nothing was imported", errors=errors
        )
    record = apply_roster(
        session,
        roster.rows,
        filename=filename,
        imported_by=principal.subject,
        publish_kwargs=runtime.publish_kwargs(),
    )
    return ImportResult(
        import_id=record.id,
        filename=record.filename,
        rows=record.rows,
        households_created=record.households_created,
        persons_created=record.persons_created,
        persons_updated=record.persons_updated,
        persons_unchanged=record.persons_unchanged,
        created_at=record.created_at,
    )
