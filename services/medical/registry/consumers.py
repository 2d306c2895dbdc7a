"""Keeps the registry read model current from enrollment's registry events."""

from __future__ import annotations

from sqlmodel import Session

from services.medical.models import RegistryPerson
from shared.bus.consumer import Subscription
from shared.bus.tables import utcnow
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonFacts, PersonRegistered, PersonUpdated


def upsert_person(session: Session, envelope: Envelope, data: EventData) -> None:
    assert isinstance(data, PersonFacts)
    person = session.get(RegistryPerson, data.person_id)
    fields = {
        "id_number": data.id_number,
        "household_id": data.household_id,
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "county_code": data.county_code,
        "township_code": data.township_code,
        "village_code": data.village_code,
        "poverty_status": data.poverty_status,
        "source_event_id": envelope.id,
    }
    if person is None:
        session.add(RegistryPerson(person_id=data.person_id, **fields))
        return
    for name, value in fields.items():
        setattr(person, name, value)
    person.updated_at = utcnow()
    session.add(person)


SUBSCRIPTION = Subscription(
    topics=(PersonRegistered.topic,),
    handlers={
        PersonRegistered.event_type: upsert_person,
        PersonUpdated.event_type: upsert_person,
    },
)
