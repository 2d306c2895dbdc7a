"""Applying a validated roll: upsert by (ID number, year); enrollment events for registered poor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from services.enrollment.models import MedicalRollEntry, PensionRollEntry, Person
from services.enrollment.registry.imports import chunks
from services.enrollment.rolls.parse import RollLine, Scheme
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.events.enrollment import MedicalEnrolled, PensionEnrolled

P = Person.__table__  # type: ignore[attr-defined]


def apply_roll(
    session: Session,
    scheme: Scheme,
    lines: list[RollLine],
    *,
    import_id: str,
    publish_kwargs: dict[str, str],
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, Any]:
    model = PensionRollEntry if scheme == "pension" else MedicalRollEntry
    table = model.__table__  # type: ignore[attr-defined]
    existing: dict[tuple[str, int], Any] = {}
    registered: dict[str, tuple[str, str]] = {}
    numbers = sorted({line.id_number for line in lines})
    for chunk in chunks(numbers):
        for row in session.execute(select(table).where(table.c.id_number.in_(chunk))):
            existing[(row.id_number, row.year)] = row
        for row in session.execute(
            select(P.c.id_number, P.c.id, P.c.household_id).where(P.c.id_number.in_(chunk))
        ):
            registered[row.id_number] = (row.id, row.household_id)
    now = utcnow()
    values = []
    created = changed = unchanged = 0
    for line in lines:
        old = existing.get((line.id_number, line.year))
        value: dict[str, Any] = {
            "id_number": line.id_number,
            "year": line.year,
            "paid": line.paid,
            "import_id": import_id,
            "updated_at": now,
        }
        if scheme == "pension":
            value["tier"] = line.tier
            value["drawing"] = line.drawing
            same = old is not None and (old.paid, old.tier, old.drawing) == (
                line.paid,
                line.tier,
                line.drawing,
            )
        else:
            value["critical_illness"] = line.critical_illness
            same = old is not None and (old.paid, old.critical_illness) == (
                line.paid,
                line.critical_illness,
            )
        if same:
            unchanged += 1
            continue
        created += old is None
        changed += old is not None
        values.append(value)
        person = registered.get(line.id_number)
        if person is not None:
            event = (
                PensionEnrolled(
                    person_id=person[0],
                    household_id=person[1],
                    year=line.year,
                    tier=line.tier or 0,
                    paid=line.paid,
                )
                if scheme == "pension"
                else MedicalEnrolled(
                    person_id=person[0],
                    household_id=person[1],
                    year=line.year,
                    paid=line.paid,
                    critical_illness=bool(line.critical_illness),
                )
            )
            publish(session, event, key=person[1], subject=person[0], **publish_kwargs)
    if values:
        dialect = session.get_bind().dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
        update_cols = [c for c in values[0] if c not in ("id_number", "year")]
        stmt = stmt.on_conflict_do_update(
            index_elements=["id_number", "year"], set_={c: stmt.excluded[c] for c in update_cols}
        )
        for chunk in chunks(values, 2_000):
            session.execute(stmt, list(chunk))
    progress(len(lines))
    return {
        "rows": len(lines),
        "entries_created": created,
        "entries_changed": changed,
        "entries_unchanged": unchanged,
        "not_in_registry": sum(1 for n in numbers if n not in registered),
    }
