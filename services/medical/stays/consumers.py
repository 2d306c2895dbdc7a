"""Stays arriving on the hospital input topic, and civil affairs' decisions for MED-5."""

from __future__ import annotations

from services.medical.stays.service import StayService
from services.medical.welfare.flags import apply_welfare_event
from shared.app import Runtime
from shared.bus.consumer import Subscription
from shared.events.catalogue import EventData
from shared.events.medical import HospitalStaySubmitted, StayData
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified, TekunEnded
from shared.uow import UnitOfWork


def subscriptions(runtime: Runtime) -> list[Subscription]:
    stays = StayService(runtime.policy, runtime.publish_kwargs())

    def stay_submitted(uow: UnitOfWork, data: EventData) -> None:
        session, envelope = uow.session, uow.envelope
        assert isinstance(data, HospitalStaySubmitted)
        # Same schema and validation as HTTP; the hospital is named by the event's source.
        stays.record(session, StayData(**data.model_dump()), envelope.source[:120])

    return [
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
