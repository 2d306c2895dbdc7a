"""Fault tests of the bus on a real broker, SQLite and PostgreSQL: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from deploy.broker import LocalBroker
from services.medical.registry.consumers import SUBSCRIPTION
from shared import clock
from shared.bus.consumer import ConsumerRunner, Subscription, dlq_topic
from shared.bus.kafka import ensure_topics
from shared.bus.relay import OutboxRelay
from shared.bus.tables import OutboxEvent
from shared.db import table_of
from shared.events.envelope import Envelope
from shared.uow import UnitOfWork
from tests.support.bus import (
    dead_letters,
    migrated_engine,
    people,
    person_event,
    processed,
    produce_raw,
    read_topic,
    unpublished,
    wait_until,
    write_events,
)

pytestmark = pytest.mark.integration


class Pipeline:
    """Enrollment's outbox + relay on one database, medical's consumer on another."""

    def __init__(self, template: str, bootstrap: str, prefix: str, subscription=SUBSCRIPTION):
        self.source = migrated_engine("enrollment", template)
        self.sink = migrated_engine("medical", template)
        self.bootstrap = bootstrap
        self.prefix = prefix
        self.stop = asyncio.Event()
        self.consumer = ConsumerRunner(
            self.sink,
            group=f"{prefix}medical",
            bootstrap=bootstrap,
            subscription=subscription,
            topic_prefix=prefix,
            max_attempts=3,
            retry_backoff_s=0.05,
        )
        self.tasks: list[asyncio.Task] = []
        self.consumer_stop = asyncio.Event()  # stops the consumer alone

    def relay(self) -> OutboxRelay:
        return OutboxRelay(
            self.source, service="enrollment", bootstrap=self.bootstrap, poll_interval_s=0.05
        )

    def start_consumer(self) -> asyncio.Task:
        self.consumer_stop = asyncio.Event()
        stops = (self.stop, self.consumer_stop)

        async def run() -> None:
            either = asyncio.Event()
            watchers = [asyncio.create_task(_relay_set(s, either)) for s in stops]
            try:
                await self.consumer.run(either)
            finally:
                for w in watchers:
                    w.cancel()

        task = asyncio.create_task(run())
        self.tasks.append(task)
        return task

    def start_relay(self) -> OutboxRelay:
        relay = self.relay()
        self.tasks.append(asyncio.create_task(relay.run(self.stop)))
        return relay

    async def close(self) -> None:
        self.stop.set()
        for task in self.tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 15)
        self.source.dispose()
        self.sink.dispose()


def crash_and_restart(broker: LocalBroker) -> None:
    """SIGKILL the broker (its log in memory dies with it) and start it again, empty."""
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait(5)
    broker.process = None
    broker.start()


async def _relay_set(source: asyncio.Event, target: asyncio.Event) -> None:
    await source.wait()
    target.set()


@pytest.fixture
async def pipeline(db_template: str, broker: str, topic_prefix: str):
    p = Pipeline(db_template, broker, topic_prefix)
    yield p
    await p.close()


async def test_relay_killed_after_commit_before_publish(pipeline: Pipeline) -> None:
    # The transaction committed, but no relay ran (it died): the rows wait in the outbox.
    write_events(pipeline.source, [person_event(i) for i in range(5)], pipeline.prefix)
    assert unpublished(pipeline.source) == 5
    pipeline.start_consumer()
    pipeline.start_relay()  # the restarted relay
    await wait_until(lambda: people(pipeline.sink) == 5)
    await wait_until(lambda: unpublished(pipeline.source) == 0)
    assert processed(pipeline.sink) == 5


async def test_relay_killed_after_publish_before_marking(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_events(pipeline.source, [person_event(i) for i in range(4)], pipeline.prefix)
    crashing = pipeline.relay()

    def die(_seqs: list[int]) -> None:
        raise SystemExit("killed between publish and mark")

    monkeypatch.setattr(crashing, "_mark_sent", die)
    with pytest.raises(SystemExit):
        await crashing.publish_once()
    await crashing._close_producer()
    assert unpublished(pipeline.source) == 4  # published, but not marked: will be sent again
    pipeline.start_consumer()
    pipeline.start_relay()
    await wait_until(lambda: unpublished(pipeline.source) == 0)
    await wait_until(lambda: people(pipeline.sink) == 4)
    await asyncio.sleep(1.0)  # let the duplicates arrive too
    assert people(pipeline.sink) == 4
    assert processed(pipeline.sink) == 4
    topic = pipeline.prefix + "enrollment.events"
    assert len(await read_topic(pipeline.bootstrap, topic, 8)) == 8  # every event went twice


async def test_same_event_delivered_twice(pipeline: Pipeline) -> None:
    event = person_event(1)
    env = Envelope.wrap(event, source="/services/enrollment", subject=event.person_id, key="H0")
    topic = pipeline.prefix + "enrollment.events"
    pipeline.start_consumer()
    await produce_raw(pipeline.bootstrap, topic, [env.to_kafka(), env.to_kafka()])
    await wait_until(lambda: processed(pipeline.sink) == 1)
    await asyncio.sleep(1.0)
    assert people(pipeline.sink) == 1
    assert processed(pipeline.sink) == 1


async def test_malformed_event_goes_to_dead_letter_and_next_is_processed(
    pipeline: Pipeline,
) -> None:
    topic = pipeline.prefix + "enrollment.events"
    good = person_event(2)
    bad_payload = Envelope.wrap(
        person_event(3), source="/services/enrollment", subject="x", key="H1"
    ).model_copy(update={"data": {"person_id": "p", "id_number": "not-an-id"}})
    pipeline.start_consumer()
    await produce_raw(
        pipeline.bootstrap,
        topic,
        [
            (b"H1", b"\x00not json at all", [("ce_type", b"person.registered")]),
            bad_payload.to_kafka(),
            Envelope.wrap(good, source="/s", subject=good.person_id, key="H0").to_kafka(),
        ],
    )
    await wait_until(lambda: people(pipeline.sink) == 1)
    await wait_until(lambda: dead_letters(pipeline.sink) == 2)
    dlq = await read_topic(pipeline.bootstrap, pipeline.consumer.dlq, 2)
    assert len(dlq) == 2
    headers = dict(dlq[0].headers)
    assert headers["dlq_original_topic"] == topic.encode()
    assert b"CloudEvent" in headers["dlq_error"]
    assert b"invalid payload" in dict(dlq[1].headers)["dlq_error"]


async def test_failing_handler_is_retried_then_dead_lettered(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    attempts: dict[str, int] = {}
    poison = person_event(7, household="POISON")
    real = SUBSCRIPTION.handlers["person.registered"]

    def flaky(uow: UnitOfWork, data: Any) -> None:
        attempts[data.person_id] = attempts.get(data.person_id, 0) + 1
        if data.household_id == "POISON":
            raise RuntimeError("cannot apply")
        if attempts[data.person_id] == 1 and data.household_id == "FLAKY":
            raise RuntimeError("transient")
        real(uow, data)

    sub = Subscription(
        group=SUBSCRIPTION.group, topics=SUBSCRIPTION.topics, handlers={"person.registered": flaky}
    )
    p = Pipeline(db_template, broker, topic_prefix, subscription=sub)
    try:
        flaky_event = person_event(8, household="FLAKY")
        good = person_event(9)
        write_events(p.source, [poison, flaky_event, good], p.prefix)
        p.start_consumer()
        p.start_relay()
        await wait_until(lambda: people(p.sink) == 2)
        await wait_until(lambda: dead_letters(p.sink) == 1)
        # 3 bounded tries on its own, plus the batch try if the batch reached it first.
        assert attempts[poison.person_id] in (3, 4)
        await asyncio.sleep(0.5)
        assert attempts[poison.person_id] in (3, 4)  # and no more after dead-lettering
        assert processed(p.sink) == 2
    finally:
        await p.close()


async def test_broker_down_at_write_time_then_back(db_template: str, topic_prefix: str) -> None:
    with LocalBroker() as own:
        p = Pipeline(db_template, own.bootstrap, topic_prefix)
        try:
            p.start_consumer()
            relay = p.start_relay()
            await wait_until(lambda: p.consumer.connected and relay.connected)
            own.stop()
            write_events(p.source, [person_event(i) for i in range(6)], p.prefix)  # accepted
            await asyncio.sleep(1.5)
            assert unpublished(p.source) == 6
            assert people(p.sink) == 0
            own.start()  # same port, empty memory: topics and offsets are gone too
            await wait_until(lambda: people(p.sink) == 6, timeout=60)
            await wait_until(lambda: unpublished(p.source) == 0)
            assert processed(p.sink) == 6
        finally:
            await p.close()


async def test_broker_killed_after_acknowledging_loses_no_event(
    db_template: str, topic_prefix: str
) -> None:
    """The local broker keeps its log in memory: events it acknowledged die with it. They are
    published again from the outbox once it is back, and applied once each: those the consumer
    had read before the crash are skipped, the others applied."""
    with LocalBroker() as own:
        p = Pipeline(db_template, own.bootstrap, topic_prefix)
        try:
            first = p.start_consumer()
            relay = p.start_relay()
            await wait_until(lambda: p.consumer.connected and relay.connected)
            write_events(p.source, [person_event(i) for i in range(4)], p.prefix)
            await wait_until(lambda: people(p.sink) == 4)
            # The consumer stops; four more are published and acknowledged, unread.
            p.consumer_stop.set()
            await asyncio.wait_for(first, 30)
            write_events(p.source, [person_event(i) for i in range(4, 8)], p.prefix)
            await wait_until(lambda: unpublished(p.source) == 0)
            assert people(p.sink) == 4
            crash_and_restart(own)  # kill -9: what it held in memory is gone
            p.start_consumer()
            await wait_until(lambda: people(p.sink) == 8, timeout=60)
            await wait_until(lambda: unpublished(p.source) == 0)
            assert relay.replayed_total >= 4
            assert processed(p.sink) == 8  # every event applied once
        finally:
            await p.close()


async def test_the_outbox_lag_is_measured_from_the_oldest_unpublished_row(
    db_template: str, topic_prefix: str
) -> None:
    """What /readyz reports (and turns unready past OUTBOX_LAG_UNREADY_S): the rows waiting and
    how long the oldest has waited; nothing waiting is no lag."""
    p = Pipeline(db_template, "127.0.0.1:1", topic_prefix)  # no broker: nothing is published
    try:
        relay = p.relay()
        assert relay.lag() == (0, 0.0)
        write_events(p.source, [person_event(i) for i in range(3)], p.prefix)
        with p.source.begin() as conn:
            conn.execute(
                update(table_of(OutboxEvent)).values(created_at=clock.now() - timedelta(minutes=2))
            )
        pending, waited = relay.lag()
        assert pending == 3 and 120 <= waited < 180
    finally:
        await p.close()


async def test_a_running_consumer_reads_again_a_partition_the_broker_emptied(
    db_template: str, topic_prefix: str
) -> None:
    """The launcher restarts a dead broker and creates its topics again at once, while the
    consumer keeps running: however it resumes (reconnecting, or finding itself past the end of
    an emptied partition and reading it again from the start), what the relay publishes again
    and what is new arrive, and nothing is applied twice."""
    with LocalBroker() as own:
        p = Pipeline(db_template, own.bootstrap, topic_prefix)
        try:
            p.start_consumer()
            relay = p.start_relay()
            await wait_until(lambda: p.consumer.connected and relay.connected)
            write_events(p.source, [person_event(i) for i in range(6)], p.prefix)
            await wait_until(lambda: people(p.sink) == 6)
            crash_and_restart(own)
            topics = [f"{p.prefix}enrollment.events", dlq_topic(f"{p.prefix}medical", p.prefix)]
            await ensure_topics(own.bootstrap, topics, 3)
            write_events(p.source, [person_event(i) for i in range(6, 9)], p.prefix)
            await wait_until(lambda: people(p.sink) == 9, timeout=60)
            assert processed(p.sink) == 9
        finally:
            await p.close()


async def test_a_busy_relay_finds_a_restarted_broker_by_its_cluster_id(
    db_template: str, topic_prefix: str
) -> None:
    """A relay that has been sending since it started never saw its partitions' end offsets
    (it looks while idle, or on an error): a broker restarted between two of its sends, its
    topics created again at once, shows no error and partitions as empty as they were at the
    first look. The restarted local broker is a new cluster, and that is what the relay sees:
    the events the old one acknowledged, unread, are published again."""
    with LocalBroker() as own:
        p = Pipeline(db_template, own.bootstrap, topic_prefix)
        try:
            first = p.start_consumer()
            relay = p.relay()
            relay.check_interval_s = 3600.0  # no look while idle: as a relay never idle
            p.tasks.append(asyncio.create_task(relay.run(p.stop)))
            await wait_until(lambda: p.consumer.connected and relay.connected)
            p.consumer_stop.set()
            await asyncio.wait_for(first, 30)
            write_events(p.source, [person_event(i) for i in range(4)], p.prefix)
            await wait_until(lambda: unpublished(p.source) == 0)
            old = own.cluster_id
            crash_and_restart(own)
            assert own.cluster_id != old
            topics = [f"{p.prefix}enrollment.events", dlq_topic(f"{p.prefix}medical", p.prefix)]
            await ensure_topics(own.bootstrap, topics, 3)
            relay.check_interval_s = 0.5  # the busy relay's regular look
            write_events(p.source, [person_event(i) for i in range(4, 6)], p.prefix)
            p.start_consumer()
            await wait_until(lambda: people(p.sink) == 6, timeout=60)
            assert relay.replayed_total >= 4
            assert processed(p.sink) == 6
        finally:
            await p.close()
