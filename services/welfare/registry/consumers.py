"""Keeps the registry read model current from enrollment's registry events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlmodel import Session

from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonDeceased,
    PersonDisabilityCertified,
    PersonFacts,
    PersonMoved,
)

T = RegistryPerson.__table__  # type: ignore[attr-defined]
S = RegistryStatusHistory.__table__  # type: ignore[attr-defined]


def upsert_person(session: Session, envelope: Envelope, data: EventData) -> None:
    """The event carries the person's full state, so applying it is an upsert by person id."""
    assert isinstance(data, PersonFacts)
    since = record_status(session, envelope, data.person_id, data.poverty_status.value)
    values = {
        "person_id": data.person_id,
        "id_number": data.id_number,
        "household_id": data.household_id,
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "relation": data.relation,
        "disability_grade": data.disability_grade,
        "county_code": data.county_code,
        "township_code": data.township_code,
        "village_code": data.village_code,
        "poverty_status": data.poverty_status.value,
        "updated_at": utcnow(),
        "source_event_id": envelope.id,
    }
    if since is not None:
        values["status_since"] = since
    upsert(session, RegistryPerson, values, key=("person_id",))


def record_status(session: Session, envelope: Envelope, person_id: str, status: str) -> date | None:
    """Append to the status history when the status differs from the person's latest one;
    returns the date the new status is valid from, None when unchanged."""
    latest = session.execute(
        select(S.c.status)
        .where(S.c.person_id == person_id)
        .order_by(S.c.valid_from.desc(), S.c.id.desc())
        .limit(1)
    ).scalar()
    if latest == status:
        return None
    valid_from = date.min if latest is None else envelope.time.date()
    session.execute(
        insert(S).values(
            person_id=person_id, status=status, valid_from=valid_from, source_event_id=envelope.id
        )
    )
    return valid_from


def status_on(session: Session, person_id: str, day: date) -> str | None:
    """The registry status in force on `day` (None if the person was not registered then)."""
    return session.execute(
        select(S.c.status)
        .where(S.c.person_id == person_id, S.c.valid_from <= day)
        .order_by(S.c.valid_from.desc(), S.c.id.desc())
        .limit(1)
    ).scalar()


def household_status(session: Session, envelope: Envelope, data: EventData) -> None:
    """REG-2: exited households keep their benefits; WEL-8 reviews them (see crosscheck)."""
    assert isinstance(data, HouseholdPovertyStatusChanged)
    for person_id in data.person_ids:
        record_status(session, envelope, person_id, data.new_status.value)
    session.execute(
        update(T)
        .where(T.c.household_id == data.household_id)
        .values(
            poverty_status=data.new_status.value,
            status_since=envelope.time.date(),
            updated_at=utcnow(),
        )
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


def person_deceased(session: Session, envelope: Envelope, data: EventData) -> None:
    assert isinstance(data, PersonDeceased)
    session.execute(
        update(T)
        .where(T.c.person_id == data.person_id)
        .values(deceased_on=data.deceased_on, updated_at=utcnow())
    )


def disability_certified(session: Session, envelope: Envelope, data: EventData) -> None:
    """WEL-4 subsidies follow the certified grade."""
    assert isinstance(data, PersonDisabilityCertified)
    session.execute(
        update(T)
        .where(T.c.person_id == data.person_id)
        .values(disability_grade=data.grade, updated_at=utcnow())
    )
