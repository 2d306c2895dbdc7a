"""Applying a validated roster: upsert by ID number, publish registry events in the same
transaction. A person already registered in another household is a conflict, never an overwrite."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from services.enrollment.models import Household, Person, RegistryImport
from services.enrollment.registry.roster import RosterRow
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError
from shared.events.registry import HouseholdRegistered, PersonRegistered, PersonUpdated

_CHUNK = 500  # stay well under SQLite's bound-parameter limit


@dataclass
class ImportOutcome:
    record: RegistryImport


def _existing_people(session: Session, id_numbers: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for i in range(0, len(id_numbers), _CHUNK):
        chunk = id_numbers[i : i + _CHUNK]
        for person in session.exec(select(Person).where(col(Person.id_number).in_(chunk))):
            found[person.id_number] = person
    return found


def _existing_households(session: Session, ids: list[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        for household in session.exec(select(Household).where(col(Household.id).in_(chunk))):
            found[household.id] = household
    return found


def apply_roster(
    session: Session,
    rows: list[RosterRow],
    *,
    filename: str,
    imported_by: str,
    publish_kwargs: dict[str, str],
) -> RegistryImport:
    people = _existing_people(session, [r.id_number for r in rows])
    conflicts = [
        FieldError(
            field="household_id",
            reason=f"person is already registered in household {people[r.id_number].household_id}"
            "; moving a member is an explicit household operation",
            value=r.household_id,
            row=r.row,
        )
        for r in rows
        if r.id_number in people and people[r.id_number].household_id != r.household_id
    ]
    if conflicts:
        raise Conflict(
            f"{len(conflicts)} row(s) name people registered in another household; nothing was "
            "imported",
            errors=conflicts,
        )
    record = RegistryImport(
        id=str(uuid.uuid4()), filename=filename, imported_by=imported_by, rows=len(rows)
    )
    households = _existing_households(session, sorted({r.household_id for r in rows}))
    now = utcnow()
    for row in rows:
        household = households.get(row.household_id)
        if household is None:
            household = Household(
                id=row.household_id,
                county_code=row.county_code,
                township_code=row.township_code,
                village_code=row.village_code,
                poverty_status=row.poverty_status,
            )
            session.add(household)
            households[row.household_id] = household
            record.households_created += 1
            publish(
                session,
                HouseholdRegistered(
                    household_id=household.id,
                    county_code=household.county_code,
                    township_code=household.township_code,
                    village_code=household.village_code,
                    poverty_status=household.poverty_status,
                ),
                key=household.id,
                subject=household.id,
                **publish_kwargs,
            )
        person = people.get(row.id_number)
        if person is None:
            person = Person(
                id=str(uuid.uuid4()),
                id_number=row.id_number,
                household_id=row.household_id,
                name=row.name,
                sex=row.resident.sex,
                birth_date=row.resident.birth_date,
                relation=row.relation,
            )
            session.add(person)
            people[row.id_number] = person
            record.persons_created += 1
            publish(
                session,
                PersonRegistered(**_facts(person, household)),
                key=household.id,
                subject=person.id,
                **publish_kwargs,
            )
            continue
        changed = [
            name
            for name, new in (("name", row.name), ("relation", row.relation))
            if getattr(person, name) != new
        ]
        if not changed:
            record.persons_unchanged += 1
            continue
        person.name = row.name
        person.relation = row.relation
        person.updated_at = now
        session.add(person)
        record.persons_updated += 1
        publish(
            session,
            PersonUpdated(**_facts(person, household), changed=changed),
            key=household.id,
            subject=person.id,
            **publish_kwargs,
        )
    session.add(record)
    return record


def _facts(person: Person, household: Household) -> dict[str, object]:
    return {
        "person_id": person.id,
        "household_id": household.id,
        "id_number": person.id_number,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "relation": person.relation,
        "county_code": household.county_code,
        "township_code": household.township_code,
        "village_code": household.village_code,
        "poverty_status": household.poverty_status,
    }
