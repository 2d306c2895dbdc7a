"""The registry read model of the medical service: people and their status over time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow
from shared.domain import PovertyStatus


class RegistryPerson(SQLModel, table=True):
    """Read model of the poverty registry, fed by enrollment's registry events (never its DB)."""

    __tablename__ = "registry_person"

    person_id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, unique=True)
    household_id: str = Field(max_length=40, index=True)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)
    birth_date: date
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    deceased_on: date | None = None  # from person.deceased
    registered_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(max_length=64)


class RegistryStatusHistory(SQLModel, table=True):
    """A person's registry status over time (REG-2), so that a stay is judged by the status on
    its admission date. The first status is taken as valid from the start of time: the roster
    says who is registered, not since when."""

    __tablename__ = "registry_status_history"
    __table_args__ = (Index("ix_registry_status_history_person", "person_id", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    status: PovertyStatus = Field(sa_type=String(20))
    valid_from: date
    source_event_id: str = Field(max_length=64)
