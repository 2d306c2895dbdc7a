"""Applies welfare's dibao and 特困 events to the per-person standing (one upsert a person)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.employment.registry.repository import RegistryPeople
from services.employment.welfare.repository import on_dibao, save_standing
from shared.bus.consumer import Handler
from shared.bus.tables import utcnow
from shared.events.catalogue import EventData
from shared.events.welfare import (
    DibaoChanged,
    DibaoEnded,
    DibaoGranted,
    TekunCertified,
    TekunEnded,
)
from shared.uow import UnitOfWork


def _set(uow: UnitOfWork, person_ids: Iterable[str], scheme: str, on: bool, since: date) -> None:
    for person_id in person_ids:
        save_standing(
            uow.session,
            {
                "person_id": person_id,
                scheme: on,
                f"{scheme}_since": since if on else None,
                "updated_at": utcnow(),
                "source_event_id": uow.envelope.id,
            },
        )


def dibao_on(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, DibaoGranted | DibaoChanged)
    if isinstance(data, DibaoChanged):
        # Members no longer listed left the household's dibao with this change.
        listed = set(data.person_ids)
        members = RegistryPeople(uow.session, None).member_ids(data.household_id)
        gone = [p for p in on_dibao(uow.session, members) if p not in listed]
        _set(uow, gone, "dibao", False, data.effective_from)
    _set(uow, data.person_ids, "dibao", True, data.effective_from)


def dibao_off(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, DibaoEnded)
    _set(uow, data.person_ids, "dibao", False, data.effective_from)


def tekun_on(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, TekunCertified)
    _set(uow, [data.person_id], "tekun", True, data.effective_from)


def tekun_off(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, TekunEnded)
    _set(uow, [data.person_id], "tekun", False, data.effective_from)


HANDLERS: dict[str, list[Handler]] = {
    DibaoGranted.event_type: [dibao_on],
    DibaoChanged.event_type: [dibao_on],
    DibaoEnded.event_type: [dibao_off],
    TekunCertified.event_type: [tekun_on],
    TekunEnded.event_type: [tekun_off],
}
