"""The shell of the labour census (劳动力调查, EMP-1): import a spreadsheet whole or not at all,
edit one person, list who is not yet surveyed, close the record of a person who died, and read
the census for the indicators (`census_people`, `labourers`).

The person's township and village are the registry read model's; a census record adds the
labour facts. Working age, labourer and 两后生 are computed by the pure rules
(services/employment/census/rules.py) for the date asked, never stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from services.employment.census.importing import MAX_ERRORS, parse_lines
from services.employment.census.models import LabourCensusImport, LabourCensusPerson
from services.employment.census.rules import (
    Education,
    JobLocation,
    TwoAfterFacts,
    WorkAbility,
    is_labourer,
    two_after_student,
    working_age,
    working_age_births,
)
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput, NotFound
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.policy import PolicySet
from shared.settings import get_settings
from shared.tabular import RowErrors, TableFormatError, read_rows
from shared.trace import Params, Trace
from shared.uow import UnitOfWork

CHUNK = 900
EDITABLE = (
    "surveyed_on",
    "work_ability",
    "wishes_to_work",
    "wishes_to_train",
    "skills",
    "education",
    "in_school",
    "declared_two_after",
    "job_location",
    "employer",
    "note",
)


@lru_cache(maxsize=1)
def default_policy() -> PolicySet:
    return PolicySet.load(get_settings().policy_dir)


@dataclass(frozen=True)
class SurveyedPerson:
    """A census person as of a date, with what the rules derive (EMP-1, EMP-2)."""

    person_id: str
    household_id: str
    county_code: str
    township_code: str
    village_code: str
    age: int
    alive: bool
    poverty_status: str | None  # registry status on the date
    work_ability: WorkAbility
    wishes_to_work: bool
    wishes_to_train: bool
    job_location: JobLocation
    working_age: bool
    labourer: bool
    two_after: bool


def evaluate(
    person: RegistryPerson, record: LabourCensusPerson, on: date, params: Params
) -> tuple[int, bool, bool, bool]:
    """(age, working age, labourer, 两后生) of a person on `on`."""
    trace = Trace()
    age = working_age(person.birth_date, on, params, trace=trace)
    alive = person.deceased_on is None or person.deceased_on > on
    alive = alive and (record.closed_on is None or record.closed_on > on)
    labourer = is_labourer(WorkAbility(record.work_ability), age.working_age, alive)
    facts = TwoAfterFacts(
        birth_date=person.birth_date,
        education=Education(record.education) if record.education else None,
        in_school=record.in_school,
        declared_two_after=record.declared_two_after,
    )
    two_after = alive and two_after_student(facts, on, params, trace=trace).two_after
    return age.age, age.working_age, labourer, two_after


def load(
    session: Session, person_id: str, principal: Principal
) -> tuple[RegistryPerson, LabourCensusPerson | None]:
    person = session.get(RegistryPerson, person_id)
    if person is None:
        raise NotFound("no such person in the registry")
    principal.guard(person.village_code)
    return person, session.get(LabourCensusPerson, person_id)


def _people(session: Session, numbers: list[str]) -> dict[str, RegistryPerson]:
    found: dict[str, RegistryPerson] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        rows = session.execute(
            select(RegistryPerson).where(RegistryPerson.id_number.in_(chunk))  # type: ignore[attr-defined]
        ).scalars()
        found.update({p.id_number: p for p in rows})
    return found


def import_census(
    session: Session, content: bytes, filename: str, principal: Principal, today: date
) -> LabourCensusImport:
    """EMP-1: the whole file or nothing; every error by row and field."""
    errors = RowErrors(MAX_ERRORS)
    try:
        lines = parse_lines(read_rows(content, filename), errors)
    except TableFormatError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="file", reason=str(exc))]) from exc
    people = _people(session, [line.id_number for line in lines])
    seen: dict[str, int] = {}
    values: list[dict[str, Any]] = []
    now = utcnow()
    for line in lines:
        first = seen.setdefault(line.id_number, line.row)
        if first != line.row:
            errors.add(line.row, "id_number", f"the person is also on row {first}", line.id_number)
            continue
        person = people.get(line.id_number)
        if person is None:
            errors.add(line.row, "id_number", "not in the poverty registry", line.id_number)
            continue
        if not principal.covers(person.village_code):
            errors.add(line.row, "id_number", f"outside your jurisdiction ({principal.scope})")
            continue
        if person.deceased_on is not None:
            errors.add(line.row, "id_number", "the person is recorded as deceased")
            continue
        surveyed = line.surveyed_on or today
        if surveyed > today:
            errors.add(line.row, "surveyed_on", "in the future", surveyed.isoformat())
            continue
        values.append(
            {
                "person_id": person.person_id,
                "household_id": person.household_id,
                "surveyed_on": surveyed,
                "work_ability": line.work_ability.value,
                "wishes_to_work": line.wishes_to_work,
                "wishes_to_train": line.wishes_to_train,
                "skills": line.skills,
                "education": line.education.value if line.education else None,
                "in_school": line.in_school,
                "declared_two_after": line.declared_two_after,
                "job_location": line.job_location.value,
                "employer": line.employer,
                "note": line.note,
                "updated_by": principal.subject,
                "updated_at": now,
                "created_at": now,
            }
        )
    if errors.count:
        errors.items.sort(key=lambda e: (e.row or 0, e.field))
        raise InvalidInput(
            f"{errors.count} error(s) in the file; nothing was imported", errors=errors.items
        )
    ids = [v["person_id"] for v in values]
    existing = set()
    for start in range(0, len(ids), CHUNK):
        existing.update(
            session.execute(
                select(LabourCensusPerson.person_id).where(
                    LabourCensusPerson.person_id.in_(ids[start : start + CHUNK])  # type: ignore[attr-defined]
                )
            ).scalars()
        )
    scope = principal.scope[:6] if len(principal.scope) >= 6 else ""
    counties = {people[line.id_number].county_code for line in lines}
    record = LabourCensusImport(
        county_code=scope or (counties.pop() if len(counties) == 1 else ""),
        filename=filename,
        rows=len(values),
        created=len(ids) - len(existing),
        updated=len(existing),
        created_by=principal.subject,
    )
    session.add(record)
    session.flush()
    for v in values:
        v["import_id"] = record.id
    for start in range(0, len(values), 2000):
        _bulk_upsert(session, values[start : start + 2000])
    return record


def _bulk_upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE for many rows; a re-survey reopens nothing closed."""
    table = LabourCensusPerson.__table__  # type: ignore[attr-defined]
    pg = session.get_bind().dialect.name == "postgresql"
    stmt = (pg_insert if pg else sqlite_insert)(table)
    keep = ("person_id", "created_at")
    stmt = stmt.on_conflict_do_update(
        index_elements=["person_id"],
        set_={c: stmt.excluded[c] for c in rows[0] if c not in keep},
    )
    session.execute(stmt, rows)


def put_record(
    session: Session,
    person: RegistryPerson,
    record: LabourCensusPerson | None,
    facts: dict[str, Any],
    principal: Principal,
    today: date,
) -> LabourCensusPerson:
    """EMP-1: create or replace one person's census facts."""
    if person.deceased_on is not None:
        raise InvalidInput(
            "the person is recorded as deceased",
            errors=[FieldError(field="person_id", reason="deceased", value=person.person_id)],
        )
    surveyed = facts.get("surveyed_on") or today
    if surveyed > today:
        raise InvalidInput(
            "survey date in the future",
            errors=[FieldError(field="surveyed_on", reason="in the future", value=str(surveyed))],
        )
    if record is None:
        record = LabourCensusPerson(
            person_id=person.person_id,
            household_id=person.household_id,
            surveyed_on=surveyed,
            work_ability=facts["work_ability"],
            updated_by=principal.subject,
        )
    for name in EDITABLE:
        if name in facts:
            setattr(record, name, facts[name])
    record.surveyed_on = surveyed
    record.household_id = person.household_id
    record.updated_by = principal.subject
    record.updated_at = utcnow()
    if JobLocation(record.job_location) is JobLocation.none and record.employer:
        raise InvalidInput(
            "an employer is given but the person has no job",
            errors=[FieldError(field="employer", reason="job_location is none")],
        )
    session.add(record)
    session.flush()
    return record


def not_surveyed(
    session: Session,
    principal: Principal,
    on: date,
    params: Params,
    township: str | None = None,
    village: str | None = None,
) -> dict[str, list[RegistryPerson]]:
    """EMP-1: registered people of working age, alive, without a census record, by village."""
    first, last = working_age_births(on, params)
    stmt = (
        select(RegistryPerson)
        .outerjoin(
            LabourCensusPerson,
            LabourCensusPerson.person_id == RegistryPerson.person_id,  # type: ignore[arg-type]
        )
        .where(
            LabourCensusPerson.person_id.is_(None),  # type: ignore[union-attr]
            RegistryPerson.deceased_on.is_(None),  # type: ignore[union-attr]
            RegistryPerson.birth_date > first,  # type: ignore[operator]
            RegistryPerson.birth_date <= last,  # type: ignore[operator]
        )
    )
    if principal.scope:
        stmt = stmt.where(RegistryPerson.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(RegistryPerson.township_code == township)
    if village:
        stmt = stmt.where(RegistryPerson.village_code == village)
    stmt = stmt.order_by(
        RegistryPerson.village_code, RegistryPerson.household_id, RegistryPerson.person_id
    )  # type: ignore[arg-type]
    out: dict[str, list[RegistryPerson]] = {}
    for person in session.execute(stmt).scalars():
        out.setdefault(person.village_code, []).append(person)
    return out


def statuses_on(session: Session, person_ids: Iterable[str], on: date) -> dict[str, str]:
    """REG-2: each person's registry status in force on `on` (absent: not registered then)."""
    ids = list(person_ids)
    out: dict[str, tuple[date, int, str]] = {}
    h = RegistryStatusHistory
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(h.person_id, h.valid_from, h.id, h.status).where(
                h.person_id.in_(ids[start : start + CHUNK]),  # type: ignore[attr-defined]
                h.valid_from <= on,  # type: ignore[operator]
            )
        )
        for pid, valid_from, hid, status in rows:
            key = (valid_from, hid or 0, status)
            if pid not in out or key[:2] > out[pid][:2]:
                out[pid] = key
    return {pid: v[2] for pid, v in out.items()}


def census_people(
    session: Session, county: str, on: date, policy: PolicySet | None = None
) -> list[SurveyedPerson]:
    """Every person of `county` with a census record surveyed on or before `on`, with what the
    rules derive on that date (EMP-1, EMP-2). For the indicators and the monthly report."""
    params = Params(policy or default_policy(), county, on)
    rows = session.execute(
        select(RegistryPerson, LabourCensusPerson)
        .join(LabourCensusPerson, LabourCensusPerson.person_id == RegistryPerson.person_id)  # type: ignore[arg-type]
        .where(
            RegistryPerson.county_code == county,
            LabourCensusPerson.surveyed_on <= on,  # type: ignore[operator]
        )
        .order_by(RegistryPerson.village_code, RegistryPerson.person_id)  # type: ignore[arg-type]
    ).all()
    status = statuses_on(session, [p.person_id for p, _ in rows], on)
    out = []
    for person, record in rows:
        age, in_age, labourer, two_after = evaluate(person, record, on, params)
        alive = (person.deceased_on is None or person.deceased_on > on) and (
            record.closed_on is None or record.closed_on > on
        )
        out.append(
            SurveyedPerson(
                person_id=person.person_id,
                household_id=person.household_id,
                county_code=person.county_code,
                township_code=person.township_code,
                village_code=person.village_code,
                age=age,
                alive=alive,
                poverty_status=status.get(person.person_id),
                work_ability=WorkAbility(record.work_ability),
                wishes_to_work=record.wishes_to_work,
                wishes_to_train=record.wishes_to_train,
                job_location=JobLocation(record.job_location),
                working_age=in_age,
                labourer=labourer,
                two_after=two_after,
            )
        )
    return out


def labourers(
    session: Session, county: str, on: date, policy: PolicySet | None = None
) -> list[SurveyedPerson]:
    """EMP-1: the registered poor labourers (劳动力) of `county` on `on`: surveyed, of working age,
    alive, able to work fully or partly, registered poor (未脱贫 or 已脱贫) on that date."""
    return [
        p
        for p in census_people(session, county, on, policy)
        if p.labourer and p.poverty_status in REGISTERED_POOR
    ]


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """A registered person died: the census record is closed (EMP-1)."""

    session = uow.session
    assert isinstance(data, PersonDeceased)
    session.execute(
        update(LabourCensusPerson)
        .where(
            LabourCensusPerson.person_id == data.person_id,  # type: ignore[arg-type]
            LabourCensusPerson.closed_on.is_(None),  # type: ignore[union-attr]
        )
        .values(closed_on=data.deceased_on, closed_reason="deceased", updated_at=utcnow())
    )
