"""The copies of the pension enrollment ledger handed over (参保信息台账一式三份, YA-HRSS §一(二)3;
PLAN-1): one row per copy a township has handed to its holder."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class PensionLedgerCopy(SQLModel, table=True):
    """A copy of a township's pension enrollment ledger of `year`, kept by its holder: the
    township government (`township`), a village (`village`, with its code) or the county HR
    bureau's resident-pension centre (`county`, 县人社局城居保中心)."""

    __tablename__ = "plan_pension_ledger_copy"
    __table_args__ = (
        UniqueConstraint(
            "year", "township_code", "holder", "village_code", name="uq_plan_ledger_copy"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    holder: str = Field(max_length=10)  # township | village | county
    village_code: str = Field(default="", max_length=12)  # the village keeping it ("" otherwise)
    handed_on: date
    note: str = Field(default="", max_length=500)
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


PLAN_TABLES = (PensionLedgerCopy,)
