"""Queries of the insurance rolls, in bulk: the lines already held for a set of people, who of
them is registered, and the upsert by (ID number, year)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from services.enrollment.registry.models import Person
from services.enrollment.registry.repository import chunks
from services.enrollment.rolls.models import MedicalRollEntry, PensionRollEntry
from services.enrollment.rolls.schemas import Scheme
from shared.db import table_of

P = table_of(Person)
ROLLS: dict[Scheme, Table] = {
    "pension": table_of(PensionRollEntry),
    "medical": table_of(MedicalRollEntry),
}


def existing_lines(
    session: Session, scheme: Scheme, numbers: list[str]
) -> dict[tuple[str, int], Row[Any]]:
    """The roll's lines of these ID numbers, by (ID number, year)."""
    table = ROLLS[scheme]
    found: dict[tuple[str, int], Row[Any]] = {}
    for chunk in chunks(numbers):
        for row in session.execute(select(table).where(table.c.id_number.in_(chunk))):
            found[(row.id_number, row.year)] = row
    return found


def registered(session: Session, numbers: list[str]) -> dict[str, tuple[str, str]]:
    """Which of these ID numbers are registered: person id and household id."""
    found: dict[str, tuple[str, str]] = {}
    for chunk in chunks(numbers):
        for row in session.execute(
            select(P.c.id_number, P.c.id, P.c.household_id).where(P.c.id_number.in_(chunk))
        ):
            found[row.id_number] = (row.id, row.household_id)
    return found


def upsert_lines(session: Session, scheme: Scheme, values: list[dict[str, Any]]) -> None:
    """Insert or replace the lines, keyed by (ID number, year)."""
    if not values:
        return
    table = ROLLS[scheme]
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    update_cols = [c for c in values[0] if c not in ("id_number", "year")]
    stmt = stmt.on_conflict_do_update(
        index_elements=["id_number", "year"], set_={c: stmt.excluded[c] for c in update_cols}
    )
    for chunk in chunks(values, 2_000):
        session.execute(stmt, list(chunk))
