"""Helpers for bus tests: two service databases, a relay and a consumer on a real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import ColumnElement
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from services.medical.models import RegistryPerson
from shared.bus.outbox import publish
from shared.bus.tables import DeadLetter, OutboxEvent, ProcessedEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.registry import PersonRegistered
from shared.ids import make_resident_id
from shared.migrations import upgrade


def migrated_engine(service: str, template: str) -> Engine:
    url = template.replace("{service}", service)
    upgrade(service, url)
    return make_engine(url)


def person_event(i: int, household: str | None = None) -> PersonRegistered:
    """A distinct person for every i (up to millions): birth day and sequence vary with i."""
    born = date(1940, 1, 1) + timedelta(days=(i // 500) % 25_000)
    return PersonRegistered(
        person_id=str(uuid.uuid4()),
        household_id=household or f"H{i // 3}",
        id_number=make_resident_id("532325", born, i % 500, "F"),
        name=f"居民{i}",
        sex="F",
        birth_date=born,
        county_code="532325",
        township_code="532325100",
        village_code="532325100201",
        poverty_status=PovertyStatus.not_exited,
    )


def write_events(engine: Engine, events: list[PersonRegistered], prefix: str) -> None:
    """One committed transaction, as a request handler would write it."""
    with Session(engine) as session:
        for event in events:
            publish(
                session,
                event,
                service="enrollment",
                key=event.household_id,
                subject=event.person_id,
                topic_prefix=prefix,
            )
        session.commit()


def count(engine: Engine, model: type, *where: ColumnElement[bool]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def people(engine: Engine) -> int:
    return count(engine, RegistryPerson)


def processed(engine: Engine) -> int:
    return count(engine, ProcessedEvent)


def dead_letters(engine: Engine) -> int:
    return count(engine, DeadLetter)


def unpublished(engine: Engine) -> int:
    return count(engine, OutboxEvent, col(OutboxEvent.published_at).is_(None))


async def wait_until(
    predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await asyncio.to_thread(predicate):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def produce_raw(bootstrap: str, topic: str, messages: list[tuple]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 20) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found) < expected and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found
