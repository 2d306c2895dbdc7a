"""Outpatient chronic-disease bills (MED-6, MED-8) and the running totals per year and category."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from services.medical.columns import money_column
from shared.bus.tables import utcnow


class OutpatientBill(SQLModel, table=True):
    """One outpatient bill of a chronic disease: MED-6 (门诊特殊慢性病, category I or II) or MED-8
    (36种慢性病). The bill id is the idempotency key; the facts and the decision are kept as
    posted, with the running totals of the category before and after it."""

    __tablename__ = "outpatient_bill"

    bill_id: str = Field(primary_key=True, max_length=64)
    rule: str = Field(max_length=10)  # MED-6 | MED-8
    category: str = Field(max_length=12)  # chronic_I | chronic_II | chronic36
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36)
    county_code: str = Field(max_length=6, index=True)
    year: int
    bill_date: date
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    facts_hash: str = Field(max_length=64)
    poverty_status: str | None = Field(default=None, max_length=20)  # on the bill date
    eligible: bool
    reason: str | None = Field(default=None, max_length=300)
    amount: Decimal = Field(sa_column=money_column())  # covered cost (MED-6), self-pay (MED-8)
    paid: Decimal = Field(sa_column=money_column())  # reimbursed (MED-6) or aid (MED-8)
    basic_fund: Decimal = Field(sa_column=money_column())
    commercial_insurer: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    ytd_before: Decimal = Field(sa_column=money_column())
    ytd_after: Decimal = Field(sa_column=money_column())
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class OutpatientYear(SQLModel, table=True):
    """Running totals of one person's outpatient chronic bills per year and category: what the
    MED-6 cap and band and the MED-8 self-pay cap are measured against."""

    __tablename__ = "outpatient_year"

    id_number: str = Field(primary_key=True, max_length=18)
    year: int = Field(primary_key=True)
    category: str = Field(primary_key=True, max_length=12)
    bills: int = 0
    paid: Decimal = Field(sa_column=money_column())
    basic_fund: Decimal = Field(sa_column=money_column())
    commercial_insurer: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    updated_at: datetime = Field(default_factory=utcnow)
