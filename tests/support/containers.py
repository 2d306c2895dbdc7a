"""The tests' real parts in containers where a Docker engine is available (testcontainers:
PostgreSQL, and Apache Kafka in KRaft mode as Confluent's community image packages it); without
one, the embedded ones (deploy.postgres, deploy.broker) run the same tests.

`TEST_CONTAINERS=off` keeps the embedded parts even with an engine (a quicker local run);
`TEST_DATABASE_URL` and `TEST_KAFKA_BOOTSTRAP_SERVERS` name servers of one's own and win over
both."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

POSTGRES_IMAGE = "postgres:16-alpine"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"  # Apache Kafka 3.6; KRaft, no ZooKeeper


def docker_engine() -> bool:
    """A Docker engine answers (DOCKER_HOST, or the local socket), and containers are wanted."""
    if os.environ.get("TEST_CONTAINERS", "auto").lower() in ("off", "0", "no"):
        return False
    try:
        import docker  # type: ignore[import-untyped]  # no stubs shipped
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no socket, refused, not a Docker API: the embedded parts
        return False


@contextmanager
def postgres_container() -> Iterator[str]:
    """A PostgreSQL server in a container: its admin URL (psycopg 3)."""
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer(
        POSTGRES_IMAGE, username="postgres", password="postgres", dbname="postgres",
        driver="psycopg",
    )  # fmt: skip
    with container as pg:
        yield pg.get_connection_url()


@contextmanager
def kafka_container() -> Iterator[str]:
    """An Apache Kafka broker (KRaft) in a container: its bootstrap address."""
    from testcontainers.community.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        yield kafka.get_bootstrap_server()


def in_container(stack: ExitStack, start: Callable[[], AbstractContextManager[str]]) -> str | None:
    """The part's address from a container kept open on `stack`, or None: no engine, or the
    container could not start (an image that cannot be pulled): the embedded part then runs
    the same tests, with a warning saying why."""
    if not docker_engine():
        return None
    try:
        return stack.enter_context(start())
    except Exception as exc:  # the engine answered but the container did not come up
        warnings.warn(f"container not started ({exc}); using the embedded part", stacklevel=2)
        return None
