"""Civil affairs' dibao and 特困 flags of a person, today and by effective date (MED-5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class WelfareFlags(SQLModel, table=True):
    """Read model of civil affairs' decisions (dibao, 特困): the state today. A stay is judged by
    `welfare_flag_history` on its admission date (MED-5), never by this row."""

    __tablename__ = "welfare_flags"

    person_id: str = Field(primary_key=True, max_length=36)
    dibao: bool = False
    tekun: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class WelfareFlagHistory(SQLModel, table=True):
    """Dibao / 特困 of a person by effective date (MED-5): one row per change, in force from
    `effective_from` until a later row of the same flag. `household_id` lets a dibao change that
    drops a member end that member's flag."""

    __tablename__ = "welfare_flag_history"
    __table_args__ = (
        Index("ix_welfare_flag_history_person", "person_id", "flag", "effective_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    household_id: str | None = Field(default=None, max_length=40, index=True)
    flag: str = Field(max_length=10)  # dibao | tekun
    active: bool
    effective_from: date
    source_event_id: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow)
