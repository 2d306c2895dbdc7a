"""A roster applied a few rows at a time (the batch set small) writes what it would in one batch,
on SQLite and PostgreSQL: the same people, households, heads, counts and events, each household's
events in order; an error anywhere, the last batch included, writes nothing; a re-import of the
same file changes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.enrollment.jobs.service import InvalidRoster
from services.enrollment.registry import repository
from services.enrollment.registry.models import Household, Person
from services.enrollment.registry.service import roster_import
from shared.auth import Principal
from shared.bus.tables import OutboxEvent
from shared.db import table_of
from shared.errors import Conflict, Forbidden
from shared.events.catalogue import EVENT_MODELS
from shared.policy import PolicySet
from shared.roles import Role
from shared.uow import Publisher, UnitOfWork
from tests.support.bus import migrated_engine
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration

BATCH = 5  # households of 4 straddle the batches
POVERTY_OFFICE = Principal("poverty-office", frozenset({Role.county_poverty}), "532325")


@pytest.fixture
def engine(db_template: str) -> Iterator[Engine]:
    engine = migrated_engine("enrollment", db_template)
    yield engine
    engine.dispose()


def run_import(
    engine: Engine, rows: list[list[str]], principal: Principal = POVERTY_OFFICE
) -> dict[str, Any]:
    """The import job's work in its one transaction, as the job runner runs it."""
    with Session(engine, expire_on_commit=False) as session:
        uow = UnitOfWork(session, principal, PolicySet({}), Publisher("enrollment"))
        try:
            result = roster_import(roster_csv(rows), "r.csv", batch=BATCH)(
                uow, str(uuid.uuid4()), lambda _n: None
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


def written(engine: Engine) -> tuple[int, int, int]:
    """Households, people and outbox events."""
    with engine.connect() as conn:
        households, people, outbox = (
            int(conn.execute(select(func.count()).select_from(table_of(model))).scalar_one())
            for model in (Household, Person, OutboxEvent)
        )
    return households, people, outbox


def events(engine: Engine) -> list[dict[str, Any]]:
    """The outbox in the relay's order, each payload read back through its model: what a
    consumer reads is what validating the event would have given."""
    with engine.connect() as conn:
        found = conn.execute(select(table_of(OutboxEvent)).order_by("seq")).mappings().all()
    out = []
    for row in found:
        payload = json.loads(row["payload"])
        model = EVENT_MODELS[row["event_type"]]
        assert model.model_validate(payload).model_dump(mode="json") == payload
        assert row["headers"]["partitionkey"] == row["key"]
        out.append({"type": row["event_type"], "key": row["key"], **payload})
    return out


def people(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(select(table_of(Person))).mappings().all()
    return {p["id_number"]: dict(p) for p in found}


def heads(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        found = conn.execute(select(table_of(Household))).mappings().all()
    return {h["id"]: h["head_person_id"] for h in found}


def roster() -> list[list[str]]:
    rows = roster_rows(22, per_household=4)  # 6 households, the last of 2
    # The second household's head listed after a member, in the next batch.
    rows[4], rows[6] = rows[6], rows[4]
    return rows


def test_batches_write_what_one_import_writes(engine: Engine) -> None:
    rows = roster()
    result = run_import(engine, rows)
    assert result == {
        "rows": 22,
        "households_created": 6,
        "households_status_changed": 0,
        "persons_created": 22,
        "persons_updated": 0,
        "persons_unchanged": 0,
        "persons_flagged_missing": 0,
    }
    assert written(engine) == (6, 22, 28)
    found = people(engine)
    assert [found[r[2]]["name"] for r in rows] == [r[1] for r in rows]
    assert all(found[r[2]]["household_id"] == r[0] for r in rows)
    head_of = {r[0]: found[r[2]]["id"] for r in rows if r[3] == "户主"}
    assert heads(engine) == head_of  # the second household's head came a batch later

    # Each household: registered, then its members in the roster's order.
    by_key: dict[str, list[tuple[str, str | None]]] = {}
    for event in events(engine):
        by_key.setdefault(event["key"], []).append((event["type"], event.get("id_number")))
    expected: dict[str, list[tuple[str, str | None]]] = {}
    for r in rows:
        expected.setdefault(r[0], [("household.registered", None)]).append(
            ("person.registered", r[2])
        )
    assert by_key == expected


def test_status_changes_and_people_missing_across_batches(engine: Engine) -> None:
    rows = roster()
    run_import(engine, rows)
    before = len(events(engine))
    changed = [[*r[:7], "边缘户"] if r[0] == rows[0][0] else r for r in rows]
    gone = changed.pop(9)  # a member of the third household
    result = run_import(engine, changed)
    assert result["households_status_changed"] == 1
    assert result["persons_unchanged"] == 21
    assert result["persons_flagged_missing"] == 1
    new = events(engine)[before:]
    assert [e["type"] for e in new] == [
        "household.poverty_status_changed",
        "person.missing_from_roster",
    ]
    found = people(engine)
    assert new[0]["person_ids"] == [found[r[2]]["id"] for r in rows[:4]]
    assert new[1]["person_id"] == found[gone[2]]["id"]
    assert found[gone[2]]["missing_since_import"] is not None


def test_an_error_in_the_last_batch_writes_nothing(engine: Engine) -> None:
    rows = roster()
    bad = [list(r) for r in rows]
    bad[-1][2] = bad[-1][2][:-1] + ("1" if bad[-1][2][-1] != "1" else "2")
    with pytest.raises(InvalidRoster) as invalid:
        run_import(engine, bad)
    assert [(e.row, e.field) for e in invalid.value.errors] == [(23, "id_number")]
    assert written(engine) == (0, 0, 0)

    outside = [list(r) for r in rows]
    for row in outside[-2:]:  # the last household, in another county
        row[4:7] = ["532326", "532326100", "532326100200"]
    with pytest.raises(Forbidden):
        run_import(engine, outside)
    assert written(engine) == (0, 0, 0)

    run_import(engine, rows[:8])  # two households, then a roster whose last row moves a member
    moved = [*rows, [rows[8][0], *rows[1][1:4], *rows[8][4:]]]
    del moved[1]
    with pytest.raises(Conflict) as conflict:
        run_import(engine, moved)
    assert [e.row for e in conflict.value.errors] == [23]
    assert written(engine) == (2, 8, 10)


def test_a_failure_while_applying_takes_back_the_batches_before(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batches are one transaction: a failure in the third leaves nothing of the first two."""
    calls = []
    insert_people = repository.insert_people

    def failing(session: Session, rows: list[dict[str, Any]]) -> None:
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        insert_people(session, rows)

    monkeypatch.setattr(repository, "insert_people", failing)
    with pytest.raises(RuntimeError):
        run_import(engine, roster())
    assert calls == [BATCH] * 3
    assert written(engine) == (0, 0, 0)


def test_a_reimport_changes_nothing(engine: Engine) -> None:
    rows = roster()
    run_import(engine, rows)
    first, outbox = people(engine), written(engine)
    result = run_import(engine, rows)
    assert result["persons_unchanged"] == 22
    assert result["persons_created"] == result["households_created"] == 0
    assert written(engine) == outbox
    assert people(engine) == first
    assert sum(e["type"] == "person.registered" for e in events(engine)) == 22
