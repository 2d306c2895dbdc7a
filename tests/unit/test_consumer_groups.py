"""Consumer groups are declared names, stable across releases (shared.bus.consumer.Subscription).

A group's name keys its Kafka offsets and its dedupe rows: two subscriptions sharing one would
steal each other's events, and a renamed group would start from the earliest record with no
dedupe rows and apply events twice. So the names in use are pinned here; a rename must ship an
Alembic revision of that service calling `rename_consumer_group("old", "new")`."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from shared import REPO_ROOT, SERVICES
from shared.bus import migration_ops
from shared.bus.consumer import Subscription
from shared.bus.tables import DeadLetter, ProcessedEvent
from shared.db import table_of
from shared.events.subscribers import build_subscriptions, handler_names, load_spec

# The consumer groups in use, per service. A new subscription adds its name here (it starts from
# the earliest record, which is what a new consumer of the history wants).
PINNED = {
    "enrollment": {"enrollment", "enrollment-1"},
    "medical": {"medical", "medical-1", "medical-2"},
    "employment": {"employment", "employment-1"},
    "welfare": {"welfare", "welfare-1", "welfare-2"},
}
_RENAME = re.compile(r"rename_consumer_group\(\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")


def declared(service: str) -> list[str]:
    return [sub.group for sub in build_subscriptions(load_spec(service))]


def renames(service: str) -> dict[str, str]:
    """old -> new of every rename shipped in the service's migrations."""
    found: dict[str, str] = {}
    for path in (REPO_ROOT / "services" / service / "migrations" / "versions").glob("*.py"):
        for old, new in _RENAME.findall(path.read_text(encoding="utf-8")):
            found[old] = new
    return found


def test_no_two_subscriptions_share_a_group() -> None:
    names = Counter(name for service in SERVICES for name in declared(service))
    assert [n for n, count in names.items() if count > 1] == []


@pytest.mark.parametrize("service", SERVICES)
def test_group_names_change_only_with_a_migration_of_their_dedupe_rows(service: str) -> None:
    names = set(declared(service))
    moved = renames(service)
    for old in PINNED[service] - names:
        assert moved.get(old) in names, (
            f"consumer group {old!r} of {service} is gone: ship an Alembic revision calling "
            f"rename_consumer_group({old!r}, <new name>) or keep the name"
        )
    unknown = names - PINNED[service] - set(moved.values())
    assert not unknown, f"new consumer groups {sorted(unknown)}: add them to PINNED"


def test_a_group_name_is_the_service_and_a_suffix() -> None:
    Subscription(group="welfare-2", topics=(), handlers={})
    for bad in ("", "welfare_2", "medical.stays", "other"):
        with pytest.raises(ValueError, match="consumer group"):
            Subscription(group=bad, topics=(), handlers={})


def test_rename_moves_the_dedupe_and_dead_letter_rows() -> None:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(
        engine,
        tables=[table_of(ProcessedEvent), table_of(DeadLetter)],
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO processed_event (consumer, event_id, event_type, processed_at) "
                "VALUES ('welfare-2', 'e1', 'x', '2020-01-01'), "
                "('welfare-1', 'e2', 'x', '2020-01-01')"
            )
        )
        with Operations.context(MigrationContext.configure(conn)):
            migration_ops.rename_consumer_group("welfare-2", "welfare-relief")
        rows: dict[str, str] = dict(
            conn.execute(text("SELECT event_id, consumer FROM processed_event")).all()
        )
    assert rows == {"e1": "welfare-relief", "e2": "welfare-1"}


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_are_named_functions(service: str) -> None:
    """A handler is a module-level function or a bound method: its name (in the logs, the
    catalogue and the dead letters) says where it lives, never `<locals>`."""
    names = [
        name
        for sub in build_subscriptions(load_spec(service))
        for handler in sub.handlers.values()
        for name in handler_names(handler)
    ]
    assert names and [n for n in names if "<locals>" in n or "<lambda>" in n] == []
