"""Keeps the registry read model current from enrollment's registry events."""

from __future__ import annotations

from sqlalchemy import update

from services.medical.models import RegistryPerson, RegistryStatusHistory
from shared.bus.consumer import Subscription
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonFacts,
    PersonMoved,
    PersonRegistered,
    PersonUpdated,
)
from shared.registry_projection import RegistryProjection
from shared.uow import UnitOfWork

T = RegistryPerson.__table__  # type: ignore[attr-defined]


def upsert_person(uow: UnitOfWork, data: EventData) -> None:
    """The event carries the person's full state, so applying it is an upsert by person id."""

    session, envelope = uow.session, uow.envelope
    assert isinstance(data, PersonFacts)
    now = utcnow()
    record_status(session, envelope, data.person_id, data.poverty_status.value)
    upsert(
        session,
        RegistryPerson,
        {
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
            "source_event_id": envelope.id,
        },
        key=("person_id",),
        insert_only=("registered_at",),
    )


# The status history is kept as every service's registry read model keeps it.
_HISTORY = RegistryProjection(RegistryPerson, RegistryStatusHistory)
record_status = _HISTORY.record_status
status_on = _HISTORY.status_on


def household_status(uow: UnitOfWork, data: EventData) -> None:
    """REG-2: exited people stay covered; the read model follows the status for the waivers."""

    session, envelope = uow.session, uow.envelope
    assert isinstance(data, HouseholdPovertyStatusChanged)
    for person_id in data.person_ids:
        record_status(session, envelope, person_id, data.new_status.value)
    session.execute(
        update(T)
        .where(T.c.household_id == data.household_id)
        .values(poverty_status=data.new_status.value, updated_at=utcnow())
    )


def person_moved(uow: UnitOfWork, data: EventData) -> None:
    session = uow.session
    assert isinstance(data, PersonMoved)
    session.execute(
        update(T)
        .where(T.c.person_id == data.person_id)
        .values(
            household_id=data.to_household_id,
            county_code=data.county_code,
            township_code=data.township_code,
            village_code=data.village_code,
            poverty_status=data.poverty_status.value,
            updated_at=utcnow(),
        )
    )


def household_split(uow: UnitOfWork, data: EventData) -> None:
    session = uow.session
    assert isinstance(data, HouseholdSplit)
    session.execute(
        update(T)
        .where(T.c.person_id.in_(data.person_ids))
        .values(household_id=data.new_household_id, updated_at=utcnow())
    )


SUBSCRIPTION = Subscription(
    group="medical",  # the registry read model
    topics=(PersonRegistered.topic,),
    handlers={
        PersonRegistered.event_type: upsert_person,
        PersonUpdated.event_type: upsert_person,
        HouseholdPovertyStatusChanged.event_type: household_status,
        PersonMoved.event_type: person_moved,
        HouseholdSplit.event_type: household_split,
    },
)
