"""What the enrollment service does with events: civil affairs' decisions change medical
contribution subsidies (ENR-M3); a death stops the pension and pays the funeral grant (ENR-P8)."""

from __future__ import annotations

from services.enrollment.medical.service import record_welfare
from services.enrollment.pension.service import settle_death
from shared.bus.consumer import Subscription
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.events.welfare import (
    DibaoChanged,
    DibaoEnded,
    DibaoGranted,
    TekunCertified,
    TekunEnded,
)
from shared.uow import UnitOfWork


def dibao(uow: UnitOfWork, data: EventData) -> None:
    """A household granted, changed or ended dibao: each member's funding for the year (ENR-M3)."""
    assert isinstance(data, DibaoGranted | DibaoChanged | DibaoEnded)
    on = isinstance(data, DibaoGranted | DibaoChanged)
    for person_id in data.person_ids:
        record_welfare(
            uow, person_id, data.household_id, dibao=on, effective_from=data.effective_from
        )


def tekun(uow: UnitOfWork, data: EventData) -> None:
    """A person certified 特困 or no longer: their funding for the year (ENR-M3)."""
    assert isinstance(data, TekunCertified | TekunEnded)
    record_welfare(
        uow,
        data.person_id,
        data.household_id,
        tekun=isinstance(data, TekunCertified),
        effective_from=data.effective_from,
    )


def deceased(uow: UnitOfWork, data: EventData) -> None:
    """ENR-P8: the funeral grant, once per person ever."""
    assert isinstance(data, PersonDeceased)
    settle_death(uow, data)


SUBSCRIPTIONS = [
    Subscription(
        group="enrollment",  # welfare's dibao and 特困 decisions (ENR-M3)
        topics=(DibaoGranted.topic,),
        handlers={
            DibaoGranted.event_type: dibao,
            DibaoChanged.event_type: dibao,
            DibaoEnded.event_type: dibao,
            TekunCertified.event_type: tekun,
            TekunEnded.event_type: tekun,
        },
    ),
    Subscription(
        group="enrollment-1",  # deaths: pension stops, funeral grant (ENR-P8)
        topics=(PersonDeceased.topic,),
        handlers={PersonDeceased.event_type: deceased},
    ),
]
