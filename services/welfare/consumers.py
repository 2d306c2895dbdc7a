"""What the welfare service consumes. Each topic is one consumer group; an event type may feed
several sub-domains, applied in order in the one transaction that records the event as processed
(so a redelivered event changes nothing)."""

from __future__ import annotations

from services.welfare.dibao import consumers as dibao
from services.welfare.disability import consumers as disability
from services.welfare.registry import consumers as registry
from services.welfare.relief import consumers as relief
from services.welfare.tekun import consumers as tekun
from shared.bus.consumer import Handler, Subscription, chain
from shared.events.employment import JobPlaced
from shared.events.medical import HighBurdenDetected
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdSplit,
    PersonDeceased,
    PersonDisabilityCertified,
    PersonMoved,
    PersonRegistered,
    PersonUpdated,
)


def _subscriptions() -> list[Subscription]:
    registry_handlers: dict[str, list[Handler]] = {
        PersonRegistered.event_type: [
            registry.upsert_person,
            registry.record_account,
            disability.person_facts,
        ],
        PersonUpdated.event_type: [
            registry.upsert_person,
            registry.record_account,
            disability.person_facts,
        ],
        HouseholdPovertyStatusChanged.event_type: [
            registry.household_status,
            dibao.on_status_changed,
        ],
        PersonMoved.event_type: [registry.person_moved, disability.person_moved],
        HouseholdSplit.event_type: [registry.household_split],
        PersonDeceased.event_type: [
            registry.person_deceased,
            dibao.on_deceased,
            tekun.on_deceased,
            disability.person_deceased,
        ],
        PersonDisabilityCertified.event_type: [
            registry.disability_certified,
            disability.disability_certified,
        ],
    }
    subs = [
        Subscription(
            group="welfare",  # the registry read model and what follows from it
            topics=(PersonRegistered.topic,),
            handlers={t: chain(*hs) for t, hs in registry_handlers.items()},
        )
    ]
    employment_handlers: dict[str, list[Handler]] = {
        JobPlaced.event_type: [dibao.on_job_placed],
    }
    subs.append(
        Subscription(
            group="welfare-1",  # job placements: review and gradual exit (WEL-8)
            topics=(JobPlaced.topic,),
            handlers={t: chain(*hs) for t, hs in employment_handlers.items()},
        )
    )
    medical_handlers: dict[str, list[Handler]] = {
        HighBurdenDetected.event_type: [relief.on_high_burden],
    }
    subs.append(
        Subscription(
            group="welfare-2",  # heavy medical burden: temporary relief (MED-4, WEL-6)
            topics=(HighBurdenDetected.topic,),
            handlers={t: chain(*hs) for t, hs in medical_handlers.items()},
        )
    )
    return subs


SUBSCRIPTIONS = _subscriptions()
