"""An adjustment: a decision recomputed under figures a county published after it was made.
Linked to the publication that caused it and, through its two traces, to the parameter versions
it was made on and is now due on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

import shared.db  # noqa: F401  (naming convention before any table)
from shared.bus.tables import utcnow

ADJUSTMENT_TABLE = "policy_adjustment"


def _money() -> Any:
    return Column(Numeric(14, 2), nullable=False)


class PolicyAdjustment(SQLModel, table=True):
    """What a decision paid and what it is due under the figures in force now. One row per
    decision (`scheme`, `subject`) and publication: a second run of the same recalculation finds
    it and changes nothing. `open` until settled: back-pay `paid`, a claw-back `recovered` or
    `written_off` by a county decision (never a negative payment)."""

    __tablename__ = ADJUSTMENT_TABLE
    __table_args__ = (
        UniqueConstraint("scheme", "subject", "publication_id"),
        Index("ix_policy_adjustment_county_status", "county_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(index=True)
    county_code: str = Field(max_length=6)
    township_code: str | None = Field(default=None, max_length=9)
    scheme: str = Field(max_length=30)  # e.g. hospital_stay, workshop_subsidy
    subject: str = Field(max_length=64)  # the decision's record: a claim id, a payment id
    person_id: str | None = Field(default=None, max_length=36, index=True)
    household_id: str | None = Field(default=None, max_length=40)
    period: date  # the day the decision applies to: admission, grant, employment year's start
    paid_amount: Decimal = Field(sa_column=_money())
    due_amount: Decimal = Field(sa_column=_money())
    difference: Decimal = Field(sa_column=_money())  # due - paid
    kind: str = Field(max_length=10)  # back_pay | claw_back
    status: str = Field(default="open", max_length=12)  # open | paid | recovered | written_off
    parameters: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # each changed figure with the version paid on and the one due on
    old_trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    new_trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    settled_by: str | None = Field(default=None, max_length=120)
    settled_at: datetime | None = None
    settlement_note: str | None = Field(default=None, max_length=500)
