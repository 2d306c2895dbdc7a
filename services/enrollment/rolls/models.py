"""Tables of the insurance rolls (参保缴费名册): one line per person and year and scheme."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


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
