"""Registry events that end or move a family-doctor signing (MED-12), applied in the registry
read model's subscription (services/medical/registry/consumers.py)."""

from __future__ import annotations

from services.medical.family_doctor.service import end_on_death
from shared.events.catalogue import EventData
from shared.events.registry import PersonDeceased
from shared.uow import UnitOfWork


def person_deceased(uow: UnitOfWork, data: EventData) -> None:
    """MED-12: a death in the registry ends the patient's active signing."""
    assert isinstance(data, PersonDeceased)
    end_on_death(uow, data.person_id, data.deceased_on)
