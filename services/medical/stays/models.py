"""Hospital stays, each version's decision, the adjustments between versions and a person's
running year-to-date totals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.medical.columns import added_money_column, money_column
from shared.bus.tables import utcnow


class HospitalStay(SQLModel, table=True):
    """A stay as the hospital reported it; corrections bump `version`, never overwrite history
    (each version's facts and decision are kept in `stay_decision`)."""

    __tablename__ = "hospital_stay"

    claim_id: str = Field(primary_key=True, max_length=64)
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36, index=True)
    county_code: str = Field(max_length=6, index=True)
    township_code: str | None = Field(default=None, max_length=9)
    year: int = Field(index=True)
    admission: date
    status: str = Field(default="active", max_length=20)  # active | cancelled
    version: int = 1
    facts_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StayDecision(SQLModel, table=True):
    """One settlement decision per stay version: every layer, the ratios and the trace."""

    __tablename__ = "stay_decision"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(max_length=64, index=True)
    version: int
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    total_cost: Decimal = Field(sa_column=money_column())
    basic: Decimal = Field(sa_column=money_column())
    critical_illness: Decimal = Field(sa_column=money_column())
    assistance: Decimal = Field(sa_column=money_column())
    topup: Decimal = Field(sa_column=money_column())
    annual_cap: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    compliant_self_pay: Decimal = Field(sa_column=added_money_column())  # MED-3
    cost_basis: Decimal = Field(sa_column=money_column())
    ratio_before_topup: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    ratio_after: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    eligible_for_guarantee: bool
    basic_deductible: Decimal = Field(sa_column=money_column())
    critical_illness_counted: Decimal = Field(sa_column=money_column())
    ytd_self_pay: Decimal = Field(sa_column=money_column())
    high_burden: bool
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class StayAdjustment(SQLModel, table=True):
    """The difference between two versions of a stay's decision (negative when money goes back)."""

    __tablename__ = "stay_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=20)  # corrected | cancelled | recalculated (a county's figures)
    from_version: int
    to_version: int
    topup_delta: Decimal = Field(sa_column=money_column())
    annual_cap_delta: Decimal = Field(sa_column=money_column())
    self_pay_delta: Decimal = Field(sa_column=money_column())
    reason: str = Field(default="", max_length=500)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class PersonYear(SQLModel, table=True):
    """Running year-to-date totals of one person (by ID number) for one year."""

    __tablename__ = "person_year"

    id_number: str = Field(primary_key=True, max_length=18)
    year: int = Field(primary_key=True)
    basic_deductible_used: Decimal = Field(sa_column=money_column())
    critical_illness_base: Decimal = Field(sa_column=money_column())
    basic_paid: Decimal = Field(sa_column=money_column())
    critical_illness_paid: Decimal = Field(sa_column=money_column())
    assistance_paid: Decimal = Field(sa_column=money_column())
    topup_paid: Decimal = Field(sa_column=money_column())
    annual_cap_paid: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    compliant_self_pay: Decimal = Field(sa_column=added_money_column())  # MED-3
    high_burden_reported: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
