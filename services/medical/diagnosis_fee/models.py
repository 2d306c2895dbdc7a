"""Visits with a self-paid general diagnosis fee and their refund decisions (MED-9)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from services.medical.columns import money_column
from shared.bus.tables import utcnow


class DiagnosisFeeVisit(SQLModel, table=True):
    """One visit with a self-paid general diagnosis fee (一般诊疗费) at a township health centre
    or village clinic, and its MED-9 refund decision. The township is the facility's: the
    clean-up ledger (台账) is kept by the facilities of a township."""

    __tablename__ = "diagnosis_fee_visit"
    __table_args__ = (Index("ix_diagnosis_fee_visit_ledger", "county_code", "visit_date"),)

    visit_id: str = Field(primary_key=True, max_length=64)
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9, index=True)
    facility_type: str = Field(max_length=40)
    facility_name: str = Field(max_length=120)
    visit_date: date
    fee_self_pay: Decimal = Field(sa_column=money_column())
    facts_hash: str = Field(max_length=64)
    poverty_status: str | None = Field(default=None, max_length=20)  # on the visit date
    refund: Decimal = Field(sa_column=money_column())
    reason: str | None = Field(default=None, max_length=300)
    in_cleanup_window: bool
    ledger_deadline: date | None = None
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
