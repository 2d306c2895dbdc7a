"""The write walk, on SQLite and PostgreSQL: every write route of the four services, with the
access matrix's real request on its seeded records (most of them create or pay), sent twice under
one `Idempotency-Key` by a role in scope.

- The repeat is the first answer, status, body and all, marked as replayed (one idempotency
  model on every route). A first answer may be a refusal only where the matrix's records are
  past the step (BODY_BOUND) or the step is another officer's.
- Every row the walk added to a table is in the service's audit trail (audit complete by
  construction, whatever the statement form and database).

The access matrix (test_access_matrix.py) sends every role's requests and runs on SQLite only;
this walk sends one role's, so it runs on both databases."""

from __future__ import annotations

import pytest

from services.welfare import clock
from tests.support.app import make_settings, running
from tests.support.audit_walk import audited_inserts, last_seq, table_rows, unaudited
from tests.support.matrix import (
    BODY_BOUND,
    SERVICES,
    STEP_REFUSALS,
    WELFARE_TODAY,
    Call,
    operations,
    plan,
    send,
)

pytestmark = pytest.mark.integration

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_write_route_replays_its_answer_and_audits_its_rows(
    service: str, db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: WELFARE_TODAY)
    build, seeder = SERVICES[service]
    settings = make_settings(service, db_template, bus_enabled=False)
    url = settings.database_url
    app = build(settings)
    async with running(app) as client:
        calls = await seeder(client, settings, url)
        policy = app.state.access_policy
        rules = policy.all_rules()
        writes = [
            op
            for op in operations(app.openapi())
            if op.method in WRITES and not rules[op.key].public
        ]
        rows_before, seq_before = table_rows(url), last_seq(url, service)
        failures, created = [], 0
        for n, op in enumerate(writes):
            role, scope, _ = next(p for p in plan(policy, op) if p[2] == "in_scope")
            call, key = calls.get(op.key, Call()), {"Idempotency-Key": f"walk-{n}"}
            first = await send(client, settings, op, call, role, scope, key)
            again = await send(client, settings, op, call, role, scope, key)
            name = f"{op.method} {op.path}: {first.status_code}"
            if (again.status_code, again.content) != (first.status_code, first.content):
                failures.append(f"{name} then {again.status_code} {again.text[:120]}")
            elif again.headers.get("idempotent-replayed") != "true":
                failures.append(f"{name}, repeat not marked as replayed")
            elif first.status_code < 300:
                created += 1
            elif op.key not in BODY_BOUND and not (
                first.status_code == 403 and any(r in first.text for r in STEP_REFUSALS)
            ):
                failures.append(f"{name} {first.text[:400]}")
    assert not failures, "\n".join(failures)
    assert created >= len(writes) * 3 // 4, (created, len(writes))
    silent = unaudited(rows_before, table_rows(url), audited_inserts(url, service, seq_before))
    assert not silent, "rows written without an audit entry:\n" + "\n".join(silent)
