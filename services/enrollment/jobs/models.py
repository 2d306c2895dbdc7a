"""The import job table: one row per file import (roster or insurance roll)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class ImportJob(SQLModel, table=True):
    """One file import (roster or insurance roll): progress, outcome and every error found."""

    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=20)  # roster | pension_roll | medical_roll
    filename: str = Field(max_length=255)
    requested_by: str = Field(max_length=120)
    scope: str = Field(default="", max_length=12)
    status: str = Field(default="queued", max_length=20)  # queued|validating|writing|done|failed
    rows_total: int = 0
    rows_done: int = 0
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    error_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
