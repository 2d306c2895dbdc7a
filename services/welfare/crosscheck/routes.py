"""HTTP API of dynamic management (动态管理, WEL-8): economic facts (survey import and single
edits), cross-check runs, township worklists (JSON and XLSX) and closing findings.

Jurisdiction: findings and facts lie in the person's village; lists leave out what is outside
the caller's scope and a named record outside it answers 404; 403 is for a role that may not do
the thing at all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response

from services.welfare.crosscheck import service
from services.welfare.crosscheck.facts import import_facts
from services.welfare.crosscheck.repository import Runs
from services.welfare.crosscheck.rules import FindingKind
from services.welfare.crosscheck.schemas import (
    CloseIn,
    FactsIn,
    FactsOut,
    FindingOut,
    ImportOut,
    RunIn,
    RunOut,
    Worklist,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.header_values import content_disposition
from shared.ids import CountyCode
from shared.roles import Role
from shared.tabular import XLSX_MEDIA
from shared.uploads import read_upload, upload_limit

router = APIRouter(prefix="/v1/crosscheck", tags=["dynamic management 动态管理 (WEL-8)"])

READERS = (
    Role.county_civil,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)
Readers = Annotated[Principal, Depends(require(*READERS))]
FACT_WRITERS = (Role.county_poverty, Role.county_civil, Role.township_officer)


# --- economic facts --------------------------------------------------------------------------


@router.post(
    "/facts/imports",
    response_model=ImportOut,
    status_code=201,
    summary="Import the poverty office's yearly survey: 劳动能力 and 有无收入 per person",
    description=(
        "CSV (UTF-8/GB18030) or XLSX. Headers: 证件号码 id_number, 劳动能力 work_ability "
        "(有劳动能力 / 部分丧失劳动能力 / 无劳动能力), 有无收入 has_income (有/无), optional "
        "调查年度 survey_year. Any bad row rejects the file: 422 listing every error by row and "
        "field, and nothing is written (WEL-8)."
    ),
)
async def post_facts_import(
    request: Request,
    uow: Uow,
    _: Annotated[Principal, Depends(require(*FACT_WRITERS))],
    file: Annotated[UploadFile, File(description="survey (.csv or .xlsx)")],
) -> ImportOut:
    content, name = await read_upload(file, upload_limit(request))
    record = import_facts(uow, content, name)
    return ImportOut.model_validate(record, from_attributes=True)


@router.put(
    "/facts/{person_id}",
    response_model=FactsOut,
    summary="Set one person's 劳动能力 and 有无收入 (a single edit)",
)
def put_facts(
    person_id: str,
    body: FactsIn,
    uow: Uow,
    _: Annotated[Principal, Depends(require(*FACT_WRITERS))],
) -> FactsOut:
    row = service.set_facts(uow, person_id, body)
    return FactsOut.model_validate(row, from_attributes=True)


@router.get("/facts/{person_id}", response_model=FactsOut, summary="One person's economic facts")
def get_facts(person_id: str, uow: Uow, _: Readers) -> FactsOut:
    return FactsOut.model_validate(service.facts(uow, person_id), from_attributes=True)


# --- runs ------------------------------------------------------------------------------------


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=201,
    summary="Run the annual cross-check (动态管理 比对) of a county on a date",
    description=(
        "WEL-8 (ZA-GOV §三(三)2, YA-GOV §三(四)): every living registered person of the county, "
        "with their economic facts and their dibao / 特困 status on the date: 两无 people on "
        "neither dibao nor 特困供养, and exited people still on dibao whose review is due. "
        "Every run is kept; re-running the same county and date adds a new run."
    ),
)
def post_run(
    body: RunIn,
    uow: Uow,
    _: Annotated[Principal, Depends(require(Role.county_civil))],
) -> RunOut:
    return service.start_run(uow, body)


@router.get("/runs", response_model=list[RunOut], summary="Cross-check runs of a county")
def list_runs(county: CountyCode, uow: Uow, _: Readers) -> list[RunOut]:
    return service.runs_of(uow, county)


@router.get("/runs/{run_id}", response_model=RunOut, summary="A run, findings by township")
def get_run(run_id: int, uow: Uow, _: Readers) -> RunOut:
    return service.summary(uow, Runs(uow.session, uow.principal).get_or_404(run_id))


TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


@router.get(
    "/runs/{run_id}/worklist",
    response_model=Worklist,
    summary="A township's worklist (工作清单) of a run, JSON",
)
def get_worklist(
    run_id: int,
    uow: Uow,
    _: Readers,
    township: TownshipQuery = None,
    kind: FindingKind | None = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Worklist:
    return service.worklist(
        uow, run_id, township=township, kind=kind, status=status, limit=limit, offset=offset
    )


@router.get(
    "/runs/{run_id}/worklist.xlsx",
    summary="A township's worklist (工作清单) for county staff: XLSX with Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_worklist_xlsx(
    run_id: int, uow: Uow, _: Readers, township: TownshipQuery = None
) -> Response:
    sheet = service.worklist_sheet(uow, run_id, township)
    return Response(
        sheet.content,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition(sheet.filename)},
    )


@router.post(
    "/findings/{finding_id}/close",
    response_model=FindingOut,
    summary="Close a finding with its outcome (处理结果)",
)
def close_finding(
    finding_id: int,
    body: CloseIn,
    uow: Uow,
    _: Annotated[Principal, Depends(require(Role.township_officer, Role.county_civil))],
) -> FindingOut:
    return FindingOut.of(service.close_finding(uow, finding_id, body))
