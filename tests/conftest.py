"""Fixtures for real parts: a Kafka-protocol broker and PostgreSQL.

Integration tests use TEST_KAFKA_BOOTSTRAP_SERVERS / TEST_DATABASE_URL when given; otherwise,
where a Docker engine answers, PostgreSQL and Apache Kafka containers (testcontainers,
tests/support/containers.py), and without one the local Tansu broker and a throwaway PostgreSQL
cluster. In CI a missing PostgreSQL fails the run instead of skipping."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from deploy.broker import LocalBroker
from deploy.postgres import LocalPostgres, database_url
from shared import SERVICES
from shared.db import drop_database, make_engine
from shared.migrations import upgrade
from tests.support.app import BACKENDS
from tests.support.containers import in_container, kafka_container, postgres_container


def _must_have_postgres() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with ExitStack() as stack:
        url = in_container(stack, postgres_container)
        if url is not None:
            yield url
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
    with ExitStack() as stack:
        bootstrap = in_container(stack, kafka_container)
        if bootstrap is not None:
            yield bootstrap
            return
    with LocalBroker() as local:
        yield local.bootstrap


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every service's SQLite database, migrated once per test session; tests copy the files."""
    directory = tmp_path_factory.mktemp("migrated")
    for service in SERVICES:
        upgrade(service, f"sqlite:///{directory}/{service}.db")
    return directory


@pytest.fixture(scope="session")
def migrated_postgres(pg_admin_url: str) -> Iterator[tuple[str, dict[str, Engine]]]:
    """Every service's PostgreSQL database, migrated once per test session (per worker), with an
    engine each; a test empties them (`db_template`) instead of building new ones."""
    template = _pg_template(pg_admin_url, f"t_{uuid.uuid4().hex[:8]}")
    engines: dict[str, Engine] = {}
    for service in SERVICES:
        upgrade(service, template.format(service=service))
        engines[service] = make_engine(template.format(service=service))
    yield template, engines
    for service, engine in engines.items():
        engine.dispose()
        drop_database(template.format(service=service))


# Empties every table that has a row (alembic's own excepted) and restarts its sequences: one
# round trip per database; a table the test never wrote costs one index probe.
_EMPTY_TABLES = """
DO $$
DECLARE t text; used text[] := '{}'; has_row boolean;
BEGIN
  FOR t IN SELECT quote_ident(tablename) FROM pg_tables
           WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || t || ')' INTO has_row;
    IF has_row THEN used := used || t; END IF;
  END LOOP;
  IF array_length(used, 1) > 0 THEN
    EXECUTE 'TRUNCATE ' || array_to_string(used, ', ') || ' RESTART IDENTITY CASCADE';
  END IF;
END $$;
"""


@pytest.fixture(params=BACKENDS)
def db_template(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL template with `{service}`: every service's database, migrated and empty for
    each test. SQLite: a copy of the session's migrated files; PostgreSQL: the session's
    databases, emptied before the test."""
    if request.param == "sqlite":
        source = request.getfixturevalue("migrated_sqlite")
        for service in SERVICES:
            shutil.copyfile(source / f"{service}.db", tmp_path / f"{service}.db")
        yield f"sqlite:///{tmp_path}/{{service}}.db"
        return
    template, engines = request.getfixturevalue("migrated_postgres")
    for engine in engines.values():
        with engine.begin() as conn:
            conn.execute(text(_EMPTY_TABLES))
    yield template


def _pg_template(admin: str, prefix: str) -> str:
    # Built with a plain marker: a URL object would percent-encode the braces.
    return database_url(admin, f"{prefix}_SERVICEMARK").replace("SERVICEMARK", "{service}")


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}."


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Combinations that do not exist are not collected, rather than collected and skipped: the
    "no process lock" variant of the concurrency tests is SQLite's (PostgreSQL takes none)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        absent = params.get("process_lock") == "no process lock" and params.get(
            "db_template"
        ) not in (None, "sqlite")
        (dropped if absent else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
