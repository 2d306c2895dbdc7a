"""Settlement benchmark: POST /v1/hospitalizations (a new patient each: the full chain, the
top-up and the outbox) loaded with wrk, beside the same service's /healthz and a bare FastAPI
endpoint on the same uvicorn, all in one run; optionally stays arriving on the input topic
through to `medical.topup_granted`.

    .venv/bin/python bench/settlement.py [--seconds 10] [--connections 32]
        [--backends sqlite,postgresql] [--workers 1] [--events 0]

The services run as their own processes (uvicorn, as deployed); wrk runs beside them on the same
machine. Prints figures and ratios; asserts nothing about speed. `settlement_rows` gives the
rows of `make bench`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import insert

from bench import wrk
from bench.common import Row
from deploy.broker import LocalBroker, free_port
from deploy.postgres import LocalPostgres, database_url
from deploy.processes import ServiceProcess
from services.medical.models import RegistryPerson
from shared.auth import mint_token
from shared.bus.kafka import ensure_topics
from shared.db import drop_database, make_engine, table_of
from shared.domain import PovertyStatus
from shared.events.envelope import Envelope
from shared.events.medical import INPUT_TOPIC, HospitalStaySubmitted
from shared.ids import make_resident_id
from shared.migrations import upgrade
from shared.roles import Role
from shared.settings import Settings

SECRET = "bench-signing-key-of-at-least-32-bytes!"
GOAL_RATE, GOAL_P99_MS, GOAL_RATIO = 1000.0, 50.0, 0.3
HEALTH_GOAL = 0.8


def seed(url: str, people: int) -> list[str]:
    """`people` registered poor patients of county 532325 in medical's registry read model."""
    upgrade("medical", url)
    engine = make_engine(url)
    numbers, rows = [], []
    for i in range(people):
        born = date(1950 + i % 40, 1 + i % 12, 1 + i % 28)
        number = make_resident_id("532325", born, i % 500, "M")
        numbers.append(number)
        rows.append(
            dict(
                person_id=f"p{i}", id_number=number, household_id=f"H{i // 4}", name=f"居民{i}",
                sex="M", birth_date=born, county_code="532325", township_code="532325100",
                village_code="532325100201", poverty_status=PovertyStatus.not_exited,
                source_event_id="b",
            )
        )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(table_of(RegistryPerson)), rows)
    engine.dispose()
    return numbers


def stay(claim: str, number: str) -> dict[str, Any]:
    return {
        "claim_id": claim, "id_number": number, "county_code": "532325", "hospital_level": 3,
        "admin_level": "city", "admission": "2018-03-01", "discharge": "2018-03-10",
        "referral_compliant": True, "total_cost": "20000.00", "covered_cost": "18000.00",
        "diagnosis_codes": ["I63.9"],
    }  # fmt: skip


async def topic_rate(bootstrap: str, prefix: str, numbers: list[str], n: int) -> float:
    """Stays produced on the input topic until their `medical.topup_granted` comes back."""
    out_topic = prefix + "medical.events"
    await ensure_topics(bootstrap, [prefix + INPUT_TOPIC, out_topic], 3)
    consumer = AIOKafkaConsumer(
        out_topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    await consumer.getmany(timeout_ms=1000)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, linger_ms=2)
    await producer.start()
    tag = uuid.uuid4().hex[:6]
    start = time.perf_counter()
    for i in range(n):
        data = HospitalStaySubmitted.model_validate(stay(f"K-{tag}-{i}", numbers[i % len(numbers)]))
        key, value, headers = Envelope.wrap(
            data, source="/hospitals/bench", subject=None, key=data.claim_id
        ).to_kafka()
        await producer.send(prefix + INPUT_TOPIC, value=value, key=key, headers=headers)
    await producer.flush()
    seen = 0
    while seen < n:
        batch = await consumer.getmany(timeout_ms=1000)
        for records in batch.values():
            seen += sum(
                1 for r in records if dict(r.headers).get("ce_type") == b"medical.topup_granted"
            )
        if time.perf_counter() - start > 300:
            print(f"input topic: only {seen} of {n} top-ups after 300 s", flush=True)
            break
    elapsed = time.perf_counter() - start
    await producer.stop()
    await consumer.stop()
    return seen / elapsed


@contextmanager
def bare_service() -> Iterator[ServiceProcess]:
    """The reference: a bare FastAPI endpoint on the same uvicorn."""
    log = Path(tempfile.mkdtemp()) / "bare.log"
    proc = ServiceProcess("bare", free_port(), {}, log_path=log, app="bench.bare_app:app").start()
    try:
        proc.wait_ready(30, path="/ping")
        wrk.run(proc.url + "/ping", seconds=2)  # warm up
        yield proc
    finally:
        proc.stop()


@contextmanager
def medical_service(
    template: str, bootstrap: str, workers: int = 1
) -> Iterator[tuple[ServiceProcess, str]]:
    prefix = f"b{uuid.uuid4().hex[:6]}."
    env = {
        "DATABASE_URL": template, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TOPIC_PREFIX": prefix,
        "AUTH_SECRET": SECRET, "APP_ENV": "test", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log = Path(tempfile.mkdtemp()) / "medical.log"
    proc = ServiceProcess("medical", free_port(), env, log_path=log, workers=workers).start()
    try:
        proc.wait_ready(90)
        yield proc, prefix
    finally:
        proc.stop()


def profiler(
    proc: ServiceProcess, seconds: int, out_dir: Path | None, name: str
) -> subprocess.Popen[bytes] | None:
    """py-spy recording the service (and its workers) for `seconds`, as an SVG flame graph."""
    if out_dir is None or proc.process is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [
            spy, "record", "--pid", str(proc.process.pid), "--subprocesses", "--nonblocking",
            "--duration", str(seconds), "--rate", "100", "--output", str(out_dir / f"{name}.svg"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def claim_bodies(numbers: list[str]) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    return [json.dumps(stay(f"C-{tag}-{i}", n)) for i, n in enumerate(numbers)]


def bearer() -> str:
    settings = Settings(service_name="medical", auth_secret=SECRET, app_env="test")
    token = mint_token(settings, subject="bench-hospital", roles=[Role.hospital], scope="532325")
    return "Bearer " + token


def settle_backend(
    backend: str,
    template: str,
    bootstrap: str,
    bare: wrk.Load,
    *,
    seconds: int,
    connections: int,
    workers: int = 1,
    events: int = 0,
    profile_dir: Path | None = None,
) -> list[Row]:
    """Rows for one backend: /healthz and the claims, each beside the bare endpoint. With
    `profile_dir`, py-spy samples the service while the claims load runs (a flame graph)."""
    # Every claim is a different patient's first stay of the year, so each one earns a top-up.
    people = max(20_000, int(GOAL_RATE * 2 * seconds)) + events
    numbers = seed(template.replace("{service}", "medical"), people)
    bodies = claim_bodies(numbers[: people - events])
    label = f"{backend}, {workers} worker{'s' if workers > 1 else ''}"
    with medical_service(template, bootstrap, workers) as (proc, prefix):
        wrk.run(proc.url + "/healthz", seconds=2)  # warm up
        health = wrk.run(proc.url + "/healthz", seconds=seconds, connections=connections)
        spy = profiler(proc, seconds, profile_dir, f"settlement-{backend}-{workers}w")
        claims = wrk.run(
            proc.url + "/v1/hospitalizations",
            seconds=seconds,
            connections=connections,
            bodies=bodies,
            auth=bearer(),
        )
        if spy is not None:
            spy.wait(60)
        rows = [
            Row(
                "medical GET /healthz (the middleware stack)",
                label,
                health.describe(),
                f"bare {bare.rate:,.0f} req/s",
                health.rate / bare.rate,
                f">= {HEALTH_GOAL} of bare",
                health.rate / bare.rate >= HEALTH_GOAL,
            ),
            Row(
                f"POST /v1/hospitalizations, new patient each, {connections} connections",
                label,
                claims.describe("claims/s")
                + (f", {claims.failed} failed" if claims.failed else ""),
                f"bare {bare.rate:,.0f} req/s",
                claims.rate / bare.rate,
                f">= {GOAL_RATE:,.0f} claims/s, p99 <= {GOAL_P99_MS:.0f} ms, "
                f">= {GOAL_RATIO} of bare",
                claims.rate >= GOAL_RATE
                and claims.p99_ms <= GOAL_P99_MS
                and claims.rate / bare.rate >= GOAL_RATIO
                and claims.failed == 0,
            ),
        ]
        if events:
            rate = asyncio.run(topic_rate(bootstrap, prefix, numbers[-events:], events))
            rows.append(
                Row("stays on the input topic -> medical.topup_granted", label, f"{rate:,.0f}/s")
            )
    return rows


def settlement_rows(
    backends: list[str],
    *,
    seconds: int = 10,
    connections: int = 32,
    workers: tuple[int, ...] = (1,),
    events: int = 0,
    admin_url: str | None = None,
    profile_dir: Path | None = None,
) -> list[Row]:
    """The settlement rows of the performance table, the bare endpoint measured first. More than
    one worker count is measured on PostgreSQL only (SQLite is one writer per file)."""
    broker = LocalBroker().start()
    pg = None
    rows: list[Row] = []
    try:
        with bare_service() as bare_proc:
            bare = wrk.run(bare_proc.url + "/ping", seconds=seconds, connections=connections)
        rows.append(Row("bare FastAPI GET /ping (framework limit)", "-", bare.describe()))
        for backend in backends:
            for n in workers if backend == "postgresql" else (1,):
                if backend == "sqlite":
                    template = f"sqlite:///{tempfile.mkdtemp()}/{{service}}.db"
                else:
                    admin = admin_url or os.environ.get("BENCH_DATABASE_URL")
                    if not admin:
                        pg = pg or LocalPostgres().start()
                        admin = pg.url
                    template = database_url(admin, f"bench_{uuid.uuid4().hex[:6]}_MARK").replace(
                        "MARK", "{service}"
                    )
                try:
                    rows += settle_backend(
                        backend, template, broker.bootstrap, bare,
                        seconds=seconds, connections=connections, workers=n, events=events,
                        profile_dir=profile_dir,
                    )  # fmt: skip
                finally:
                    drop_database(template.replace("{service}", "medical"))
    finally:
        if pg:
            pg.stop()
        broker.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1", help="worker counts on PostgreSQL, e.g. 1,2")
    parser.add_argument("--events", type=int, default=0)
    args = parser.parse_args()
    rows = settlement_rows(
        args.backends.split(","),
        seconds=args.seconds,
        connections=args.connections,
        workers=tuple(int(w) for w in args.workers.split(",")),
        events=args.events,
    )
    print(f"\nsettlement benchmark, {os.cpu_count()} cores, wrk beside the services")
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
        met = {True: "met", False: "NOT met", None: ""}[row.met]
        print(f"{row.workload:<58} {row.backend:<24} {row.figure:<48} {ratio:>5}  {met}")


if __name__ == "__main__":
    main()
