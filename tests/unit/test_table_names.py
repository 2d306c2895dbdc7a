"""All four services' models live in one SQLModel metadata when imported together (tests, the
launcher): a table name may be used by one service only, except the bus tables, the kept
answers of idempotent requests, the counties' parameter sets (for the service's own
parameters) and the adjustments of decisions they recalculated, which every service (that
recalculates) owns a copy of in its own database."""

from __future__ import annotations

import importlib

from shared import SERVICES
from shared.bus.tables import BUS_TABLES
from shared.idempotency.tables import IDEMPOTENCY_TABLE
from shared.policy.publication.tables import PUBLICATION_TABLE
from shared.policy.recalculation.tables import ADJUSTMENT_TABLE


def test_table_names_are_unique_across_services() -> None:
    owners: dict[str, list[str]] = {}
    for service in SERVICES:
        for table in importlib.import_module(f"services.{service}.models").TABLES:
            owners.setdefault(table, []).append(service)
    shared = {t: s for t, s in owners.items() if len(s) > 1}
    assert set(shared) <= {*BUS_TABLES, IDEMPOTENCY_TABLE, PUBLICATION_TABLE, ADJUSTMENT_TABLE}
    assert set(shared) >= {*BUS_TABLES, IDEMPOTENCY_TABLE, PUBLICATION_TABLE}, shared
