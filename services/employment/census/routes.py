"""HTTP API of the labour census (劳动力调查, EMP-1): import a spreadsheet, edit one person, list
the census and the people not yet surveyed, export the census.

Jurisdiction: a person lies in their registry village. People outside the caller's scope are
left out of lists and answer 404 when named; 403 is for a role that may not act."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response

from services.employment.census import service
from services.employment.census.rules import age_on
from services.employment.census.schemas import (
    CensusIn,
    CensusOut,
    CensusPage,
    CensusPatch,
    ImportOut,
    UnsurveyedPerson,
    UnsurveyedVillage,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.errors import Forbidden
from shared.header_values import content_disposition
from shared.roles import Role
from shared.tabular import XLSX_MEDIA
from shared.uploads import read_upload, upload_limit

router = APIRouter(prefix="/v1/census", tags=["labour census 劳动力调查 (EMP-1)"])

WRITERS = (Role.village_cadre, Role.township_officer, Role.county_hrss)
READERS = (*WRITERS, Role.auditor, Role.county_poverty)

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
VillageQuery = Annotated[str | None, Query(pattern=r"^\d{12}$", description="12-digit village")]
Writer = Annotated[Principal, Depends(require(*WRITERS))]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the labour census")


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportOut,
    summary="Import a labour census spreadsheet (劳动力调查表)",
    description=(
        "CSV (UTF-8/GB18030) or XLSX, Chinese or English headers: 证件号码 id_number, 劳动能力 "
        "work_ability (有劳动能力 / 部分丧失劳动能力 / 无劳动能力), "
        "就业意愿 wishes_to_work (是/否), 培训意愿 wishes_to_train (是/否); "
        "optional 调查日期 surveyed_on, 技能 skills (、-separated), "
        "文化程度 education, 是否在读 in_school, 两后生 declared_two_after, 务工地点 job_location "
        "(未就业 / 县内 / 省内县外 / 省外), 就业单位 employer, 备注 note. A person is created or "
        "re-surveyed. Any bad row rejects the file: 422 listing every error by row and field, "
        "and nothing is written (EMP-1)."
    ),
)
async def post_import(
    request: Request,
    uow: Uow,
    _: Writer,
    file: Annotated[UploadFile, File(description="census (.csv or .xlsx)")],
) -> ImportOut:
    content, name = await read_upload(file, upload_limit(request), max_name=200)
    record = service.import_census(uow, content, name)
    return ImportOut.model_validate(record, from_attributes=True)


@router.get(
    "/persons",
    response_model=CensusPage,
    summary="The census in scope (EMP-1), with labourer and 两后生 as of today",
)
def list_persons(
    uow: Uow,
    township: TownshipQuery = None,
    village: VillageQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CensusPage:
    _reader(uow.principal)
    return service.page(uow, township, village, limit=limit, offset=offset)


@router.get("/persons/{person_id}", response_model=CensusOut, summary="One person's census record")
def get_person(person_id: str, uow: Uow) -> CensusOut:
    _reader(uow.principal)
    return service.one(uow, person_id)


@router.put(
    "/persons/{person_id}",
    response_model=CensusOut,
    summary="Record or replace one person's census facts (EMP-1)",
    description="two_after_students (两后生) is derived, not written: junior/senior high "
    "graduates who did not continue (初、高中毕业后未能升学).",
)
def put_person(person_id: str, body: CensusIn, uow: Uow, _: Writer) -> CensusOut:
    facts = body.model_dump()
    facts["work_ability"] = body.work_ability.value
    facts["education"] = body.education.value if body.education else None
    facts["job_location"] = body.job_location.value
    return service.put_record(uow, person_id, facts)


@router.patch(
    "/persons/{person_id}",
    response_model=CensusOut,
    summary="Change some of one surveyed person's census facts (EMP-1)",
)
def patch_person(person_id: str, body: CensusPatch, uow: Uow, _: Writer) -> CensusOut:
    return service.patch_record(uow, person_id, body.model_dump(exclude_unset=True))


@router.get(
    "/not-surveyed",
    response_model=list[UnsurveyedVillage],
    summary="Registered people of working age not yet surveyed, per village (EMP-1)",
    description="Kept current by the registry events: a person registered without a census "
    "record appears here; a deceased person does not.",
)
def get_not_surveyed(
    uow: Uow, township: TownshipQuery = None, village: VillageQuery = None
) -> list[UnsurveyedVillage]:
    _reader(uow.principal)
    today = uow.today()
    by_village = service.not_surveyed(uow, township, village)
    return [
        UnsurveyedVillage(
            township_code=people[0].township_code,
            village_code=code,
            count=len(people),
            persons=[
                UnsurveyedPerson(
                    person_id=p.person_id,
                    household_id=p.household_id,
                    name=p.name,
                    age=age_on(p.birth_date, today),
                )
                for p in people
            ],
        )
        for code, people in by_village.items()
    ]


@router.get(
    "/export",
    summary="The census in scope as XLSX (劳动力调查表, Chinese headers)",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def export_census(
    uow: Uow, township: TownshipQuery = None, village: VillageQuery = None
) -> Response:
    _reader(uow.principal)
    return Response(
        service.export(uow, township, village),
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition("labour-census.xlsx")},
    )
