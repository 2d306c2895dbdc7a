"""Poverty workshops over HTTP on SQLite and PostgreSQL (EMP-5): workers on the roll, the
subsidy of 1,000 per registered poor worker and employment year (FL-HRSS §三(一)1: 12 months from
the hire, due when it begins), never paid twice for a worker-year whether the claim is repeated,
made by another workshop, or concurrent; the figure flagged illustrative outside 浮梁."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from sqlmodel import Session, select

from services.employment import clock
from services.employment.main import build_app
from services.employment.registry.models import RegistryPerson
from services.employment.workshops.models import WorkshopSubsidyPayment
from services.employment.workshops.repository import workers_by_township
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.employment_jobs import COUNTY, TOWN, VILLAGE, Officers, seed

pytestmark = pytest.mark.integration

TODAY = date(2019, 1, 15)
SUBSIDY = "employment.workshop.subsidy_per_worker_year"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


WORKSHOP = {"township_code": TOWN, "village_code": VILLAGE, "name": "光禄镇扶贫车间（竹编）",
            "operator": "某竹编专业合作社", "opened_on": "2017-06-01"}  # fmt: skip


async def _workshop(client: httpx.AsyncClient, o: Officers, **over: object) -> int:
    resp = await client.post("/v1/workshops", json={**WORKSHOP, **over}, headers=o.town)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


async def _hire(client: httpx.AsyncClient, o: Officers, wid: int, pid: str, start: str) -> int:
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
        await _hire(client, o, wid, "p1", "2018-01-10")  # employment year to 2019-01-09
        # Taken on in September: the employment year has begun and is due at once (the old
        # reading wanted 6 calendar months in the year and refused it).
        await _hire(client, o, wid, "p2", "2018-09-01")
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
        assert first["amount"] == "2000.00"
        assert [(p["person_id"], p["year_start"], p["year_end"]) for p in first["paid"]] == [
            ("p1", "2018-01-10", "2019-01-09"),
            ("p2", "2018-09-01", "2019-08-31"),
        ]
        assert first["not_eligible"] == []
        assert "EMP-5" in first["trace"]["rules"]
        # 姚安 has no figure of its own: FL-HRSS's 1,000 is used, flagged.
        assert first["illustrative_parameters"] == [SUBSIDY]
        assert first["trace"]["illustrative_parameters"] == [SUBSIDY]

        # Repeated: nothing new, and it says what was paid already.
        resp = await client.post(claim, json={"year": 2018}, headers=o.county)
        assert resp.status_code == 200
        again = resp.json()
        assert again["amount"] == "0.00" and again["paid"] == [] and again["claim_id"] is None
        assert [(p["person_id"], p["year"], p["claim_id"]) for p in again["already_paid"]] == [
            ("p1", 2018, first["claim_id"]),
            ("p2", 2018, first["claim_id"]),
        ]

        # p2 leaves and is taken on again inside the running employment year: no new year.
        workers = (await client.get(f"/v1/workshops/{wid}/workers", headers=o.county)).json()
        p2_row = next(w["id"] for w in workers if w["person_id"] == "p2")
        left = await client.post(
            f"/v1/workshops/{wid}/workers/{p2_row}/leave", json={"end_on": "2018-10-31"},
            headers=o.cadre,
        )  # fmt: skip
        assert left.status_code == 200, left.text
        await _hire(client, o, wid, "p2", "2018-12-01")
        resp = await client.post(claim, json={"year": 2018}, headers=o.county)
        assert resp.status_code == 200 and resp.json()["paid"] == []
        assert [p["year_start"] for p in resp.json()["already_paid"]] == [
            "2018-01-10",
            "2018-09-01",
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
        assert payments(url) == [("p1", 2018, wid), ("p2", 2018, wid)]

        # 2019: p1 is still on the roll on the anniversary (2019-01-10), so a second employment
        # year has begun; p2's second year (from 2019-09-01) has not.
        resp = await client.post(claim, json={"year": 2019}, headers=o.county)
        assert resp.status_code == 201, resp.text
        second = resp.json()
        assert [(p["person_id"], p["year_start"]) for p in second["paid"]] == [("p1", "2019-01-10")]
        assert [n["person_id"] for n in second["not_eligible"]] == ["p2"]
        listed = await client.get(f"/v1/workshops/{wid}/subsidy-payments", headers=o.auditor)
        assert [(p["person_id"], p["year"]) for p in listed.json()] == [
            ("p1", 2018),
            ("p2", 2018),
            ("p1", 2019),
        ]
        assert (await client.get(f"/v1/workshops/{wid}", headers=o.other_town)).status_code == 404

    engine = make_engine(url)
    with Session(engine) as s:
        assert workers_by_township(s, COUNTY, date(2018, 10, 1)) == {TOWN: 2}
        assert workers_by_township(s, COUNTY, date(2018, 11, 15)) == {TOWN: 1}
    engine.dispose()


async def test_fuliang_claim_uses_its_own_figure(db_template: str) -> None:
    """浮梁 (360222): FL-HRSS §三(一)1 is its own document, so nothing is illustrative."""
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    town, village = "360222100", "360222100201"
    county = token(settings, Role.county_hrss, scope="360222", sub="hrss-fl")
    async with running(build_app(settings)) as client:
        engine = make_engine(url)
        with Session(engine) as s:
            s.add(
                RegistryPerson(
                    person_id="f1", id_number=make_resident_id("360222", date(1980, 1, 1), 1, "M"),
                    household_id="FH-1", name="人1", sex="M", birth_date=date(1980, 1, 1),
                    county_code="360222", township_code=town, village_code=village,
                    poverty_status=PovertyStatus.not_exited, source_event_id="seed",
                )
            )  # fmt: skip
            s.commit()
        engine.dispose()
        body = {**WORKSHOP, "township_code": town, "village_code": village}
        resp = await client.post("/v1/workshops", json=body, headers=county)
        assert resp.status_code == 201, resp.text
        wid = resp.json()["id"]
        resp = await client.post(
            f"/v1/workshops/{wid}/workers", json={"person_id": "f1", "start_on": "2018-03-15"},
            headers=county,
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
        resp = await client.post(
            f"/v1/workshops/{wid}/subsidy-claims", json={"year": 2018}, headers=county
        )
        assert resp.status_code == 201, resp.text
        out = resp.json()
        assert out["amount"] == "1000.00" and out["illustrative_parameters"] == []
        (use,) = out["trace"]["parameters"]
        assert (use["path"], use["county"], use["illustrative"]) == (SUBSIDY, "360222", False)


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
