"""Audit complete by construction: the rows a run of requests added to each table, against the
rows the audit trail says were inserted into it in that run (shared.audit.capture). A table that
grew by more than its audited inserts was written without a trace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, func, select

from shared.audit.capture import excluded
from shared.audit.table import audit_log_table
from shared.db import make_engine


def table_rows(url: str) -> dict[str, int]:
    """Rows per audited table (the bus, idempotency and audit tables left out)."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in meta.tables.values()
                if not excluded(t.name) and t.name != "alembic_version"
            }
    finally:
        engine.dispose()


def last_seq(url: str, service: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            table = audit_log_table(service)
            return int(conn.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar_one())
    finally:
        engine.dispose()


def _inserted(entry: Any) -> int:
    after = entry.after or {}
    if entry.operation == "insert":
        rows = after.get("rows") if isinstance(after, dict) else None
        return int(rows) if isinstance(rows, int) and rows >= 0 else 1
    if entry.operation == "bulk_insert":
        return int(after.get("rows") or after.get("statements") or 0)
    return 0


def audited_inserts(url: str, service: str, after_seq: int) -> dict[str, int]:
    """Rows the audit trail records as inserted per table after `after_seq`."""
    engine = make_engine(url)
    try:
        table = audit_log_table(service)
        with engine.connect() as conn:
            entries = conn.execute(
                select(table.c.entity, table.c.operation, table.c.after).where(
                    table.c.seq > after_seq
                )
            ).all()
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.entity] = counts.get(entry.entity, 0) + _inserted(entry)
    return counts


def unaudited(before: dict[str, int], after: dict[str, int], audited: dict[str, int]) -> list[str]:
    """Tables that grew by more rows than their audited inserts."""
    return [
        f"{name}: {after[name] - before.get(name, 0)} new rows, {audited.get(name, 0)} audited"
        for name in sorted(after)
        if after[name] - before.get(name, 0) > audited.get(name, 0)
    ]
