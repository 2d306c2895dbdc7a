"""What the employment service consumes. Each topic is one consumer group; an event type may
feed several sub-domains, applied in order in the one transaction that records the event as
processed (so a redelivered event changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from services.employment.census import service as census
from services.employment.registry.consumers import PROJECTION
from services.employment.training import service as training
from services.employment.welfare.consumers import HANDLERS as WELFARE_HANDLERS
from shared.bus.consumer import Handler, Subscription, chain
from shared.events.registry import PersonDeceased, PersonRegistered
from shared.events.welfare import DibaoGranted


def subscriptions() -> Sequence[Subscription]:
    registry_handlers: dict[str, list[Handler]] = PROJECTION.handlers()
    registry_handlers[PersonDeceased.event_type] = [
        *registry_handlers[PersonDeceased.event_type],
        census.on_deceased,  # EMP-1: the census record is closed
        training.on_deceased,  # EMP-2: open enrolments are withdrawn
    ]
    return [
        Subscription(
            group="employment",  # the registry read model, deaths close census and training
            topics=(PersonRegistered.topic,),
            handlers={t: chain(*hs) for t, hs in registry_handlers.items()},
        ),
        Subscription(
            group="employment-1",  # welfare's dibao and 特困 flags on labourers
            topics=(DibaoGranted.topic,),
            handlers={t: chain(*hs) for t, hs in WELFARE_HANDLERS.items()},
        ),
    ]
