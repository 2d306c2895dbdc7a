"""Tables owned by the enrollment service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from shared.bus.tables import BUS_TABLES, utcnow
from shared.domain import PovertyStatus


class Household(SQLModel, table=True):
    """A registered poor household (建档立卡贫困户, REG-1); `id` is the poverty office's 户编号."""

    __tablename__ = "household"

    id: str = Field(primary_key=True, max_length=40)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9, index=True)
    village_code: str = Field(max_length=12, index=True)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    """A member of a registered household. `id` is internal; `id_number` is the resident ID."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, unique=True)
    household_id: str = Field(foreign_key="household.id", max_length=40, index=True)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)
    birth_date: date
    relation: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RegistryImport(SQLModel, table=True):
    """One roster import: who sent what and what it changed (for the audit of REG-1 data)."""

    __tablename__ = "registry_import"

    id: str = Field(primary_key=True, max_length=36)
    filename: str = Field(max_length=255)
    imported_by: str = Field(max_length=120)
    rows: int
    households_created: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    created_at: datetime = Field(default_factory=utcnow)


TABLES = (*BUS_TABLES, "household", "person", "registry_import")
