"""Writing events: `publish()` adds the event to the outbox inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import event
from sqlmodel import Session

from shared.bus.tables import OutboxEvent
from shared.correlation import current_correlation_id
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
    session.add(
        OutboxEvent(
            event_id=envelope.id,
            event_type=envelope.type,
            topic=topic_prefix + data.topic,
            key=key,
            headers=envelope.model_dump(mode="json", exclude={"data"}, exclude_none=True),
            payload=json.dumps(envelope.data, ensure_ascii=False, separators=(",", ":")),
        )
    )
    session.info["outbox_written"] = True
    return envelope


def envelope_of(row: OutboxEvent) -> Envelope:
    return Envelope(**row.headers, data=json.loads(row.payload))


# After a commit that wrote outbox rows, wake the relay so it does not wait for its next poll.
_wakers: list[Callable[[], None]] = []


def add_waker(waker: Callable[[], None]) -> None:
    _wakers.append(waker)


def remove_waker(waker: Callable[[], None]) -> None:
    if waker in _wakers:
        _wakers.remove(waker)


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        for waker in list(_wakers):
            waker()
