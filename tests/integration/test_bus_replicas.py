"""The bus with several replicas on one database, on a real broker: two outbox relays on one
PostgreSQL database send every row once and each household's events in order; two members of one
consumer group split the partitions and apply every event once; a poison event in the middle of a
batch costs only itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from services.medical.registry.consumers import SUBSCRIPTION
from shared.bus.consumer import ConsumerRunner, Subscription
from shared.bus.relay import OutboxRelay
from shared.bus.tables import OutboxEvent
from shared.events.envelope import Envelope
from shared.uow import UnitOfWork
from tests.support.bus import (
    dead_letters,
    migrated_engine,
    people,
    person_event,
    processed,
    read_topic,
    unpublished,
    wait_until,
    write_events,
)

pytestmark = pytest.mark.integration

EVENTS = 1_200


def households(n: int) -> list[str]:
    """Half the events interleave 40 households (every batch holds every one of them), half come
    in runs of 30 per household (batches hold different ones): both relays get work of both."""
    half = n // 2
    return [f"H{i % 40}" for i in range(half)] + [f"R{i // 30}" for i in range(n - half)]


def last_index(items: list[Any], item: Any) -> int:
    return len(items) - 1 - items[::-1].index(item)


def outbox_order(engine: Any) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = defaultdict(list)
    with Session(engine) as session:
        stmt = select(col(OutboxEvent.key), col(OutboxEvent.event_id)).order_by(
            col(OutboxEvent.seq)
        )
        for key, event_id in session.execute(stmt).all():
            by_key[str(key)].append(str(event_id))
    return by_key


@pytest.mark.parametrize("db_template", ["postgresql"], indirect=True)
async def test_two_relays_on_one_database_send_each_row_once_in_key_order(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    # Two engines: two processes' connection pools on one database.
    engines = [migrated_engine("enrollment", db_template) for _ in range(2)]
    keys = households(EVENTS)
    events = [person_event(i, household=keys[i]) for i in range(EVENTS)]
    for start in range(0, EVENTS, 100):  # committed as requests would, 100 at a time
        write_events(engines[0], events[start : start + 100], topic_prefix)
    relays = [
        OutboxRelay(e, service="enrollment", bootstrap=broker, batch_size=100, poll_interval_s=0.02)
        for e in engines
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r.run(stop)) for r in relays]
    try:
        await wait_until(lambda: unpublished(engines[0]) == 0, timeout=60)
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 15)
    expected = outbox_order(engines[0])
    for engine in engines:
        engine.dispose()

    records = await read_topic(broker, topic_prefix + "enrollment.events", EVENTS + 1, timeout=10)
    assert len(records) == EVENTS  # none twice (and none lost)
    assert sum(r.published_total for r in relays) == EVENTS
    assert all(r.published_total > 0 for r in relays)  # both shared the work
    sent: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = Envelope.from_kafka(record.key, record.value, record.headers)
        sent[record.key.decode()].append(envelope.id)
    assert sent == expected  # every household's events in the order they were written


async def test_two_members_of_one_group_split_partitions_and_apply_each_event_once(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    source = migrated_engine("enrollment", db_template)
    sink = migrated_engine("medical", db_template)
    members = [
        ConsumerRunner(
            sink,
            group=f"{topic_prefix}medical",
            bootstrap=broker,
            subscription=SUBSCRIPTION,
            topic_prefix=topic_prefix,
        )
        for _ in range(2)
    ]
    relay = OutboxRelay(source, service="enrollment", bootstrap=broker, poll_interval_s=0.02)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(m.run(stop)) for m in members]
    try:
        # Both members hold partitions, and between them all three, each once.
        await wait_until(
            lambda: (
                all(m.assignment for m in members) and sum(len(m.assignment) for m in members) == 3
            ),
            timeout=60,
        )
        assert not members[0].assignment & members[1].assignment
        tasks.append(asyncio.create_task(relay.run(stop)))
        n = 300
        write_events(
            source, [person_event(i, household=f"H{i % 30}") for i in range(n)], topic_prefix
        )
        await wait_until(lambda: processed(sink) == n, timeout=60)
        await asyncio.sleep(1.0)  # nothing more arrives
        assert processed(sink) == n
        assert people(sink) == n
        assert dead_letters(sink) == 0
        assert sum(m.applied_total for m in members) == n
        assert all(m.applied_total > 0 for m in members)
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 15)
        source.dispose()
        sink.dispose()


@pytest.mark.parametrize("batched", [False, True], ids=["one-by-one", "batch-handler"])
async def test_poison_event_in_the_middle_of_a_batch(
    db_template: str, broker: str, topic_prefix: str, batched: bool
) -> None:
    """The batch fails as a whole; applied again event by event (savepoints), the nine good ones
    commit once, the poison is retried alone and dead-lettered, and the event after it of the
    same household waits for it (order kept), then is applied once too."""
    calls: list[tuple[str, str]] = []
    real = SUBSCRIPTION.handlers["person.registered"]

    def poisoned(uow: UnitOfWork, data: Any) -> None:
        calls.append((data.household_id, data.person_id))
        if data.name == "POISON":
            raise RuntimeError("cannot apply")
        real(uow, data)

    def poisoned_run(events: list[tuple[UnitOfWork, Any]]) -> None:
        for uow, data in events:  # as a batch handler must: in order, all or nothing
            poisoned(uow, data)

    sub = Subscription(
        group=SUBSCRIPTION.group,
        topics=SUBSCRIPTION.topics,
        handlers={"person.registered": poisoned},
        batch_handlers={"person.registered": poisoned_run} if batched else {},
    )
    source = migrated_engine("enrollment", db_template)
    sink = migrated_engine("medical", db_template)
    consumer = ConsumerRunner(
        sink,
        group=f"{topic_prefix}medical",
        bootstrap=broker,
        subscription=sub,
        topic_prefix=topic_prefix,
        max_attempts=3,
        retry_backoff_s=0.01,
    )
    try:
        events = [person_event(i, household=f"H{i % 3}") for i in range(10)]
        events[4] = events[4].model_copy(update={"name": "POISON"})  # household H1
        after = events[7]  # H1's next event
        write_events(source, events, topic_prefix)
        relay = OutboxRelay(source, service="enrollment", bootstrap=broker)
        assert await relay.publish_once() == 10
        await relay._close_producer()
        records = await read_topic(broker, topic_prefix + "enrollment.events", 10)
        assert len(records) == 10

        await consumer.process(records)  # one batch, as one getmany would hand it over

        assert processed(sink) == 9
        assert people(sink) == 9
        assert dead_letters(sink) == 1
        assert consumer.applied_total == 9 and consumer.dead_lettered_total == 1
        poison = events[4].person_id
        # Tried in the batch, in its savepoint, then alone until the third try in all.
        assert calls.count(("H1", poison)) == 4
        # H1's later event was held back until the poison was given up on, then applied alone
        # (the batch try stopped at the poison before reaching it).
        assert calls.count(("H1", after.person_id)) == 1
        assert calls.index(("H1", after.person_id)) > last_index(calls, ("H1", poison))
        await consumer.process(records)  # delivered again: nothing applied twice
        assert processed(sink) == 9 and people(sink) == 9
    finally:
        await consumer._close_producer()
        source.dispose()
        sink.dispose()
