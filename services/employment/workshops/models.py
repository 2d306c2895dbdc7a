"""Tables of poverty workshops (扶贫车间, EMP-5): workshops, the registered poor they employ, and
the subsidy claims with one payment row per worker-year (就业年度: 12 months from the hire,
rules/workshops.py), unique on (person, calendar year the employment year began): a person
begins at most one employment year in a calendar year, so a worker-year is never paid twice,
whatever the workshop, the number of claims, or a later correction of the roll's dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class PovertyWorkshop(SQLModel, table=True):
    __tablename__ = "poverty_workshop"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    village_code: str | None = Field(default=None, max_length=12)
    name: str = Field(max_length=200)
    operator: str = Field(max_length=200)  # 经营主体
    opened_on: date
    closed_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopWorker(SQLModel, table=True):
    """A registered poor person on a workshop's roll from `start_on` to `end_on` (inclusive)."""

    __tablename__ = "workshop_worker"
    __table_args__ = (
        Index("ix_workshop_worker_workshop", "workshop_id", "start_on"),
        Index("ix_workshop_worker_person", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="poverty_workshop.id")
    person_id: str = Field(max_length=36)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    registered_poor: bool = True  # 建档立卡 on the start day
    start_on: date
    end_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopSubsidyClaim(SQLModel, table=True):
    """One claim of a workshop for the employment years begun in a calendar year (EMP-5) with its
    trace; pays only new worker-years."""

    __tablename__ = "workshop_subsidy_claim"
    __table_args__ = (Index("ix_workshop_subsidy_claim_workshop", "workshop_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="poverty_workshop.id")
    county_code: str = Field(max_length=6)
    year: int
    claimed_on: date
    amount: Decimal = Field(sa_type=Numeric(12, 2))
    worker_years_paid: int
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopSubsidyPayment(SQLModel, table=True):
    """One worker-year paid (EMP-5): the employment year from `year_start` to `year_end`; unique
    per person and `year`, the calendar year in which that employment year began."""

    __tablename__ = "workshop_subsidy_payment"
    __table_args__ = (
        UniqueConstraint("person_id", "year", name="uq_workshop_subsidy_payment_person_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="workshop_subsidy_claim.id")
    workshop_id: int = Field(foreign_key="poverty_workshop.id")
    person_id: str = Field(max_length=36)
    year: int
    year_start: date
    year_end: date
    amount: Decimal = Field(sa_type=Numeric(12, 2))
    created_at: datetime = Field(default_factory=utcnow)


WORKSHOP_TABLES = (PovertyWorkshop, WorkshopWorker, WorkshopSubsidyClaim, WorkshopSubsidyPayment)
