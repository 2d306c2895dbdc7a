"""Stays arriving on the hospital input topic, and civil affairs' decisions for MED-5."""

from __future__ import annotations

from sqlmodel import Session

from services.medical.models import WelfareFlags
from services.medical.stays.service import StayService
from shared.app import Runtime
from shared.bus.consumer import Subscription
from shared.bus.tables import utcnow
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.medical import HospitalStaySubmitted, StayData
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified, TekunEnded


def subscriptions(runtime: Runtime) -> list[Subscription]:
    stays = StayService(runtime.policy, runtime.publish_kwargs())

    def stay_submitted(session: Session, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, HospitalStaySubmitted)
        # Same schema and validation as HTTP; the hospital is named by the event's source.
        stays.record(session, StayData(**data.model_dump()), envelope.source[:120])

    def flags(session: Session, envelope: Envelope, data: EventData) -> None:
        if isinstance(data, DibaoGranted | DibaoChanged | DibaoEnded):
            people, field, on = data.person_ids, "dibao", not isinstance(data, DibaoEnded)
        else:
            assert isinstance(data, TekunCertified | TekunEnded)
            people, field, on = [data.person_id], "tekun", isinstance(data, TekunCertified)
        for person_id in people:
            row = session.get(WelfareFlags, person_id) or WelfareFlags(person_id=person_id)
            setattr(row, field, on)
            row.updated_at = utcnow()
            session.add(row)
            session.flush()

    return [
        Subscription(
            topics=(HospitalStaySubmitted.topic,),
            handlers={HospitalStaySubmitted.event_type: stay_submitted},
        ),
        Subscription(
            topics=(DibaoGranted.topic,),
            handlers={
                t.event_type: flags
                for t in (DibaoGranted, DibaoChanged, DibaoEnded, TekunCertified, TekunEnded)
            },
        ),
    ]
