"""The flows for a batch of households while the system is disturbed: a service stopped with
SIGTERM and started again, another killed with SIGKILL and started again, and the broker
restarted, each while events are still on their way. At the end every expected effect exists
exactly once; the summary (events sent, effects found, duplicates, losses) is printed and kept in
a report file.

The local broker keeps its log in memory (the Tansu build shipped here has no disk, SQLite or
PostgreSQL storage), so a broker restart loses the topics and the consumer groups' offsets. The
recovery is the one the design gives: every service sends its outbox again once the broker is
back (`Cluster.republish_outboxes`), and each consumer group's processed-event ledger skips
what it already applied. The topics are created again right after the restart, as an operator
would on a broker with auto-creation off: this broker creates an unknown topic of its own shape
on a client's metadata request, and records sent there could not be read back."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shared import SERVICES
from tests.support.cluster import Cluster, Household

pytestmark = pytest.mark.integration

HOUSEHOLDS = 6
# Expected effects, one of each per household (deaths in every other household).
FOUND_WORK = "a member found work: review scheduled, gradual exit window set"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path, f"sqlite:///{tmp_path}/{{service}}.db", prefix="chaos.")
    try:
        yield c.start()
    finally:
        c.stop()


def drive(cluster: Cluster, household: Household, ids: dict[str, str], dies: bool) -> None:
    """One household's flows: dibao granted, a stay of heavy burden, a job, perhaps a death."""
    cluster.grant_dibao(household)
    head, other = household.members
    # Topped up to 90% of the total cost (MED-2), the 10% left (6,000) is above the threshold.
    cluster.stay(f"ZY{uuid.uuid4().hex[:12]}", head, 3, "city", 60000, 48000)
    body = {
        "person_id": ids[other.id_number],
        "employer": "县城建筑施工队",
        "location": "local",
        "start_on": date.today().isoformat(),
    }
    cluster.ok(cluster.post("employment", "/v1/jobs/placements", "hrss", body))
    if dies:
        path = f"/v1/persons/{head.id_number}/death"
        body = {"deceased_on": date.today().isoformat()}
        cluster.ok(cluster.post("enrollment", path, "poverty", body))


def outbox_rows(cluster: Cluster, service: str, event_type: str, key: str) -> int:
    sql = "select count(*) from outbox_event where event_type = :t and key = :k"
    return int(cluster.scalar(service, sql, t=event_type, k=key))


def effects(cluster: Cluster, household: Household, dies: bool) -> dict[str, int]:
    """How many times each expected effect of the household exists."""
    relief = cluster.get("welfare", "/v1/relief/cases", "civil", household_id=household.id)
    case = cluster.dibao_case(household.id)
    steps = cluster.ok(cluster.get("welfare", f"/v1/dibao/cases/{case['id']}/steps", "civil"))
    living = household.members[1].id_number
    path = f"/v1/persons/{living}/medical-contribution"
    funding = cluster.ok(cluster.get("enrollment", path, "hrss", year=date.today().year))
    found = {
        "relief case (welfare)": cluster.ok(relief)["total"],
        "review for the job (welfare)": sum(s.get("note") == FOUND_WORK for s in steps),
        "dibao subsidy 70 (enrollment)": int(float(funding["medical_assistance"]) == 70),
        "dibao_granted sent (welfare)": outbox_rows(
            cluster, "welfare", "welfare.dibao_granted", household.id
        ),
        "high burden sent (medical)": outbox_rows(
            cluster, "medical", "medical.high_burden_detected", household.id
        ),
        "job_placed sent (employment)": outbox_rows(
            cluster, "employment", "employment.job_placed", household.id
        ),
    }
    if dies:
        members = {m["id_number"]: m["active"] for m in case["members"]}
        found["member removed (welfare)"] = int(members[household.head.id_number] is False)
        found["dibao_changed sent (welfare)"] = outbox_rows(
            cluster, "welfare", "welfare.dibao_changed", household.id
        )
    return found


def processed_duplicates(cluster: Cluster) -> int:
    """Events a consumer group applied more than once (impossible by the ledger's key: checked)."""
    sql = (
        "select count(*) from (select consumer, event_id from processed_event "
        "group by consumer, event_id having count(*) > 1) d"
    )
    return sum(int(cluster.scalar(s, sql)) for s in SERVICES)


def test_flows_survive_restarts_kills_and_a_broker_restart(
    cluster: Cluster, tmp_path: Path
) -> None:
    started = time.monotonic()
    households = [Household.of("Z", [61, 35]) for _ in range(HOUSEHOLDS)]
    cluster.import_roster(households)
    ids = cluster.wait_registered(households)
    disturbances: list[str] = []
    republished = 0
    for i, household in enumerate(households):
        drive(cluster, household, ids, dies=i % 2 == 0)
        # Each disturbance comes right after a household's requests, its events in flight.
        if i == 1:
            cluster.procs["welfare"].stop()  # SIGTERM: graceful shutdown
            cluster.start_service("welfare")
            disturbances.append("welfare stopped (SIGTERM) and started")
        elif i == 2:
            cluster.procs["medical"].kill()  # SIGKILL: no shutdown at all
            cluster.start_service("medical")
            disturbances.append("medical killed (SIGKILL) and started")
        elif i == 3:
            cluster.procs["enrollment"].kill()
            cluster.start_service("enrollment")
            disturbances.append("enrollment killed (SIGKILL) and started")
            republished = cluster.restart_broker()
            disturbances.append(f"broker restarted (log lost); {republished} outbox rows resent")
    cluster.quiet(timeout=180)

    expected: dict[str, dict[str, int]] = {}
    found: dict[str, dict[str, int]] = {}
    for i, household in enumerate(households):
        found[household.id] = effects(cluster, household, dies=i % 2 == 0)
        expected[household.id] = dict.fromkeys(found[household.id], 1)
    losses = {f"{h}: {name}": n for h, got in found.items() for name, n in got.items() if n < 1}
    duplicates = {f"{h}: {name}": n for h, got in found.items() for name, n in got.items() if n > 1}
    records = cluster.read(
        "enrollment.events", "medical.events", "employment.events", "welfare.events"
    )
    summary: dict[str, Any] = {
        "households": HOUSEHOLDS,
        "disturbances": disturbances,
        "events_sent": cluster.outbox_sizes(),
        "records_on_topics_after_restart": len(records),
        "outbox_rows_resent": republished,
        "effects_expected": sum(len(e) for e in expected.values()),
        "effects_found": sum(min(n, 1) for got in found.values() for n in got.values()),
        "duplicates": duplicates,
        "consumer_duplicates": processed_duplicates(cluster),
        "losses": losses,
        "dead_letters": {
            s: int(cluster.scalar(s, "select count(*) from dead_letter")) for s in SERVICES
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    report = json.dumps(summary, ensure_ascii=False, indent=2)
    (tmp_path / "chaos-report.json").write_text(report)
    print("\nchaos summary:\n" + report)
    assert found == expected, report
    assert summary["consumer_duplicates"] == 0, report
    assert not any(summary["dead_letters"].values()), report
