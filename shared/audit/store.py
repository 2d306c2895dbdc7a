"""Appending to and reading back a service's audit chain.

Appends are serialized per database so that concurrent transactions never fork the chain:
on PostgreSQL a transaction-scoped advisory lock (keyed by the table name) is taken before the
last entry is read and held until commit; on SQLite the transaction appends only after its own
writes, when it already holds SQLite's single write lock (and writers of one process queue on
shared.db.write_lock before that). The seq primary key is the last guard: two appenders that
read the same last entry cannot both commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from shared import clock
from shared.audit.chain import GENESIS, first_broken, link


def _lock_key(table: Table) -> int:
    digest = hashlib.sha256(table.name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def append(session: Session, table: Table, entries: list[dict[str, Any]]) -> None:
    """Link `entries` to the end of the chain and insert them, in the session's transaction."""
    if not entries:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(table)})
    last = session.execute(
        select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    at = clock.now().replace(tzinfo=None)
    for entry in entries:
        entry["at"] = at
    link(entries, int(last.seq) if last else 0, str(last.hash) if last else GENESIS)
    session.execute(insert(table), entries)


def iter_entries(conn: Connection, table: Table, batch: int = 2_000) -> Iterator[dict[str, Any]]:
    """Every entry in seq order, read in batches (a long chain never sits in memory)."""
    after: int | None = None  # no lower bound at first: a seq edited below 1 is read too
    while True:
        stmt = select(table).order_by(table.c.seq).limit(batch)
        if after is not None:
            stmt = stmt.where(table.c.seq > after)
        rows = conn.execute(stmt).mappings().all()
        if not rows:
            return
        for row in rows:
            yield dict(row)
        after = int(rows[-1]["seq"])


def verify(engine: Engine, table: Table) -> tuple[int, int | None]:
    """(entries read, first broken seq or None)."""
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        return count, first_broken(iter_entries(conn, table))
