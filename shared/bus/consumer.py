"""The consumer runner: applies events idempotently, retries a failing one a bounded number of
times, then dead-letters it and carries on. Offsets are committed only after the effects."""

from __future__ import annotations

import asyncio
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shared import SERVICES, audit
from shared.bus.kafka import KafkaSecurity, ensure_topics, new_consumer, new_producer
from shared.bus.outbox import savepoint
from shared.bus.tables import DeadLetter, ProcessedEvent, utcnow
from shared.correlation import bound_correlation_id
from shared.db import write_lock
from shared.events.catalogue import EventData, parse_data
from shared.events.envelope import Envelope, MalformedEvent
from shared.logging import get_logger
from shared.policy import PolicySet
from shared.uow import Publisher, UnitOfWork

# How often a running consumer compares its positions with the ends of its partitions' logs.
LOG_CHECK_INTERVAL_S = 5.0

log = get_logger("bus.consumer")

# A handler applies one event in the unit of work the runner opens for it (`uow.envelope` is the
# event, `uow.today()` its day).
Handler = Callable[[UnitOfWork, EventData], None]
# A batch handler applies a run of consecutive events (each with its unit of work) at once, with
# the effect of its event types' handlers applied to them one by one in order: set-based writes
# for a hot read model. The runner uses it where it may (see ConsumerRunner._run_handlers).
BatchHandler = Callable[[list[tuple[UnitOfWork, EventData]]], None]
# A consumer group: the service's name, then an optional `-suffix` (dlq.<group> is its topic).
GROUP_NAME = re.compile("(" + "|".join(SERVICES) + r")(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: its consumer group, topics, and a handler per event type.

    `group` is the Kafka consumer group and the key of the group's processed-event (dedupe) and
    dead-letter rows, so it is declared, never derived from the subscription's place in a list:
    a renamed group would start again from the earliest offset with no dedupe rows of its own and
    apply events twice. Renaming one needs an Alembic revision that calls
    `shared.bus.migration_ops.rename_consumer_group`; tests/unit/test_consumer_groups.py holds
    the names in use and fails on a change without it."""

    group: str
    topics: tuple[str, ...]
    handlers: dict[str, Handler]
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not GROUP_NAME.fullmatch(self.group):
            raise ValueError(f"consumer group {self.group!r} must match {GROUP_NAME.pattern}")
        if unhandled := set(self.batch_handlers) - set(self.handlers):
            # An event is retried alone with its handler: a batch handler never stands alone.
            raise ValueError(f"batch handlers without a handler: {sorted(unhandled)}")


def chain(*handlers: Handler) -> Handler:
    """One handler applying several in order, in the one transaction of the event: an event
    type that feeds several sub-domains of a service."""

    def apply(uow: UnitOfWork, data: EventData) -> None:
        for handler in handlers:
            handler(uow, data)

    return apply


@dataclass
class _Item:
    record: ConsumerRecord
    envelope: Envelope
    data: EventData
    handler: Handler
    batch: BatchHandler | None = None


_NO_EVENT = audit.AuditContext(
    actor="consumer", roles="service", scope="", action="consumer", correlation_id=""
)


def dlq_topic(group: str, prefix: str = "") -> str:
    return f"{prefix}dlq.{group}"


class ConsumerRunner:
    def __init__(
        self,
        engine: Engine,
        *,
        group: str,
        bootstrap: str,
        subscription: Subscription,
        topic_prefix: str = "",
        partitions: int = 3,
        replication_factor: int = 1,
        idempotent_producer: bool = False,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        audit_service: str | None = None,
        security: KafkaSecurity | None = None,
        policy: PolicySet | Callable[[Session], PolicySet] | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.engine = engine
        # What a handler's unit of work carries: the service's policy (or where to read it in
        # the event's session: the counties' published figures) and outbox.
        self.policy = policy if policy is not None else PolicySet({})
        self.publisher = publisher or Publisher(audit_service or "consumer", topic_prefix)
        self.group = group
        self.bootstrap = bootstrap
        self.topics = [topic_prefix + t for t in subscription.topics]
        self.handlers = subscription.handlers
        self.batch_handlers = subscription.batch_handlers
        self.dlq = dlq_topic(group, topic_prefix)
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.idempotent_producer = idempotent_producer
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.audit_service = audit_service  # the service whose audit log records the effects
        self.security = security
        self.connected = False
        self.applied_total = 0
        self.dead_lettered_total = 0
        # The partitions this member holds: a group's members split a topic's partitions.
        self.assignment: frozenset[TopicPartition] = frozenset()
        self._producer: AIOKafkaProducer | None = None

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            consumer: AIOKafkaConsumer | None = None
            try:
                await ensure_topics(
                    self.bootstrap,
                    [*self.topics, self.dlq],
                    self.partitions,
                    self.security,
                    replication_factor=self.replication_factor,
                )
                consumer = new_consumer(self.bootstrap, self.group, self.topics, self.security)
                await consumer.start()
                self.connected = True
                backoff = 0.2
                log.info("consumer_started", group=self.group, topics=self.topics)
                checked = time.monotonic()
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=200, max_records=1_000)
                    self.assignment = frozenset(consumer.assignment())
                    if time.monotonic() - checked >= LOG_CHECK_INTERVAL_S:
                        checked = time.monotonic()
                        await self._rewind_emptied(consumer)
                    records = [r for recs in batch.values() for r in recs]
                    if records:
                        await self.process(records)
                        await consumer.commit()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker down or restarted: reconnect and resume
                if self.connected:
                    log.warning("consumer_broker_unavailable", group=self.group, error=str(exc))
                self.connected = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if consumer is not None:
                    try:
                        await asyncio.wait_for(consumer.stop(), 5)
                    except Exception:  # a consumer cut off from its broker may fail to leave
                        pass
        await self._close_producer()

    async def _rewind_emptied(self, consumer: AIOKafkaConsumer) -> None:
        """A partition whose log now ends before this consumer's position was emptied (a local
        broker restarted without its log, its topics created again): read it again from its
        start. What was applied already is skipped by the processed-event ledger; the relays
        publish again what the broker lost."""
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is None:
                continue
            position = await consumer.position(tp)
            if position > end:
                log.warning(
                    "consumer_log_emptied",
                    group=self.group,
                    topic=tp.topic,
                    partition=tp.partition,
                    position=position,
                    end=end,
                )
                await consumer.seek_to_beginning(tp)

    async def process(self, records: list[ConsumerRecord]) -> None:
        """Apply a batch in one transaction with one bulk write of its processed-event marks.

        If any event fails, the batch is applied again with a savepoint per event: the events
        that succeed commit together; a failed event, and the later events of its key (so that
        a household's events keep their order), are then retried one at a time."""
        items: list[_Item] = []
        for record in records:
            item = await self._decode(record)
            if item is not None:
                items.append(item)
        if not items:
            return
        try:
            self.applied_total += await asyncio.to_thread(self._apply, items)
            return
        except Exception as exc:
            log.info(
                "batch_failed_isolating", group=self.group, size=len(items), error=str(exc)[:300]
            )
        try:
            applied, failed = await asyncio.to_thread(self._apply_isolated, items)
        except Exception as exc:  # the commit itself failed (e.g. a concurrent duplicate)
            log.info("batch_failed_one_by_one", group=self.group, error=str(exc)[:300])
            applied, failed = 0, [(item, "") for item in items]
        self.applied_total += applied
        for item, error in failed:
            await self._apply_one_with_retries(item, tried=1 if error else 0, error=error)

    def _apply_isolated(self, items: list[_Item]) -> tuple[int, list[tuple[_Item, str]]]:
        """One transaction, a savepoint per event. Returns how many were applied and the events
        left over, each with its error ("" for one held back behind a failed event of its key)."""
        marks: list[dict[str, object]] = []
        failed: list[tuple[_Item, str]] = []
        blocked_keys: set[bytes] = set()
        with write_lock(self.engine), Session(self.engine, expire_on_commit=False) as session:
            if self.audit_service is not None:
                audit.track(session, self.audit_service, lambda: _NO_EVENT)
            done = self._already_processed(session, items)
            for item in items:
                key = item.record.key
                if key is not None and key in blocked_keys:
                    failed.append((item, ""))
                    continue
                mark: list[dict[str, object]] = []
                try:
                    with savepoint(session):
                        self._run_handlers(session, [item], done, mark)
                        session.flush()
                    marks.extend(mark)
                except Exception as exc:
                    done.discard(item.envelope.id)
                    failed.append((item, "".join(traceback.format_exception_only(exc)).strip()))
                    if key is not None:
                        blocked_keys.add(key)
            if marks:
                session.execute(insert(ProcessedEvent), marks)
            session.commit()
        return len(marks), failed

    async def _decode(self, record: ConsumerRecord) -> _Item | None:
        try:
            envelope = Envelope.from_kafka(record.key, record.value, record.headers)
        except MalformedEvent as exc:
            await self._dead_letter(record, None, str(exc), attempts=1)
            return None
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return None  # another service's concern on a shared topic
        try:
            data = parse_data(envelope.type, envelope.data)
        except ValidationError as exc:
            await self._dead_letter(record, envelope, f"invalid payload: {exc}", attempts=1)
            return None
        return _Item(record, envelope, data, handler, self.batch_handlers.get(envelope.type))

    async def _apply_one_with_retries(self, item: _Item, tried: int = 0, error: str = "") -> None:
        """Apply one event on its own, up to `max_attempts` tries in all (`tried` were already
        made, the last failing with `error`), then dead-letter it."""
        if tried:
            await asyncio.sleep(self.retry_backoff_s * tried)
        for attempt in range(tried + 1, self.max_attempts + 1):
            try:
                self.applied_total += await asyncio.to_thread(self._apply, [item])
                return
            except Exception as exc:
                error = "".join(traceback.format_exception_only(exc)).strip()
                log.warning(
                    "event_failed",
                    group=self.group,
                    event_id=item.envelope.id,
                    event_type=item.envelope.type,
                    attempt=attempt,
                    error=error,
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_backoff_s * attempt)
        await self._dead_letter(item.record, item.envelope, error, attempts=self.max_attempts)

    def _apply(self, items: list[_Item]) -> int:
        """One transaction: skip already-processed ids, apply the rest, record their ids."""
        marks: list[dict[str, object]] = []
        with write_lock(self.engine), Session(self.engine, expire_on_commit=False) as session:
            if self.audit_service is not None:
                audit.track(session, self.audit_service, lambda: _NO_EVENT)
            done = self._already_processed(session, items)
            # Autoflush stays on: each handler sees the effects of the events before it. Hot
            # handlers write with single statements (shared.db.upsert) to stay cheap.
            self._run_handlers(session, items, done, marks)
            try:
                if marks:
                    session.flush()
                    session.execute(insert(ProcessedEvent), marks)
                session.commit()
            except IntegrityError:
                # Another instance applied one of these concurrently: its effect stands, ours goes.
                session.rollback()
                if len(items) > 1:
                    raise
                return 0
        return len(marks)

    def _already_processed(self, session: Session, items: list[_Item]) -> set[str]:
        ids = [i.envelope.id for i in items]
        return set(
            session.exec(
                select(ProcessedEvent.event_id).where(
                    ProcessedEvent.consumer == self.group, col(ProcessedEvent.event_id).in_(ids)
                )
            ).all()
        )

    def _run_handlers(
        self,
        session: Session,
        items: list[_Item],
        done: set[str],
        marks: list[dict[str, object]],
    ) -> None:
        fresh: list[_Item] = []
        for item in items:
            if item.envelope.id not in done:
                done.add(item.envelope.id)  # the same id twice in one batch: applied once
                fresh.append(item)
        # Audit entries name the event behind each statement, so an audited consumer applies
        # events one at a time; otherwise a run of events with one batch handler goes at once.
        start = 0
        while start < len(fresh):
            batch = fresh[start].batch if self.audit_service is None else None
            end = start + 1
            while batch is not None and end < len(fresh) and fresh[end].batch is batch:
                end += 1
            run = fresh[start:end]
            if batch is not None and len(run) > 1:
                batch([(self._uow(session, item), item.data) for item in run])
            else:
                self._run_handler(session, run[0])
            marks.extend(self._mark(item) for item in run)
            start = end

    def _uow(self, session: Session, item: _Item) -> UnitOfWork:
        policy = self.policy if isinstance(self.policy, PolicySet) else self.policy(session)
        return UnitOfWork.for_event(
            session, item.envelope, group=self.group, policy=policy, publisher=self.publisher
        )

    def _run_handler(self, session: Session, item: _Item) -> None:
        env = item.envelope
        uow = self._uow(session, item)
        with bound_correlation_id(env.correlationid, event_id=env.id, event_type=env.type):
            if self.audit_service is not None:
                audit.set_context(session, audit.event_context(self.group, env))
                item.handler(uow, item.data)
                session.flush()  # its ORM changes are recorded under this event
            else:
                item.handler(uow, item.data)

    def _mark(self, item: _Item) -> dict[str, object]:
        return {
            "consumer": self.group,
            "event_id": item.envelope.id,
            "event_type": item.envelope.type,
            "processed_at": utcnow(),
        }

    async def _dead_letter(
        self, record: ConsumerRecord, envelope: Envelope | None, error: str, attempts: int
    ) -> None:
        self.dead_lettered_total += 1
        log.error(
            "event_dead_lettered",
            group=self.group,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            event_id=envelope.id if envelope else None,
            error=error[:500],
        )
        await asyncio.to_thread(self._record_dead_letter, record, envelope, error, attempts)
        headers = [
            *list(record.headers or ()),
            ("dlq_error", error[:2000].encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_group", self.group.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
        ]
        producer = await self._producer_started()
        await producer.send_and_wait(self.dlq, value=record.value, key=record.key, headers=headers)

    def _record_dead_letter(
        self, record: ConsumerRecord, envelope: Envelope | None, error: str, attempts: int
    ) -> None:
        with write_lock(self.engine), Session(self.engine) as session:
            session.add(
                DeadLetter(
                    consumer=self.group,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    event_id=envelope.id if envelope else None,
                    event_type=envelope.type if envelope else None,
                    error=error[:10_000],
                    attempts=attempts,
                )
            )
            session.commit()

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self.build_dlq_producer()
            await producer.start()
            self._producer = producer
        return self._producer

    def build_dlq_producer(self) -> AIOKafkaProducer:
        """The dead-letter producer of this group, not yet connected."""
        return new_producer(
            self.bootstrap,
            client_id=f"{self.group}-dlq",
            security=self.security,
            idempotent=self.idempotent_producer,
        )

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
