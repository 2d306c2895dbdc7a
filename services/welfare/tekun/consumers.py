"""What 特困供养 (WEL-5) takes from the registry's events: a death ends support."""

from __future__ import annotations

from services.welfare.tekun.service import end_on_death
from shared.app import Runtime
from shared.bus.consumer import Handler
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.uow import UnitOfWork


def person_deceased(runtime: Runtime) -> Handler:
    """`person.deceased` ends the person's open case (reason `deceased`) and their placement,
    and publishes `welfare.tekun_ended`; a redelivered event finds nothing open."""
    publish_kwargs = runtime.publish_kwargs()

    def handle(uow: UnitOfWork, data: EventData) -> None:
        session, envelope = uow.session, uow.envelope
        assert isinstance(data, PersonDeceased)
        end_on_death(
            session, publish_kwargs, data.person_id, data.deceased_on, f"event:{envelope.id}"
        )

    return handle
