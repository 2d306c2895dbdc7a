"""Kafka plumbing on aiokafka: clients with our defaults, topic creation, reachability."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.logging import get_logger

log = get_logger("bus.kafka")


def new_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    # acks=all: an event counts as sent only once the broker has it. The local broker does not
    # support idempotent producers; duplicates after a retry are absorbed by consumers.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        max_batch_size=1_048_576,
    )


def new_consumer(bootstrap: str, group_id: str, topics: Iterable[str]) -> AIOKafkaConsumer:
    # Offsets are committed by us, after the effects are committed in the database.
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        metadata_max_age_ms=2_000,
        request_timeout_ms=15_000,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
        retry_backoff_ms=200,
        max_poll_records=1_000,
    )


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int) -> None:
    """Create missing topics (the production broker has auto-creation off)."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
                log.info("topics_created", topics=missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, wait_s: float = 2.0) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_s * 1000))
    try:
        await asyncio.wait_for(admin.start(), wait_s)
        await asyncio.wait_for(admin.list_topics(), wait_s)
        return True
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        try:
            await admin.close()
        except Exception:  # a client that never connected may fail to close; nothing to release
            pass
