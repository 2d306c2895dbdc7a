"""The registry as the employment service sees it: people, households and their status over
time, kept from enrollment's events (never its database). The labour facts the service
establishes itself (work ability, skills, jobs) live with the census."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow
from shared.domain import PovertyStatus


class RegistryPerson(SQLModel, table=True):
    """A registered person (建档立卡人口) as last reported by registry events."""

    __tablename__ = "employment_registry_person"
    __table_args__ = (Index("ix_employment_registry_person_village", "village_code"),)

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


class RegistryStatusHistory(SQLModel, table=True):
    """A person's registry status over time (REG-2): the first status is taken as valid from
    the start of time, later ones from the event's time."""

    __tablename__ = "employment_registry_status_history"
    __table_args__ = (
        Index("ix_employment_registry_status_history_person", "person_id", "valid_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    status: PovertyStatus = Field(sa_type=String(20))
    valid_from: date
    source_event_id: str = Field(max_length=64)


REGISTRY_TABLES = (RegistryPerson, RegistryStatusHistory)
