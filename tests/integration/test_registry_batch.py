"""Medical's registry read model applied a run at a time (the consumer's batch handler) writes
exactly what applying the events one by one writes, on SQLite and PostgreSQL: the same people,
the same status history, the same event behind each row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.medical.registry.consumers import SUBSCRIPTION, upsert_people, upsert_person
from services.medical.registry.models import RegistryPerson, RegistryStatusHistory
from shared.db import table_of
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonFacts, PersonUpdated
from shared.policy import PolicySet
from shared.uow import Publisher, UnitOfWork
from tests.support.bus import migrated_engine, person_event

pytestmark = pytest.mark.integration

MAY, JUNE, JULY = (datetime(2026, m, 10, 2, tzinfo=UTC) for m in (5, 6, 7))


def updated(facts: PersonFacts, status: PovertyStatus, **changes: Any) -> PersonUpdated:
    values = {**facts.model_dump(), **changes, "poverty_status": status, "changed": ["status"]}
    return PersonUpdated(**values)


def scenario() -> list[tuple[EventData, datetime]]:
    """Registrations, repeats, status changes and an event dated before one already applied."""
    a, b, c = (person_event(i, household=f"H{i}") for i in range(3))
    exited, not_exited = PovertyStatus.exited, PovertyStatus.not_exited
    return [
        (a, MAY),
        (b, MAY),
        (updated(a, exited), JULY),
        (updated(a, exited, name="改名"), JULY),  # same status: no history row
        (c, JUNE),
        (updated(a, not_exited), JUNE),  # dated before July's entry: that one stays the latest
        (updated(a, not_exited), JUNE),  # so this differs from the latest again
        (updated(b, PovertyStatus.marginal), JUNE),
        (updated(b, PovertyStatus.marginal, village_code="532325100202"), JULY),
    ]


def apply(engine: Engine, events: list[tuple[EventData, datetime]], batched: bool) -> None:
    with Session(engine) as session:
        uows = [(uow_for(session, n, data, at), data) for n, (data, at) in enumerate(events)]
        if batched:
            upsert_people(uows[:1])  # a run of one, then the rest at once
            upsert_people(uows[1:])
        else:
            for uow, data in uows:
                upsert_person(uow, data)
        session.commit()


def uow_for(session: Session, n: int, data: EventData, at: datetime) -> UnitOfWork:
    envelope = Envelope.wrap(data, source="/services/enrollment", subject=None, key=None)
    return UnitOfWork.for_event(
        session,
        envelope.model_copy(update={"time": at, "id": f"event-{n}"}),
        group=SUBSCRIPTION.group,
        policy=PolicySet({}),
        publisher=Publisher("medical"),
    )


def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(table_of(RegistryStatusHistory)))
        conn.execute(delete(table_of(RegistryPerson)))


def state(engine: Engine) -> tuple[list[Any], list[Any]]:
    people, history = table_of(RegistryPerson), table_of(RegistryStatusHistory)
    with engine.connect() as conn:
        person_rows = conn.execute(
            select(
                *(c for c in people.c if c.name not in ("registered_at", "updated_at"))
            ).order_by(people.c.person_id)
        ).all()
        history_rows = conn.execute(
            select(history.c.person_id, history.c.status, history.c.valid_from,
                   history.c.source_event_id).order_by(history.c.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in person_rows], [tuple(r) for r in history_rows]


def test_batch_handler_writes_what_one_by_one_writes(db_template: str) -> None:
    events = scenario()
    engine = migrated_engine("medical", db_template)
    try:
        apply(engine, events, batched=False)
        people, history = state(engine)
        assert len(people) == 3 and len(history) == 7
        empty(engine)
        apply(engine, events, batched=True)
        assert state(engine) == (people, history)
    finally:
        engine.dispose()
