"""Keeps the registry read model current from enrollment's registry events."""

from __future__ import annotations

from typing import Any

from services.medical.family_doctor.service import end_on_death, follow_move
from services.medical.registry.repository import PersonRepository
from shared.bus.consumer import Subscription
from shared.bus.tables import utcnow
from shared.events.catalogue import EventData
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonDeceased,
    PersonFacts,
    PersonMoved,
    PersonRegistered,
    PersonUpdated,
)
from shared.uow import UnitOfWork


def upsert_person(uow: UnitOfWork, data: EventData) -> None:
    """The event carries the person's full state, so applying it is an upsert by person id."""
    assert isinstance(data, PersonFacts)
    people = PersonRepository(uow.session, None)
    people.record_status(uow.envelope, data.person_id, data.poverty_status.value)
    people.upsert(person_row(uow, data))


def upsert_people(events: list[tuple[UnitOfWork, EventData]]) -> None:
    """`upsert_person` for a run of events at once: one read of their status histories, one
    insert of new statuses, one upsert of the people (a registry import's hot path)."""
    facts = [(uow, data) for uow, data in events if isinstance(data, PersonFacts)]
    assert len(facts) == len(events)
    people = PersonRepository(events[0][0].session, None)
    people.record_statuses(
        [(uow.envelope, data.person_id, data.poverty_status.value) for uow, data in facts]
    )
    people.upsert_many([person_row(uow, data) for uow, data in facts])


def person_row(uow: UnitOfWork, data: PersonFacts) -> dict[str, Any]:
    now = utcnow()
    return {
        "person_id": data.person_id,
        "id_number": data.id_number,
        "household_id": data.household_id,
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "county_code": data.county_code,
        "township_code": data.township_code,
        "village_code": data.village_code,
        "poverty_status": data.poverty_status.value,
        "registered_at": now,
        "updated_at": now,
        "source_event_id": uow.envelope.id,
    }


def household_status(uow: UnitOfWork, data: EventData) -> None:
    """REG-2: exited people stay covered; the read model follows the status for the waivers."""
    assert isinstance(data, HouseholdPovertyStatusChanged)
    people = PersonRepository(uow.session, None)
    for person_id in data.person_ids:
        people.record_status(uow.envelope, person_id, data.new_status.value)
    people.set_household_status(data.household_id, data.new_status.value)


def person_moved(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, PersonMoved)
    PersonRepository(uow.session, None).move(
        data.person_id,
        household_id=data.to_household_id,
        county_code=data.county_code,
        township_code=data.township_code,
        village_code=data.village_code,
        poverty_status=data.poverty_status.value,
    )
    # MED-12: a family-doctor signing follows the patient inside the team's area only.
    follow_move(uow, data.person_id, data.village_code)


def person_deceased(uow: UnitOfWork, data: EventData) -> None:
    """The read model keeps the dead with the day of death; a family-doctor signing ends that
    day (MED-12)."""
    assert isinstance(data, PersonDeceased)
    PersonRepository(uow.session, None).record_death(data.person_id, data.deceased_on)
    end_on_death(uow, data.person_id, data.deceased_on)


def household_split(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, HouseholdSplit)
    PersonRepository(uow.session, None).set_household(data.person_ids, data.new_household_id)


SUBSCRIPTION = Subscription(
    group="medical",  # the registry read model
    topics=(PersonRegistered.topic,),
    handlers={
        PersonRegistered.event_type: upsert_person,
        PersonUpdated.event_type: upsert_person,
        HouseholdPovertyStatusChanged.event_type: household_status,
        PersonMoved.event_type: person_moved,
        HouseholdSplit.event_type: household_split,
        PersonDeceased.event_type: person_deceased,
    },
    batch_handlers={
        PersonRegistered.event_type: upsert_people,
        PersonUpdated.event_type: upsert_people,
    },
)
