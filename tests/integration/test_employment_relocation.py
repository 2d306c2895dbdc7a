"""Relocated households over HTTP on SQLite and PostgreSQL (EMP-8): the list entered and
imported from the ledger, and the worklist of relocated households with no member in work (a
placement, a public-welfare post, a workshop roll or a running business)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from services.employment import clock
from services.employment.main import build_app
from services.employment.relocation.models import RelocatedHousehold
from services.employment.relocation.service import without_work_by_township
from shared.db import make_engine
from tests.support.app import make_settings, running
from tests.support.employment_jobs import (
    COUNTY,
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    Officers,
    count_rows,
    seed,
)

pytestmark = pytest.mark.integration

TODAY = date(2018, 9, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


async def test_relocated_households_without_work(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        items = [{"household_id": "H-1", "site": "瑞濠移民安置点", "relocated_on": "2017-12-01"},
                 {"household_id": "H-2", "site": "瑞濠移民安置点"},
                 {"household_id": "NOPE"}]  # fmt: skip
        bad = await client.post("/v1/relocated-households", json={"items": items}, headers=o.county)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "items[2].household_id"
        assert count_rows(url, RelocatedHousehold) == 0
        assert (
            await client.post(
                "/v1/relocated-households", json={"items": items[:2]}, headers=o.cadre
            )
        ).status_code == 403
        resp = await client.post(
            "/v1/relocated-households", json={"items": items[:2]}, headers=o.county
        )
        assert resp.json() == {"created": 2, "updated": 0}
        csv = "户编号,安置点,搬迁日期\nH-3,县城安置点,2018-01-05\nH-2,瑞濠移民安置点,2017-11-30\n"
        upload = {"file": ("ledger.csv", csv.encode("utf-8"), "text/csv")}
        # The township officer may not import another township's household: 422 with the row.
        resp = await client.post("/v1/relocated-households/imports", files=upload, headers=o.town)
        assert resp.status_code == 422
        assert resp.json()["errors"] == [{
            "field": "household_id", "reason": "no registered household with this id in your "
            "jurisdiction", "value": "H-2", "row": 3,
        }]  # fmt: skip
        resp = await client.post("/v1/relocated-households/imports", files=upload, headers=o.county)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"created": 1, "updated": 1}

        params = {"county": COUNTY}
        worklist = (
            await client.get(
                "/v1/relocated-households/without-work", params=params, headers=o.county
            )
        ).json()
        assert [h["household_id"] for h in worklist["items"]] == ["H-1", "H-3", "H-2"]

        # H-1 gets a job, H-3 a public-welfare post; H-2 stays on the worklist.
        place = {
            "person_id": "p2",
            "employer": "某电子厂",
            "location": "province",
            "start_on": "2018-08-01",
        }
        assert (
            await client.post("/v1/jobs/placements", json=place, headers=o.cadre)
        ).status_code == 201
        post = {"township_code": TOWN, "village_code": VILLAGE, "post_type": "road",
                "name": "护路员", "capacity": 1, "opened_on": "2018-01-01"}  # fmt: skip
        pid = (await client.post("/v1/posts", json=post, headers=o.town)).json()["id"]
        # The 80-year-old of H-3 may hold a post (a post is not for labourers only).
        resp = await client.post(
            f"/v1/posts/{pid}/assignments",
            json={"person_id": "old", "start_on": "2018-08-15"},
            headers=o.cadre,
        )
        assert resp.status_code == 201, resp.text
        worklist = (
            await client.get(
                "/v1/relocated-households/without-work", params=params, headers=o.auditor
            )
        ).json()
        assert [h["household_id"] for h in worklist["items"]] == ["H-2"]
        assert worklist["items"][0]["township_code"] == OTHER_TOWN
        before = (
            await client.get(
                "/v1/relocated-households/without-work",
                params={**params, "on": "2018-07-01"},
                headers=o.county,
            )
        ).json()
        assert len(before["items"]) == 3
        # A village cadre sees their village only.
        mine = (
            await client.get(
                "/v1/relocated-households/without-work", params=params, headers=o.cadre
            )
        ).json()
        assert mine["items"] == []
        xlsx = await client.get(
            "/v1/relocated-households/without-work",
            params={**params, "format": "xlsx"},
            headers=o.county,
        )
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert "户编号" in rows[1] and rows[2][rows[1].index("户编号")] == "H-2"

    engine = make_engine(url)
    with Session(engine) as s:
        assert without_work_by_township(s, COUNTY, TODAY) == {OTHER_TOWN: 1}
    engine.dispose()
