"""Keeps the registry read model current from enrollment's registry events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from services.medical.models import RegistryPerson, RegistryStatusHistory
from shared.bus.consumer import Subscription
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonFacts,
    PersonMoved,
    PersonRegistered,
    PersonUpdated,
)

T = RegistryPerson.__table__  # type: ignore[attr-defined]
S = RegistryStatusHistory.__table__  # type: ignore[attr-defined]


def upsert_person(session: Session, envelope: Envelope, data: EventData) -> None:
    """The event carries the person's full state, so applying it is an upsert by person id."""
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


def record_status(session: Session, envelope: Envelope, person_id: str, status: str) -> None:
    """Append to the status history when the status differs from the person's latest one."""
    latest = session.execute(
        select(S.c.status)
        .where(S.c.person_id == person_id)
        .order_by(S.c.valid_from.desc(), S.c.id.desc())
        .limit(1)
    ).scalar()
    if latest == status:
        return
    valid_from = date.min if latest is None else envelope.time.date()
    session.execute(
        insert(S).values(
            person_id=person_id, status=status, valid_from=valid_from, source_event_id=envelope.id
        )
    )


# Built once: every settled stay and bill asks it (executed with parameters).
_STATUS_ON = (
    select(S.c.status)
    .where(S.c.person_id == bindparam("person_id"), S.c.valid_from <= bindparam("day"))
    .order_by(S.c.valid_from.desc(), S.c.id.desc())
    .limit(1)
)


def status_on(session: Session, person_id: str, day: date) -> str | None:
    """The registry status in force on `day` (None if the person was not registered then)."""
    return session.execute(_STATUS_ON, {"person_id": person_id, "day": day}).scalar()


def household_status(session: Session, envelope: Envelope, data: EventData) -> None:
    """REG-2: exited people stay covered; the read model follows the status for the waivers."""
    assert isinstance(data, HouseholdPovertyStatusChanged)
    for person_id in data.person_ids:
        record_status(session, envelope, person_id, data.new_status.value)
    session.execute(
        update(T)
        .where(T.c.household_id == data.household_id)
        .values(poverty_status=data.new_status.value, updated_at=utcnow())
    )


def person_moved(session: Session, envelope: Envelope, data: EventData) -> None:
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


def household_split(session: Session, envelope: Envelope, data: EventData) -> None:
    assert isinstance(data, HouseholdSplit)
    session.execute(
        update(T)
        .where(T.c.person_id.in_(data.person_ids))
        .values(household_id=data.new_household_id, updated_at=utcnow())
    )


SUBSCRIPTION = Subscription(
    topics=(PersonRegistered.topic,),
    handlers={
        PersonRegistered.event_type: upsert_person,
        PersonUpdated.event_type: upsert_person,
        HouseholdPovertyStatusChanged.event_type: household_status,
        PersonMoved.event_type: person_moved,
        HouseholdSplit.event_type: household_split,
    },
)
