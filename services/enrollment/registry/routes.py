"""HTTP API of the registry (建档立卡): roster imports and one-by-one changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse
from sqlmodel import Session, func, select

from services.enrollment.jobs import JobOut, read_upload, start_job
from services.enrollment.models import Household, Person
from services.enrollment.registry import operations as ops
from services.enrollment.registry.imports import apply_roster
from services.enrollment.registry.roster import RosterFormatError, parse_roster
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
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import FieldError, Forbidden, InvalidInput, UnsupportedMediaType
from shared.ids import ResidentIdNumber
from shared.tabular import TableFormatError, is_xlsx, read_rows

router = APIRouter(prefix="/v1", tags=["registry"])

REGISTRY_WRITERS = (Role.county_poverty,)
REGISTRY_CLERKS = (Role.county_poverty, Role.county_hrss, Role.township_officer)
ACCEPTED_TYPES = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class InvalidRoster(InvalidInput):
    def __init__(self, detail: str, errors: list[FieldError], error_count: int) -> None:
        super().__init__(detail, errors=errors)
        self.error_count = error_count


def check_table_upload(content: bytes, filename: str, content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    known_name = filename.lower().endswith((".csv", ".xlsx"))
    if media and media not in ACCEPTED_TYPES and not known_name:
        raise UnsupportedMediaType(f"expected a CSV or XLSX file, got {media}")
    if not content:
        raise InvalidInput("the file is empty", errors=[FieldError(field="file", reason="empty")])


def roster_work(content: bytes, filename: str, principal: Principal, publish_kwargs: dict):  # type: ignore[no-untyped-def]
    def work(session: Session, job_id: str, progress: Any) -> dict[str, Any]:
        try:
            roster = parse_roster(read_rows(content, filename))
        except (RosterFormatError, TableFormatError) as exc:
            raise InvalidRoster(str(exc), getattr(exc, "errors", []), 1) from exc
        errors = list(roster.errors)
        outside = [
            FieldError(
                field="village_code",
                reason=f"outside your jurisdiction ({principal.scope})",
                value=row.village_code,
                row=row.row,
            )
            for row in roster.rows
            if not principal.covers(row.village_code)
        ]
        if outside and not errors:
            raise Forbidden(
                "the roster has rows outside your jurisdiction", errors=outside[:10_000]
            )
        errors += outside
        if errors:
            errors.sort(key=lambda e: (e.row or 0, e.field))
            count = roster.error_count + len(outside)
            raise InvalidRoster(
                f"{count} error(s) in the roster; nothing was imported", errors[:10_000], count
            )
        counts = apply_roster(
            session, roster.rows, import_id=job_id, publish_kwargs=publish_kwargs, progress=progress
        )
        return {"rows": len(roster.rows), **counts}

    return work


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
        work=roster_work(content, filename, principal, runtime.publish_kwargs()),
    )


@router.get("/persons/{id_number}", response_model=PersonOut, summary="A registered person")
def get_person(id_number: ResidentIdNumber, session: DbSession, principal: CurrentPrincipal):  # type: ignore[no-untyped-def]
    person, household = ops.find_person(session, id_number, principal)
    return PersonOut.of(person, household)


@router.get(
    "/registry/missing",
    response_model=PersonPage,
    summary="People absent from the latest roster, flagged for checking (never deleted)",
)
def list_missing(
    session: DbSession,
    principal: CurrentPrincipal,
    division: Annotated[str, Query(pattern=r"^\d{6}(\d{3}){0,2}$")] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> PersonPage:
    prefix = division or principal.scope
    if division and not principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    base = (
        select(Person, Household)
        .join(Household, Household.id == Person.household_id)  # type: ignore[arg-type]
        .where(Person.missing_since_import.is_not(None))  # type: ignore[union-attr]
        .where(Household.village_code.startswith(prefix))  # type: ignore[attr-defined]
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(base.order_by(Person.id_number).offset(offset).limit(limit)).all()
    return PersonPage(
        total=total, offset=offset, limit=limit, items=[PersonOut.of(p, h) for p, h in rows]
    )


Clerk = Annotated[Principal, Depends(require(*REGISTRY_CLERKS))]


@router.post("/persons/{id_number}/death", response_model=PersonOut, summary="Record a death")
def post_death(
    id_number: ResidentIdNumber,
    body: DeathIn,
    session: DbSession,
    principal: Clerk,
    runtime: RuntimeDep,
) -> PersonOut:
    person, household = ops.find_person(session, id_number, principal)
    ops.record_death(session, person, household, body.deceased_on, runtime.publish_kwargs())
    return PersonOut.of(person, household)


@router.post(
    "/persons/{id_number}/disability",
    response_model=PersonOut,
    summary="Record a disability certificate (残疾证)",
)
def post_disability(
    id_number: ResidentIdNumber,
    body: DisabilityIn,
    session: DbSession,
    principal: Clerk,
    runtime: RuntimeDep,
) -> PersonOut:
    person, household = ops.find_person(session, id_number, principal)
    ops.certify_disability(
        session, person, household, body.grade, body.certified_on, runtime.publish_kwargs()
    )
    return PersonOut.of(person, household)


@router.post(
    "/households/{household_id}/members",
    response_model=PersonOut,
    status_code=201,
    summary="Add a member (birth, marriage in)",
)
def post_member(
    household_id: str, body: MemberIn, session: DbSession, principal: Clerk, runtime: RuntimeDep
) -> PersonOut:
    household = ops.find_household(session, household_id, principal)
    person = ops.add_member(
        session,
        household,
        id_number=body.id_number,
        name=body.name,
        relation=body.relation,
        publish_kwargs=runtime.publish_kwargs(),
    )
    return PersonOut.of(person, household)


@router.post("/households/{household_id}/head", summary="Change the head of household")
def post_head(
    household_id: str, body: HeadIn, session: DbSession, principal: Clerk, runtime: RuntimeDep
) -> dict[str, str]:
    household = ops.find_household(session, household_id, principal)
    person, _ = ops.find_person(session, body.id_number, principal)
    ops.change_head(session, household, person, runtime.publish_kwargs())
    return {"household_id": household.id, "head_person_id": person.id}


@router.post(
    "/persons/{id_number}/move",
    response_model=PersonOut,
    summary="Move a member to another registered household",
)
def post_move(
    id_number: ResidentIdNumber,
    body: MoveIn,
    session: DbSession,
    principal: Clerk,
    runtime: RuntimeDep,
) -> PersonOut:
    person, source = ops.find_person(session, id_number, principal)
    target = ops.find_household(session, body.to_household_id, principal)
    ops.move_member(session, person, source, target, runtime.publish_kwargs())
    return PersonOut.of(person, target)


@router.post(
    "/households/{household_id}/split",
    status_code=201,
    summary="Split members off into a new household (分户)",
)
def post_split(
    household_id: str, body: SplitIn, session: DbSession, principal: Clerk, runtime: RuntimeDep
) -> dict[str, Any]:
    household = ops.find_household(session, household_id, principal)
    members = [ops.find_person(session, n, principal)[0] for n in body.id_numbers]
    if body.head_id_number not in body.id_numbers:
        raise InvalidInput(
            "the new head must be one of the members",
            errors=[FieldError(field="head_id_number", reason="not among id_numbers")],
        )
    head = next(m for m in members if m.id_number == body.head_id_number)
    new = ops.split_household(
        session, household, body.new_household_id, members, head, runtime.publish_kwargs()
    )
    return {"household_id": household.id, "new_household_id": new.id, "members": len(members)}
