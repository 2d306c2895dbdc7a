"""The registry's work: a roster import, and the one-by-one changes (REG-5): deaths, births,
disability certificates, and the explicit household operations (change of head, a member moving,
a split). Each writes its event."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.enrollment.jobs.service import InvalidRoster, Progress, Work
from services.enrollment.registry.imports import (
    BATCH,
    apply_roster,
    check_roster,
    person_facts,
)
from services.enrollment.registry.models import Household, Person
from services.enrollment.registry.repository import HouseholdRepository, PersonRepository
from services.enrollment.registry.roster import RosterFormatError, RosterReader
from services.enrollment.registry.schemas import PersonOut, PersonPage
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.events.registry import (
    HouseholdHeadChanged,
    HouseholdRegistered,
    HouseholdSplit,
    PersonDeceased,
    PersonDisabilityCertified,
    PersonMoved,
    PersonRegistered,
)
from shared.ids import parse_resident_id
from shared.tabular import TableFormatError, read_rows
from shared.uow import UnitOfWork


def roster_import(content: bytes, filename: str, *, batch: int = BATCH) -> Work:
    """The job importing a roster file (REG-1): all rows valid and inside the jurisdiction of
    whoever imports it, or nothing is written. The file is read twice, `batch` rows at a time
    (services.enrollment.registry.imports): validated whole first, then applied."""

    def work(uow: UnitOfWork, job_id: str, progress: Progress) -> dict[str, Any]:
        reader = RosterReader(uow.today())
        try:
            check = check_roster(uow, reader, read_rows(content, filename), batch=batch)
        except RosterFormatError as exc:
            raise InvalidRoster(str(exc), exc.errors, 1) from exc
        except TableFormatError as exc:
            raise InvalidRoster(str(exc), [], 1) from exc
        errors = list(reader.errors.items)
        outside = check.outside
        if outside and not errors:
            raise Forbidden(
                "the roster has rows outside your jurisdiction", errors=outside[:10_000]
            )
        errors += outside
        if errors:
            errors.sort(key=lambda e: (e.row or 0, e.field))
            count = reader.errors.count + check.outside_count
            raise InvalidRoster(
                f"{count} error(s) in the roster; nothing was imported", errors[:10_000], count
            )
        check.raise_conflicts()
        counts = apply_roster(
            uow,
            reader.reread(read_rows(content, filename)),
            import_id=job_id,
            present=reader.id_rows,
            counties=check.counties,
            progress=progress,
            batch=batch,
        )
        return {"rows": check.rows, **counts}

    return work


def find_person(uow: UnitOfWork, id_number: str, *, lock: bool = False) -> tuple[Person, Household]:
    """A registered person and their household, in the caller's jurisdiction (else 404);
    `lock`: the person held until commit, so that the same change posted twice at once is made
    (and published) once and the second finds it made."""
    return PersonRepository(uow.session, uow.principal).get_or_404(id_number, lock=lock)


def person(uow: UnitOfWork, id_number: str) -> PersonOut:
    return PersonOut.of(*find_person(uow, id_number))


def missing(uow: UnitOfWork, division: str, offset: int, limit: int) -> PersonPage:
    """People absent from the latest roster in `division` (default: the whole jurisdiction)."""
    if division and not uow.principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    total, rows = PersonRepository(uow.session, uow.principal).missing_from_roster(
        division or uow.principal.scope, offset, limit
    )
    return PersonPage(
        total=total, offset=offset, limit=limit, items=[PersonOut.of(p, h) for p, h in rows]
    )


def record_death(uow: UnitOfWork, id_number: str, on: date) -> PersonOut:
    person, household = find_person(uow, id_number, lock=True)
    if person.deceased_on is not None:
        if person.deceased_on == on:
            return PersonOut.of(person, household)  # the same report twice changes nothing
        raise Conflict(f"death already recorded on {person.deceased_on.isoformat()}")
    if on < person.birth_date or on > uow.today():
        raise InvalidInput(
            "date of death is impossible",
            errors=[
                FieldError(
                    field="deceased_on",
                    reason="must be between birth and today",
                    value=on.isoformat(),
                )
            ],
        )
    person.deceased_on = on
    person.updated_at = utcnow()
    uow.session.add(person)
    uow.publish(
        PersonDeceased(
            person_id=person.id,
            household_id=household.id,
            id_number=person.id_number,
            county_code=household.county_code,
            village_code=household.village_code,
            deceased_on=on,
        ),
        key=household.id,
        subject=person.id,
    )
    return PersonOut.of(person, household)


def certify_disability(uow: UnitOfWork, id_number: str, grade: int, on: date) -> PersonOut:
    person, household = find_person(uow, id_number)
    if person.deceased_on is not None:
        raise Conflict("the person is recorded as deceased")
    person.disability_grade = grade
    person.updated_at = utcnow()
    uow.session.add(person)
    uow.publish(
        PersonDisabilityCertified(
            person_id=person.id,
            household_id=household.id,
            id_number=person.id_number,
            county_code=household.county_code,
            village_code=household.village_code,
            grade=grade,
            certified_on=on,
        ),
        key=household.id,
        subject=person.id,
    )
    return PersonOut.of(person, household)


def add_member(
    uow: UnitOfWork, household_id: str, *, id_number: str, name: str, relation: str | None
) -> PersonOut:
    """A birth or marriage into a registered household."""
    household = HouseholdRepository(uow.session, uow.principal).get_or_404(household_id)
    if PersonRepository(uow.session, None).registered(id_number):
        raise Conflict("a person with that ID number is already registered")
    resident = parse_resident_id(id_number)
    person = Person(
        id=str(uuid.uuid4()),
        id_number=resident.number,
        household_id=household.id,
        name=name,
        sex=resident.sex,
        birth_date=resident.birth_date,
        relation=relation,
    )
    if not PersonRepository(uow.session, None).add_new(person):
        # Registered at the same moment by another request, which committed first.
        raise Conflict("a person with that ID number is already registered")
    uow.publish(
        PersonRegistered(**person_facts(person.model_dump(), household.model_dump())),
        key=household.id,
        subject=person.id,
    )
    return PersonOut.of(person, household)


def change_head(uow: UnitOfWork, household_id: str, id_number: str) -> dict[str, str]:
    # Locked: the same change posted twice at once is published once.
    household = HouseholdRepository(uow.session, uow.principal).get_or_404(household_id, lock=True)
    person, _ = find_person(uow, id_number)
    if person.household_id != household.id:
        raise InvalidInput(
            "the new head must be a member of the household",
            errors=[FieldError(field="id_number", reason="not a member of this household")],
        )
    if person.deceased_on is not None:
        raise Conflict("the person is recorded as deceased")
    old = household.head_person_id
    if old != person.id:
        household.head_person_id = person.id
        household.updated_at = utcnow()
        uow.session.add(household)
        uow.publish(
            HouseholdHeadChanged(
                household_id=household.id, old_head_person_id=old, new_head_person_id=person.id
            ),
            key=household.id,
            subject=household.id,
        )
    return {"household_id": household.id, "head_person_id": person.id}


def move_member(uow: UnitOfWork, id_number: str, to_household_id: str) -> PersonOut:
    person, source = find_person(uow, id_number, lock=True)
    target = HouseholdRepository(uow.session, uow.principal).get_or_404(to_household_id)
    if source.id == target.id:
        raise InvalidInput(
            "the person is already in that household",
            errors=[
                FieldError(
                    field="to_household_id", reason="same as the current household", value=target.id
                )
            ],
        )
    person.household_id = target.id
    person.updated_at = utcnow()
    uow.session.add(person)
    if source.head_person_id == person.id:
        source.head_person_id = None
        uow.session.add(source)
    uow.publish(
        PersonMoved(
            person_id=person.id,
            from_household_id=source.id,
            to_household_id=target.id,
            county_code=target.county_code,
            township_code=target.township_code,
            village_code=target.village_code,
            poverty_status=target.poverty_status,
        ),
        key=target.id,
        subject=person.id,
    )
    return PersonOut.of(person, target)


def split_household(
    uow: UnitOfWork,
    household_id: str,
    new_household_id: str,
    id_numbers: list[str],
    head_id_number: str,
) -> dict[str, Any]:
    """Members split off into a new household (分户), headed by one of them."""
    households = HouseholdRepository(uow.session, uow.principal)
    household = households.get_or_404(household_id)
    members = [find_person(uow, n)[0] for n in id_numbers]
    if head_id_number not in id_numbers:
        raise InvalidInput(
            "the new head must be one of the members",
            errors=[FieldError(field="head_id_number", reason="not among id_numbers")],
        )
    head = next(m for m in members if m.id_number == head_id_number)
    if households.exists(new_household_id):
        raise Conflict(f"household {new_household_id} already exists")
    if not members:
        raise InvalidInput(
            "a split needs members", errors=[FieldError(field="id_numbers", reason="is empty")]
        )
    for member in members:
        if member.household_id != household.id:
            raise InvalidInput(
                "every member must belong to the household being split",
                errors=[FieldError(field="id_numbers", reason="not a member of this household")],
            )
    new = Household(
        id=new_household_id,
        county_code=household.county_code,
        township_code=household.township_code,
        village_code=household.village_code,
        poverty_status=household.poverty_status,
        relocated=household.relocated,
        head_person_id=head.id,
    )
    if not households.add_new(new):
        # The same split posted at once: the request that committed first made it.
        raise Conflict(f"household {new_household_id} already exists")
    for member in members:
        member.household_id = new.id
        member.updated_at = utcnow()
        uow.session.add(member)
        if household.head_person_id == member.id:
            household.head_person_id = None
            uow.session.add(household)
    uow.publish(
        HouseholdRegistered(
            household_id=new.id,
            county_code=new.county_code,
            township_code=new.township_code,
            village_code=new.village_code,
            poverty_status=new.poverty_status,
        ),
        key=new.id,
        subject=new.id,
    )
    uow.publish(
        HouseholdSplit(
            household_id=household.id, new_household_id=new.id, person_ids=[m.id for m in members]
        ),
        key=household.id,
        subject=household.id,
    )
    return {"household_id": household.id, "new_household_id": new.id, "members": len(members)}
