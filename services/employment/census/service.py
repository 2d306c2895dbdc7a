"""The shell of the labour census (劳动力调查, EMP-1): import a spreadsheet whole or not at all,
edit one person, list who is not yet surveyed, close the record of a person who died, and read
the census for the indicators (`census_people`, `labourers`).

The person's township and village are the registry read model's; a census record adds the
labour facts. Working age, labourer and 两后生 are computed by the pure rules
(services/employment/census/rules.py) for the date asked, never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from services.employment.census.importing import HEADERS_ZH, MAX_ERRORS, parse_lines
from services.employment.census.models import LabourCensusImport, LabourCensusPerson
from services.employment.census.repository import Census, surveyed_in_county
from services.employment.census.rules import (
    EDUCATION_ZH,
    JOB_LOCATION_ZH,
    WORK_ABILITY_ZH,
    Education,
    JobLocation,
    TwoAfterFacts,
    WorkAbility,
    is_labourer,
    two_after_student,
    working_age,
    working_age_births,
)
from services.employment.census.schemas import CensusOut, CensusPage
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.registry.models import RegistryPerson
from services.employment.registry.repository import statuses_on
from services.employment.welfare.models import WelfareStanding
from services.employment.welfare.repository import standing_of
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput, NotFound
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.policy import PolicySet
from shared.tabular import RowErrors, TableFormatError, read_rows, write_xlsx
from shared.trace import Params, Trace
from shared.uow import UnitOfWork

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
# Facts a PATCH may not set to null.
REQUIRED = (
    "work_ability",
    "wishes_to_work",
    "wishes_to_train",
    "skills",
    "in_school",
    "job_location",
    "surveyed_on",
)


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


def census_out(
    uow: UnitOfWork,
    person: RegistryPerson,
    record: LabourCensusPerson,
    on: date,
    standing: dict[str, WelfareStanding] | None = None,
) -> CensusOut:
    """One person's census record as the API shows it, with what the rules derive on `on` and
    the welfare flags (低保, 特困)."""
    age, in_age, labourer, two_after = evaluate(
        person, record, on, uow.params(person.county_code, on)
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
    flags = (
        standing if standing is not None else standing_of(uow.session, [person.person_id])
    ).get(person.person_id)
    if flags is not None:
        out.on_dibao, out.on_tekun = flags.dibao, flags.tekun
    return out


def page(
    uow: UnitOfWork, township: str | None, village: str | None, *, limit: int, offset: int
) -> CensusPage:
    """EMP-1: the census in scope, with labourer and 两后生 as of today."""
    total, rows = Census(uow.session, uow.principal).page(
        township, village, limit=limit, offset=offset
    )
    today = uow.today()
    standing = standing_of(uow.session, [p.person_id for p, _ in rows])
    return CensusPage(total=total, items=[census_out(uow, p, r, today, standing) for p, r in rows])


def load(uow: UnitOfWork, person_id: str) -> tuple[RegistryPerson, LabourCensusPerson | None]:
    """The person (404 if unknown or outside the caller's jurisdiction) and their record."""
    census = Census(uow.session, uow.principal)
    person = census.people.get_or_404(person_id)
    return person, census.record_of(person_id)


def one(uow: UnitOfWork, person_id: str) -> CensusOut:
    person, record = load(uow, person_id)
    if record is None:
        raise NotFound("the person has not been surveyed yet")
    return census_out(uow, person, record, uow.today())


def import_census(uow: UnitOfWork, content: bytes, filename: str) -> LabourCensusImport:
    """EMP-1: the whole file or nothing; every error by row and field."""
    today = uow.today()
    principal = uow.principal
    errors = RowErrors(MAX_ERRORS)
    try:
        lines = parse_lines(read_rows(content, filename), errors)
    except TableFormatError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="file", reason=str(exc))]) from exc
    census = Census(uow.session, principal)
    people = census.people.by_id_numbers([line.id_number for line in lines])
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
        if not census.people.visible(person):
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
                "updated_by": uow.actor,
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
    existing = census.existing(ids)
    scope = principal.scope[:6] if len(principal.scope) >= 6 else ""
    counties = {people[line.id_number].county_code for line in lines}
    record = census.add_import(
        LabourCensusImport(
            county_code=scope or (counties.pop() if len(counties) == 1 else ""),
            filename=filename,
            rows=len(values),
            created=len(ids) - len(existing),
            updated=len(existing),
            created_by=uow.actor,
        )
    )
    for v in values:
        v["import_id"] = record.id
    for start in range(0, len(values), 2000):
        census.upsert_many(values[start : start + 2000])
    return record


def put_record(uow: UnitOfWork, person_id: str, facts: dict[str, Any]) -> CensusOut:
    """EMP-1: create or replace one person's census facts."""
    person, record = load(uow, person_id)
    return _put(uow, person, record, facts)


def patch_record(uow: UnitOfWork, person_id: str, changes: dict[str, Any]) -> CensusOut:
    """EMP-1: change some of one surveyed person's census facts."""
    person, record = load(uow, person_id)
    if record is None:
        raise NotFound("the person has not been surveyed yet; PUT the whole record first")
    facts: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None and name in REQUIRED:
            raise InvalidInput(
                f"{name} may not be null",
                errors=[FieldError(field=name, reason="may not be null")],
            )
        facts[name] = value.value if hasattr(value, "value") else value
    if facts.get("job_location") == JobLocation.none.value and "employer" not in facts:
        facts["employer"] = None
    return _put(uow, person, record, facts)


def _put(
    uow: UnitOfWork,
    person: RegistryPerson,
    record: LabourCensusPerson | None,
    facts: dict[str, Any],
) -> CensusOut:
    today = uow.today()
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
    census = Census(uow.session, uow.principal)
    if record is None:
        record = LabourCensusPerson(
            person_id=person.person_id,
            household_id=person.household_id,
            surveyed_on=surveyed,
            work_ability=facts["work_ability"],
            updated_by=uow.actor,
        )
        _apply(uow, person, record, facts, surveyed)
        if census.add_new(record):
            return census_out(uow, person, record, uow.today())
        # Surveyed at the same moment by another request: this one replaces its facts.
        record = census.record_of(person.person_id)
        assert record is not None
    _apply(uow, person, record, facts, surveyed)
    record = census.save(record)
    return census_out(uow, person, record, uow.today())


def _apply(
    uow: UnitOfWork,
    person: RegistryPerson,
    record: LabourCensusPerson,
    facts: dict[str, Any],
    surveyed: date,
) -> None:
    for name in EDITABLE:
        if name in facts:
            setattr(record, name, facts[name])
    record.surveyed_on = surveyed
    record.household_id = person.household_id
    record.updated_by = uow.actor
    record.updated_at = utcnow()
    if JobLocation(record.job_location) is JobLocation.none and record.employer:
        raise InvalidInput(
            "an employer is given but the person has no job",
            errors=[FieldError(field="employer", reason="job_location is none")],
        )


def not_surveyed(
    uow: UnitOfWork, township: str | None = None, village: str | None = None
) -> dict[str, list[RegistryPerson]]:
    """EMP-1: registered people of working age, alive, without a census record, by village
    (the working age of the caller's county, or the default without one)."""
    today = uow.today()
    scope = uow.principal.scope
    county = scope[:6] if len(scope) >= 6 else None
    first, last = working_age_births(today, uow.params(county, today))
    out: dict[str, list[RegistryPerson]] = {}
    for person in Census(uow.session, uow.principal).not_surveyed(first, last, township, village):
        out.setdefault(person.village_code, []).append(person)
    return out


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def export(uow: UnitOfWork, township: str | None, village: str | None) -> bytes:
    """EMP-1: the census in scope as XLSX (劳动力调查表, Chinese headers)."""
    today = uow.today()
    lines = []
    for person, record in Census(uow.session, uow.principal).for_export(township, village):
        out = census_out(uow, person, record, today)
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
    return write_xlsx(HEADERS_ZH, lines, title="劳动力调查")


def census_people(
    session: Session, county: str, on: date, policy: PolicySet
) -> list[SurveyedPerson]:
    """Every person of `county` with a census record surveyed on or before `on`, with what the
    rules derive on that date (EMP-1, EMP-2). For the indicators and the monthly report."""
    params = Params(policy, county, on)
    rows = surveyed_in_county(session, county, on)
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


def labourers(session: Session, county: str, on: date, policy: PolicySet) -> list[SurveyedPerson]:
    """EMP-1: the registered poor labourers (劳动力) of `county` on `on`: surveyed, of working age,
    alive, able to work fully or partly, registered poor (未脱贫 or 已脱贫) on that date."""
    return [
        p
        for p in census_people(session, county, on, policy)
        if p.labourer and p.poverty_status in REGISTERED_POOR
    ]


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """A registered person died: the census record is closed (EMP-1)."""
    assert isinstance(data, PersonDeceased)
    Census(uow.session, None).close(data.person_id, data.deceased_on, "deceased")
