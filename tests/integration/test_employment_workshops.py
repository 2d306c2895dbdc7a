"""Poverty workshops over HTTP on SQLite and PostgreSQL (EMP-5): workers on the roll, the yearly
subsidy of 1,000 per registered poor worker and employment year (FL-HRSS §三(一)1), never paid
twice for a worker-year whether the claim is repeated, made by another workshop, or concurrent."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import Session, select

from services.employment import clock
from services.employment.main import build_app
from services.employment.workshops.models import WorkshopSubsidyPayment
from services.employment.workshops.service import workers_by_township
from shared.db import make_engine
from tests.conftest import make_settings, running
from tests.integration.test_employment_jobs import COUNTY, TOWN, VILLAGE, Officers, seed

pytestmark = pytest.mark.integration

TODAY = date(2019, 1, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


WORKSHOP = {"township_code": TOWN, "village_code": VILLAGE, "name": "光禄镇扶贫车间（竹编）",
            "operator": "某竹编专业合作社", "opened_on": "2017-06-01"}  # fmt: skip


async def _workshop(client, o: Officers, **over: object) -> int:  # type: ignore[no-untyped-def]
    resp = await client.post("/v1/workshops", json={**WORKSHOP, **over}, headers=o.town)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


async def _hire(client, o: Officers, wid: int, pid: str, start: str) -> int:  # type: ignore[no-untyped-def]
    resp = await client.post(
        f"/v1/workshops/{wid}/workers", json={"person_id": pid, "start_on": start}, headers=o.cadre
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def payments(url: str) -> list[tuple[str, int, int]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(WorkshopSubsidyPayment)).all()
        out = sorted((r.person_id, r.year, r.workshop_id) for r in rows)
    engine.dispose()
    return out


async def test_workshop_subsidy_paid_once_per_worker_year(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        assert (
            await client.post("/v1/workshops", json=WORKSHOP, headers=o.cadre)
        ).status_code == 403
        bad = await client.post("/v1/workshops", json={**WORKSHOP, "name": ""}, headers=o.town)
        assert bad.status_code == 422
        wid = await _workshop(client, o)
        await _hire(client, o, wid, "p1", "2018-01-10")  # 12 months in 2018
        await _hire(client, o, wid, "p2", "2018-09-01")  # 4 months: not an employment year
        bad = await client.post(
            f"/v1/workshops/{wid}/workers", json={"person_id": "edge", "start_on": "2018-01-01"},
            headers=o.cadre,
        )  # fmt: skip
        assert bad.status_code == 422  # 边缘户 are not 建档立卡
        dup = await client.post(
            f"/v1/workshops/{wid}/workers", json={"person_id": "p1", "start_on": "2018-05-01"},
            headers=o.cadre,
        )  # fmt: skip
        assert dup.status_code == 409

        claim = f"/v1/workshops/{wid}/subsidy-claims"
        assert (await client.post(claim, json={"year": 2018}, headers=o.town)).status_code == 403
        assert (await client.post(claim, json={"year": 2020}, headers=o.county)).status_code == 422
        resp = await client.post(claim, json={"year": 2018}, headers=o.county)
        assert resp.status_code == 201, resp.text
        first = resp.json()
        assert first["amount"] == "1000.00"
        assert [(p["person_id"], p["months"]) for p in first["paid"]] == [("p1", 12)]
        assert [(n["person_id"], n["months"]) for n in first["not_eligible"]] == [("p2", 4)]
        assert "EMP-5" in first["trace"]["rules"]
        assert "employment.workshop.min_months_per_year" in {
            p["path"] for p in first["trace"]["parameters"]
        }

        # Repeated: nothing new, and it says what was paid already.
        resp = await client.post(claim, json={"year": 2018}, headers=o.county)
        assert resp.status_code == 200
        again = resp.json()
        assert again["amount"] == "0.00" and again["paid"] == [] and again["claim_id"] is None
        assert [(p["person_id"], p["year"], p["claim_id"]) for p in again["already_paid"]] == [
            ("p1", 2018, first["claim_id"])
        ]

        # Another workshop with the same worker in 2018: the worker-year is paid already.
        wid2 = await _workshop(client, o, name="第二车间")
        await _hire(client, o, wid2, "p1", "2018-01-10")
        other = (
            await client.post(
                f"/v1/workshops/{wid2}/subsidy-claims", json={"year": 2018}, headers=o.county
            )
        ).json()
        assert other["paid"] == [] and other["already_paid"][0]["workshop_id"] == wid
        assert payments(url) == [("p1", 2018, wid)]
        listed = await client.get(f"/v1/workshops/{wid}/subsidy-payments", headers=o.auditor)
        assert [p["person_id"] for p in listed.json()] == ["p1"]
        assert (await client.get(f"/v1/workshops/{wid}", headers=o.other_town)).status_code == 404

    engine = make_engine(url)
    with Session(engine) as s:
        assert workers_by_township(s, COUNTY, date(2018, 10, 1)) == {TOWN: 2}
    engine.dispose()


async def test_concurrent_claims_pay_each_worker_year_once(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        a = await _workshop(client, o, name="车间甲")
        b = await _workshop(client, o, name="车间乙")
        for wid in (a, b):
            await _hire(client, o, wid, "p1", "2018-01-01")
        await _hire(client, o, a, "p2", "2018-01-01")
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/v1/workshops/{w}/subsidy-claims", json={"year": 2018}, headers=o.county
                )
                for w in (a, b, a, b, a, b)
            )
        )
        assert all(r.status_code in (200, 201) for r in answers)
        paid = [p["person_id"] for r in answers for p in r.json()["paid"]]
        assert sorted(paid) == ["p1", "p2"]
        assert sum(r.status_code == 201 for r in answers) in (1, 2)
        assert [(p, y) for p, y, _ in payments(url)] == [("p1", 2018), ("p2", 2018)]
