"""Events published at once (`publish_many`, COPY on PostgreSQL) are the rows `publish` writes, on
SQLite and PostgreSQL, and go out after the events published before them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.bus.outbox import publish, publish_many
from shared.bus.tables import OutboxEvent
from shared.db import table_of
from shared.events.envelope import Envelope
from tests.support.bus import migrated_engine, person_event

pytestmark = pytest.mark.integration

VARYING = ("seq", "event_id", "created_at")  # and the envelope's id and time


@pytest.fixture
def engine(db_template: str) -> Iterator[Engine]:
    engine = migrated_engine("enrollment", db_template)
    yield engine
    engine.dispose()


def outbox(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(table_of(OutboxEvent)).order_by("seq")).mappings().all()
    return [dict(r) for r in rows]


def test_publish_many_writes_the_rows_publish_writes(engine: Engine) -> None:
    one, two, three, four = (person_event(i, household=f"H{i % 2}") for i in range(4))
    with Session(engine) as session:
        publish(session, one, service="enrollment", key="H0", subject="p1", correlation_id="c")
        publish(session, two, service="enrollment", key="H1", subject=None, correlation_id="c")
        written = publish_many(
            session,
            [(three, "H0", "p1"), (two, "H1", None)],
            service="enrollment",
            correlation_id="c",
        )
        publish(session, four, service="enrollment", key="H0", subject="p1", correlation_id="c")
        session.commit()
    assert written == 2
    rows = outbox(engine)
    # Published one by one, then at once, then one by one: in that order.
    assert [r["payload"] for r in rows] == [
        json.dumps(e.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
        for e in (one, two, three, two, four)
    ]
    by_one, at_once = rows[1], rows[3]  # the same event, the same key and no subject
    for row in (by_one, at_once):
        assert (
            row["headers"]["time"]
            == Envelope(**row["headers"], data={}).model_dump(mode="json")["time"]
        )
        assert row["headers"]["id"] == row["event_id"]
    strip = {"id", "time"}
    assert {k: v for k, v in at_once.items() if k not in VARYING} | {
        "headers": {k: v for k, v in at_once["headers"].items() if k not in strip}
    } == {k: v for k, v in by_one.items() if k not in VARYING} | {
        "headers": {k: v for k, v in by_one["headers"].items() if k not in strip}
    }
    assert list(at_once["headers"]) == list(by_one["headers"])  # the same attributes, in order
    with_subject = rows[2]["headers"]
    assert list(with_subject) == list(rows[0]["headers"])
