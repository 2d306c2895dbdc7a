"""HTTP API of import jobs: status, progress and errors of a roster or roll import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.enrollment.jobs import service
from services.enrollment.jobs.schemas import JobOut
from shared.app import Uow

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, summary="An import job: status, progress, errors")
def get_job(
    job_id: str,
    uow: Uow,
    errors_offset: Annotated[int, Query(ge=0)] = 0,
    errors_limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobOut:
    return service.job(uow, job_id, errors_offset, errors_limit)
