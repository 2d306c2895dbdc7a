"""Claiming a key, keeping its answer, forgetting it: short transactions of their own, apart
from the request's unit of work (the answer exists only once the request is over)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from shared import clock
from shared.db import table_of, write_lock
from shared.idempotency.tables import IdempotentRequest

TABLE = table_of(IdempotentRequest)


@dataclass(frozen=True)
class Kept:
    status: int
    content_type: str | None
    location: str | None
    body: bytes


Claim = Literal["new", "pending", "mismatch"] | Kept


def claim(
    engine: Engine,
    subject: str,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    stale_after: timedelta,
) -> Claim:
    """`new` when this request is the first with the key (or takes over one whose request
    died without an answer), the kept answer of a finished one, `pending` while another
    request with the key runs, `mismatch` when the key was used for a different request."""
    now = clock.now()
    with write_lock(engine), engine.begin() as conn:
        try:
            with conn.begin_nested():
                conn.execute(
                    TABLE.insert().values(
                        subject=subject, key=key, fingerprint=fingerprint, method=method,
                        path=path, state="pending", created_at=now,
                    )
                )  # fmt: skip
            return "new"
        except IntegrityError:
            pass
        row = conn.execute(
            select(TABLE).where(TABLE.c.subject == subject, TABLE.c.key == key)
        ).one()
        if row.fingerprint != fingerprint:
            return "mismatch"
        if row.state == "done":
            return Kept(row.status, row.content_type, row.location, bytes(row.body or b""))
        if row.created_at.replace(tzinfo=None) > (now - stale_after).replace(tzinfo=None):
            return "pending"
        # The request that claimed it ended without an answer (its process died): this one
        # runs in its place. The effect itself is guarded by the route's own natural key.
        taken = conn.execute(
            update(TABLE)
            .where(
                TABLE.c.subject == subject,
                TABLE.c.key == key,
                TABLE.c.state == "pending",
                TABLE.c.created_at == row.created_at,
            )
            .values(created_at=now)
        )
        return "new" if taken.rowcount == 1 else "pending"


def keep(engine: Engine, subject: str, key: str, answer: Kept) -> None:
    with write_lock(engine), engine.begin() as conn:
        conn.execute(
            update(TABLE)
            .where(TABLE.c.subject == subject, TABLE.c.key == key)
            .values(
                state="done", status=answer.status, content_type=answer.content_type,
                location=answer.location, body=answer.body, done_at=clock.now(),
            )
        )  # fmt: skip


def renew(engine: Engine, subject: str, key: str) -> None:
    """The claim's request is still running (its `created_at` is its last sign of life)."""
    with write_lock(engine), engine.begin() as conn:
        conn.execute(
            update(TABLE)
            .where(TABLE.c.subject == subject, TABLE.c.key == key, TABLE.c.state == "pending")
            .values(created_at=clock.now())
        )


def release(engine: Engine, subject: str, key: str) -> None:
    """Forget a key whose request failed on the server's side, so that a retry runs again."""
    with write_lock(engine), engine.begin() as conn:
        conn.execute(delete(TABLE).where(TABLE.c.subject == subject, TABLE.c.key == key))


def purge(engine: Engine, older_than: timedelta) -> int:
    """Keys are kept for a retention period (a day by default), then forgotten."""
    with write_lock(engine), engine.begin() as conn:
        result = conn.execute(delete(TABLE).where(TABLE.c.created_at < clock.now() - older_than))
        return int(result.rowcount or 0)
