"""Hostile input over HTTP and on the bus, on SQLite and PostgreSQL: oversized uploads (413,
nothing written), wrong content types (415 / 422, nothing written), spreadsheet formula
injection in exports (cells starting with = + - @ come out quoted), path traversal in upload
names (only the base name is kept, nothing is written outside the database), and duplicate and
out-of-order events (no error, no dead letter, the effect applied once).

What each consumer does with events out of order (there is no ordering guard beyond Kafka's
per-household key order): a registry event carries the person's whole state and is upserted, so
person.updated before person.registered creates the person and the late registration rewrites
the same facts; a dibao or 特困 decision sets the person's flag, so dibao_ended before any grant
records "not on dibao" for a person the registry may not know yet, funds nothing, and a later
grant sets it. A redelivered event id changes nothing (processed_event)."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from aiokafka import ConsumerRecord
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlmodel import Session

from services.employment import clock as employment_clock
from services.employment.census.models import LabourCensusPerson
from services.employment.main import build_app as employment_app
from services.enrollment.main import build_app as enrollment_app
from services.enrollment.models import Household, ImportJob, Person, WelfareStatus
from services.medical.main import build_app as medical_app
from services.medical.models import RegistryPerson as MedicalPerson
from services.welfare.crosscheck.models import CROSSCHECK_TABLES
from services.welfare.main import build_app as welfare_app
from services.welfare.tekun.models import TekunCase
from shared.bus.consumer import ConsumerRunner, Subscription, _Item
from shared.bus.tables import DeadLetter, ProcessedEvent
from shared.db import make_engine
from shared.events.catalogue import parse_data
from shared.events.envelope import Envelope
from shared.events.registry import PersonRegistered, PersonUpdated
from shared.events.welfare import DibaoEnded, DibaoGranted
from shared.roles import Role
from tests.support import employment_census as census
from tests.support import medical_outpatient as outpatient
from tests.support.app import make_settings, running, token
from tests.support.bus import person_event
from tests.support.roster import roster_csv, roster_rows
from tests.support.welfare_tekun import VILLAGE_A
from tests.support.welfare_tekun import seed as seed_welfare

pytestmark = pytest.mark.integration

LIMIT = 4_000  # bytes: settings.max_upload_bytes in these tests
HOSTILE = ('=HYPERLINK("http://x")', "+1+cmd", "-2+3", "@SUM(A1)")


def count(url: str, *models: Any) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        total = sum(s.execute(select(func.count()).select_from(m)).scalar_one() for m in models)
    engine.dispose()
    return total


def problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    return body


async def test_uploads_oversized_wrong_type_and_traversal(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False, max_upload_bytes=LIMIT)
    auth = token(settings, Role.county_poverty)
    url = settings.database_url
    async with running(enrollment_app(settings)) as client:
        big = roster_csv(roster_rows(80))
        assert len(big) > LIMIT
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", big)}, headers=auth
        )
        assert "larger than" in problem(resp, 413)["detail"]
        # A picture is not a roster: 415; a JSON body where a file is expected: 422.
        png = ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
        problem(await client.post("/v1/registry/imports", files={"file": png}, headers=auth), 415)
        resp = await client.post("/v1/registry/imports", json={"file": "x"}, headers=auth)
        problem(resp, 422)
        assert count(url, ImportJob, Household, Person) == 0

        # A path in the file name is cut to its base name; nothing but the database is written.
        small = roster_csv(roster_rows(4))
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("../../etc/passwd.csv", small)},
            headers=auth,
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["filename"] == "passwd.csv"
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("..\\..\\windows\\win.ini", small)},
            headers=auth,
        )
        assert resp.status_code == 201 and resp.json()["filename"] == "win.ini.csv"
        assert not await asyncio.to_thread(Path("/etc/passwd.csv").exists)


async def test_other_services_honour_the_upload_limit(db_template: str) -> None:
    big = b"\xef\xbb\xbf" + ("证件号码,劳动能力,有无收入\n" + "x" * (LIMIT + 10)).encode()
    for service, build, path, role in (
        ("employment", employment_app, "/v1/census/imports", Role.county_hrss),
        ("employment", employment_app, "/v1/relocated-households/imports", Role.county_hrss),
        ("welfare", welfare_app, "/v1/crosscheck/facts/imports", Role.county_civil),
    ):
        settings = make_settings(service, db_template, bus_enabled=False, max_upload_bytes=LIMIT)
        async with running(build(settings)) as client:
            resp = await client.post(
                path, files={"file": ("big.csv", big)}, headers=token(settings, role)
            )
            problem(resp, 413)
    assert count(settings.database_url, *CROSSCHECK_TABLES) == 0


async def test_json_endpoint_refuses_other_content_types(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    cadre = token(settings, Role.village_cadre, scope=VILLAGE_A)
    async with running(welfare_app(settings)) as client:
        seed_welfare(settings.database_url, [("p0", "H0", VILLAGE_A[:9], VILLAGE_A)])
        body = '{"person_id": "p0", "self_care": "partial", "assessed_on": "2018-05-20"}'
        for media in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
            resp = await client.post(
                "/v1/tekun/cases",
                content=body.encode(),
                headers={**cadre, "Content-Type": media},
            )
            assert resp.status_code in (415, 422), (media, resp.text)
        resp = await client.post(
            "/v1/tekun/cases",
            content=b"\x00\xff{",
            headers={**cadre, "Content-Type": "application/json"},
        )
        problem(resp, 400)  # not JSON at all
        assert count(settings.database_url, TekunCase) == 0


def _cells(content: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]


async def test_exports_escape_formula_cells(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Employment: the labour census export carries the employer and skills as typed.
    monkeypatch.setattr(employment_clock, "today", lambda: census.TODAY)
    settings = make_settings("employment", db_template, bus_enabled=False)
    county = token(settings, Role.county_hrss, scope=census.COUNTY)
    async with running(employment_app(settings)) as client:
        census.seed(settings.database_url)
        csv_text = (
            census.HEADER
            + f"{census.ADULT},有劳动能力,是,是,{HOSTILE[3]},小学,否,县内,{HOSTILE[0]}\n"
            + f"{census.YOUTH},有劳动能力,是,是,{HOSTILE[1]},初中,否,县内,{HOSTILE[2]}\n"
        )
        resp = await client.post(
            "/v1/census/imports", files={"file": ("c.csv", csv_text.encode())}, headers=county
        )
        assert resp.status_code in (200, 201), resp.text
        assert count(settings.database_url, LabourCensusPerson) == 2
        export = await client.get("/v1/census/export", headers=county)
        assert export.status_code == 200
        cells = _cells(export.content)
        for value in HOSTILE:
            assert "'" + value in cells, value
            assert value not in cells

    # Medical: the general diagnosis fee ledger carries the facility name as reported.
    settings = make_settings("medical", db_template, bus_enabled=False)
    clinic = token(settings, Role.hospital, sub="clinic-1")
    officer = token(settings, Role.county_medical)
    async with running(medical_app(settings)) as client:
        outpatient.seed(settings.database_url)
        for i, name in enumerate(HOSTILE):
            body = outpatient.visit(f"V-{i}", facility_name=name)
            resp = await client.post("/v1/general-diagnosis-fees", json=body, headers=clinic)
            assert resp.status_code == 201, resp.text
        ledger = await client.get(
            "/v1/general-diagnosis-fees/ledger?county=532325&format=xlsx", headers=officer
        )
        assert ledger.status_code == 200
        cells = _cells(ledger.content)
        for value in HOSTILE:
            assert "'" + value in cells and value not in cells, value

    # Enrollment: the reconciliation export carries names from the roster.
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    poverty, hrss = token(settings, Role.county_poverty), token(settings, Role.county_hrss)
    async with running(enrollment_app(settings)) as client:
        rows = roster_rows(4, per_household=4)
        for row, value in zip(rows, HOSTILE, strict=True):
            row[1] = value
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=poverty
        )
        if resp.status_code == 201:  # names the roster accepts reach the export
            export = await client.get(
                "/v1/reconciliation/pension/export",
                params={"year": 2018, "kind": "not_enrolled", "format": "csv"},
                headers=hrss,
            )
            assert export.status_code == 200, export.text
            text = export.content.decode("utf-8-sig")
            for line in text.splitlines()[1:]:
                for cell in line.split(","):
                    assert cell[:1] not in ("=", "+", "-", "@"), line
        else:  # or the roster refuses them as names
            problem(resp, 422)


def _apply(app: Any, service: str, handlers: dict[str, Any], events: list[Any]) -> int:
    """Apply `events` as the app's consumer would, in one batch each, without a broker."""
    runtime = app.state.runtime
    runner = ConsumerRunner(
        runtime.engine,
        policy=runtime.policy,
        publisher=runtime.publisher,
        group=service,
        bootstrap="127.0.0.1:1",
        subscription=Subscription(group=service, topics=(), handlers={}),
        audit_service=service,
    )
    applied = 0
    for event_id, event in events:
        env = Envelope(
            id=event_id, source="test", type=event.event_type, data=event.model_dump(mode="json")
        )
        record = cast(ConsumerRecord[bytes, bytes], None)  # never read: no dead letter here
        item = _Item(record, env, parse_data(env.type, env.data), handlers[env.type])
        applied += runner._apply([item])
    return applied


def _handlers(app: Any) -> dict[str, Any]:
    runtime = app.state.runtime
    return {t: h for s in runtime.spec.subscriptions for t, h in s.handlers.items()}


async def test_duplicate_and_out_of_order_events(db_template: str) -> None:
    # Medical: person.updated before person.registered, then both again.
    settings = make_settings("medical", db_template, bus_enabled=False)
    app = medical_app(settings)
    async with running(app):
        engine = app.state.runtime.engine
        handlers = _handlers(app)
        registered = person_event(1)
        updated = PersonUpdated(**{**registered.model_dump(), "name": "改名"}, changed=["name"])
        events = [("u1", updated), ("r1", registered), ("u1", updated), ("r1", registered)]
        assert _apply(app, "medical", handlers, events) == 2
        assert count(settings.database_url, MedicalPerson) == 1
        assert count(settings.database_url, ProcessedEvent) == 2
        assert count(settings.database_url, DeadLetter) == 0

    # Enrollment: dibao ended before it was granted, for a household it does not know.
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    app = enrollment_app(settings)
    async with running(app):
        engine = app.state.runtime.engine
        handlers = _handlers(app)
        base: dict[str, Any] = {
            "household_id": "H-X",
            "county_code": "532325",
            "person_ids": ["nobody"],
        }
        ended = DibaoEnded(**base, effective_from=date(2019, 1, 1), reason="复核退出")
        granted = DibaoGranted(
            **base, category="A", monthly_amount=Decimal("300.00"), effective_from=date(2018, 1, 1)
        )
        assert _apply(app, "enrollment", handlers, [("e1", ended), ("e1", ended)]) == 1
        with Session(engine) as s:
            status = s.get(WelfareStatus, "nobody")
            assert status is not None and status.dibao is False
        assert _apply(app, "enrollment", handlers, [("g1", granted), ("g1", granted)]) == 1
        assert count(settings.database_url, Person, DeadLetter) == 0
        assert count(settings.database_url, ProcessedEvent) == 2
    assert isinstance(registered, PersonRegistered)
