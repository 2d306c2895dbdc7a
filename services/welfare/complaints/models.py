"""The complaints and appeals table (投诉、申诉, WEL-9). Steps are in `workflow_step` (entity
`complaint`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class Complaint(SQLModel, table=True):
    """One complaint or appeal: who, against what decision, what; and its answer."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_township_status", "township_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # complaint 投诉 | appeal 申诉
    complainant_name: str = Field(max_length=100)
    complainant_id_number: str = Field(max_length=18, index=True)
    household_id: str | None = Field(default=None, max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    against_type: str = Field(max_length=30)  # relief_case, window_request, dibao_application...
    against_ref: str | None = Field(default=None, max_length=64)
    content: str = Field(max_length=4000)
    status: str = Field(max_length=20)
    received_on: date
    answer_due: date
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answer: str | None = Field(default=None, max_length=4000)
    answered_by: str | None = Field(default=None, max_length=120)
    answered_role: str | None = Field(default=None, max_length=40)
    answered_at: datetime | None = None
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


COMPLAINT_TABLES = (Complaint,)
