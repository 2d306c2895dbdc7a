"""Request and response models of import jobs (enrollment), as the routes answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.enrollment.jobs.models import ImportJob
from shared.errors import FieldError


class JobOut(BaseModel):
    id: str
    kind: str
    filename: str
    status: str
    rows_total: int
    rows_done: int
    result: dict[str, Any]
    error_count: int
    errors: list[FieldError]
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(
        cls, job: ImportJob, rows_done: int, errors_offset: int = 0, errors_limit: int = 100
    ) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            filename=job.filename,
            status=job.status,
            rows_total=job.rows_total,
            rows_done=rows_done,
            result=job.result,
            error_count=job.error_count,
            errors=[
                FieldError(**e) for e in job.errors[errors_offset : errors_offset + errors_limit]
            ],
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
