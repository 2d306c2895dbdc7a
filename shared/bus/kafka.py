"""Kafka plumbing on aiokafka: clients with our defaults, topic creation, reachability.

Every client is built with `client_kwargs(security)`, so all of them authenticate the same way
(SASL/SCRAM when the settings ask for it; deploy/KAFKA.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr

from shared.logging import get_logger
from shared.settings import Settings

log = get_logger("bus.kafka")
NO_PASSWORD = SecretStr("")


@dataclass(frozen=True)
class KafkaSecurity:
    """How a client authenticates to the broker; the default is no authentication (PLAINTEXT)."""

    protocol: str = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: SecretStr = NO_PASSWORD  # SecretStr: never printed in full
    cafile: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaSecurity:
        return cls(
            protocol=settings.kafka_security_protocol,
            mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            cafile=settings.kafka_ssl_cafile,
        )


def client_kwargs(security: KafkaSecurity | None) -> dict[str, Any]:
    """Connection arguments shared by every aiokafka producer, consumer and admin client."""
    if security is None or security.protocol == "PLAINTEXT":
        return {"security_protocol": "PLAINTEXT"}
    kwargs: dict[str, Any] = {
        "security_protocol": security.protocol,
        "sasl_mechanism": security.mechanism,
        "sasl_plain_username": security.username,
        "sasl_plain_password": security.password.get_secret_value(),
    }
    if security.protocol == "SASL_SSL":
        # Verifies the broker's certificate and host name against the CA file (or system CAs).
        cafile = str(security.cafile) if security.cafile is not None else None
        kwargs["ssl_context"] = create_ssl_context(cafile=cafile)
    return kwargs


def new_producer(
    bootstrap: str,
    client_id: str,
    security: KafkaSecurity | None = None,
    *,
    idempotent: bool = False,
) -> AIOKafkaProducer:
    # acks=all: an event counts as sent only once the broker has it (and idempotence needs it).
    # Idempotence (KAFKA_IDEMPOTENT_PRODUCER) keeps a retried send from being written twice; the
    # local development broker does not support it, so it is off by default and duplicates after
    # a retry are absorbed by consumers.
    return AIOKafkaProducer(
        **client_kwargs(security),
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        max_batch_size=1_048_576,
    )


def new_consumer(
    bootstrap: str,
    group_id: str,
    topics: Iterable[str],
    security: KafkaSecurity | None = None,
) -> AIOKafkaConsumer:
    # Offsets are committed by us, after the effects are committed in the database.
    return AIOKafkaConsumer(
        *topics,
        **client_kwargs(security),
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


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int,
    security: KafkaSecurity | None = None,
    replication_factor: int = 1,
) -> None:
    """Create missing topics (the production broker has auto-creation off), each partition on
    `replication_factor` brokers (KAFKA_REPLICATION_FACTOR)."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(
        **client_kwargs(security), bootstrap_servers=bootstrap, request_timeout_ms=5_000
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            t, num_partitions=partitions, replication_factor=replication_factor
                        )
                        for t in missing
                    ]
                )
                log.info("topics_created", topics=missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def broker_reachable(
    bootstrap: str, wait_s: float = 2.0, security: KafkaSecurity | None = None
) -> bool:
    admin = AIOKafkaAdminClient(
        **client_kwargs(security),
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(wait_s * 1000),
    )
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
