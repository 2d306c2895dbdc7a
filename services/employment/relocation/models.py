"""Relocated households (易地扶贫搬迁户, EMP-8). The registry read model carries no relocation
flag (enrollment's roster has no such column), so the service keeps its own list, entered over
HTTP or imported from the relocation ledger (易地扶贫搬迁户台账)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class RelocatedHousehold(SQLModel, table=True):
    __tablename__ = "relocated_household"

    household_id: str = Field(primary_key=True, max_length=40)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    site: str = Field(default="", max_length=200)  # 安置点
    relocated_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


RELOCATION_TABLES = (RelocatedHousehold,)
