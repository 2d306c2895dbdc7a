"""Import jobs: a file is validated and applied in one transaction; small files answer at once,
large ones run in the background with progress at `GET /v1/jobs/{id}`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.enrollment.models import ImportJob
from shared import audit
from shared.app import DbSession, Runtime
from shared.auth import CurrentPrincipal, Principal
from shared.bus.tables import utcnow
from shared.db import write_lock
from shared.errors import DomainError, FieldError, NotFound, PayloadTooLarge
from shared.logging import get_logger

log = get_logger("enrollment.jobs")
router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

INLINE_BYTES = 512 * 1024  # files up to this size answer in the request
_progress: dict[str, int] = {}  # rows applied so far by jobs running in this process
_tasks: set[asyncio.Task[None]] = set()

Work = Callable[[Session, str, Callable[[int], None]], dict[str, Any]]
Track = Callable[[Session], None]  # enrols a job's session in the audit trail


def _untracked(_session: Session) -> None:
    return None


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
    def of(cls, job: ImportJob, errors_offset: int = 0, errors_limit: int = 100) -> JobOut:
        done = _progress.get(job.id, job.rows_done) if job.status == "running" else job.rows_done
        return cls(
            id=job.id,
            kind=job.kind,
            filename=job.filename,
            status=job.status,
            rows_total=job.rows_total,
            rows_done=done,
            result=job.result,
            error_count=job.error_count,
            errors=[
                FieldError(**e) for e in job.errors[errors_offset : errors_offset + errors_limit]
            ],
            created_at=job.created_at,
            finished_at=job.finished_at,
        )


async def read_upload(file: UploadFile, limit: int) -> tuple[bytes, str]:
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"file is larger than {limit} bytes")
    # Only the base name is kept: a path in the name must not reach storage or exports.
    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return content, name[:255] or "upload"


def _finish(engine: Engine, job_id: str, track: Track = _untracked, **values: Any) -> ImportJob:
    with write_lock(engine), Session(engine, expire_on_commit=False) as session:
        track(session)
        job = session.get(ImportJob, job_id)
        assert job is not None
        for key, value in values.items():
            setattr(job, key, value)
        job.finished_at = utcnow() if values.get("status") in ("done", "failed") else None
        session.add(job)
        session.commit()
        return job


def run_job(
    engine: Engine, job_id: str, work: Work, track: Track = _untracked
) -> tuple[ImportJob, DomainError | None]:
    """Validate and apply in one transaction; the job row records the outcome either way."""
    _finish(engine, job_id, track, status="running")
    _progress[job_id] = 0

    def progress(done: int) -> None:
        _progress[job_id] = done

    try:
        with write_lock(engine), Session(engine, expire_on_commit=False) as session:
            track(session)
            try:
                result = work(session, job_id, progress)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        if engine.dialect.name == "sqlite":
            # Fresh statistics after a bulk load keep the reconciliation plans right.
            with write_lock(engine), engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
        rows = int(result.get("rows", 0))
        return _finish(
            engine, job_id, track, status="done", result=result, rows_total=rows, rows_done=rows
        ), None
    except DomainError as exc:
        errors = [e.model_dump(mode="json") for e in exc.errors]
        job = _finish(
            engine,
            job_id,
            track,
            status="failed",
            result={"detail": exc.detail, "status": exc.status},
            errors=errors,
            error_count=int(getattr(exc, "error_count", 0) or len(errors)),
        )
        return job, exc
    except Exception:
        log.exception("import_job_failed", job_id=job_id)
        job = _finish(
            engine,
            job_id,
            track,
            status="failed",
            result={"detail": "internal error; see the log"},
        )
        return job, DomainError("the import failed unexpectedly", status=500)
    finally:
        _progress.pop(job_id, None)


async def start_job(
    runtime: Runtime,
    principal: Principal,
    *,
    kind: str,
    filename: str,
    size: int,
    work: Work,
) -> JSONResponse:
    job_id = str(uuid.uuid4())
    context = audit.principal_context(principal, f"import {kind}")

    def track(session: Session) -> None:
        if runtime.settings.audit_enabled:
            audit.track(session, runtime.spec.name, lambda: context)

    with write_lock(runtime.engine), Session(runtime.engine) as session:
        track(session)
        session.add(
            ImportJob(
                id=job_id,
                kind=kind,
                filename=filename,
                requested_by=principal.subject,
                scope=principal.scope,
            )
        )
        session.commit()
    if size <= INLINE_BYTES:
        job, error = await asyncio.to_thread(run_job, runtime.engine, job_id, work, track)
        if error is not None:
            raise error
        return JSONResponse(JobOut.of(job).model_dump(mode="json"), status_code=201)
    task = asyncio.create_task(asyncio.to_thread(run_job, runtime.engine, job_id, work, track))
    _tasks.add(task)  # type: ignore[arg-type]
    task.add_done_callback(_tasks.discard)  # type: ignore[arg-type]
    with Session(runtime.engine) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        body = JobOut.of(job).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": f"/v1/jobs/{job_id}"})


@router.get("/{job_id}", response_model=JobOut, summary="An import job: status, progress, errors")
def get_job(
    job_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    errors_offset: Annotated[int, Query(ge=0)] = 0,
    errors_limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobOut:
    job = session.get(ImportJob, job_id)
    if job is None or not (principal.covers(job.scope) or job.requested_by == principal.subject):
        raise NotFound("no such import job")
    return JobOut.of(job, errors_offset, errors_limit)
