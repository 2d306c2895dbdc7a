"""Stays arriving on the hospital input topic, and civil affairs' decisions for MED-5."""

from __future__ import annotations

from services.medical.stays.service import record
from services.medical.welfare.consumers import apply_welfare_event
from shared.bus.consumer import Subscription
from shared.events.catalogue import EventData
from shared.events.medical import HospitalStaySubmitted, StayData
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified, TekunEnded
from shared.uow import UnitOfWork


def stay_submitted(uow: UnitOfWork, data: EventData) -> None:
    """A stay posted on the input topic (MED-1), settled as over HTTP."""
    assert isinstance(data, HospitalStaySubmitted)
    # Same schema and validation as HTTP; the hospital is named by the event's source.
    record(uow, StayData(**data.model_dump()), uow.envelope.source[:120])


SUBSCRIPTIONS = [
    Subscription(
        group="medical-1",  # hospital systems' input topic (MED-1)
        topics=(HospitalStaySubmitted.topic,),
        handlers={HospitalStaySubmitted.event_type: stay_submitted},
    ),
    Subscription(
        group="medical-2",  # welfare's dibao and 特困 flags (MED-5)
        topics=(DibaoGranted.topic,),
        handlers={
            t.event_type: apply_welfare_event
            for t in (DibaoGranted, DibaoChanged, DibaoEnded, TekunCertified, TekunEnded)
        },
    ),
]
