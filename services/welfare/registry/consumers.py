"""Keeps the welfare registry read model current from enrollment's registry events."""

from __future__ import annotations

from services.welfare.registry.models import (
    RegistryAccount,
    RegistryPerson,
    RegistryStatusHistory,
)
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.registry import PersonFacts
from shared.registry_projection import RegistryProjection
from shared.uow import UnitOfWork

PROJECTION = RegistryProjection(RegistryPerson, RegistryStatusHistory)

upsert_person = PROJECTION.upsert_person
status_on = PROJECTION.status_on
household_status = PROJECTION.household_status
person_moved = PROJECTION.person_moved
household_split = PROJECTION.household_split
person_deceased = PROJECTION.person_deceased
disability_certified = PROJECTION.disability_certified


def record_account(uow: UnitOfWork, data: EventData) -> None:
    """The person's social security card account when the event carries one; an event without
    it leaves the last one known."""
    assert isinstance(data, PersonFacts)
    if not (data.bank_name and data.bank_account):
        return
    values = {
        "person_id": data.person_id,
        "bank_name": data.bank_name,
        "bank_account": data.bank_account,
        "source_event_id": uow.envelope.id,
        "updated_at": utcnow(),
    }
    upsert(uow.session, RegistryAccount, values, key=("person_id",))
