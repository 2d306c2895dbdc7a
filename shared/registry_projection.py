"""A service's local read model of the poverty registry, kept from enrollment's registry events
(architecture §6: no service reads another's database).

Each service owns its own two tables (a person table and a status history) with the columns of
`services/welfare/registry/models.py`; this module applies the events to whichever pair it is
given, so the services that keep the same read model apply events alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Select, String, Table, bindparam, insert, select, update
from sqlmodel import Field, Session, SQLModel

from shared.bus.consumer import Handler
from shared.bus.tables import utcnow
from shared.db import table_of, upsert
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonDeceased,
    PersonDisabilityCertified,
    PersonFacts,
    PersonMoved,
    PersonRegistered,
    PersonUpdated,
)
from shared.uow import UnitOfWork


class RegistryPersonColumns(SQLModel):
    """The columns of a registered person (建档立卡人口) as last reported by registry events; a
    service's table model adds its own table name and indexes."""

    person_id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, unique=True)
    household_id: str = Field(max_length=40, index=True)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)
    birth_date: date
    relation: str | None = Field(default=None, max_length=20)
    disability_grade: int | None = None  # 残疾等级 1 (most severe) .. 4
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    status_since: date = Field(default=date.min)
    deceased_on: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(max_length=64)


class RegistryStatusColumns(SQLModel):
    """A person's registry status over time (REG-2): the first status is taken as valid from the
    start of time, later ones from the event's time."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    status: PovertyStatus = Field(sa_type=String(20))
    valid_from: date
    source_event_id: str = Field(max_length=64)


@dataclass(frozen=True)
class RegistryProjection:
    person: type[SQLModel]
    history: type[SQLModel]

    @property
    def p(self) -> Table:
        return table_of(self.person)

    @property
    def h(self) -> Table:
        return table_of(self.history)

    def handlers(self) -> dict[str, list[Handler]]:
        return {
            PersonRegistered.event_type: [self.upsert_person],
            PersonUpdated.event_type: [self.upsert_person],
            HouseholdPovertyStatusChanged.event_type: [self.household_status],
            PersonMoved.event_type: [self.person_moved],
            HouseholdSplit.event_type: [self.household_split],
            PersonDeceased.event_type: [self.person_deceased],
            PersonDisabilityCertified.event_type: [self.disability_certified],
        }

    def upsert_person(self, uow: UnitOfWork, data: EventData) -> None:
        """The event carries the person's full state: applying it is an upsert by person id."""

        session, envelope = uow.session, uow.envelope
        assert isinstance(data, PersonFacts)
        since = self.record_status(session, envelope, data.person_id, data.poverty_status.value)
        values: dict[str, Any] = {
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
        upsert(session, self.person, values, key=("person_id",))

    def record_status(
        self, session: Session, envelope: Envelope, person_id: str, status: str
    ) -> date | None:
        """Append to the history when the status differs from the person's latest one; returns
        the date the new status is valid from (the first one: from the start of time)."""
        latest_stmt, insert_stmt = _history_statements(self.h)
        latest = session.execute(latest_stmt, {"person_id": person_id}).scalar()
        if latest == status:
            return None
        valid_from = date.min if latest is None else envelope.time.date()
        session.execute(
            insert_stmt,
            {
                "person_id": person_id,
                "status": status,
                "valid_from": valid_from,
                "source_event_id": envelope.id,
            },
        )
        return valid_from

    def record_statuses(
        self, session: Session, entries: list[tuple[Envelope, str, str]]
    ) -> list[date | None]:
        """`record_status` for many (envelope, person id, status) in order, as one read of the
        people's histories and one insert: what applying them one by one would write."""
        h = self.h
        ids = sorted({person_id for _, person_id, _ in entries})
        # Each person's latest entry, as record_status orders them (valid_from, then id).
        latest: dict[str, tuple[date, str]] = {}
        rows = session.execute(
            select(h.c.person_id, h.c.valid_from, h.c.status)
            .where(h.c.person_id.in_(ids))
            .order_by(h.c.person_id, h.c.valid_from, h.c.id)
        ).all()
        for row in rows:
            latest[row.person_id] = (row.valid_from, row.status)
        added: list[dict[str, Any]] = []
        since: list[date | None] = []
        for envelope, person_id, status in entries:
            current = latest.get(person_id)
            if current is not None and current[1] == status:
                since.append(None)
                continue
            valid_from = date.min if current is None else envelope.time.date()
            added.append(
                {
                    "person_id": person_id,
                    "status": status,
                    "valid_from": valid_from,
                    "source_event_id": envelope.id,
                }
            )
            # A newer id: the latest unless an entry already holds a later valid_from.
            if current is None or valid_from >= current[0]:
                latest[person_id] = (valid_from, status)
            since.append(valid_from)
        if added:
            session.execute(_history_statements(h)[1], added)
        return since

    def status_on(self, session: Session, person_id: str, day: date) -> str | None:
        """The registry status in force on `day` (None if not registered then)."""
        h = self.h
        return session.execute(
            select(h.c.status)
            .where(h.c.person_id == person_id, h.c.valid_from <= day)
            .order_by(h.c.valid_from.desc(), h.c.id.desc())
            .limit(1)
        ).scalar()

    def household_status(self, uow: UnitOfWork, data: EventData) -> None:
        """REG-2: exited households keep their benefits; the status is followed by date."""

        session, envelope = uow.session, uow.envelope
        assert isinstance(data, HouseholdPovertyStatusChanged)
        for person_id in data.person_ids:
            self.record_status(session, envelope, person_id, data.new_status.value)
        session.execute(
            update(self.p)
            .where(self.p.c.household_id == data.household_id)
            .values(
                poverty_status=data.new_status.value,
                status_since=envelope.time.date(),
                updated_at=utcnow(),
            )
        )

    def person_moved(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, PersonMoved)
        session.execute(
            update(self.p)
            .where(self.p.c.person_id == data.person_id)
            .values(
                household_id=data.to_household_id,
                county_code=data.county_code,
                township_code=data.township_code,
                village_code=data.village_code,
                poverty_status=data.poverty_status.value,
                updated_at=utcnow(),
            )
        )

    def household_split(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, HouseholdSplit)
        session.execute(
            update(self.p)
            .where(self.p.c.person_id.in_(data.person_ids))
            .values(household_id=data.new_household_id, updated_at=utcnow())
        )

    def person_deceased(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, PersonDeceased)
        session.execute(
            update(self.p)
            .where(self.p.c.person_id == data.person_id)
            .values(deceased_on=data.deceased_on, updated_at=utcnow())
        )

    def disability_certified(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, PersonDisabilityCertified)
        session.execute(
            update(self.p)
            .where(self.p.c.person_id == data.person_id)
            .values(disability_grade=data.grade, updated_at=utcnow())
        )


@lru_cache(maxsize=16)
def _history_statements(h: Table) -> tuple[Select[Any], Insert]:
    """The latest-status query and the history insert of one history table, built once: every
    registry event runs them, and building a statement costs more than running it on SQLite."""
    latest = (
        select(h.c.status)
        .where(h.c.person_id == bindparam("person_id"))
        .order_by(h.c.valid_from.desc(), h.c.id.desc())
        .limit(1)
    )
    return latest, insert(h)
