"""A county simulates a change of its dibao figures before approving it (POST /v1/simulations):
on the households on dibao now, month by month, the amounts under the figures in force and
under the proposal, the cost per month, township and fund, who gains and who loses, with
traces; nothing is written. WEL-3: the benefit is the standard minus the per-capita income
(补差), per member and month."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from services.welfare import clock as welfare_clock
from services.welfare.main import build_app
from tests.support.app import make_settings, running
from tests.support.audit_walk import table_rows
from tests.support.welfare_dibao import COUNTY, Officers, application, on_dibao, seed

pytestmark = pytest.mark.integration

STANDARD = "welfare.dibao.rural_standard"


def body(**over: Any) -> dict[str, Any]:
    return {
        "county_code": COUNTY,
        "from_month": "2026-01",
        "to_month": "2026-03",
        "items": [
            {"path": STANDARD, "effective_from": "2026-01-01", "value": "4200",
             "reference": "姚政办发〔2026〕3号 第二条"}
        ],
        **over,
    }  # fmt: skip


async def _on_dibao(client: Any, o: Officers) -> int:
    await on_dibao(client, o, application())
    cases = (await client.get("/v1/dibao/cases", headers=o.county)).json()
    items = cases["items"] if isinstance(cases, dict) else cases
    return int(items[0]["id"])


async def test_a_higher_standard_is_costed_before_it_is_approved(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        case_id = await _on_dibao(client, o)
        before = table_rows(settings.database_url)
        resp = await client.post("/v1/simulations", json=body(), headers=o.county)
        assert resp.status_code == 200, resp.text
        out = resp.json()
        assert table_rows(settings.database_url) == before  # nothing written

        assert out["changed"] == [
            {"path": STANDARD, "effective_from": "2026-01-01", "value_now": "3500",
             "value_proposed": "4200"}
        ]  # fmt: skip
        assert (out["households_on_dibao"], out["households_affected"]) == (1, 1)
        assert out["people_affected"] == 2
        # Two members, per-capita income 1,000 a year: (3500 - 1000) / 12 a member and month
        # now, (4200 - 1000) / 12 proposed: 58.33 more a member and month.
        jan, feb, mar = out["monthly"]
        assert jan["households"] == 0  # on dibao from 10 February
        for month in (feb, mar):
            assert month["households"] == 1
            assert Decimal(month["difference"]) in (Decimal("116.66"), Decimal("116.67"))
        [winner] = out["winners"]
        assert winner["case_id"] == case_id and out["losers"] == []
        monthly_gain = Decimal(winner["proposed_monthly"]) - Decimal(winner["current_monthly"])
        assert Decimal(winner["difference_total"]) == 2 * monthly_gain
        assert Decimal(out["funds"][0]["difference"]) == 2 * monthly_gain
        [town] = out["by_township"]
        assert town["households_affected"] == 1 and town["township_name"]
        [sample] = out["sample_traces"]
        standards = {
            name: next(p for p in sample[name]["parameters"] if p["path"] == STANDARD)
            for name in ("current", "proposed")
        }
        assert standards["current"]["value"] == "3500"
        assert standards["proposed"]["value"] == "4200"
        assert standards["proposed"]["source"] == "simulation"

        # A proposed parameter set is simulated by its id; a published one is law already.
        proposed = await client.post(
            "/v1/policy/publications",
            json={"county_code": COUNTY, "reason": "提标", "items": body()["items"]},
            headers=o.county,
        )
        by_id = {**body(items=[]), "publication_id": proposed.json()["id"]}
        again = await client.post("/v1/simulations", json=by_id, headers=o.county)
        assert again.status_code == 200 and again.json()["monthly"] == out["monthly"]
        url = f"/v1/policy/publications/{proposed.json()['id']}/decision"
        await client.post(url, json={"approve": True}, headers=o.county_b)
        assert (
            await client.post("/v1/simulations", json=by_id, headers=o.county)
        ).status_code == 409

        sheet = await client.post(
            "/v1/simulations", params={"format": "xlsx"}, json=body(), headers=o.county
        )
        assert sheet.status_code == 200
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        assert any(r and "案件号" in r for r in rows)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"items": [{"path": "medical.guarantee.target_ratio", "effective_from": "2026-01-01",
                     "value": "0.8", "reference": "x"}]}, "items[0].path"),
        ({"publication_id": 1}, "body"),
        ({"from_month": "2026-13"}, "body.from_month"),
    ],
)  # fmt: skip
async def test_a_bad_simulation_is_a_422_naming_the_field(
    db_template: str, over: dict[str, Any], field: str
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        resp = await client.post("/v1/simulations", json=body(**over), headers=o.county)
        assert resp.status_code == 422, resp.text
        fields = [e["field"] for e in resp.json()["errors"]]
        assert any(f.startswith(field) for f in fields), fields


async def test_the_disability_subsidies_tied_to_the_standard_are_costed_too(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WEL-4's living subsidy is a share of the dibao standard: the wife (grade 2, REVIEW) paid
    in February's cycle is costed over the period on that month's facts; the nursing subsidy
    (by grade, no figure of it changed) stays as it is."""
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        await _on_dibao(client, o)
        cycle = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-02"}, headers=o.county
        )
        assert cycle.status_code == 201, cycle.text
        people = (await client.get("/v1/disability/persons", headers=o.county)).json()["items"]
        [wife] = people
        detail = (await client.get(f"/v1/disability/persons/{wife['id']}", headers=o.county)).json()
        [living] = [s for s in detail["subsidies"] if s["scheme"] == "disab_liv"]
        ratio = next(
            Decimal(p["value"]) for p in living["trace"]["parameters"] if ".ratio." in p["path"]
        )

        out = (await client.post("/v1/simulations", json=body(), headers=o.county)).json()
        assert (out["disabled_people"], out["disabled_people_affected"]) == (1, 1)
        [_, fund] = out["funds"]
        assert fund["fund"] == "disability_subsidies"
        cent = Decimal("0.01")
        per_month = (Decimal(4200) / 12 * ratio).quantize(cent) - (
            Decimal(3500) / 12 * ratio
        ).quantize(cent)
        assert Decimal(fund["difference"]) == 3 * per_month > 0
        assert Decimal(fund["current_total"]) == 3 * Decimal(living["amount"]) + 3 * Decimal(
            next(s["amount"] for s in detail["subsidies"] if s["scheme"] == "nursing")
        )
