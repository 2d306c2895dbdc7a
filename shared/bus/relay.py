"""The outbox relay: publishes committed outbox rows to Kafka in order and marks them sent.

A crash between publishing and marking re-sends those rows on restart (at-least-once); consumers
are idempotent, so nothing is done twice. A broker outage leaves the rows waiting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from shared import clock
from shared.bus.kafka import KafkaSecurity, ensure_topics, new_producer
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
        batch_size: int = 500,
        poll_interval_s: float = 0.1,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.engine = engine
        self.service = service
        self.bootstrap = bootstrap
        self.security = security
        self.partitions = partitions
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.connected = False
        self.published_total = 0
        self._producer: AIOKafkaProducer | None = None
        self._known_topics: set[str] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called (thread-safely, via the loop) after a commit that wrote outbox rows."""
        self._wake.set()

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
                await self._close_producer()
                await self._sleep(stop, backoff)
                backoff = min(backoff * 2, 5.0)
        await self._close_producer()

    async def publish_once(self) -> int:
        rows = await asyncio.to_thread(self._fetch)
        if not rows:
            if self._producer is None:
                await self._producer_started()
            return 0
        producer = await self._producer_started()
        topics = {r.topic for r in rows} - self._known_topics
        if topics:
            await ensure_topics(self.bootstrap, topics, self.partitions, self.security)
            self._known_topics |= topics
        futures = []
        for row in rows:
            key, value, headers = Envelope(**row.headers, data=json.loads(row.payload)).to_kafka()
            futures.append(await producer.send(row.topic, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)
        await asyncio.to_thread(self._mark_sent, [r.seq for r in rows])
        self.connected = True
        self.published_total += len(rows)
        return len(rows)

    def _fetch(self) -> list[Row[Any]]:
        table = table_of(OutboxEvent)  # plain rows, no ORM objects
        stmt = (
            select(table.c.seq, table.c.topic, table.c.headers, table.c.payload)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.seq)
            .limit(self.batch_size)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).all())

    def _mark_sent(self, seqs: list[int]) -> None:
        with write_lock(self.engine), Session(self.engine) as session:
            session.exec(
                update(OutboxEvent)
                .where(col(OutboxEvent.seq).in_(seqs))
                .values(published_at=clock.now(), attempts=OutboxEvent.attempts + 1)
            )
            session.commit()

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = new_producer(
                self.bootstrap, client_id=f"{self.service}-relay", security=self.security
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            self.connected = True
            log.info("relay_connected", bootstrap=self.bootstrap)
        return self._producer

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
        from sqlalchemy import func

        with Session(self.engine) as session:
            stmt = select(func.count()).where(col(OutboxEvent.published_at).is_(None))
            return int(session.execute(stmt).scalar_one())
