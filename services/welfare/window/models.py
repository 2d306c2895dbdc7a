"""Tables of the one window (一门受理, WEL-7). A request's steps are in `workflow_step` (entity
`window_request`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class WindowRequest(SQLModel, table=True):
    """One request taken at a township window and its referral (转办) to a department."""

    __tablename__ = "window_request"
    __table_args__ = (
        Index("ix_window_request_township_status", "township_code", "status"),
        Index("ix_window_request_deadline", "status", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_no: str = Field(max_length=24, unique=True)  # 受理编号, given to the applicant
    applicant_name: str = Field(max_length=100)
    applicant_id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36)
    household_id: str | None = Field(default=None, max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str | None = Field(default=None, max_length=12)
    request_type: str = Field(max_length=30)
    content: str = Field(max_length=2000)
    department: str = Field(max_length=40)
    channel: str = Field(max_length=20)  # welfare_case | tracked
    status: str = Field(max_length=20)
    received_on: date
    deadline: date
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    linked_entity: str | None = Field(default=None, max_length=40)
    linked_id: str | None = Field(default=None, max_length=64)
    department_ref: str | None = Field(default=None, max_length=100)
    outcome: str | None = Field(default=None, max_length=2000)
    received_by: str = Field(max_length=120)
    resolved_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


WINDOW_TABLES = (WindowRequest,)
