"""Enrollment reacting to events on a real broker: dibao and 特困 change who funds the medical
contribution (ENR-M3); a death pays the funeral grant once, however often it is delivered
(ENR-P8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, select

from services.enrollment.main import build_app
from services.enrollment.models import FuneralGrant, MedicalContribution, Person
from shared.bus.tables import OutboxEvent
from shared.events.envelope import Envelope
from shared.events.welfare import DibaoGranted, TekunCertified
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.bus import produce_raw, wait_until
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration
M = TypeVar("M", bound=SQLModel)


def rows_of(url: str, model: type[M], *where: ColumnElement[bool]) -> list[M]:
    from shared.db import make_engine

    engine = make_engine(url)
    with Session(engine) as s:
        found = list(s.exec(select(model).where(*where)))
    engine.dispose()
    return found


async def test_welfare_events_and_death(db_template: str, broker: str, topic_prefix: str) -> None:
    settings = make_settings(
        "enrollment", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    app = build_app(settings)
    rows = roster_rows(4, per_household=4)
    async with running(app) as client:
        auth = token(settings, Role.county_poverty)
        await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        people = rows_of(settings.database_url, Person)
        by_number = {p.id_number: p for p in people}
        first = by_number[rows[0][2]]
        second = by_number[rows[1][2]]
        granted = DibaoGranted(
            household_id=rows[0][0],
            county_code="532325",
            person_ids=[first.id],
            category="B",
            monthly_amount=Decimal("250.00"),
            effective_from=date(2018, 2, 1),
        )
        tekun = TekunCertified(
            person_id=second.id,
            household_id=rows[0][0],
            county_code="532325",
            effective_from=date(2018, 3, 1),
        )
        messages = [
            Envelope.wrap(e, source="/services/welfare", subject="x", key=rows[0][0]).to_kafka()
            for e in (granted, tekun)
        ]
        await produce_raw(broker, topic_prefix + "welfare.events", [*messages, messages[0]])
        await wait_until(
            lambda: len(rows_of(settings.database_url, MedicalContribution)) == 2, timeout=40
        )
        by_person = {c.person_id: c for c in rows_of(settings.database_url, MedicalContribution)}
        assert by_person[first.id].medical_assistance == Decimal("70.00")  # ENR-M3 fixed subsidy
        assert by_person[first.id].person_pays == Decimal("0.00")  # registered poor pay nothing
        full = by_person[second.id]
        # 特困 and registered poor: the province's 60% of the whole contribution (basis whole,
        # YA-GOV §三(六)), medical assistance all the rest; nothing left to the county.
        assert full.province == Decimal("132.00")
        assert full.medical_assistance + full.province == full.contribution
        assert full.prefecture_county == Decimal("0.00")
        assert "ENR-M3" in full.trace["rules"]

        resp = await client.get(
            f"/v1/persons/{first.id_number}/medical-contribution",
            params={"year": 2018},
            headers=token(settings, Role.county_medical),
        )
        assert resp.status_code == 200
        assert resp.json()["medical_assistance"] == "70.00"
        assert "dibao" in resp.json()["grounds"]  # 70 once, however many grounds apply

        # The second person contributes to the pension (ENR-P8 covers contributors).
        roll = f"证件号码,年度,缴费档次,是否缴费\n{second.id_number},2018,100,是\n".encode()
        resp = await client.post(
            "/v1/rolls/pension/imports",
            files={"file": ("p.csv", roll)},
            headers=token(settings, Role.county_hrss),
        )
        assert resp.status_code == 201, resp.text
        # A death, reported, and its event delivered twice more: one grant, one event.
        resp = await client.post(
            f"/v1/persons/{second.id_number}/death",
            json={"deceased_on": "2018-05-02"},
            headers=auth,
        )
        assert resp.status_code == 200
        await wait_until(lambda: len(rows_of(settings.database_url, FuneralGrant)) == 1, timeout=40)
        death = rows_of(
            settings.database_url, OutboxEvent, col(OutboxEvent.event_type) == "person.deceased"
        )[0]
        env = Envelope(**death.headers, data=__import__("json").loads(death.payload))
        await produce_raw(broker, topic_prefix + "enrollment.events", [env.to_kafka()] * 2)
        await wait_until(
            lambda: (
                len(
                    rows_of(
                        settings.database_url,
                        OutboxEvent,
                        col(OutboxEvent.event_type) == "enrollment.funeral_grant_paid",
                    )
                )
                == 1
            )
        )
        import asyncio

        await asyncio.sleep(1.5)
        grants = rows_of(settings.database_url, FuneralGrant)
        assert [g.amount for g in grants] == [Decimal("600.00")]
        paid = rows_of(
            settings.database_url,
            OutboxEvent,
            col(OutboxEvent.event_type) == "enrollment.funeral_grant_paid",
        )
        assert len(paid) == 1
        # The grant is read back over HTTP, with its amount as a field and the trace behind it.
        resp = await client.get(
            f"/v1/persons/{second.id_number}/pension/funeral-grant",
            headers=token(settings, Role.county_hrss),
        )
        assert resp.status_code == 200, resp.text
        grant = resp.json()
        assert (grant["amount"], grant["deceased_on"]) == ("600.00", "2018-05-02")
        assert grant["person_id"] == grants[0].person_id and grant["trace"]
        # A living person has none.
        resp = await client.get(
            f"/v1/persons/{first.id_number}/pension/funeral-grant",
            headers=token(settings, Role.county_hrss),
        )
        assert resp.status_code == 404
