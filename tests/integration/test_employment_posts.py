"""Public-welfare posts over HTTP on SQLite and PostgreSQL (EMP-4): posts with positions,
assignments of registered poor people within capacity, occupancy per township against the 80%
target and the stock target of CITY-HRSS §三(一)1; roles, scope and bad input."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from services.employment import clock
from services.employment.main import build_app
from services.employment.posts.models import PublicPost, PublicPostAssignment
from tests.support.app import make_settings, running
from tests.support.employment_jobs import (
    COUNTY,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    Officers,
    count_rows,
    seed,
)

pytestmark = pytest.mark.integration

TODAY = date(2018, 9, 1)
PEOPLE = tuple(
    (f"w{n}", f"HW-{n}", VILLAGE if n < 8 else OTHER_VILLAGE, date(1970 + n, 1, 1), "not_exited")
    for n in range(10)
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def post(**over: object) -> dict:
    body = {"township_code": TOWN, "village_code": VILLAGE, "post_type": "cleaning",
            "name": "村庄保洁员", "capacity": 5, "opened_on": "2018-01-01"}  # fmt: skip
    body.update(over)
    return body


async def test_posts_occupancy_against_eighty_percent(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url, PEOPLE)
        bad = await client.post("/v1/posts", json=post(capacity=0), headers=o.county)
        assert bad.status_code == 422 and "capacity" in bad.json()["errors"][0]["field"]
        bad = await client.post(
            "/v1/posts", json=post(village_code=OTHER_VILLAGE), headers=o.county
        )
        assert bad.status_code == 422 and count_rows(url, PublicPost) == 0
        assert (await client.post("/v1/posts", json=post(), headers=o.cadre)).status_code == 403
        assert (
            await client.post("/v1/posts", json=post(), headers=o.other_town)
        ).status_code == 404
        resp = await client.post("/v1/posts", json=post(), headers=o.town)
        assert resp.status_code == 201 and resp.json()["post_type_zh"] == "保洁员"
        p1 = resp.json()["id"]
        other = await client.post(
            "/v1/posts",
            json=post(township_code=OTHER_TOWN, village_code=OTHER_VILLAGE, post_type="forest",
                      name="生态护林员", capacity=5),
            headers=o.county,
        )  # fmt: skip
        p2 = other.json()["id"]
        assert (await client.get(f"/v1/posts/{p2}", headers=o.town)).status_code == 404

        # Four people on the 5-position post (cadres record in their village).
        for n in range(4):
            resp = await client.post(
                f"/v1/posts/{p1}/assignments",
                json={"person_id": f"w{n}", "start_on": "2018-03-01"},
                headers=o.cadre,
            )
            assert resp.status_code == 201, resp.text
        # A person holds one post at a time; an unknown person is a 422 writing nothing.
        twice = await client.post(
            f"/v1/posts/{p1}/assignments", json={"person_id": "w0", "start_on": "2018-04-01"},
            headers=o.cadre,
        )  # fmt: skip
        assert twice.status_code == 409
        bad = await client.post(
            f"/v1/posts/{p1}/assignments", json={"person_id": "ghost", "start_on": "2018-04-01"},
            headers=o.cadre,
        )  # fmt: skip
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "person_id"
        assert count_rows(url, PublicPostAssignment) == 4
        assert (
            await client.post(
                f"/v1/posts/{p2}/assignments", json={"person_id": "w8", "start_on": "2018-03-01"},
                headers=o.cadre,
            )
        ).status_code == 404  # fmt: skip

        occ = await client.get("/v1/posts/occupancy", params={"county": COUNTY}, headers=o.auditor)
        assert occ.status_code == 200, occ.text
        body = occ.json()
        towns = {t["township_code"]: t for t in body["townships"]}
        assert towns[TOWN]["filled"] == 4 and towns[TOWN]["rate"] == "0.8000"
        assert towns[TOWN]["met"] is True and towns[TOWN]["target"] == "0.80"
        assert towns[OTHER_TOWN]["filled"] == 0 and towns[OTHER_TOWN]["met"] is False
        assert (body["positions"], body["filled"], body["met"]) == (10, 4, False)
        assert body["stock_target"] == 470 and body["stock_target_year"] == 2020
        assert body["stock_due"] is False and body["stock_met"] is False
        assert "EMP-4" in body["trace"]["rules"]
        assert body["illustrative_parameters"] == [  # CITY-HRSS's, no county's own
            "employment.posts.occupancy_target",
            "employment.posts.stock_target",
            "employment.posts.stock_target_year",
        ]

        # One leaves: 3 of 5 is below 80%.
        rows = (await client.get(f"/v1/posts/{p1}/assignments", headers=o.town)).json()
        end = f"/v1/posts/{p1}/assignments/{rows[0]['id']}/end"
        resp = await client.post(
            end, json={"end_on": "2018-08-01", "reason": "外出务工"}, headers=o.cadre
        )
        assert resp.status_code == 200
        assert (
            await client.post(end, json={"end_on": "2018-08-02", "reason": "x"}, headers=o.cadre)
        ).status_code == 409
        body = (
            await client.get("/v1/posts/occupancy", params={"county": COUNTY}, headers=o.county)
        ).json()
        assert {t["township_code"]: t["met"] for t in body["townships"]}[TOWN] is False
        # On a past day the former occupancy holds.
        past = (
            await client.get("/v1/posts/occupancy", params={"county": COUNTY, "on": "2018-05-01"},
                             headers=o.county)
        ).json()  # fmt: skip
        assert {t["township_code"]: t["filled"] for t in past["townships"]}[TOWN] == 4

        xlsx = await client.get(
            "/v1/posts/occupancy", params={"county": COUNTY, "format": "xlsx"}, headers=o.county
        )
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert "上岗率" in rows[1] and len(rows) == 4


async def test_racing_assignments_respect_the_capacity(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url, PEOPLE)
        pid = (await client.post("/v1/posts", json=post(capacity=2), headers=o.county)).json()["id"]
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/v1/posts/{pid}/assignments",
                    json={"person_id": f"w{n}", "start_on": "2018-03-01"},
                    headers=o.county,
                )
                for n in range(6)
            )
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409]
        assert (await client.get(f"/v1/posts/{pid}", headers=o.county)).json()["filled"] == 2
