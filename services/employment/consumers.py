"""What the employment service consumes. Each topic is one consumer group; an event type may
feed several sub-domains, applied in order in the one transaction that records the event as
processed (so a redelivered event changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from services.employment.registry.consumers import PROJECTION
from shared.app import Runtime
from shared.bus.consumer import Handler, Subscription
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonRegistered


def chain(*handlers: Handler) -> Handler:
    def apply(session: Session, envelope: Envelope, data: EventData) -> None:
        for handler in handlers:
            handler(session, envelope, data)

    return apply


def subscriptions(runtime: Runtime) -> Sequence[Subscription]:
    registry_handlers: dict[str, list[Handler]] = PROJECTION.handlers()
    return [
        Subscription(
            topics=(PersonRegistered.topic,),
            handlers={t: chain(*hs) for t, hs in registry_handlers.items()},
        )
    ]
