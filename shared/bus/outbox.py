"""Writing events: `publish()` adds the event to the outbox inside the caller's transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import event
from sqlmodel import Session

from shared import clock
from shared.bus.tables import OutboxEvent
from shared.correlation import current_correlation_id
from shared.db import insert_rows, table_of
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope


def publish(
    session: Session,
    data: EventData,
    *,
    service: str,
    key: str | None,
    subject: str | None = None,
    topic_prefix: str = "",
    correlation_id: str | None = None,
) -> Envelope:
    """Record `data` as an event; it is sent only if the caller's transaction commits.

    `key` is the household id: Kafka keeps one household's events in order."""
    envelope = Envelope.wrap(
        data,
        source=f"/services/{service}",
        subject=subject,
        key=key,
        correlation_id=correlation_id or current_correlation_id(),
    )
    # Rows are inserted in one statement just before the commit (see _flush_outbox): building an
    # ORM object per event costs more than the rest of publishing put together.
    pending = session.info.setdefault(_PENDING, [])
    if len(pending) >= _FLUSH_AT:
        # A large import writes a million events: insert in chunks rather than hold them all.
        _insert_pending(session)
        pending = session.info.setdefault(_PENDING, [])
    pending.append(_row(envelope, data, key, topic_prefix))
    return envelope


Outgoing = tuple[EventData, str | None, str | None]  # data, key (household id), subject


def publish_many(
    session: Session,
    events: Iterable[Outgoing],
    *,
    service: str,
    topic_prefix: str = "",
    correlation_id: str | None = None,
) -> int:
    """`publish` of each (data, key, subject) in order, written at once (COPY on PostgreSQL) in
    the caller's transaction, after every event published before: the same rows `publish`
    writes, all with one time. Returns how many."""
    source = f"/services/{service}"
    correlation = correlation_id or current_correlation_id()
    now = clock.now()
    time = _TIME.dump_python(now, mode="json")
    rows = []
    for data, key, subject in events:
        # The envelope's attributes as Envelope.model_dump(mode="json", exclude_none=True) gives
        # them, in its field order, without building one per event (tests/unit/test_outbox.py).
        headers = {"id": str(uuid.uuid4()), "source": source, "type": data.event_type}
        if subject is not None:
            headers["subject"] = subject
        headers |= {
            "time": time,
            "specversion": "1.0",
            "datacontenttype": "application/json",
            "dataschema": data.dataschema(),
        }
        if correlation is not None:
            headers["correlationid"] = correlation
        if key is not None:
            headers["partitionkey"] = key
        rows.append(
            {
                "event_id": headers["id"],
                "event_type": data.event_type,
                "topic": topic_prefix + data.topic,
                "key": key,
                "headers": headers,
                "payload": _payload(data.model_dump(mode="json")),
                "created_at": now,
                "attempts": 0,
            }
        )
    if rows:
        _insert_pending(session)  # one household's earlier events keep their place before these
        insert_rows(session, _OUTBOX, rows)
        session.info[_WRITTEN] = True
    return len(rows)


def _payload(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _row(envelope: Envelope, data: EventData, key: str | None, topic_prefix: str) -> dict[str, Any]:
    return {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "topic": topic_prefix + data.topic,
        "key": key,
        "headers": envelope.model_dump(mode="json", exclude={"data"}, exclude_none=True),
        "payload": _payload(envelope.data),
        "created_at": envelope.time,
        "attempts": 0,
    }


# After a commit that wrote outbox rows, wake the relay so it does not wait for its next poll.
_wakers: list[Callable[[], None]] = []


def add_waker(waker: Callable[[], None]) -> None:
    _wakers.append(waker)


def remove_waker(waker: Callable[[], None]) -> None:
    if waker in _wakers:
        _wakers.remove(waker)


_PENDING = "outbox_pending"
_WRITTEN = "outbox_written"


_FLUSH_AT = 5_000
_OUTBOX = table_of(OutboxEvent)
_TIME = TypeAdapter(datetime)


def _insert_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        insert_rows(session, _OUTBOX, rows)
        session.info[_WRITTEN] = True


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint whose rollback also takes back the events published inside it (they wait in
    the session until the commit, outside the database's reach)."""
    _insert_pending(session)  # what was published before it stays, whatever happens inside
    with session.begin_nested():
        try:
            yield
        except BaseException:
            session.info.pop(_PENDING, None)
            raise


@event.listens_for(Session, "before_commit")
def _flush_outbox(session: Session) -> None:
    """Insert the transaction's events as part of that same transaction."""
    _insert_pending(session)


@event.listens_for(Session, "after_rollback")
def _discard_outbox(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        for waker in list(_wakers):
            waker()
