"""Bus benchmark: events per second through outbox -> broker -> idempotent consumer, on SQLite and
PostgreSQL, beside raw aiokafka produce -> consume on the same broker in the same run.

    .venv/bin/python bench/bus.py [--events 20000] [--backends sqlite,postgresql]

As deployed, the producing side (requests writing the outbox + the relay) and the consuming side
run in two processes; so do the raw producer and consumer. Uses BENCH_KAFKA_BOOTSTRAP /
BENCH_DATABASE_URL when set, otherwise starts the local broker and a throwaway PostgreSQL.
Prints figures and ratios; asserts nothing about speed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, peak_rss_mib
from deploy.broker import LocalBroker
from deploy.postgres import LocalPostgres, database_url
from shared.db import drop_database

WRITE_BATCH = 500
GOAL = 0.25  # end to end, as a share of raw aiokafka on the same broker


# --- the two sides, each in its own process ------------------------------------------------


def raw_producer(bootstrap: str, topic: str, n: int, go: Any, out: Any) -> None:
    async def run() -> None:
        from aiokafka import AIOKafkaProducer

        from shared.events.envelope import Envelope
        from tests.support.bus import person_event

        _, value, headers = Envelope.wrap(
            person_event(1), source="/bench", subject="p", key="H"
        ).to_kafka()
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2
        )
        await producer.start()
        await asyncio.to_thread(go.wait)
        futures = []
        for i in range(n):
            key = f"H{i % 1000}".encode()
            futures.append(await producer.send(topic, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)
        await producer.stop()
        out.put(("producer", peak_rss_mib()))

    asyncio.run(run())


def raw_consumer(bootstrap: str, topic: str, n: int, ready: Any, out: Any) -> None:
    async def run() -> None:
        from aiokafka import AIOKafkaConsumer

        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=topic,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        while not consumer.assignment():  # joined its group: measure consuming, not joining
            await consumer.getmany(timeout_ms=100)
        ready.set()
        seen = 0
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            seen += sum(len(v) for v in batch.values())
            if batch:
                await consumer.commit()
        out.put(("consumer", time.perf_counter(), peak_rss_mib()))
        await consumer.stop()

    asyncio.run(run())


def outbox_side(bootstrap: str, template: str, prefix: str, n: int, go: Any, out: Any) -> None:
    async def run() -> None:
        from shared.bus.relay import OutboxRelay
        from tests.support.bus import migrated_engine, person_event, write_events

        source = migrated_engine("enrollment", template)
        events = [person_event(i, household=f"H{i % 1000}") for i in range(n)]
        stop = asyncio.Event()
        relay = OutboxRelay(source, service="enrollment", bootstrap=bootstrap, batch_size=1000)
        task = asyncio.create_task(relay.run(stop))
        await asyncio.to_thread(go.wait)
        start = time.perf_counter()
        for i in range(0, n, WRITE_BATCH):
            await asyncio.to_thread(write_events, source, events[i : i + WRITE_BATCH], prefix)
        written = time.perf_counter() - start
        while relay.published_total < n:
            await asyncio.sleep(0.01)
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        source.dispose()
        out.put(("outbox", n / written, peak_rss_mib()))

    asyncio.run(run())


def consumer_side(bootstrap: str, template: str, prefix: str, n: int, ready: Any, out: Any) -> None:
    async def run() -> None:
        from services.medical.registry.consumers import SUBSCRIPTION
        from shared.bus.consumer import ConsumerRunner
        from tests.support.bus import migrated_engine, processed

        sink = migrated_engine("medical", template)
        stop = asyncio.Event()
        consumer = ConsumerRunner(
            sink, group=f"{prefix}medical", bootstrap=bootstrap, subscription=SUBSCRIPTION,
            topic_prefix=prefix,
        )  # fmt: skip
        task = asyncio.create_task(consumer.run(stop))
        while not consumer.assignment:  # joined its group: measure consuming, not joining
            await asyncio.sleep(0.05)
        ready.set()
        while consumer.applied_total < n:
            if consumer.dead_lettered_total:
                raise RuntimeError(f"{consumer.dead_lettered_total} events dead-lettered")
            await asyncio.sleep(0.01)
        done = time.perf_counter()
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        applied = await asyncio.to_thread(processed, sink)
        sink.dispose()
        out.put(("consumer", done, peak_rss_mib(), applied))

    asyncio.run(run())


def measure(producer: Any, consumer: Any, args: tuple, n: int) -> tuple[float, list]:
    ctx = mp.get_context("spawn")
    go, ready, out = ctx.Event(), ctx.Event(), ctx.Queue()
    c = ctx.Process(target=consumer, args=(*args, n, ready, out))
    p = ctx.Process(target=producer, args=(*args, n, go, out))
    c.start()
    p.start()
    ready.wait(120)
    start = time.perf_counter()
    go.set()
    results = [out.get(timeout=600), out.get(timeout=600)]
    p.join(60)
    c.join(60)
    done = next(r for r in results if r[0] == "consumer")[1]
    return n / (done - start), results


@dataclass(frozen=True)
class Measured:
    path: str
    rate: float  # events/s
    rss: str  # peak RSS MiB, producing / consuming side


def measure_all(n: int, backends: list[str]) -> tuple[str, float, list[Measured]]:
    """The raw reference, then outbox -> broker -> consumer on each backend: (bootstrap, raw
    rate, every measured path)."""
    broker = None
    bootstrap = os.environ.get("BENCH_KAFKA_BOOTSTRAP")
    if not bootstrap:
        broker = LocalBroker().start()
        bootstrap = broker.bootstrap
    pg = None
    measured: list[Measured] = []
    try:
        topic = f"bench-raw-{uuid.uuid4().hex[:6]}"
        asyncio.run(_topics(bootstrap, [topic]))
        raw, res = measure(raw_producer, raw_consumer, (bootstrap, topic), n)
        measured.append(Measured("raw aiokafka produce -> consume", raw, _rss(res)))
        for backend in backends:
            if backend == "sqlite":
                template = f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/{{service}}.db"
            else:
                admin = os.environ.get("BENCH_DATABASE_URL")
                if not admin:
                    pg = LocalPostgres().start()
                    admin = pg.url
                tag = uuid.uuid4().hex[:6]
                template = database_url(admin, f"bench_{tag}_MARK").replace("MARK", "{service}")
            prefix = f"b{uuid.uuid4().hex[:6]}."
            e2e, res = measure(outbox_side, consumer_side, (bootstrap, template, prefix), n)
            applied = next(r for r in res if r[0] == "consumer")[3]
            assert applied == n, f"{applied} processed-event rows for {n} events"
            writes = next(r for r in res if r[0] == "outbox")[1]
            measured.append(Measured(f"outbox -> broker -> consumer ({backend})", e2e, _rss(res)))
            measured.append(Measured(f"  outbox writes alone ({backend})", writes, ""))
            if backend != "sqlite":
                for service in ("enrollment", "medical"):
                    drop_database(template.replace("{service}", service))
    finally:
        if pg:
            pg.stop()
        if broker:
            broker.stop()
    return bootstrap, raw, measured


def bus_rows(events: int, backends: list[str]) -> list[Row]:
    """The performance table's bus rows: end to end per backend beside raw aiokafka."""
    _, raw, measured = measure_all(events, backends)
    return _table_rows(raw, measured, backends)


def _table_rows(raw: float, measured: list[Measured], backends: list[str]) -> list[Row]:
    rows = []
    for backend in backends:
        rate = next(m.rate for m in measured if m.path.endswith(f"consumer ({backend})"))
        ratio = rate / raw
        rows.append(
            Row(
                workload="bus: outbox -> broker -> idempotent consumer",
                backend=backend,
                figure=f"{rate:,.0f} events/s",
                reference=f"raw aiokafka {raw:,.0f} events/s",
                ratio=round(ratio, 3),
                goal=f">= {GOAL} of raw",
                met=ratio >= GOAL,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    n = args.events
    backends = args.backends.split(",")
    bootstrap, raw, measured = measure_all(n, backends)

    print(f"\nbus benchmark: {n} events, broker {bootstrap}, {os.cpu_count()} cores")
    print(f"{'path':<42} {'events/s':>10} {'ratio to raw':>13} {'peak RSS MiB (prod/cons)':>26}")
    for m in measured:
        print(f"{m.path:<42} {m.rate:>10.0f} {m.rate / raw:>13.2f} {m.rss:>26}")
    for row in _table_rows(raw, measured, backends):
        print(f"goal {row.goal} ({row.backend}): {'met' if row.met else 'NOT met'}")


def _rss(results: list) -> str:
    by_side = {r[0]: r for r in results}
    prod = by_side.get("producer") or by_side.get("outbox")
    cons = by_side["consumer"]
    return f"{prod[-1]:.0f} / {cons[2]:.0f}"


async def _topics(bootstrap: str, topics: list[str]) -> None:
    from shared.bus.kafka import ensure_topics

    await ensure_topics(bootstrap, topics, 3)


if __name__ == "__main__":
    main()
