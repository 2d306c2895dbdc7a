"""Tables owned by the enrollment service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES, utcnow
from shared.domain import PovertyStatus


class Household(SQLModel, table=True):
    """A registered poor household (建档立卡贫困户, REG-1); `id` is the poverty office's 户编号."""

    __tablename__ = "household"
    # Reconciliation filters by division and joins on id: one index serves both.
    __table_args__ = (Index("ix_household_division", "village_code", "township_code", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9, index=True)
    village_code: str = Field(max_length=12, index=True)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    relocated: bool = False  # 易地扶贫搬迁
    head_person_id: str | None = Field(default=None, max_length=36)
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
    birth_date: date = Field(index=True)
    relation: str | None = Field(default=None, max_length=40)
    disability_grade: int | None = None  # 残疾等级 1-4 (1 most severe)
    student: bool = False  # 在校生 (full-time)
    employee_pension: bool = False  # 参加职工养老保险
    deceased_on: date | None = None
    missing_since_import: str | None = Field(default=None, max_length=36)  # flagged, never deleted
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ImportJob(SQLModel, table=True):
    """One file import (roster or insurance roll): progress, outcome and every error found."""

    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=20)  # roster | pension_roll | medical_roll
    filename: str = Field(max_length=255)
    requested_by: str = Field(max_length=120)
    scope: str = Field(default="", max_length=12)
    status: str = Field(default="queued", max_length=20)  # queued|validating|writing|done|failed
    rows_total: int = 0
    rows_done: int = 0
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class PensionRollEntry(SQLModel, table=True):
    """A line of the resident pension roll (养老保险参保缴费名册) for a year."""

    __tablename__ = "pension_roll"
    __table_args__ = (UniqueConstraint("id_number", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, index=True)
    year: int = Field(index=True)
    tier: int  # 缴费档次, yuan/year
    paid: bool
    drawing: bool = False  # 已领取待遇: the person draws the pension this year
    import_id: str = Field(max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)


class MedicalRollEntry(SQLModel, table=True):
    """A line of the resident medical insurance roll (医保参保缴费名册) for a year."""

    __tablename__ = "medical_roll"
    __table_args__ = (UniqueConstraint("id_number", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, index=True)
    year: int = Field(index=True)
    paid: bool
    critical_illness: bool  # 大病保险
    import_id: str = Field(max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)


class FuneralGrant(SQLModel, table=True):
    """The one-off funeral grant (丧葬补助金, ENR-P8): one row per person, ever."""

    __tablename__ = "funeral_grant"

    person_id: str = Field(primary_key=True, max_length=36)
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    deceased_on: date
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


TABLES = (
    *BUS_TABLES,
    "household",
    "person",
    "import_job",
    "pension_roll",
    "medical_roll",
    "funeral_grant",
)


class WelfareStatus(SQLModel, table=True):
    """Read model of civil affairs' decisions (from welfare events): who is on dibao or 特困."""

    __tablename__ = "welfare_status"

    person_id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(max_length=40, index=True)
    dibao: bool = False
    dibao_since: date | None = None
    tekun: bool = False
    tekun_since: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class MedicalContribution(SQLModel, table=True):
    """A person's resident medical contribution for a year and who funds it (ENR-M2, ENR-M3):
    one row per person and year, so each fund's share is recorded once; recomputed in place when
    the facts change."""

    __tablename__ = "medical_contribution"
    __table_args__ = (UniqueConstraint("person_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, index=True)
    year: int
    contribution: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    medical_assistance: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    province: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    prefecture_county: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    person_pays: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


TABLES = (*TABLES, "welfare_status", "medical_contribution")

# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("enrollment")
TABLES = (*TABLES, AUDIT_LOG.name)
