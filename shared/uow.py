"""The unit of work handed to a service's work: one transaction's session, who acts, what day it
is, the county policy and the outbox.

A request builds one from its session, its principal and the service's clock (`shared.app.Uow`);
an event consumer builds one per event (`UnitOfWork.for_event`), whose day is the event's day
(`Envelope.day`), never the clock's, so replaying the same events decides the same. Services take
a `UnitOfWork` instead of a session with the publishing settings, the principal and "today" passed
by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlmodel import Session

from shared import clock as shared_clock
from shared.auth import Principal
from shared.bus.outbox import Outgoing, publish, publish_many
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.policy import PolicySet
from shared.roles import Role
from shared.trace import Params


class Clock(Protocol):
    """A service's `clock` module (or anything with its two functions)."""

    def today(self) -> date: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Publisher:
    """Where a service's events go: its name (the events' source) and the topic prefix."""

    service: str
    topic_prefix: str = ""

    def publish(
        self, session: Session, data: EventData, *, key: str | None, subject: str | None = None
    ) -> Envelope:
        return publish(
            session,
            data,
            service=self.service,
            key=key,
            subject=subject,
            topic_prefix=self.topic_prefix,
        )

    def publish_many(self, session: Session, events: Iterable[Outgoing]) -> int:
        return publish_many(session, events, service=self.service, topic_prefix=self.topic_prefix)


def consumer_principal(group: str) -> Principal:
    """Who acts when an event is applied: the consumer group, with the service role, everywhere."""
    return Principal(subject=f"consumer:{group}", roles=frozenset({Role.service}), scope="")


@dataclass
class UnitOfWork:
    session: Session
    principal: Principal
    policy: PolicySet
    publisher: Publisher
    clock: Clock = shared_clock
    event: Envelope | None = None

    @classmethod
    def for_event(
        cls,
        session: Session,
        envelope: Envelope,
        *,
        group: str,
        policy: PolicySet,
        publisher: Publisher,
    ) -> UnitOfWork:
        return cls(
            session=session,
            principal=consumer_principal(group),
            policy=policy,
            publisher=publisher,
            event=envelope,
        )

    @property
    def envelope(self) -> Envelope:
        """The event being applied (a consumer's unit of work only)."""
        if self.event is None:
            raise RuntimeError("this unit of work applies no event")
        return self.event

    def today(self) -> date:
        """The day decisions are made on: the event's day in a consumer, the clock's otherwise."""
        return self.event.day() if self.event is not None else self.clock.today()

    def now(self) -> datetime:
        """A UTC instant for timestamps: the event's time in a consumer, the clock's otherwise."""
        return self.event.time if self.event is not None else self.clock.now()

    @property
    def actor(self) -> str:
        return self.principal.subject

    def params(self, county_code: str | None, on: date) -> Params:
        """The county's parameters in force on `on` (each read is recorded in a trace)."""
        return Params(self.policy, county_code, on)

    def publish(self, data: EventData, *, key: str | None, subject: str | None = None) -> Envelope:
        """Add `data` to the outbox in this transaction: sent only if it commits. `key` is the
        household id (Kafka keeps one household's events in order)."""
        return self.publisher.publish(self.session, data, key=key, subject=subject)

    def publish_many(self, events: Iterable[Outgoing]) -> int:
        """`publish` of each (data, key, subject) in order, written in one bulk insert: for
        imports, whose events number as many as their rows."""
        return self.publisher.publish_many(self.session, events)
