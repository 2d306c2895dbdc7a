"""The outbox relay: publishes committed outbox rows to Kafka in order and marks them sent.

A crash between publishing and marking re-sends those rows on restart (at-least-once); consumers
are idempotent, so nothing is done twice. A broker outage leaves the rows waiting.

A batch is sent pipelined (every send queued, then all awaited) and marked in one statement.

PostgreSQL: several relays (uvicorn workers, replicas) may run on one database. Each claims its
batch with `SELECT ... FOR UPDATE SKIP LOCKED` and holds the row locks until the batch is sent and
marked in that same transaction, so no row is sent by two relays. A household's events stay in
order: a relay sends a claimed row only if no earlier unpublished row of the same key is held by
another relay (it leaves that key to the other relay this round).

SQLite (one relay per database file): the relay remembers how far it has sent and marks sent rows
in bulk every `mark_interval_s` or when it runs idle, so that marking takes the per-process write
lock (shared.db.write_lock) a few times a second at most instead of once per batch.

A broker that loses what it acknowledged (the local development broker keeps its log in memory,
so a crash and restart empties it) is caught on reconnecting and every `check_interval_s`, busy
or idle: by its cluster id (the local broker starts each time as a new cluster), or by the end
offsets of the partitions the relay wrote to (a partition gone, or ending before where it was
last seen). The rows published since the relay first sent to that broker are then published
again (consumers are idempotent: an event applied already is skipped). A producer reconnects to
a restarted broker by itself, so only the check finds a loss between two sends; what was sent
to the new broker before the check is sent again as well. Every send is bounded
(`send_timeout_s`); past it the producer is rebuilt with fresh metadata."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.structs import RecordMetadata
from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from shared import clock
from shared.bus.kafka import KafkaSecurity, client_kwargs, ensure_topics, new_producer
from shared.bus.tables import OutboxEvent
from shared.db import table_of, write_lock
from shared.events.envelope import Envelope
from shared.logging import get_logger

log = get_logger("bus.relay")


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        *,
        service: str,
        bootstrap: str,
        partitions: int = 3,
        replication_factor: int = 1,
        idempotent_producer: bool = False,
        batch_size: int = 500,
        poll_interval_s: float = 0.1,
        mark_interval_s: float = 0.5,
        send_timeout_s: float = 15.0,
        check_interval_s: float = 5.0,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.engine = engine
        self.service = service
        self.bootstrap = bootstrap
        self.security = security
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.idempotent_producer = idempotent_producer
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.connected = False
        self.published_total = 0
        self._producer: AIOKafkaProducer | None = None
        self._known_topics: set[str] = set()
        self._wake = asyncio.Event()
        self.mark_interval_s = mark_interval_s
        # PostgreSQL: the transaction holding the current batch's row locks.
        self._claim: Connection | None = None
        # SQLite: rows sent but not yet marked, and the last seq sent (fetches start after it).
        self._unmarked: list[int] = []
        self._after = 0
        self._marked_at = float("-inf")
        self.send_timeout_s = send_timeout_s
        # The end offset last seen of each partition written to, and when this relay first sent
        # to that broker (the rows to send again if it turns out to have lost them).
        self._written: dict[tuple[str, int], int] = {}
        self._since: datetime | None = None
        # The cluster id of the broker sent to since `_since` (None: the broker gives none).
        self._cluster: str | None = None
        self._reconnected = False
        self.replayed_total = 0
        # The broker is asked every `check_interval_s` whether it still has what it
        # acknowledged: a broker restarted between two sends gives no error to notice.
        self.check_interval_s = check_interval_s
        self._checked_at = float("-inf")
        self._checker: AIOKafkaConsumer | None = None

    def wake(self) -> None:
        """Called (thread-safely, via the loop) after a commit that wrote outbox rows."""
        self._wake.set()

    @property
    def awake(self) -> bool:
        """A wake-up is already due: another commit's call would add nothing."""
        return self._wake.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            try:
                sent = await self.publish_once()
                backoff = 0.2
                if sent < self.batch_size:
                    await self._sleep(stop, self.poll_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker down, topic gone after a broker restart, ...
                if self.connected:
                    log.warning("relay_broker_unavailable", error=str(exc))
                self.connected = False
                self._known_topics.clear()
                self._reconnected = True
                await self._close_producer()
                await self._flush_marks_quietly()
                await self._sleep(stop, backoff)
                backoff = min(backoff * 2, 5.0)
        await self._flush_marks_quietly()
        await self._close_producer()
        await self._close_checker()

    async def publish_once(self) -> int:
        try:
            rows = await asyncio.to_thread(self._fetch)
            if not rows:
                if self._unmarked:
                    await asyncio.to_thread(self._flush_marks)
                self._after = 0  # idle and all marked: rescan from the unpublished index
                if self._producer is None:
                    await self._producer_started()
                due = time.monotonic() - self._checked_at >= self.check_interval_s
                if self._reconnected or (due and self._written):
                    await self._check_broker_kept_events()
                return 0
            producer = await self._producer_started()
            due = time.monotonic() - self._checked_at >= self.check_interval_s
            if self._reconnected or (due and self._written):
                await self._check_broker_kept_events()
            if self._since is None:  # the first send to this broker: which cluster it is
                self._cluster = await self._cluster_id()
            topics = {r.topic for r in rows} - self._known_topics
            if topics:
                await ensure_topics(
                    self.bootstrap,
                    topics,
                    self.partitions,
                    self.security,
                    replication_factor=self.replication_factor,
                )
                self._known_topics |= topics
            # Pipelined: queue every send (aiokafka batches them per partition), then await all.
            started = clock.now()
            futures = []
            for row in rows:
                key, value, headers = Envelope.stored_to_kafka(row.headers, row.payload)
                sent = await producer.send(row.topic, value=value, key=key, headers=headers)
                futures.append(sent)
            acks = await asyncio.wait_for(asyncio.gather(*futures), self.send_timeout_s)
            self._note_acks(acks, started)
            seqs = [r.seq for r in rows]
            if self._claim is not None:
                await asyncio.to_thread(self._mark_sent, seqs)
            else:
                self._unmarked.extend(seqs)
                self._after = seqs[-1]
                if time.monotonic() - self._marked_at >= self.mark_interval_s:
                    await asyncio.to_thread(self._flush_marks)
        except BaseException:
            if self._claim is None:
                self._after = 0  # unmarked rows after a failed send go again: at-least-once
            raise
        finally:
            await asyncio.to_thread(self._release_claim)
        self.connected = True
        self.published_total += len(rows)
        return len(rows)

    def _note_acks(self, acks: list[RecordMetadata], started: datetime) -> None:
        """Remember the partitions written to (and when this relay first wrote to the broker).
        Their end offsets are what the check compares: the offsets in the acknowledgements are
        not (the local broker answers a batch with offsets past its last record)."""
        for ack in acks:
            self._written.setdefault((ack.topic, ack.partition), 0)
        if self._since is None:
            self._since = started

    async def _check_broker_kept_events(self) -> None:
        """A partition that ends before its last acknowledged offset (or is gone) lost events,
        which are published again."""
        self._reconnected = False
        self._checked_at = time.monotonic()
        if not self._written:
            return
        checker = await self._checker_started()
        try:
            cluster = await self._cluster_id()
            known = await checker.topics()
            parts = [TopicPartition(t, p) for t, p in self._written if t in known]
            ends = await checker.end_offsets(parts) if parts else {}
        except Exception:
            await self._close_checker()
            raise
        now = {
            key: ends.get(TopicPartition(*key), -1) if key[0] in known else -1
            for key in self._written
        }
        kept = all(now[key] >= seen for key, seen in self._written.items())
        if self._cluster is not None and cluster != self._cluster:
            kept = False  # another cluster: the local broker started again, empty
        if not kept and self._since is not None:
            await self._replay(self._since)
        else:
            self._written = now

    async def _checker_started(self) -> AIOKafkaConsumer:
        if self._checker is None:
            checker = AIOKafkaConsumer(
                **client_kwargs(self.security),
                bootstrap_servers=self.bootstrap,
                client_id=f"{self.service}-relay-check",
                enable_auto_commit=False,
                request_timeout_ms=5_000,
            )
            await checker.start()
            self._checker = checker
        return self._checker

    async def _cluster_id(self) -> str | None:
        """The broker's cluster id (Metadata v2 and later), None if it gives none."""
        checker = await self._checker_started()
        client = checker._client  # aiokafka has no public call for the cluster id
        try:
            response = await client.send(client.get_random_node(), MetadataRequest([]))
        except Exception:
            await self._close_checker()
            raise
        return getattr(response, "cluster_id", None)

    async def _close_checker(self) -> None:
        checker, self._checker = self._checker, None
        if checker is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(checker.stop(), 5)

    async def _replay(self, since: datetime) -> None:
        """Publish again every row published since `since` (to a broker that lost them); the
        next batch starts the new broker's record."""
        await self._flush_marks_quietly()
        count = await asyncio.to_thread(self._unpublish_since, since)
        self._after = 0
        self._since = None
        self._cluster = None
        self._written = {}
        self.replayed_total += count
        log.warning("relay_broker_lost_events", since=since.isoformat(), republishing=count)

    def _unpublish_since(self, since: datetime) -> int:
        table = table_of(OutboxEvent)
        stmt = (
            update(table)
            .where(table.c.published_at.is_not(None), table.c.published_at >= since)
            .values(published_at=None)
        )
        with write_lock(self.engine), self.engine.begin() as conn:
            return int(conn.execute(stmt).rowcount or 0)

    def _fetch(self) -> list[Row[Any]]:
        table = table_of(OutboxEvent)  # plain rows, no ORM objects
        stmt = (
            select(table.c.seq, table.c.key, table.c.topic, table.c.headers, table.c.payload)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.seq)
            .limit(self.batch_size)
        )
        if self.engine.dialect.name != "postgresql":
            with self.engine.connect() as conn:
                return list(conn.execute(stmt.where(table.c.seq > self._after)).all())
        conn = self.engine.connect()
        try:
            conn.begin()
            rows = list(conn.execute(stmt.with_for_update(skip_locked=True)).all())
            rows = _in_key_order(conn, rows)
        except BaseException:
            conn.close()
            raise
        if rows:
            self._claim = conn
        else:
            conn.close()
        return rows

    def _release_claim(self) -> None:
        """End the claiming transaction (a rollback if the batch was not marked): the rows it
        held, sent or not, are free for any relay again."""
        conn, self._claim = self._claim, None
        if conn is not None:
            conn.close()

    def _mark_sent(self, seqs: list[int]) -> None:
        table = table_of(OutboxEvent)
        stmt = (
            update(table)
            .where(table.c.seq.in_(seqs))
            .values(published_at=clock.now(), attempts=table.c.attempts + 1)
        )
        if self._claim is not None:  # PostgreSQL: in the transaction that holds the rows
            self._claim.execute(stmt)
            self._claim.commit()
            return
        with write_lock(self.engine), self.engine.begin() as conn:
            conn.execute(stmt)

    def _flush_marks(self) -> None:
        seqs, self._unmarked = self._unmarked, []
        self._marked_at = time.monotonic()
        if seqs:
            try:
                self._mark_sent(seqs)
            except BaseException:
                self._unmarked = seqs + self._unmarked
                raise

    async def _flush_marks_quietly(self) -> None:
        try:
            await asyncio.to_thread(self._flush_marks)
        except Exception as exc:  # the database is down too: the rows are sent again later
            log.warning("relay_mark_failed", error=str(exc))
            self._unmarked.clear()

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self.build_producer()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            self.connected = True
            log.info("relay_connected", bootstrap=self.bootstrap)
        return self._producer

    def build_producer(self) -> AIOKafkaProducer:
        """The relay's producer, not yet connected."""
        return new_producer(
            self.bootstrap,
            client_id=f"{self.service}-relay",
            security=self.security,
            idempotent=self.idempotent_producer,
        )

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception:  # a producer to a dead broker may fail to flush; rows stay unsent
                pass

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        self._wake.clear()
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    def pending(self) -> int:
        return self.lag()[0]

    def lag(self) -> tuple[int, float]:
        """(rows not yet published, seconds the oldest of them has waited)."""
        with Session(self.engine) as session:
            stmt = select(func.count(), func.min(col(OutboxEvent.created_at))).where(
                col(OutboxEvent.published_at).is_(None)
            )
            row = session.execute(stmt).one()
        count: int = row[0]
        oldest: datetime | None = row[1]
        if oldest is None:
            return int(count), 0.0
        if oldest.tzinfo is None:  # SQLite keeps no zone: the column is written in UTC
            oldest = oldest.replace(tzinfo=UTC)
        return int(count), max(0.0, (clock.now() - oldest).total_seconds())


def _in_key_order(conn: Connection, rows: list[Row[Any]]) -> list[Row[Any]]:
    """The claimed rows that may be sent now: a row waits while an earlier unpublished row of its
    key is held by another relay (SKIP LOCKED passed over it), so each household's events reach
    Kafka in order. The relay holding a key's earliest row always sends it: no key starves."""
    keys = {r.key for r in rows if r.key is not None}
    if not keys:
        return rows
    table = table_of(OutboxEvent)
    claimed = [r.seq for r in rows]
    held_elsewhere: dict[str, int] = dict(
        conn.execute(
            select(table.c.key, func.min(table.c.seq))
            .where(
                table.c.published_at.is_(None),
                table.c.key.in_(keys),
                table.c.seq < max(claimed),
                table.c.seq.not_in(claimed),
            )
            .group_by(table.c.key)
        ).all()
    )
    if not held_elsewhere:
        return rows
    return [r for r in rows if r.key is None or r.seq < held_elsewhere.get(r.key, r.seq + 1)]
