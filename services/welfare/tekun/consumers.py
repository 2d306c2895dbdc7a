"""What 特困供养 (WEL-5) takes from the registry's events: a death ends support."""

from __future__ import annotations

from services.welfare.tekun.service import end_on_death
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.uow import UnitOfWork


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """`person.deceased` ends the person's open case (reason `deceased`) and their placement,
    and publishes `welfare.tekun_ended`; a redelivered event finds nothing open."""
    assert isinstance(data, PersonDeceased)
    end_on_death(uow, data.person_id, data.deceased_on)
