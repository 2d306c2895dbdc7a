"""HTTP API of relocated households (易地扶贫搬迁, EMP-8): the list of relocated households
(entered or imported from the relocation ledger, since the registry carries no relocation flag)
and the worklist of those with no member in work (一户一就业, ZA-GOV §三(四)3).

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response

from services.employment.jobs.access import ORGANISERS, can_read, guard_area
from services.employment.relocation import service
from services.employment.relocation.schemas import (
    HouseholdsIn,
    UpsertOut,
    WithoutWorkOut,
    WithoutWorkRow,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.errors import FieldError, InvalidInput
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, TableFormatError, read_rows, write_xlsx
from shared.uploads import read_upload, upload_limit

router = APIRouter(
    prefix="/v1/relocated-households", tags=["relocated households 易地扶贫搬迁 (EMP-8)"]
)

Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]

COLUMNS = {
    "household_id": ("household_id", "户编号"),
    "site": ("site", "安置点"),
    "relocated_on": ("relocated_on", "搬迁日期", "搬迁入住日期"),
}


@router.post(
    "",
    response_model=UpsertOut,
    summary="Add or update relocated households (易地扶贫搬迁户)",
    description="EMP-8: every household must be in the registry and in your scope, or nothing "
    "is written (422 naming each bad item).",
)
def post_households(body: HouseholdsIn, uow: Uow, _: Organiser) -> UpsertOut:
    items = [i.model_dump() for i in body.items]
    created, updated = service.upsert(uow, items, where="items")
    return UpsertOut(created=created, updated=updated)


@router.post(
    "/imports",
    response_model=UpsertOut,
    summary="Import the relocation ledger (CSV or XLSX: 户编号, 安置点, 搬迁日期)",
)
async def import_households(
    request: Request,
    uow: Uow,
    _: Organiser,
    file: Annotated[UploadFile, File(description="ledger (.csv or .xlsx)")],
) -> UpsertOut:
    content, name = await read_upload(file, upload_limit(request), allow_empty=True)
    try:
        rows = list(read_rows(content, name))
    except TableFormatError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="file", reason=str(exc))]) from exc
    if not rows:
        raise InvalidInput("empty file", errors=[FieldError(field="file", reason="no rows")])
    header = [h.strip() for h in rows[0]]
    where = {
        k: next((header.index(n) for n in names if n in header), None)
        for k, names in COLUMNS.items()
    }
    if where["household_id"] is None:
        reason = "no 户编号 / household_id column"
        raise InvalidInput(reason, errors=[FieldError(field="file", reason=reason)])
    items: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for n, row in enumerate(rows[1:], start=2):
        cell = {k: (row[i] if i is not None and i < len(row) else "") for k, i in where.items()}
        if not any(cell.values()):
            continue
        relocated_on = None
        if cell["relocated_on"]:
            try:
                relocated_on = date.fromisoformat(cell["relocated_on"][:10])
            except ValueError:
                errors.append(
                    FieldError(
                        field="relocated_on",
                        reason="not a date (YYYY-MM-DD)",
                        value=cell["relocated_on"],
                        row=n,
                    )
                )
        items.append(
            {
                "household_id": cell["household_id"],
                "site": cell["site"],
                "relocated_on": relocated_on,
                "row": n,
            }
        )
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) are invalid", errors=errors)
    created, updated = service.upsert(uow, items, where="")
    return UpsertOut(created=created, updated=updated)


@router.get(
    "/without-work",
    response_model=WithoutWorkOut,
    summary="Relocated households with no member in work (一户一就业 worklist)",
    description="EMP-8: in work on `on` (default today) = a placement, a public-welfare post, a "
    "workshop roll or a running business. `format=xlsx` with Chinese headers.",
)
def get_without_work(
    uow: Uow,
    county: CountyCode,
    on: date | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    day = on or uow.today()
    rows = service.worklist(uow, county, day, township)
    if format == "xlsx":
        content = write_xlsx(
            ["乡镇", "行政村", "户编号", "安置点", "家庭人口", "建档立卡人口"],
            [
                [
                    r.township_code,
                    r.village_code,
                    r.household_id,
                    r.site,
                    r.members,
                    r.registered_poor,
                ]
                for r in rows
            ],
            title="无就业搬迁户",
            preamble=[f"易地扶贫搬迁户无人就业名单 {day.isoformat()} (EMP-8)"],
        )
        return Response(content, media_type=XLSX_MEDIA)
    return WithoutWorkOut(
        county_code=county,
        on=day,
        households=len(rows),
        items=[WithoutWorkRow(**r.__dict__) for r in rows],
    )
