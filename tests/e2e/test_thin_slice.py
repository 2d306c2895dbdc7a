"""The thin slice across two services as separate processes on a real broker, on SQLite and
PostgreSQL: enrollment imports a roster and publishes `person.registered`; medical consumes it
into its read model and serves it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.broker import LocalBroker
from tests.support.bus import read_topic
from tests.support.roster import roster_rows
from tests.support.thin_slice import Cluster

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path: Path, db_template: str, broker: str, topic_prefix: str) -> Iterator[Cluster]:
    c = Cluster(tmp_path, db_template, broker, topic_prefix)
    yield c
    c.stop()


def test_roster_reaches_medical(cluster: Cluster, broker: str, topic_prefix: str) -> None:
    cluster.start("medical")
    cluster.start("enrollment")
    rows = roster_rows(30)
    request_id = f"import-{uuid.uuid4().hex}"
    resp = cluster.import_roster(rows, request_id=request_id)
    assert resp.status_code == 201, resp.text
    assert resp.headers["X-Request-ID"] == request_id
    cluster.wait_people(rows)
    # The request's correlation id travels in every event's Kafka headers.
    records = asyncio.run(read_topic(broker, topic_prefix + "enrollment.events", 30 + 8))
    assert len(records) == 38  # 8 households + 30 people
    assert {dict(r.headers)["ce_correlationid"] for r in records} == {request_id.encode()}
    assert {r.key for r in records} == {r[0].encode() for r in rows}  # key = household id
    body = cluster.person(rows[4][2]).json()
    assert body["household_id"] == rows[4][0]
    assert body["poverty_status"] == "exited"  # 已脱贫 in the roster
    assert body["village_code"] == rows[4][6]
    # A re-import of the same roster changes nothing downstream.
    assert cluster.import_roster(rows).json()["result"]["persons_unchanged"] == 30
    # Household 0 exits poverty: medical's read model follows (REG-2).
    assert rows[0][7] == "未脱贫"
    changed = [[*r[:7], "已脱贫"] if r[0] == rows[0][0] else r for r in rows]
    assert cluster.import_roster(changed).json()["result"]["households_status_changed"] == 1
    deadline = time.monotonic() + 30
    while cluster.person(rows[0][2]).json()["poverty_status"] != "exited":
        assert time.monotonic() < deadline, "status change never reached medical"
        time.sleep(0.2)
    # No resident ID number reaches a log, though the medical lookups carry one in the path.
    cluster.stop()
    logs = "".join(p.read_text() for p in cluster.tmp.glob("*.log"))
    assert "/v1/persons/" in logs
    leaked = [r[2] for r in rows if r[2] in logs]
    assert leaked == []


def test_relay_process_killed_after_commit(cluster: Cluster) -> None:
    cluster.start("medical")
    enrollment = cluster.start("enrollment", RELAY_ENABLED="false")
    rows = roster_rows(12, seed=7)
    assert cluster.import_roster(rows).status_code == 201
    enrollment.kill()  # SIGKILL: the events are committed in the outbox, never published
    time.sleep(1)
    assert cluster.person(rows[0][2]).status_code == 404
    cluster.start("enrollment")  # restarted with its relay
    cluster.wait_people(rows)


def test_broker_down_accepts_writes_and_reports_not_ready(
    tmp_path: Path, db_template: str, topic_prefix: str
) -> None:
    with LocalBroker(log_path=tmp_path / "broker.log") as own:
        c = Cluster(tmp_path, db_template, own.bootstrap, topic_prefix)
        try:
            c.start("medical")
            enrollment = c.start("enrollment")
            own.stop()
            deadline = time.monotonic() + 20
            while enrollment.status("/readyz") != 503 and time.monotonic() < deadline:
                time.sleep(0.3)
            ready = httpx.get(enrollment.url + "/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["checks"]["broker"] == "unreachable"
            rows = roster_rows(9, seed=11)
            resp = c.import_roster(rows)  # the outbox holds the events
            assert resp.status_code == 201
            assert httpx.get(enrollment.url + "/readyz", timeout=10).json()["checks"][
                "outbox_pending"
            ] == str(3 + 9)
            own.start()
            c.wait_people(rows, timeout=90)
            enrollment.wait_ready(30)
        finally:
            c.stop()
