"""Every route of the four services × every role × in-scope and out-of-scope tokens, against the
services' access policies (services/*/access_policy.py, enforced by shared.access), and the
audit walk: every row the matrix's requests add to a table is in the service's audit trail.

Each service runs in process on its own database with a few records in village 532325100201
(township 532325100, county 532325), created through its own HTTP API or, for the registry
read models, its read-model table, as the other integration tests do. Tokens: the county
532325 in scope, 520324 another county; township and village staff 532325100 / 532325100201 in
scope, 532325101 / 532325101202 (the same county's other township) and 520324's out of scope.
What each answer must be is in tests/support/matrix.py.

The test fails when an operation of the OpenAPI has no rule or a rule names no operation. It
runs on SQLite only: the matrix is about who gets through, which the database does not change,
and some 4,000 requests on PostgreSQL would take minutes per service."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.employment.main import build_app as employment_app
from services.enrollment.main import build_app as enrollment_app
from services.medical.main import build_app as medical_app
from services.welfare.main import build_app as welfare_app
from shared.access import AccessPolicy
from tests.support.app import make_settings, running
from tests.support.audit_walk import audited_inserts, last_seq, table_rows, unaudited
from tests.support.matrix import (
    BODY_BOUND,
    NAMES,
    PERSON_IDS,
    SERVICES,
    WELFARE_TODAY,
    Outcome,
    coverage,
    run_matrix,
)

pytestmark = pytest.mark.integration

MARKERS = [*NAMES, *NAMES.values(), *PERSON_IDS.values()]


def policy_of(app: FastAPI) -> AccessPolicy:
    policy: AccessPolicy = app.state.access_policy
    return policy


@pytest.mark.parametrize("service", ["enrollment", "medical", "employment", "welfare"])
def test_every_operation_has_a_rule_and_every_rule_an_operation(service: str) -> None:
    build = {
        "enrollment": enrollment_app,
        "medical": medical_app,
        "employment": employment_app,
        "welfare": welfare_app,
    }[service]
    app = build(make_settings(service, "sqlite://", bus_enabled=False))
    missing, stale = coverage(app.openapi(), policy_of(app))
    assert not missing, f"operations without an access rule: {sorted(missing)}"
    assert not stale, f"access rules naming no operation: {sorted(stale)}"


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_access_matrix(service: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.welfare import clock

    monkeypatch.setattr(clock, "today", lambda: WELFARE_TODAY)
    build, seeder = SERVICES[service]
    template = f"sqlite:///{tmp_path}/{{service}}.db"
    settings = make_settings(service, template, bus_enabled=False)
    app = build(settings)
    url = template.replace("{service}", service)
    async with running(app) as client:
        calls = await seeder(client, settings, url)
        spec = app.openapi()
        seen: list[Outcome] = []
        rows_before, seq_before = table_rows(url), last_seq(url, service)
        failures = await run_matrix(client, settings, policy_of(app), spec, calls, MARKERS, seen)
    # The audit walk: every row the matrix's requests added is in the audit trail.
    silent = unaudited(rows_before, table_rows(url), audited_inserts(url, service, seq_before))
    assert not silent, "rows written without an audit entry:\n" + "\n".join(silent)
    # Every operation got through at least once in scope: a matrix of refusals and 422s alone
    # would say nothing of the jurisdiction.
    through = {o.op.key for o in seen if o.kind == "in_scope" and o.status < 400}
    never = {o.op.key for o in seen if o.kind == "in_scope"} - BODY_BOUND - through
    assert not never, f"never got through in scope: {sorted(never)}"
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)
