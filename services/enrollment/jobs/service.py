"""Import jobs: a file is validated and applied in one transaction; small files answer at once,
large ones run in the background with progress at `GET /v1/jobs/{id}`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.enrollment.jobs.models import ImportJob
from services.enrollment.jobs.repository import ImportJobRepository
from services.enrollment.jobs.schemas import JobOut
from shared import audit
from shared.app import Runtime
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.db import write_lock
from shared.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger("enrollment.jobs")

INLINE_BYTES = 512 * 1024  # files up to this size answer in the request
ACCEPTED_TYPES = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_progress: dict[str, int] = {}  # rows applied so far by jobs running in this process
_tasks: set[asyncio.Task[Any]] = set()

Progress = Callable[[int], None]
# The work of a job: validate and apply a file in the job's unit of work (one transaction).
Work = Callable[[UnitOfWork, str, Progress], dict[str, Any]]
Track = Callable[[Session], None]  # enrols a job's session in the audit trail


class InvalidRoster(InvalidInput):
    """A roster or roll with errors: every error listed (up to a bound), and how many in all."""

    def __init__(self, detail: str, errors: list[FieldError], error_count: int) -> None:
        super().__init__(detail, errors=errors)
        self.error_count = error_count


def _untracked(_session: Session) -> None:
    return None


def rows_done(job: ImportJob) -> int:
    """Rows applied so far: live for a job running in this process, as recorded otherwise."""
    return _progress.get(job.id, job.rows_done) if job.status == "running" else job.rows_done


def job(uow: UnitOfWork, job_id: str, errors_offset: int, errors_limit: int) -> JobOut:
    found = ImportJobRepository(uow.session, uow.principal).get_or_404(job_id)
    return JobOut.of(found, rows_done(found), errors_offset, errors_limit)


async def read_upload(file: UploadFile, limit: int) -> tuple[bytes, str]:
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"file is larger than {limit} bytes")
    # Only the base name is kept: a path in the name must not reach storage or exports.
    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return content, name[:255] or "upload"


def check_table_upload(content: bytes, filename: str, content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    known_name = filename.lower().endswith((".csv", ".xlsx"))
    if media and media not in ACCEPTED_TYPES and not known_name:
        raise UnsupportedMediaType(f"expected a CSV or XLSX file, got {media}")
    if not content:
        raise InvalidInput("the file is empty", errors=[FieldError(field="file", reason="empty")])


def _finish(engine: Engine, job_id: str, track: Track = _untracked, **values: Any) -> ImportJob:
    with write_lock(engine), Session(engine, expire_on_commit=False) as session:
        track(session)
        found = ImportJobRepository(session, None).get_or_404(job_id)
        for key, value in values.items():
            setattr(found, key, value)
        found.finished_at = utcnow() if values.get("status") in ("done", "failed") else None
        session.add(found)
        session.commit()
        return found


def run_job(
    runtime: Runtime, principal: Principal, job_id: str, work: Work, track: Track = _untracked
) -> tuple[ImportJob, DomainError | None]:
    """Validate and apply in one transaction; the job row records the outcome either way."""
    engine = runtime.engine
    _finish(engine, job_id, track, status="running")
    _progress[job_id] = 0

    def progress(done: int) -> None:
        _progress[job_id] = done

    try:
        with write_lock(engine), Session(engine, expire_on_commit=False) as session:
            track(session)
            try:
                result = work(runtime.unit_of_work(session, principal), job_id, progress)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        if engine.dialect.name == "sqlite":
            # Fresh statistics after a bulk load keep the reconciliation plans right. ANALYZE
            # reads, then writes: begun IMMEDIATE it waits for a concurrent writer (busy_timeout)
            # instead of failing at once on a snapshot that writer made stale.
            with write_lock(engine), engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                conn.exec_driver_sql("PRAGMA optimize")
                conn.commit()
        rows = int(result.get("rows", 0))
        return _finish(
            engine, job_id, track, status="done", result=result, rows_total=rows, rows_done=rows
        ), None
    except DomainError as exc:
        errors = [e.model_dump(mode="json") for e in exc.errors]
        failed = _finish(
            engine,
            job_id,
            track,
            status="failed",
            result={"detail": exc.detail, "status": exc.status},
            errors=errors,
            error_count=int(getattr(exc, "error_count", 0) or len(errors)),
        )
        return failed, exc
    except Exception:
        log.exception("import_job_failed", job_id=job_id)
        failed = _finish(
            engine,
            job_id,
            track,
            status="failed",
            result={"detail": "internal error; see the log"},
        )
        return failed, DomainError("the import failed unexpectedly", status=500)
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
        ImportJobRepository(session, principal).add(
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
        done, error = await asyncio.to_thread(run_job, runtime, principal, job_id, work, track)
        if error is not None:
            raise error
        body = JobOut.of(done, rows_done(done)).model_dump(mode="json")
        return JSONResponse(body, status_code=201)
    task = asyncio.create_task(asyncio.to_thread(run_job, runtime, principal, job_id, work, track))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    with Session(runtime.engine) as session:
        queued = ImportJobRepository(session, None).get_or_404(job_id)
        body = JobOut.of(queued, rows_done(queued)).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": f"/v1/jobs/{job_id}"})
