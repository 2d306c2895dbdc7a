"""Settlement benchmark: claims per second and p50/p99 latency of POST /v1/hospitalizations at a
fixed concurrency, beside a trivial endpoint (/healthz) of the same app in the same run; and
events per second for stays arriving on the input topic through to `medical.topup_granted`.

    .venv/bin/python bench/settlement.py [--claims 3000] [--concurrency 16]
        [--backends sqlite,postgresql]

The medical service runs as its own process (uvicorn, as deployed); the load comes from this
process over loopback. Prints figures and ratios; asserts nothing about speed.

Measured on a 2-core machine shared with the load generator (--claims 2000 --events 500), before
and after the settling path moved to Core statements (one upsert returning the locked
person-year row, prepared selects, plain inserts instead of the ORM unit of work):

    backend     claims/s (p50 / p99 ms)        input topic events/s   /healthz req/s
    sqlite      97 (160 / 275) -> 157 (101 / 173)   232 -> 489          353 / 375
    postgresql  79 (183 / 605) -> 108 (124 / 530)   169 -> 263          379 / 379

In-process (no HTTP), one writer on SQLite: 218 -> about 600 claims/s. The 1,000/s aim is out of
reach on such a machine: the trivial endpoint alone serves under 400 req/s there."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlmodel import Session

from deploy.broker import LocalBroker, free_port
from deploy.postgres import LocalPostgres, database_url
from deploy.processes import ServiceProcess
from services.medical.models import RegistryPerson
from shared.auth import mint_token
from shared.bus.kafka import ensure_topics
from shared.db import drop_database, make_engine
from shared.domain import PovertyStatus
from shared.events.envelope import Envelope
from shared.events.medical import INPUT_TOPIC, HospitalStaySubmitted
from shared.ids import make_resident_id
from shared.migrations import upgrade
from shared.roles import Role
from shared.settings import Settings

SECRET = "bench-signing-key-of-at-least-32-bytes!"


def seed(url: str, people: int) -> list[str]:
    upgrade("medical", url)
    engine = make_engine(url)
    numbers = []
    with Session(engine) as s:
        for i in range(people):
            born = date(1950 + i % 40, 1 + i % 12, 1 + i % 28)
            number = make_resident_id("532325", born, i % 500, "M")
            numbers.append(number)
            s.add(
                RegistryPerson(
                    person_id=f"p{i}", id_number=number, household_id=f"H{i // 4}", name=f"居民{i}",
                    sex="M", birth_date=born, county_code="532325", township_code="532325100",
                    village_code="532325100201", poverty_status=PovertyStatus.not_exited,
                    source_event_id="b",
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()
    return numbers


def stay(claim: str, number: str) -> dict:
    return {
        "claim_id": claim, "id_number": number, "county_code": "532325", "hospital_level": 3,
        "admin_level": "city", "admission": "2018-03-01", "discharge": "2018-03-10",
        "referral_compliant": True, "total_cost": "20000.00", "covered_cost": "18000.00",
        "diagnosis_codes": ["I63.9"],
    }  # fmt: skip


# The i-th request of a load: method, path and httpx keyword arguments.
MakeRequest = Callable[[int], tuple[str, str, dict[str, Any]]]


async def load(
    url: str, n: int, concurrency: int, make: MakeRequest
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                method, path, kwargs = make(i)
                start = time.perf_counter()
                resp = await client.request(method, path, **kwargs)
                latencies.append(time.perf_counter() - start)
                if resp.status_code >= 300:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return n / elapsed, latencies, errors


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


async def topic_rate(bootstrap: str, prefix: str, numbers: list[str], n: int) -> float:
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


async def run_backend(
    backend: str, template: str, bootstrap: str, args: argparse.Namespace
) -> list[str]:
    # Every stay is a different patient's first of the year, so each one earns a top-up.
    numbers = seed(template.replace("{service}", "medical"), args.claims + args.events)
    prefix = f"b{uuid.uuid4().hex[:6]}."
    env = {
        "DATABASE_URL": template, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TOPIC_PREFIX": prefix,
        "AUTH_SECRET": SECRET, "APP_ENV": "test", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log = Path(tempfile.mkdtemp()) / "medical.log"
    proc = ServiceProcess("medical", free_port(), env, log_path=log).start()
    try:
        proc.wait_ready(90)
        settings = Settings(service_name="medical", auth_secret=SECRET, app_env="test")
        auth = {
            "Authorization": "Bearer "
            + mint_token(settings, subject="bench-hospital", roles=[Role.hospital], scope="532325")
        }
        tag = uuid.uuid4().hex[:6]
        await load(proc.url, 200, args.concurrency, lambda i: ("GET", "/healthz", {}))  # warm up
        trivial_rate, trivial_lat, _ = await load(
            proc.url, args.claims, args.concurrency, lambda i: ("GET", "/healthz", {})
        )
        claim_rate, claim_lat, errors = await load(
            proc.url, args.claims, args.concurrency,
            lambda i: ("POST", "/v1/hospitalizations",
                       {"json": stay(f"C-{tag}-{i}", numbers[i]), "headers": auth}),
        )  # fmt: skip
        print(f"{backend}: http done ({claim_rate:.0f} claims/s, {errors} errors)", flush=True)
        events = await topic_rate(bootstrap, prefix, numbers[args.claims :], args.events)
    finally:
        proc.stop()
    p50, p99 = pct(trivial_lat, 50), pct(trivial_lat, 99)
    c50, c99 = pct(claim_lat, 50), pct(claim_lat, 99)
    return [
        f"{backend:<11} GET /healthz (trivial)  {trivial_rate:8.0f} req/s"
        f"  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms",
        f"{backend:<11} POST /hospitalizations {claim_rate:8.0f} req/s"
        f"  p50 {c50:6.1f} ms  p99 {c99:6.1f} ms  errors {errors}"
        f"  ratio to trivial {claim_rate / trivial_rate:.2f}",
        f"{backend:<11} input topic -> medical.topup_granted {events:8.0f} events/s",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=3_000)
    parser.add_argument("--events", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    broker = LocalBroker().start()
    pg = None
    lines: list[str] = []
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                template = f"sqlite:///{tempfile.mkdtemp()}/{{service}}.db"
            else:
                admin = os.environ.get("BENCH_DATABASE_URL")
                if not admin:
                    pg = LocalPostgres().start()
                    admin = pg.url
                template = database_url(admin, f"bench_{uuid.uuid4().hex[:6]}_MARK").replace(
                    "MARK", "{service}"
                )
            lines += await run_backend(backend, template, broker.bootstrap, args)
            if backend != "sqlite":
                drop_database(template.replace("{service}", "medical"))
    finally:
        if pg:
            pg.stop()
        broker.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nsettlement benchmark: {args.claims} claims, concurrency {args.concurrency}, "
        f"{os.cpu_count()} cores; the load generator shares the machine "
        f"(its peak RSS {rss:.0f} MiB)"
    )
    for line in lines:
        print(line)
    print("aim: >= 1,000 claims/s with p99 <= 50 ms")


if __name__ == "__main__":
    asyncio.run(main())
