"""Tables owned by the medical service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from shared.bus.tables import BUS_TABLES, utcnow
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
    registered_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(max_length=64)


TABLES = (*BUS_TABLES, "registry_person")
