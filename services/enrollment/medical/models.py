"""Tables of resident medical insurance funding: civil affairs' decisions as read here, and each
person's contribution and who funds it (ENR-M2, ENR-M3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


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
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
