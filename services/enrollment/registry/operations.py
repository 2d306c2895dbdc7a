"""One-by-one registry changes (REG-5): deaths, births, disability certificates, and the explicit
household operations (change of head, a member moving, a split). Each writes its event."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Session, select

from services.enrollment import clock
from services.enrollment.models import Household, Person
from services.enrollment.registry.imports import person_facts
from shared.auth import Principal
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
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


def as_dict(row: Person | Household) -> dict[str, Any]:
    return row.model_dump()


def find_person(session: Session, id_number: str, principal: Principal) -> tuple[Person, Household]:
    person = session.exec(select(Person).where(Person.id_number == id_number)).first()
    if person is None:
        raise NotFound("no registered person with that ID number")
    household = session.get(Household, person.household_id)
    assert household is not None
    principal.guard(household.village_code)
    return person, household


def find_household(session: Session, household_id: str, principal: Principal) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("no registered household with that id")
    principal.guard(household.village_code)
    return household


def record_death(
    session: Session, person: Person, household: Household, on: date, publish_kwargs: dict
) -> None:
    if person.deceased_on is not None:
        if person.deceased_on == on:
            return  # the same report twice changes nothing
        raise Conflict(f"death already recorded on {person.deceased_on.isoformat()}")
    if on < person.birth_date or on > clock.today():
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
    session.add(person)
    publish(
        session,
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
        **publish_kwargs,
    )


def certify_disability(
    session: Session,
    person: Person,
    household: Household,
    grade: int,
    on: date,
    publish_kwargs: dict,
) -> None:
    if person.deceased_on is not None:
        raise Conflict("the person is recorded as deceased")
    person.disability_grade = grade
    person.updated_at = utcnow()
    session.add(person)
    publish(
        session,
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
        **publish_kwargs,
    )


def add_member(
    session: Session,
    household: Household,
    *,
    id_number: str,
    name: str,
    relation: str | None,
    publish_kwargs: dict,
) -> Person:
    """A birth or marriage into a registered household."""
    if session.exec(select(Person).where(Person.id_number == id_number)).first() is not None:
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
    session.add(person)
    publish(
        session,
        PersonRegistered(**person_facts(as_dict(person), as_dict(household))),
        key=household.id,
        subject=person.id,
        **publish_kwargs,
    )
    return person


def change_head(
    session: Session, household: Household, person: Person, publish_kwargs: dict
) -> None:
    if person.household_id != household.id:
        raise InvalidInput(
            "the new head must be a member of the household",
            errors=[FieldError(field="id_number", reason="not a member of this household")],
        )
    if person.deceased_on is not None:
        raise Conflict("the person is recorded as deceased")
    old = household.head_person_id
    if old == person.id:
        return
    household.head_person_id = person.id
    household.updated_at = utcnow()
    session.add(household)
    publish(
        session,
        HouseholdHeadChanged(
            household_id=household.id, old_head_person_id=old, new_head_person_id=person.id
        ),
        key=household.id,
        subject=household.id,
        **publish_kwargs,
    )


def move_member(
    session: Session,
    person: Person,
    source: Household,
    target: Household,
    publish_kwargs: dict,
) -> None:
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
    session.add(person)
    if source.head_person_id == person.id:
        source.head_person_id = None
        session.add(source)
    publish(
        session,
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
        **publish_kwargs,
    )


def split_household(
    session: Session,
    household: Household,
    new_household_id: str,
    members: list[Person],
    head: Person,
    publish_kwargs: dict,
) -> Household:
    if session.get(Household, new_household_id) is not None:
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
    session.add(new)
    session.flush()
    for member in members:
        member.household_id = new.id
        member.updated_at = utcnow()
        session.add(member)
        if household.head_person_id == member.id:
            household.head_person_id = None
            session.add(household)
    publish(
        session,
        HouseholdRegistered(
            household_id=new.id,
            county_code=new.county_code,
            township_code=new.township_code,
            village_code=new.village_code,
            poverty_status=new.poverty_status,
        ),
        key=new.id,
        subject=new.id,
        **publish_kwargs,
    )
    publish(
        session,
        HouseholdSplit(
            household_id=household.id, new_household_id=new.id, person_ids=[m.id for m in members]
        ),
        key=household.id,
        subject=household.id,
        **publish_kwargs,
    )
    return new
