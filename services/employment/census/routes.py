"""HTTP API of the labour census (劳动力调查, EMP-1): import a spreadsheet, edit one person, list
the census and the people not yet surveyed, export the census.

Jurisdiction: a person lies in their registry village. People outside the caller's scope are
left out of lists and answer 404 when named; 403 is for a role that may not act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlmodel import Session

from services.employment import clock
from services.employment.census import service
from services.employment.census.importing import HEADERS_ZH
from services.employment.census.models import LabourCensusPerson
from services.employment.census.rules import (
    EDUCATION_ZH,
    JOB_LOCATION_ZH,
    WORK_ABILITY_ZH,
    Education,
    JobLocation,
    WorkAbility,
    age_on,
)
from services.employment.census.schemas import (
    CensusIn,
    CensusOut,
    CensusPage,
    CensusPatch,
    ImportOut,
    UnsurveyedPerson,
    UnsurveyedVillage,
)
from services.employment.registry.models import RegistryPerson
from services.employment.welfare.consumers import standing_of
from services.employment.welfare.models import WelfareStanding
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import FieldError, Forbidden, InvalidInput, NotFound
from shared.policy import PolicySet
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import Params
from shared.uploads import read_upload, upload_limit

router = APIRouter(prefix="/v1/census", tags=["labour census 劳动力调查 (EMP-1)"])

WRITERS = (Role.village_cadre, Role.township_officer, Role.county_hrss)
READERS = (*WRITERS, Role.auditor, Role.county_poverty)

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
VillageQuery = Annotated[str | None, Query(pattern=r"^\d{12}$", description="12-digit village")]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the labour census")


def _params(policy: PolicySet, county: str, on: date) -> Params:
    return Params(policy, county, on)


def _out(
    session: Session,
    person: RegistryPerson,
    record: LabourCensusPerson,
    on: date,
    policy: PolicySet,
    standing: dict[str, WelfareStanding] | None = None,
) -> CensusOut:
    age, in_age, labourer, two_after = service.evaluate(
        person, record, on, _params(policy, person.county_code, on)
    )
    out = CensusOut(
        person_id=person.person_id,
        household_id=person.household_id,
        name=person.name,
        township_code=person.township_code,
        village_code=person.village_code,
        age=age,
        surveyed_on=record.surveyed_on,
        work_ability=WorkAbility(record.work_ability),
        wishes_to_work=record.wishes_to_work,
        wishes_to_train=record.wishes_to_train,
        skills=list(record.skills),
        education=Education(record.education) if record.education else None,
        in_school=record.in_school,
        declared_two_after=record.declared_two_after,
        job_location=JobLocation(record.job_location),
        employer=record.employer,
        note=record.note,
        working_age=in_age,
        labourer=labourer,
        two_after_students=two_after,
        closed_on=record.closed_on,
        closed_reason=record.closed_reason,
        updated_at=record.updated_at,
    )
    flags = (standing if standing is not None else standing_of(session, [person.person_id])).get(
        person.person_id
    )
    if flags is not None:
        out.on_dibao, out.on_tekun = flags.dibao, flags.tekun
    return out


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
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*WRITERS))],
    file: Annotated[UploadFile, File(description="census (.csv or .xlsx)")],
) -> ImportOut:
    content, name = await read_upload(file, upload_limit(request), max_name=200)
    record = service.import_census(session, content, name, principal, clock.today())
    return ImportOut.model_validate(record, from_attributes=True)


@router.get(
    "/persons",
    response_model=CensusPage,
    summary="The census in scope (EMP-1), with labourer and 两后生 as of today",
)
def list_persons(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    village: VillageQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CensusPage:
    _reader(principal)
    stmt = _scoped(principal, township, village)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(RegistryPerson.village_code, RegistryPerson.person_id)  # type: ignore[arg-type]
        .offset(offset)
        .limit(limit)
    ).all()
    today = clock.today()
    standing = standing_of(session, [p.person_id for p, _ in rows])
    return CensusPage(
        total=total,
        items=[_out(session, p, r, today, runtime.policy, standing) for p, r in rows],
    )


def _scoped(principal: Principal, township: str | None, village: str | None) -> Any:
    stmt = select(RegistryPerson, LabourCensusPerson).join(
        LabourCensusPerson,
        LabourCensusPerson.person_id == RegistryPerson.person_id,  # type: ignore[arg-type]
    )
    if principal.scope:
        stmt = stmt.where(RegistryPerson.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(RegistryPerson.township_code == township)
    if village:
        stmt = stmt.where(RegistryPerson.village_code == village)
    return stmt


@router.get("/persons/{person_id}", response_model=CensusOut, summary="One person's census record")
def get_person(
    person_id: str, session: DbSession, runtime: RuntimeDep, principal: CurrentPrincipal
) -> CensusOut:
    _reader(principal)
    person, record = service.load(session, person_id, principal)
    if record is None:
        raise NotFound("the person has not been surveyed yet")
    return _out(session, person, record, clock.today(), runtime.policy)


@router.put(
    "/persons/{person_id}",
    response_model=CensusOut,
    summary="Record or replace one person's census facts (EMP-1)",
    description="two_after_students (两后生) is derived, not written: junior/senior high "
    "graduates who did not continue (初、高中毕业后未能升学).",
)
def put_person(
    person_id: str,
    body: CensusIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(*WRITERS))],
) -> CensusOut:
    person, record = service.load(session, person_id, principal)
    facts = body.model_dump()
    facts["work_ability"] = body.work_ability.value
    facts["education"] = body.education.value if body.education else None
    facts["job_location"] = body.job_location.value
    record = service.put_record(session, person, record, facts, principal, clock.today())
    return _out(session, person, record, clock.today(), runtime.policy)


@router.patch(
    "/persons/{person_id}",
    response_model=CensusOut,
    summary="Change some of one surveyed person's census facts (EMP-1)",
)
def patch_person(
    person_id: str,
    body: CensusPatch,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(*WRITERS))],
) -> CensusOut:
    person, record = service.load(session, person_id, principal)
    if record is None:
        raise NotFound("the person has not been surveyed yet; PUT the whole record first")
    facts: dict[str, Any] = {}
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is None and name in (
            "work_ability",
            "wishes_to_work",
            "wishes_to_train",
            "skills",
            "in_school",
            "job_location",
            "surveyed_on",
        ):
            raise InvalidInput(
                f"{name} may not be null",
                errors=[FieldError(field=name, reason="may not be null")],
            )
        facts[name] = value.value if hasattr(value, "value") else value
    if facts.get("job_location") == JobLocation.none.value and "employer" not in facts:
        facts["employer"] = None
    record = service.put_record(session, person, record, facts, principal, clock.today())
    return _out(session, person, record, clock.today(), runtime.policy)


@router.get(
    "/not-surveyed",
    response_model=list[UnsurveyedVillage],
    summary="Registered people of working age not yet surveyed, per village (EMP-1)",
    description="Kept current by the registry events: a person registered without a census "
    "record appears here; a deceased person does not.",
)
def get_not_surveyed(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    village: VillageQuery = None,
) -> list[UnsurveyedVillage]:
    _reader(principal)
    today = clock.today()
    county = principal.scope[:6] if len(principal.scope) >= 6 else None
    by_village = service.not_surveyed(
        session, principal, today, Params(runtime.policy, county, today), township, village
    )
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


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


@router.get(
    "/export",
    summary="The census in scope as XLSX (劳动力调查表, Chinese headers)",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def export_census(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    village: VillageQuery = None,
) -> Response:
    _reader(principal)
    today = clock.today()
    rows = session.execute(
        _scoped(principal, township, village).order_by(
            RegistryPerson.village_code,
            RegistryPerson.household_id,
            RegistryPerson.person_id,  # type: ignore[arg-type]
        )
    ).all()
    lines = []
    for person, record in rows:
        out = _out(session, person, record, today, runtime.policy)
        lines.append(
            [
                person.household_id,
                person.name,
                person.id_number,
                person.township_code,
                person.village_code,
                record.surveyed_on,
                WORK_ABILITY_ZH[out.work_ability],
                _yes(record.wishes_to_work),
                _yes(record.wishes_to_train),
                "、".join(record.skills),
                EDUCATION_ZH[out.education] if out.education else "",
                _yes(record.in_school),
                _yes(out.two_after_students),
                JOB_LOCATION_ZH[out.job_location],
                record.employer or "",
                record.note or "",
            ]
        )
    content = write_xlsx(HEADERS_ZH, lines, title="劳动力调查")
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": 'attachment; filename="labour-census.xlsx"'},
    )
