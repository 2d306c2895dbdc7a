"""Tables of the business-leader training (致富带头人培训, ZA-GOV §三(四)4; PLAN-1): a session
(期) and its trainees, with the employment after training the townships record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class LeaderSession(SQLModel, table=True):
    """One session (期) of the east-west business-leader training (东西部农村致富带头人培训)."""

    __tablename__ = "plan_leader_session"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    name: str = Field(max_length=200)
    provider: str = Field(default="", max_length=200)
    starts_on: date
    ends_on: date
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class LeaderTrainee(SQLModel, table=True):
    """A trainee of a session. `person_id` is set for a registered person (then `poor` says
    whether they were registered poor when the session ended); `employed_on` is recorded by the
    township once the trainee is in work after training."""

    __tablename__ = "plan_leader_trainee"
    __table_args__ = (Index("ix_plan_leader_trainee_township", "county_code", "township_code"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="plan_leader_session.id", index=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    name: str = Field(max_length=100)
    person_id: str | None = Field(default=None, max_length=36)
    poor: bool = False
    employed_on: date | None = None
    employer: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


PLAN_TABLES = (LeaderSession, LeaderTrainee)
