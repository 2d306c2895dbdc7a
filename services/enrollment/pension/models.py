"""Tables of the resident pension: the funeral grant paid on a death (ENR-P8)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class FuneralGrant(SQLModel, table=True):
    """The one-off funeral grant (丧葬补助金, ENR-P8): one row per person, ever."""

    __tablename__ = "funeral_grant"

    person_id: str = Field(primary_key=True, max_length=36)
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    deceased_on: date
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
