"""HTTP API of education aid (教育扶贫资助, EDU-1 to EDU-6): the education bureau's student
register, what each student is due, the children of compulsory age in no school, and coverage.

Jurisdiction: a student is placed by their household's village; the county's education bureau
also sees the lines of its register whose ID number is in no registered household. Students
outside the caller's scope are left out of lists and answer 404 when named."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from services.enrollment.education import service
from services.enrollment.education.rules import Stage
from services.enrollment.education.schemas import (
    CoverageOut,
    OutOfSchoolList,
    StudentDetail,
    StudentPage,
)
from services.enrollment.jobs.schemas import JobOut
from services.enrollment.jobs.service import check_table_upload, read_upload, start_job
from shared.app import RuntimeDep, Uow
from shared.auth import Principal, require
from shared.exports import export_response
from shared.ids import CountyCode, ResidentIdNumber
from shared.roles import Role
from shared.tabular import CSV_MEDIA, XLSX_MEDIA

router = APIRouter(prefix="/v1/education", tags=["education aid 教育扶贫资助 (EDU-1 to EDU-6)"])

REGISTER_IMPORTERS = (Role.county_education,)
SchoolYear = Annotated[
    int,
    Query(
        ge=2000, le=2100, description="the year the school year starts (2018: 2018-09 to 2019-08)"
    ),
]
DivisionQuery = Annotated[
    str,
    Query(
        pattern=r"^(\d{6}(\d{3}){0,2})?$",
        description="county (6), township (9) or village (12) code; default: your jurisdiction",
    ),
]
SchoolQuery = Annotated[str, Query(max_length=100, description="学校, as the register names it")]
StageQuery = Annotated[Stage | None, Query(description="学段")]


@router.post(
    "/registers/imports",
    response_model=JobOut,
    status_code=201,
    summary="Import the education bureau's student register (在校生名册) for a school year",
    description=(
        "CSV (UTF-8/GB18030) or XLSX. Headers: 学校 school, 学段 stage (学前/小学/初中/高中/中职/"
        "本专科/研究生), 年级 grade, 寄宿 boarding (是/否), 身份证号 id_number, 姓名 name; on 学前 "
        "rows also 普惠性公办 public_inclusive and 贫困村 poor_village (是/否); optionally "
        "艺术表演 art_performance (中职). The county's register for the school year is replaced; "
        "a file with any invalid row is rejected whole, every error naming row and field, "
        "nothing written. Rows are joined with the registry by ID number; rows of no registered "
        "household are kept and counted."
    ),
    responses={
        202: {"model": JobOut},
        409: {"description": "student in another county's register"},
    },
)
async def import_register(
    runtime: RuntimeDep,
    school_year: SchoolYear,
    county_code: Annotated[CountyCode, Query(description="the county whose register this is")],
    principal: Annotated[Principal, Depends(require(*REGISTER_IMPORTERS))],
    file: Annotated[UploadFile, File(description="student register (.csv or .xlsx)")],
) -> JSONResponse:
    # The import runs in its own transaction (a job), so the route holds no unit of work.
    content, filename = await read_upload(file, runtime.settings.max_upload_bytes)
    check_table_upload(content, filename, file.content_type)
    return await start_job(
        runtime,
        principal,
        kind="student_register",
        filename=filename,
        size=len(content),
        work=service.register_import(content, filename, school_year, county_code),
    )


@router.get(
    "/students",
    response_model=StudentPage,
    summary="Students per school and stage with what each is due for the school year",
)
def list_students(
    school_year: SchoolYear,
    uow: Uow,
    division: DivisionQuery = "",
    school: SchoolQuery = "",
    stage: StageQuery = None,
    entitled_only: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> StudentPage:
    return service.student_page(
        uow,
        school_year,
        division=division,
        school=school,
        stage=stage,
        entitled_only=entitled_only,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/students/export",
    summary="The list of students due aid (资助名单), XLSX or CSV, Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}, CSV_MEDIA: {}}}},
)
def export_students(
    school_year: SchoolYear,
    uow: Uow,
    division: DivisionQuery = "",
    school: SchoolQuery = "",
    stage: StageQuery = None,
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    found = service.export(
        uow, school_year, division=division, school=school, stage=stage, format=format
    )
    return export_response(found)


@router.get(
    "/students/{id_number}",
    response_model=StudentDetail,
    summary="A student's aid for the school year, with the trace",
)
def get_student(id_number: ResidentIdNumber, school_year: SchoolYear, uow: Uow) -> StudentDetail:
    return service.student(uow, school_year, id_number)


@router.get(
    "/out-of-school",
    response_model=OutOfSchoolList,
    summary="Children of registered-poor households of compulsory age in no school (控辍保学)",
)
def list_out_of_school(
    school_year: SchoolYear, uow: Uow, division: DivisionQuery = ""
) -> OutOfSchoolList:
    return service.out_of_school(uow, school_year, division)


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="Per township: students in the register, due aid, amounts, out of school",
)
def get_coverage(school_year: SchoolYear, uow: Uow, division: DivisionQuery = "") -> CoverageOut:
    return service.coverage(uow, school_year, division)
