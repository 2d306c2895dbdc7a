"""`GET /v1/audit`: auditors (and admins) read the service's audit trail.

Scope: an entry carries a division code, the record's own (its village, township or county
code) when the record has one, else the acting principal's scope, else (an event about no
division, a country-wide actor) none. An auditor sees the entries whose division code lies
inside their scope: a county auditor sees changes to their county's records and changes made
by their county's officers; entries without a division code only a country-wide auditor sees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session

from shared.audit.masking import key_text
from shared.audit.table import audit_log_table
from shared.auth import Principal, require
from shared.roles import Role

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    roles: str
    scope: str
    division_code: str
    correlation_id: str
    action: str
    operation: str
    entity: str
    entity_key: str
    before: Any | None
    after: Any | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_after_seq: int | None  # pass as `after_seq` for the next page; null on the last


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@router.get(
    "/v1/audit",
    response_model=AuditPage,
    summary="Audit trail of this service: who changed what, when, before and after",
)
def query_audit(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.auditor))],
    entity: Annotated[str | None, Query(max_length=80, description="table name")] = None,
    key: Annotated[str | None, Query(max_length=300, description="record key")] = None,
    actor: Annotated[str | None, Query(max_length=120, description="token subject")] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="at or after")] = None,
    to: Annotated[datetime | None, Query(description="before")] = None,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    runtime = request.app.state.runtime
    table = audit_log_table(runtime.spec.name)
    stmt = select(table).where(table.c.seq > after_seq)
    if entity is not None:
        stmt = stmt.where(table.c.entity == entity)
    if key is not None:
        stmt = stmt.where(table.c.entity_key == key_text([key]))
    if actor is not None:
        stmt = stmt.where(table.c.actor == actor)
    if from_ is not None:
        stmt = stmt.where(table.c.at >= _naive_utc(from_))
    if to is not None:
        stmt = stmt.where(table.c.at < _naive_utc(to))
    if principal.scope:
        stmt = stmt.where(table.c.division_code.startswith(principal.scope, autoescape=True))
    with Session(runtime.engine) as session:
        rows = session.execute(stmt.order_by(table.c.seq).limit(limit + 1)).mappings().all()
    items = [AuditEntryOut.model_validate(dict(r)) for r in rows[:limit]]
    return AuditPage(items=items, next_after_seq=items[-1].seq if len(rows) > limit else None)
