"""Database engine and sessions (SQLModel): a SQLite file per service by default, PostgreSQL in
production. A request's session commits on success and rolls back on error; nothing else does."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Table, event, insert, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

# Deterministic constraint names, so that migrations can alter them later (Alembic advice).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for Core statements on plain rows (SQLModel does not
    declare `__table__` to the type checker)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def make_engine(url: str, **kwargs: Any) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "postgresql" and sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database in (None, "", ":memory:"):  # one connection: no pool to size
            for option in ("pool_size", "max_overflow", "pool_timeout"):
                kwargs.pop(option, None)
        engine = create_engine(
            sa_url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if "poolclass" not in kwargs and "isolation_level" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(sa_url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the relay read while a request writes; busy_timeout waits instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # 64 MiB page cache (default 2 MiB): index inserts with random keys miss a small cache.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if missing (each service owns one)."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "postgresql" or not sa_url.database:
        return
    admin = make_engine(
        sa_url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": sa_url.database}
            ).scalar()
            if not exists:
                try:
                    conn.execute(text(f'CREATE DATABASE "{sa_url.database}"'))
                except DBAPIError:
                    # Another worker of the service created it at the same moment.
                    created = conn.execute(
                        text("SELECT 1 FROM pg_database WHERE datname = :n"),
                        {"n": sa_url.database},
                    ).scalar()
                    if not created:
                        raise
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "postgresql":
        return
    admin = make_engine(
        sa_url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{sa_url.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def upsert(
    session: Session,
    model: type[SQLModel],
    values: dict[str, Any],
    key: tuple[str, ...],
    insert_only: tuple[str, ...] = (),
) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE in one statement, on SQLite and PostgreSQL.
    Columns in `insert_only` keep their first value (e.g. a registration time)."""
    dialect = session.get_bind().dialect.name
    stmt = _upsert_statement(model, dialect, tuple(values), key, insert_only)
    session.execute(stmt, values)


def upsert_many(
    session: Session,
    model: type[SQLModel],
    rows: list[dict[str, Any]],
    key: tuple[str, ...],
    insert_only: tuple[str, ...] = (),
) -> None:
    """`upsert` of many rows (all with the same columns) in one executemany, with the effect of
    upserting them one by one in order: rows of one key are merged first (the later values win,
    `insert_only` columns keep the first), since one statement may not touch a row twice."""
    if not rows:
        return
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        row_key = tuple(row[k] for k in key)
        first = merged.get(row_key)
        merged[row_key] = (
            row if first is None else {**row, **{c: first[c] for c in insert_only if c in first}}
        )
    dialect = session.get_bind().dialect.name
    stmt = _upsert_statement(model, dialect, tuple(rows[0]), key, insert_only)
    session.execute(stmt, list(merged.values()))


@lru_cache(maxsize=256)
def _upsert_statement(
    model: type[SQLModel],
    dialect: str,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    insert_only: tuple[str, ...],
) -> Any:
    # Built once per shape and executed with parameters: SQLAlchemy then reuses the compiled SQL.
    table = table_of(model)
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    updates = {c: stmt.excluded[c] for c in columns if c not in key and c not in insert_only}
    return stmt.on_conflict_do_update(index_elements=list(key), set_=updates)


# Told of every `insert_rows`, which no session event sees (the audit trail records it).
BulkInsertListener = Callable[[Session, Table, Sequence[dict[str, Any]], int | None], None]
_bulk_insert_listeners: list[BulkInsertListener] = []


def on_bulk_insert(listener: BulkInsertListener) -> None:
    """Call `listener(session, table, rows, rowcount)` after each `insert_rows`."""
    if listener not in _bulk_insert_listeners:
        _bulk_insert_listeners.append(listener)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert plain rows (all with the same columns) in the session's transaction, as fast as
    the database takes them: `COPY ... FROM STDIN` on PostgreSQL, one executemany of an INSERT
    on SQLite, on the session's connection. Values are bound through the columns' types, as a
    Core insert binds them; the ORM's statement events do not see it, `on_bulk_insert` does."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    values = _bound(table, names, rows, dialect)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if dialect.name == "postgresql":
        assert isinstance(raw, psycopg.Connection)
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.quote(name) for name in names)
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            count = cursor.rowcount
    else:
        sql = str(insert(table).compile(dialect=dialect, column_keys=names))
        cursor = raw.cursor()
        try:
            cursor.executemany(sql, list(values))
            count = cursor.rowcount
        finally:
            cursor.close()
    for listener in list(_bulk_insert_listeners):
        listener(session, table, rows, count if count >= 0 else None)


def _bound(
    table: Table, names: list[str], rows: Sequence[dict[str, Any]], dialect: Any
) -> Iterator[Sequence[Any]]:
    """Each row's values as the driver takes them. A value repeated from the row before (a
    batch's one timestamp) is converted once."""
    get = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    processors = [
        (i, process)
        for i, name in enumerate(names)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    if not processors:
        yield from map(get, rows)
        return
    last: dict[int, Any] = {}
    done: dict[int, Any] = {}
    for row in rows:
        values = list(get(row))
        for i, process in processors:
            value = values[i]
            if value is None:
                continue
            if value is not last.get(i):
                last[i], done[i] = value, process(value)
            values[i] = done[i]
        yield values


_sqlite_write_locks: dict[str, threading.Lock] = {}


def write_lock(engine: Engine) -> AbstractContextManager[Any]:
    """SQLite has one writer at a time and its busy handler waits by sleeping (up to 100 ms a
    try), which collapses throughput under concurrent writers. Writers in one process therefore
    queue on a lock instead; PostgreSQL needs none."""
    return process_write_lock(engine) or nullcontext()


def process_write_lock(engine: Engine) -> threading.Lock | None:
    """The lock of `write_lock` itself: None on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return None
    return _sqlite_write_locks.setdefault(str(engine.url), threading.Lock())


def begin_write(session: Session) -> None:
    """Take the database's write lock for the rest of the transaction, as a row lock (`FOR
    UPDATE`) would on PostgreSQL, where this does nothing. SQLite has no row locks: BEGIN
    IMMEDIATE makes concurrent writers of one file queue here (busy_timeout), so that what the
    transaction reads next is what was committed last and stays so until it commits, with or
    without the process's own write lock. A transaction already open holds the lock: pysqlite
    opens one only before a write."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def serialize(session: Session, name: str) -> None:
    """Transactions that call this with the same `name` run one after the other from here to
    their commit: on PostgreSQL a transaction-scoped advisory lock keyed by `name`, on SQLite the
    database's write lock. For work that reads what it is about to insert in bulk (an import),
    where no single row can be locked first."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        begin_write(session)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
