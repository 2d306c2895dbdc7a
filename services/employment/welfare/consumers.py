"""Applies welfare's dibao and 特困 events to the per-person standing (one upsert a person)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from services.employment.registry.models import RegistryPerson
from services.employment.welfare.models import WelfareStanding
from shared.bus.consumer import Handler
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.welfare import (
    DibaoChanged,
    DibaoEnded,
    DibaoGranted,
    TekunCertified,
    TekunEnded,
)
from shared.uow import UnitOfWork


def _set(
    session: Session,
    envelope: Envelope,
    person_ids: Iterable[str],
    scheme: str,
    on: bool,
    since: date,
) -> None:
    for person_id in person_ids:
        values: dict[str, Any] = {
            "person_id": person_id,
            scheme: on,
            f"{scheme}_since": since if on else None,
            "updated_at": utcnow(),
            "source_event_id": envelope.id,
        }
        upsert(session, WelfareStanding, values, key=("person_id",))


def dibao_on(uow: UnitOfWork, data: EventData) -> None:
    session, envelope = uow.session, uow.envelope
    assert isinstance(data, DibaoGranted | DibaoChanged)
    if isinstance(data, DibaoChanged):
        # Members no longer listed left the household's dibao with this change.
        listed = set(data.person_ids)
        gone = session.exec(
            select(WelfareStanding.person_id).where(
                WelfareStanding.dibao == True,  # noqa: E712
                WelfareStanding.person_id.in_(_household_members(session, data)),  # type: ignore[attr-defined]
            )
        ).all()
        _set(
            session,
            envelope,
            [p for p in gone if p not in listed],
            "dibao",
            False,
            data.effective_from,
        )
    _set(session, envelope, data.person_ids, "dibao", True, data.effective_from)


def _household_members(session: Session, data: DibaoChanged) -> list[str]:
    return list(
        session.exec(
            select(RegistryPerson.person_id).where(RegistryPerson.household_id == data.household_id)
        ).all()
    )


def dibao_off(uow: UnitOfWork, data: EventData) -> None:
    session, envelope = uow.session, uow.envelope
    assert isinstance(data, DibaoEnded)
    _set(session, envelope, data.person_ids, "dibao", False, data.effective_from)


def tekun_on(uow: UnitOfWork, data: EventData) -> None:
    session, envelope = uow.session, uow.envelope
    assert isinstance(data, TekunCertified)
    _set(session, envelope, [data.person_id], "tekun", True, data.effective_from)


def tekun_off(uow: UnitOfWork, data: EventData) -> None:
    session, envelope = uow.session, uow.envelope
    assert isinstance(data, TekunEnded)
    _set(session, envelope, [data.person_id], "tekun", False, data.effective_from)


HANDLERS: dict[str, list[Handler]] = {
    DibaoGranted.event_type: [dibao_on],
    DibaoChanged.event_type: [dibao_on],
    DibaoEnded.event_type: [dibao_off],
    TekunCertified.event_type: [tekun_on],
    TekunEnded.event_type: [tekun_off],
}


def standing_of(session: Session, person_ids: Iterable[str]) -> dict[str, WelfareStanding]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(WelfareStanding).where(WelfareStanding.person_id.in_(ids))  # type: ignore[attr-defined]
    ).all()
    return {r.person_id: r for r in rows}
