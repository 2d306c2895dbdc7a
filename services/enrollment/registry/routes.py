"""HTTP API of the registry (建档立卡): roster imports and one-by-one changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse

from services.enrollment.jobs.schemas import JobOut
from services.enrollment.jobs.service import check_table_upload, read_upload, start_job
from services.enrollment.registry import service
from services.enrollment.registry.schemas import (
    DeathIn,
    DisabilityIn,
    HeadIn,
    MemberIn,
    MoveIn,
    PersonOut,
    PersonPage,
    SplitIn,
)
from shared.app import RuntimeDep, Uow
from shared.auth import Principal, require
from shared.ids import ResidentIdNumber
from shared.roles import Role
from shared.tabular import is_xlsx

router = APIRouter(prefix="/v1", tags=["registry"])

REGISTRY_WRITERS = (Role.county_poverty,)
REGISTRY_CLERKS = (Role.county_poverty, Role.county_hrss, Role.township_officer)


@router.post(
    "/registry/imports",
    response_model=JobOut,
    status_code=201,
    summary="Import the poverty office's roster (建档立卡花名册), CSV or XLSX",
    description=(
        "Headers in English or Chinese: 户编号 household_id, 姓名 name, 证件号码 id_number, "
        "与户主关系 relation, 县 county_code, 乡镇 township_code, 行政村 village_code, "
        "贫困状态 poverty_status (未脱贫/已脱贫/边缘户), 残疾等级 disability_grade (1-4), "
        "在校生 student, 职工养老 employee_pension, 易地搬迁 relocated (是/否). "
        "A file with any invalid row is rejected whole, every error listed, nothing written. "
        "Re-importing upserts by ID number; people missing from the new roster are flagged. "
        "Small files answer 201 at once; large ones 202 with the job at `Location`."
    ),
    responses={202: {"model": JobOut}, 409: {"description": "person in another household"}},
)
async def import_roster(
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(*REGISTRY_WRITERS))],
    file: Annotated[UploadFile, File(description="roster (.csv UTF-8/GB18030, or .xlsx)")],
) -> JSONResponse:
    # The import runs in its own transactions (a job), so the route holds no unit of work.
    content, filename = await read_upload(file, runtime.settings.max_upload_bytes)
    check_table_upload(content, filename, file.content_type)
    if not is_xlsx(content, filename) and not filename.lower().endswith(".csv"):
        filename = filename + ".csv"
    return await start_job(
        runtime,
        principal,
        kind="roster",
        filename=filename,
        size=len(content),
        work=service.roster_import(content, filename),
    )


@router.get("/persons/{id_number}", response_model=PersonOut, summary="A registered person")
def get_person(id_number: ResidentIdNumber, uow: Uow) -> PersonOut:
    return service.person(uow, id_number)


@router.get(
    "/registry/missing",
    response_model=PersonPage,
    summary="People absent from the latest roster, flagged for checking (never deleted)",
)
def list_missing(
    uow: Uow,
    division: Annotated[str, Query(pattern=r"^(\d{6}(\d{3}){0,2})?$")] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> PersonPage:
    return service.missing(uow, division, offset, limit)


Clerk = Annotated[Principal, Depends(require(*REGISTRY_CLERKS))]


@router.post("/persons/{id_number}/death", response_model=PersonOut, summary="Record a death")
def post_death(id_number: ResidentIdNumber, body: DeathIn, uow: Uow, _clerk: Clerk) -> PersonOut:
    return service.record_death(uow, id_number, body.deceased_on)


@router.post(
    "/persons/{id_number}/disability",
    response_model=PersonOut,
    summary="Record a disability certificate (残疾证)",
)
def post_disability(
    id_number: ResidentIdNumber, body: DisabilityIn, uow: Uow, _clerk: Clerk
) -> PersonOut:
    return service.certify_disability(uow, id_number, body.grade, body.certified_on)


@router.post(
    "/households/{household_id}/members",
    response_model=PersonOut,
    status_code=201,
    summary="Add a member (birth, marriage in)",
)
def post_member(household_id: str, body: MemberIn, uow: Uow, _clerk: Clerk) -> PersonOut:
    return service.add_member(
        uow, household_id, id_number=body.id_number, name=body.name, relation=body.relation
    )


@router.post("/households/{household_id}/head", summary="Change the head of household")
def post_head(household_id: str, body: HeadIn, uow: Uow, _clerk: Clerk) -> dict[str, str]:
    return service.change_head(uow, household_id, body.id_number)


@router.post(
    "/persons/{id_number}/move",
    response_model=PersonOut,
    summary="Move a member to another registered household",
)
def post_move(id_number: ResidentIdNumber, body: MoveIn, uow: Uow, _clerk: Clerk) -> PersonOut:
    return service.move_member(uow, id_number, body.to_household_id)


@router.post(
    "/households/{household_id}/split",
    status_code=201,
    summary="Split members off into a new household (分户)",
)
def post_split(household_id: str, body: SplitIn, uow: Uow, _clerk: Clerk) -> dict[str, Any]:
    return service.split_household(
        uow, household_id, body.new_household_id, list(body.id_numbers), body.head_id_number
    )
