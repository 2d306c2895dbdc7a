"""Fixtures for real parts: a Kafka-protocol broker and PostgreSQL.

Integration tests use TEST_KAFKA_BOOTSTRAP_SERVERS / TEST_DATABASE_URL when given; otherwise they
start the local Tansu broker and a throwaway PostgreSQL cluster themselves. In CI a missing
PostgreSQL fails the run instead of skipping."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from deploy.broker import LocalBroker
from deploy.postgres import LocalPostgres, database_url
from shared import SERVICES
from shared.auth import Role, mint_token
from shared.db import drop_database
from shared.settings import Settings

BACKENDS = ("sqlite", "postgresql")


def _must_have_postgres() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    pg = LocalPostgres()
    if not pg.available:
        if _must_have_postgres():
            pytest.fail("PostgreSQL is required here but no server binaries were found")
        pytest.skip("no PostgreSQL server binaries on this machine")
    pg.start()
    try:
        yield pg.url
    finally:
        pg.stop()


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    given = os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    with LocalBroker() as local:
        yield local.bootstrap


@pytest.fixture(params=BACKENDS)
def db_template(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL template with `{service}`: a fresh database per service, per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/{{service}}.db"
        return
    admin = request.getfixturevalue("pg_admin_url")
    tag = uuid.uuid4().hex[:8]
    # Built with a plain marker: a URL object would percent-encode the braces.
    template = database_url(admin, f"t_{tag}_SERVICEMARK").replace("SERVICEMARK", "{service}")
    yield template
    for service in SERVICES:
        drop_database(template.replace("{service}", service))


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}."


def make_settings(service: str, db_template: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "service_name": service,
        "app_env": "test",
        "database_url": db_template,
        "log_json": True,
        "relay_poll_interval_s": 0.05,
        "consumer_retry_backoff_s": 0.05,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def token(
    settings: Settings, *roles: Role | str, scope: str = "532325", sub: str = "tester"
) -> dict[str, str]:
    value = mint_token(settings, subject=sub, roles=list(roles), scope=scope)
    return {"Authorization": f"Bearer {value}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (migrations, relay, consumers) and give an in-process client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
