"""One idempotency model on every write: a repeat with the same `Idempotency-Key` and request
gets the original answer with its original status, the key sent with another request is a 409,
and twenty copies of one request sent at once have one effect and one answer."""

from __future__ import annotations

import asyncio
import importlib
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from services.medical.main import build_app as medical_app
from services.medical.stays.models import HospitalStay
from shared import SERVICES, clock
from shared.db import make_engine, table_of
from shared.idempotency.store import claim, renew
from shared.idempotency.tables import IdempotentRequest
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.concurrent import TIMES
from tests.support.medical_outpatient import POOR, seed

pytestmark = pytest.mark.integration

WRITES = ("post", "put", "patch", "delete")


def _stay(**over: Any) -> dict[str, Any]:
    return {
        "claim_id": "K-1", "id_number": POOR, "county_code": "532325", "hospital_level": 2,
        "admin_level": "county", "admission": "2018-03-01", "discharge": "2018-03-10",
        "referral_compliant": True, "total_cost": "3000.00", "covered_cost": "2700.00",
        "diagnosis_codes": ["I63.9"], **over,
    }  # fmt: skip


def _stays(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = len(s.exec(select(HospitalStay)).all())
    engine.dispose()
    return n


async def test_a_repeat_gets_the_first_answer_and_status(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        keyed = {**hospital, "Idempotency-Key": "stay-K-1"}
        first = await client.post("/v1/hospitalizations", json=_stay(), headers=keyed)
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        again = await client.post("/v1/hospitalizations", json=_stay(), headers=keyed)
        # The original status, not the 200 a repeat without a key gets.
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["content-type"] == first.headers["content-type"]
        assert _stays(settings.database_url) == 1

        other = await client.post(
            "/v1/hospitalizations", json=_stay(total_cost="3100.00"), headers=keyed
        )
        assert other.status_code == 409
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"

        # Keys belong to the caller: another hospital's key of the same name is its own.
        second = token(settings, Role.hospital, sub="hospital-B")
        theirs = await client.post(
            "/v1/hospitalizations",
            json=_stay(claim_id="K-2"),
            headers={**second, "Idempotency-Key": "stay-K-1"},
        )
        assert theirs.status_code == 201, theirs.text
        assert "idempotent-replayed" not in theirs.headers


async def test_a_refusal_is_kept_as_well(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        keyed = {**hospital, "Idempotency-Key": "bad-dates"}
        body = _stay(discharge="2018-02-01")
        first = await client.post("/v1/hospitalizations", json=body, headers=keyed)
        assert first.status_code == 422
        again = await client.post("/v1/hospitalizations", json=body, headers=keyed)
        assert (again.status_code, again.json()) == (422, first.json())
        assert again.headers["idempotent-replayed"] == "true"


async def test_twenty_at_once_with_one_key_have_one_effect(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        keyed = {**hospital, "Idempotency-Key": "once"}
        answers = await asyncio.gather(
            *(
                client.post("/v1/hospitalizations", json=_stay(), headers=keyed)
                for _ in range(TIMES)
            )
        )
        assert [a.status_code for a in answers] == [201] * TIMES, [a.text for a in answers]
        assert len({a.text for a in answers}) == 1
        assert sum(1 for a in answers if "idempotent-replayed" not in a.headers) == 1
        assert _stays(settings.database_url) == 1


async def test_a_key_is_visible_ascii(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(medical_app(settings)) as client:
        for bad in ("", "with space", "x" * 256):
            answer = await client.post(
                "/v1/hospitalizations", json=_stay(), headers={**hospital, "Idempotency-Key": bad}
            )
            assert answer.status_code == 400, bad
            assert answer.json()["errors"][0]["field"] == "header.Idempotency-Key"
        assert _stays(settings.database_url) == 0


def _path(path: str) -> str:
    # Any value that fits a path parameter: the answer is what it is, the repeat must match it.
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_write_route_replays_and_refuses_a_reused_key(
    service: str, db_template: str
) -> None:
    """Each write operation in the service's document, sent twice with one key, answers the
    same twice; the key with another body is a 409. (Most answers here are 422 or 404: the
    bodies are empty; the flows above show the same for answers that create.)"""
    settings = make_settings(service, db_template, bus_enabled=False)
    app = importlib.import_module(f"services.{service}.main").build_app(settings)
    admin = token(settings, Role.admin, scope="")
    async with running(app) as client:
        operations = [
            (method, _path(path))
            for path, item in app.openapi()["paths"].items()
            for method in item
            if method in WRITES
        ]
        assert operations
        failures = []
        for n, (method, path) in enumerate(operations):
            headers = {**admin, "Idempotency-Key": f"route-{n}"}
            first = await client.request(method, path, json={}, headers=headers)
            again = await client.request(method, path, json={}, headers=headers)
            other = await client.request(method, path, json={"x": 1}, headers=headers)
            if first.status_code >= 500:
                failures.append(f"{method} {path}: {first.status_code}")
            elif (again.status_code, again.content) != (first.status_code, first.content):
                failures.append(f"{method} {path}: {first.status_code} then {again.status_code}")
            elif again.headers.get("idempotent-replayed") != "true":
                failures.append(f"{method} {path}: repeat not marked as replayed")
            elif other.status_code != 409:
                failures.append(f"{method} {path}: reused key answered {other.status_code}")
        assert not failures, failures


async def test_a_claim_of_a_dead_process_is_taken_over_in_seconds(db_template: str) -> None:
    """The process that claimed a key died between its commit and keeping the answer: its claim
    is not renewed, and the repeat runs in its place once it is stale (10 s), answered as the
    route answers a repeat, not a 409 "in progress" for minutes. A running request renews its
    claim, so that its repeat waits for it instead."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        keyed = {**hospital, "Idempotency-Key": "crashed"}
        first = await client.post("/v1/hospitalizations", json=_stay(), headers=keyed)
        assert first.status_code == 201
        engine = make_engine(settings.database_url)
        table = table_of(IdempotentRequest)
        where = (table.c.subject == "hospital-A", table.c.key == "crashed")
        crashed_at = clock.now() - timedelta(seconds=11)
        with engine.begin() as conn:
            conn.execute(
                table.update().where(*where).values(state="pending", created_at=crashed_at)
            )
        again = await client.post("/v1/hospitalizations", json=_stay(), headers=keyed)
        assert again.status_code == 200, again.text  # the route's answer to a repeat
        assert again.json()["claim_id"] == "K-1" and _stays(settings.database_url) == 1

        fingerprint = "f" * 64
        args = (engine, "hospital-A", "alive", fingerprint, "POST", "/x", timedelta(seconds=10))
        assert claim(*args) == "new"
        with engine.begin() as conn:
            conn.execute(table.update().where(table.c.key == "alive").values(created_at=crashed_at))
        renew(engine, "hospital-A", "alive")
        assert claim(*args) == "pending"
        engine.dispose()
