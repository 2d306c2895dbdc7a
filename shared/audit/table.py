"""The audit log table of a service: `<service>_audit_log`, in that service's own database.

Every service's models import the one they own, so the four tables live side by side in one
metadata (tests, the launcher) without sharing a name."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, Table
from sqlmodel import SQLModel

import shared.db  # noqa: F401  (naming convention before any table)


def audit_table_name(service: str) -> str:
    return f"{service}_audit_log"


def audit_log_table(service: str) -> Table:
    """The service's audit table, defined once in the shared metadata."""
    name = audit_table_name(service)
    existing = SQLModel.metadata.tables.get(name)
    if existing is not None:
        return existing
    return Table(
        name,
        SQLModel.metadata,
        # Assigned by the appender (last + 1), never by the database: a gap is a deleted entry.
        Column("seq", BigInteger, primary_key=True, autoincrement=False),
        Column("at", DateTime, nullable=False),
        Column("actor", String(120), nullable=False),
        Column("roles", String(200), nullable=False),
        Column("scope", String(12), nullable=False),
        # The record's own division code when it carries one, else the actor's scope.
        Column("division_code", String(12), nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("action", String(300), nullable=False),
        Column("operation", String(20), nullable=False),
        Column("entity", String(80), nullable=False),
        Column("entity_key", String(300), nullable=False),
        Column("before", JSON, nullable=True),
        Column("after", JSON, nullable=True),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        Index(f"ix_{name}_entity", "entity", "entity_key"),
        Index(f"ix_{name}_actor", "actor"),
        Index(f"ix_{name}_at", "at"),
    )
