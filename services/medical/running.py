"""Running totals rows (年度累计) taken under a lock, so that two requests for one person never
settle against the same totals (the person_year discipline of the stays)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, select

R = TypeVar("R", bound=SQLModel)


def locked_row(session: Session, model: type[R], key: dict[str, Any], zeros: dict[str, Any]) -> R:
    """Insert the row if missing, then read it locked. The insert comes first: on SQLite it takes
    the write lock (later reads see every committed change); on PostgreSQL FOR UPDATE holds the
    row until commit."""
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__  # type: ignore[attr-defined]
    session.execute(insert_fn(table).values(**key, **zeros).on_conflict_do_nothing())
    stmt = select(model)
    for name, value in key.items():
        stmt = stmt.where(getattr(model, name) == value)
    if dialect == "postgresql":
        stmt = stmt.with_for_update()
    return session.exec(stmt.execution_options(populate_existing=True)).one()
