"""The appraisal indicators (考核指标, IND-1 .. IND-4, YA-GOV §四(六)) over HTTP on SQLite and
PostgreSQL: two households put on dibao through the WEL-1 procedure in two townships; before any
cross-check there is no accuracy; after the registry marks one household exited and the county
runs the cross-check, its township's accuracy falls to 0 and the county's to 50%; top-up level
and category shares from the cases themselves; a township officer sees their township only; the
XLSX has Chinese headers and the definitions; roles and jurisdiction."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from services.welfare import clock
from services.welfare.main import build_app
from shared.ids import make_resident_id
from shared.money import yuan
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_registry import Registered, exit_household, seed_registered

pytestmark = pytest.mark.integration

COUNTY = "532325"
TOWN, VILLAGE = "532325100", "532325100201"
OTHER_TOWN, OTHER_VILLAGE = "532325101", "532325101202"
TODAY = date(2026, 3, 5)
URL = "/v1/appraisal/indicators"

# person_id, household, village, name
PEOPLE = [
    ("p-head", "H-1", VILLAGE, "张大"),
    ("p-wife", "H-1", VILLAGE, "李二"),
    ("q-head", "H-2", OTHER_VILLAGE, "王三"),
]
NUMBER = {
    pid: make_resident_id(COUNTY, date(1950 + i, 2, 3), 40 + i, "M" if i % 2 else "F")
    for i, (pid, *_rest) in enumerate(PEOPLE)
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def seed(url: str) -> None:
    seed_registered(url, (Registered(p, h, v, n, NUMBER[p]) for p, h, v, n in PEOPLE))


def exited(url: str, household: str, since: date) -> None:
    exit_household(url, household, [p for p, h, *_ in PEOPLE if h == household], since)


async def on_dibao(
    client: Any, h: dict[str, dict[str, str]], village: str, people: list[str], income: str
) -> None:
    """A household through the WEL-1 procedure, in force from 2026-03-01."""
    names = dict((pid, name) for pid, _h, _v, name in PEOPLE)
    members = [{"id_number": NUMBER[p], "name": names[p], "work_ability": "none"} for p in people]
    town = "town" if village == VILLAGE else "other_town"
    cadre = "cadre" if village == VILLAGE else "other_cadre"
    body = {
        "village_code": village,
        "applicant_name": names[people[0]],
        "applicant_id_number": NUMBER[people[0]],
        "reason": "年老体弱，无劳动能力",
        "bank_name": "农村信用社",
        "bank_account": "6221000012345678",
        "members": members,
    }
    resp = await client.post("/v1/dibao/applications", json=body, headers=h[cadre])
    assert resp.status_code == 201, resp.text
    url = f"/v1/dibao/applications/{resp.json()['id']}"
    review = {
        "members": members,
        "incomes": [{"source": "farming", "annual_amount": income}],
        "assets_within_limits": True,
    }
    for path, payload, who in (
        ("acceptance", {"accept": True}, town),
        ("economic-review", review, town),
        ("decision", {"approve": True}, "county"),
        ("notice", {"start": "2026-02-02"}, town),
        ("activation", {"effective_from": "2026-03-01"}, "county"),
    ):
        resp = await client.post(f"{url}/{path}", json=payload, headers=h[who])
        assert resp.status_code == 200, (path, resp.text)


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["code"]: t for t in body["townships"]}


async def test_ind_1_to_ind_4_per_township(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    h = {
        "county": token(settings, Role.county_civil, scope=COUNTY, sub="civil"),
        "poverty": token(settings, Role.county_poverty, scope=COUNTY, sub="poverty"),
        "auditor": token(settings, Role.auditor, scope=COUNTY, sub="auditor"),
        "town": token(settings, Role.township_officer, scope=TOWN, sub="town"),
        "other_town": token(settings, Role.township_officer, scope=OTHER_TOWN, sub="town2"),
        "cadre": token(settings, Role.village_cadre, scope=VILLAGE, sub="cadre"),
        "other_cadre": token(settings, Role.village_cadre, scope=OTHER_VILLAGE, sub="cadre2"),
        "far": token(settings, Role.county_civil, scope="520324", sub="far"),
        "hospital": token(settings, Role.hospital, scope=COUNTY, sub="hospital"),
    }
    on = {"county": COUNTY, "on": "2026-03-05"}
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        await on_dibao(client, h, VILLAGE, ["p-head", "p-wife"], "600.00")
        await on_dibao(client, h, OTHER_VILLAGE, ["q-head"], "0.00")
        cases = (await client.get("/v1/dibao/cases", headers=h["county"])).json()["items"]
        amount = {c["township_code"]: Decimal(c["monthly_amount"]) for c in cases}
        category = {c["township_code"]: c["category"] for c in cases}

        # Before any cross-check: no accuracy; the other figures from the cases.
        resp = await client.get(URL, params=on, headers=h["county"])
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["standard"]["annual"] == "3500.00" and body["standard"]["meets_floor"] is None
        assert "welfare.dibao.rural_standard" in body["illustrative_parameters"]
        assert body["crosscheck_run"] is None
        assert set(body["definitions"]) == {"IND-1", "IND-2", "IND-3", "IND-4"}
        towns = by_code(body)
        assert set(towns) == {TOWN, OTHER_TOWN}
        assert towns[TOWN]["households"] == 1 and towns[TOWN]["persons"] == 2
        assert towns[TOWN]["accuracy"]["value"] is None
        per_person = yuan(amount[TOWN] / 2)  # half-up to the fen
        assert Decimal(towns[TOWN]["topup"]["per_person_monthly"]) == per_person
        assert Decimal(towns[OTHER_TOWN]["topup"]["per_person_monthly"]) == amount[OTHER_TOWN]
        assert towns[TOWN]["categories"][category[TOWN]]["share"] == "1.0000"
        total = body["total"]
        assert total["code"] == COUNTY and total["households"] == 2 and total["persons"] == 3
        shares = [Decimal(c["share"]) for c in total["categories"].values()]
        assert sum(shares) == Decimal(1)
        rules = {step["rule"] for step in body["trace"]["steps"]}
        assert {"IND-1", "IND-2", "IND-3", "IND-4"} <= rules

        # Before the households were on dibao: nobody, no ratios.
        early = await client.get(
            URL, params={"county": COUNTY, "on": "2026-02-01"}, headers=h["county"]
        )
        assert early.json()["townships"] == [] and early.json()["total"]["households"] == 0
        assert early.json()["total"]["topup"]["per_person_monthly"] is None

        # H-1 exited poverty a while ago; the county's cross-check questions it (WEL-8).
        exited(url, "H-1", date(2025, 6, 1))
        run = await client.post(
            "/v1/crosscheck/runs",
            json={"county_code": COUNTY, "on": "2026-03-05"},
            headers=h["county"],
        )
        assert run.status_code == 201, run.text
        body = (await client.get(URL, params=on, headers=h["poverty"])).json()
        assert body["crosscheck_run"] == {"id": run.json()["id"], "on": "2026-03-05"}
        towns = by_code(body)
        assert towns[TOWN]["accuracy"] == {"households": 1, "flagged": 1, "value": "0.0000"}
        assert towns[OTHER_TOWN]["accuracy"] == {"households": 1, "flagged": 0, "value": "1.0000"}
        assert body["total"]["accuracy"] == {"households": 2, "flagged": 1, "value": "0.5000"}
        # A run after the date is not used for it.
        before = await client.get(
            URL, params={"county": COUNTY, "on": "2026-03-04"}, headers=h["county"]
        )
        assert before.json()["crosscheck_run"] is None

        # A township officer: their own township only; the auditor reads; others refused.
        mine = (await client.get(URL, params=on, headers=h["town"])).json()
        assert [t["code"] for t in mine["townships"]] == [TOWN]
        assert mine["total"]["code"] == TOWN and mine["total"]["households"] == 1
        assert (await client.get(URL, params=on, headers=h["auditor"])).status_code == 200
        assert (await client.get(URL, params=on, headers=h["far"])).status_code == 404
        assert (await client.get(URL, params=on, headers=h["hospital"])).status_code == 403
        assert (await client.get(URL, params=on, headers=h["cadre"])).status_code == 403
        bad = await client.get(URL, params={"county": "5323", "on": "x"}, headers=h["county"])
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"query.county", "query.on"}

        # The spreadsheet for county staff.
        resp = await client.get(URL, params=on | {"format": "xlsx"}, headers=h["county"])
        assert resp.status_code == 200, resp.text
        sheet = load_workbook(io.BytesIO(resp.content)).active
        rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
        header = next(i for i, r in enumerate(rows) if r[0] == "乡镇代码")
        assert rows[header][1] == "乡镇名称" and rows[header][5] == "对象准确率"
        assert any(r[0] and str(r[0]).startswith("IND-2") for r in rows[:header])
        table = {r[0]: r for r in rows[header + 1 :]}
        assert table[TOWN][5] == "0.00%" and table[COUNTY][5] == "50.00%"
