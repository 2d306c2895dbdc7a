"""Capturing state changes from a SQLAlchemy session, whatever the code that makes them.

A session is audited once `track(session, service, resolve)` has been called on it (the request
session of shared.app, the consumer's session, the import jobs'). Then:

* ORM objects (session.add / attribute changes / session.delete) are recorded after each flush,
  one entry per object: inserts with every column in `after`, updates with the changed columns
  only (old values in `before`, new in `after`), deletes with every loaded column in `before`.
* Statements run through `session.execute` (Core or ORM-enabled `insert()`, `update()`,
  `delete()`, shared.db.upsert) are recorded when executed (the `do_orm_execute` hook): one
  entry per statement with its parameters in `after`, the key when the parameters or an
  equality in the WHERE clause name the primary key, the WHERE clause as SQL text and the row
  count. A single UPDATE or DELETE first reads the rows its WHERE clause matches (up to 20) as
  `before`; an INSERT (upserts included) has no `before`. A statement executed with many
  parameter sets (a bulk import) is one summary entry, with no `before`: row count, columns,
  the keys when there are at most 100, and a sha256 of all its parameters.
  `shared.db.insert_rows` (COPY on PostgreSQL) is recorded as that same statement would be.

Not captured: SQL run on a connection rather than the session (`session.connection().execute`,
`exec_driver_sql`, `text()` statements), DDL, changes made by database triggers or cascades,
in-place mutation of JSON columns that the ORM does not track, and sessions never tracked.
The bus tables (outbox, processed events, dead letters) and the audit tables are never audited.
Entries of a transaction or savepoint that is rolled back are dropped; those left are appended
to the chain at commit (shared.audit.store), in the same transaction as the changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ClauseElement, ColumnElement
from sqlalchemy.sql.operators import eq

from shared.audit.masking import jsonable, key_text
from shared.audit.store import append
from shared.audit.table import audit_log_table
from shared.bus.tables import BUS_TABLES
from shared.db import on_bulk_insert
from shared.idempotency.tables import IDEMPOTENCY_TABLE

INFO_KEY = "audit_tracker"
DIVISION_FIELDS = ("village_code", "township_code", "county_code")  # most specific first
BULK_KEYS_LISTED = 100
BEFORE_ROWS_READ = 20  # rows of a single UPDATE / DELETE kept as `before`
# Technical tables: the bus's own and the kept answers of idempotent requests.
_EXCLUDED = frozenset((*BUS_TABLES, IDEMPOTENCY_TABLE))


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and in what: a request's principal and route, or a consumed event."""

    actor: str
    roles: str
    scope: str
    action: str
    correlation_id: str


@dataclass
class Tracker:
    table: Table
    resolve: Callable[[], AuditContext]
    pending: list[tuple[SessionTransaction | None, dict[str, Any]]] = field(default_factory=list)


def excluded(table_name: str) -> bool:
    return table_name in _EXCLUDED or table_name.endswith("_audit_log")


def track(session: Session, service: str, resolve: Callable[[], AuditContext]) -> None:
    """Audit every state change made through `session` into `<service>_audit_log`."""
    session.info[INFO_KEY] = Tracker(audit_log_table(service), resolve)


def set_context(session: Session, context: AuditContext) -> None:
    """Change who is acting (a consumer moving to the next event of its batch)."""
    tracker = _tracker(session)
    if tracker is not None:
        tracker.resolve = lambda: context


def _tracker(session: Session) -> Tracker | None:
    tracker: Tracker | None = session.info.get(INFO_KEY)
    return tracker


def _record(
    session: Session,
    tracker: Tracker,
    *,
    operation: str,
    entity: str,
    key: str,
    before: Any,
    after: Any,
    division: str | None,
) -> None:
    ctx = tracker.resolve()
    entry = {
        "actor": ctx.actor[:120],
        "roles": ctx.roles[:200],
        "scope": ctx.scope,
        "division_code": (division or ctx.scope)[:12],
        "correlation_id": ctx.correlation_id[:64],
        "action": ctx.action[:300],
        "operation": operation,
        "entity": entity,
        "entity_key": key,
        "before": before,
        "after": after,
    }
    txn = session.get_nested_transaction() or session.get_transaction()
    tracker.pending.append((txn, entry))


# --- ORM objects ------------------------------------------------------------------------------


def _division(values: Mapping[str, Any]) -> str | None:
    for name in DIVISION_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _capture_object(session: Session, tracker: Tracker, obj: Any, operation: str) -> None:
    state = inspect(obj)
    mapper = state.mapper
    table = mapper.local_table
    if not isinstance(table, Table) or excluded(table.name):
        return
    loaded = state.dict  # never triggers a load inside the flush
    props = mapper.column_attrs
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    if operation == "insert":
        after = {p.key: jsonable(loaded.get(p.key), p.key) for p in props}
    elif operation == "delete":
        before = {p.key: jsonable(loaded.get(p.key), p.key) for p in props if p.key in loaded}
    else:
        before, after = {}, {}
        for p in props:
            history = state.attrs[p.key].history
            if not history.added and not history.deleted:
                continue
            before[p.key] = jsonable(history.deleted[0] if history.deleted else None, p.key)
            after[p.key] = jsonable(history.added[0] if history.added else None, p.key)
        if not after:
            return
    pk = [loaded.get(mapper.get_property_by_column(c).key) for c in mapper.primary_key]
    _record(
        session,
        tracker,
        operation=operation,
        entity=table.name,
        key=key_text(pk),
        before=before,
        after=after,
        division=_division(loaded),
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: Any) -> None:
    tracker = _tracker(session)
    if tracker is None:
        return
    for obj in session.new:
        _capture_object(session, tracker, obj, "insert")
    for obj in session.dirty:
        _capture_object(session, tracker, obj, "update")
    for obj in session.deleted:
        _capture_object(session, tracker, obj, "delete")


# --- statements -------------------------------------------------------------------------------


def _key_binds(
    where: ColumnElement[Any] | None, table: Table
) -> list[tuple[str, BindParameter[Any]]]:
    """`pk_column = :bind` comparisons in a WHERE clause (joined by AND), in key order."""
    if where is None:
        return []
    found: dict[str, BindParameter[Any]] = {}
    stack: list[Any] = [where]
    while stack:
        clause = stack.pop()
        if isinstance(clause, BinaryExpression) and clause.operator is eq:
            left, right = clause.left, clause.right
            if isinstance(left, BindParameter):
                left, right = right, left
            name = getattr(left, "name", None)
            if (
                isinstance(right, BindParameter)
                and name is not None
                and name in table.primary_key.columns
            ):
                found[str(name)] = right
        elif hasattr(clause, "clauses"):
            stack.extend(clause.clauses)
    pk = [c.name for c in table.primary_key.columns]
    return [(n, found[n]) for n in pk if n in found] if set(pk) <= set(found) else []


def _row_key(
    row: Mapping[str, Any], table: Table, binds: list[tuple[str, BindParameter[Any]]]
) -> str:
    if binds:
        return key_text([row.get(b.key, b.value) for _n, b in binds])
    values = [row.get(c.name) for c in table.primary_key.columns]
    return key_text(values) if any(v is not None for v in values) else ""


def _common_division(rows: Iterable[Mapping[str, Any]], first: Mapping[str, Any]) -> str | None:
    name = next((n for n in DIVISION_FIELDS if n in first), None)
    if name is None:
        return None
    codes = {str(r.get(name) or "") for r in rows}
    common = min(codes) if codes else ""
    for code in codes:  # the longest prefix all rows share: the jurisdiction covering them all
        while not code.startswith(common):
            common = common[:-1]
    return common or None


def _digest(rows: list[Any]) -> str:
    body = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _rows_before(
    state: ORMExecuteState, table: Table, where: Any, params: Mapping[str, Any]
) -> Any:
    """The rows a single UPDATE or DELETE is about to change, read on the session's connection
    (no session event, same transaction): one dict, or a list when it matches several."""
    if where is None or state.is_insert:
        return None
    found = (
        state.session.connection()
        .execute(select(table).where(where).limit(BEFORE_ROWS_READ), dict(params))
        .mappings()
        .all()
    )
    rows = [{k: jsonable(v, k) for k, v in r.items()} for r in found]
    return rows[0] if len(rows) == 1 else rows or None


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> Any:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    tracker = _tracker(state.session)
    table = getattr(state.statement, "table", None)
    if tracker is None or not isinstance(table, Table) or excluded(table.name):
        return None
    operation = "insert" if state.is_insert else "update" if state.is_update else "delete"
    where = getattr(state.statement, "whereclause", None)
    params = state.parameters
    many = list(params) if isinstance(params, list | tuple) else [params or {}]
    before = _rows_before(state, table, where, many[0]) if len(many) == 1 else None
    result = state.invoke_statement()
    returned: list[Any] = []
    # The caller's own RETURNING, not the one SQLAlchemy adds on PostgreSQL to learn the key
    # of a single-row INSERT (whose row it consumes: the result then holds none).
    explicit = bool(getattr(state.statement, "_returning", ()))
    if state.is_insert and explicit and getattr(result, "returns_rows", False):
        # INSERT ... RETURNING: the rows returned are the rows written (SQLite reports a
        # rowcount of 0 for it, and an ON CONFLICT DO NOTHING returns none); they also carry
        # the key the database chose. The caller reads the same rows from a buffered copy.
        frozen = result.freeze()
        returned = list(frozen().all())
        result = frozen()
        rows: Any = len(returned)
    else:
        rows = getattr(result, "rowcount", None)
        if state.is_insert and len(many) == 1 and rows and isinstance(result, CursorResult):
            with suppress(Exception):  # no key to learn: an executemany, a text statement
                key = result.inserted_primary_key
                if key is not None and all(v is not None for v in key):
                    returned = [key]
    if rows == 0:
        return result  # nothing changed
    values = dict(many[0])
    if len(many) == 1 and not values and operation != "delete":
        dialect = state.session.get_bind().dialect
        if isinstance(state.statement, ClauseElement):
            values = dict(state.statement.compile(dialect=dialect).params)
    if len(returned) == 1 and len(many) == 1:
        chosen = returned[0]._mapping
        for column in table.primary_key.columns:
            if values.get(column.name) is None and column.name in chosen:
                values[column.name] = chosen[column.name]
    _record_statement(
        state.session, tracker, table, operation, many, values, rows, where=where, before=before
    )
    return result


def _record_statement(
    session: Session,
    tracker: Tracker,
    table: Table,
    operation: str,
    many: list[Any],
    values: dict[str, Any],
    rows: Any,
    *,
    where: Any = None,
    before: Any = None,
) -> None:
    """The entry of one statement: its parameters, or a summary of many parameter sets."""
    binds = _key_binds(where, table)
    info: dict[str, Any] = {"rows": rows if isinstance(rows, int) and rows >= 0 else None}
    if where is not None:
        info["where"] = str(where)
    if len(many) > 1:
        keys = [_row_key(r, table, binds) for r in many[: BULK_KEYS_LISTED + 1]]
        info |= {
            "statements": len(many),
            "columns": sorted(many[0]),
            "params_sha256": _digest(many),
        }
        if len(many) <= BULK_KEYS_LISTED and any(keys):
            info["keys"] = keys
        key, operation = "", f"bulk_{operation}"
        division = _common_division(many, many[0])
    else:
        info["params"] = jsonable(values)
        key = _row_key(values, table, binds)
        division = _division(values)
    _record(
        session,
        tracker,
        operation=operation,
        entity=table.name,
        key=key,
        before=before,
        after=info,
        division=division,
    )


def _on_insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], count: int | None
) -> None:
    """shared.db.insert_rows (a COPY, or an executemany on the session's connection): the entry
    the same rows inserted through `session.execute` would have had."""
    tracker = _tracker(session)
    if tracker is None or excluded(table.name) or count == 0:
        return
    many = list(rows)
    _record_statement(session, tracker, table, "insert", many, dict(many[0]), count)


on_bulk_insert(_on_insert_rows)


# --- transaction ends -------------------------------------------------------------------------


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    tracker = _tracker(session)
    if tracker is None or session.in_nested_transaction():
        return  # a savepoint's release: its entries wait for the outer commit
    session.flush()
    if tracker.pending:
        entries = [entry for _txn, entry in tracker.pending]
        tracker.pending.clear()
        append(session, tracker.table, entries)


def _within(txn: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while txn is not None:
        if txn is ended:
            return True
        txn = txn.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    tracker = _tracker(session)
    if tracker is not None and tracker.pending:
        tracker.pending[:] = [(t, e) for t, e in tracker.pending if not _within(t, previous)]
