"""Pension endpoints over HTTP (ENR-P1, P3, P4, P6, P7, P9): amounts with their traces."""

from __future__ import annotations

from datetime import date

import pytest

from services.enrollment.main import build_app
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.roster import HEADER_ZH, roster_csv

pytestmark = pytest.mark.integration


def person(i: int, born: date, household: str = "532325-P1", grade: str = "") -> list[str]:
    number = make_resident_id("532325", born, i, "M")
    return [household, f"测试{i}", number, "户主", "532325", "532325100", "532325100201",
            "未脱贫", grade]  # fmt: skip


async def test_pension_endpoints(tmp_path) -> None:
    settings = make_settings(
        "enrollment", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False
    )
    rows = [
        person(1, date(1980, 5, 1)),  # working age
        person(2, date(1962, 3, 1), grade="2"),  # severely disabled, 55-60 in 2018
        person(3, date(1950, 1, 1)),  # over 60, never paid
        person(4, date(2008, 1, 1)),  # under 16
    ]
    header = HEADER_ZH + ",残疾等级"
    hrss = token(settings, Role.county_hrss)
    async with running(build_app(settings)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.csv", roster_csv(rows, header))},
            headers=token(settings, Role.county_poverty),
        )
        assert resp.status_code == 201, resp.text
        roll = (
            "证件号码,年度,缴费档次,是否缴费\n"
            + f"{rows[0][2]},2018,800,是\n{rows[1][2]},2018,100,是\n"
        )
        resp = await client.post(
            "/v1/rolls/pension/imports", files={"file": ("p.csv", roll.encode())}, headers=hrss
        )
        assert resp.status_code == 201, resp.text

        resp = await client.get(
            f"/v1/persons/{rows[0][2]}/pension/subsidy", params={"year": 2018}, headers=hrss
        )
        body = resp.json()
        assert body["rule"] == "ENR-P3"
        assert body["result"]["subsidy"] == "100.00"  # tier 800 -> 100 (YA-GOV §三(五)一)
        assert "ENR-P3" in body["result"]["trace"]["rules"]
        assert any(
            p["path"] == "enrollment.pension.subsidy.cap"
            for p in body["result"]["trace"]["parameters"]
        )
        resp = await client.get(
            f"/v1/persons/{rows[1][2]}/pension/subsidy", params={"year": 2018}, headers=hrss
        )
        assert resp.json()["result"]["paid_on_behalf"] == "200.00"  # grade 2: the 200 tier
        resp = await client.get(
            f"/v1/persons/{rows[3][2]}/pension/subsidy", params={"year": 2018}, headers=hrss
        )
        assert resp.json()["rule"] == "ENR-P1" and resp.json()["result"]["eligible"] is False
        resp = await client.get(
            f"/v1/persons/{rows[0][2]}/pension/subsidy",
            params={"year": 2018, "tier": 150},
            headers=hrss,
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "tier"

        resp = await client.get(
            f"/v1/persons/{rows[1][2]}/pension/early-subsidy",
            params={"on": "2018-06-15"},
            headers=hrss,
        )
        assert resp.json()["result"]["entitled"] is True

        ledger = (
            await client.get("/v1/pension/ledger", params={"on": "2018-06-15"}, headers=hrss)
        ).json()
        by_number = {e["id_number"]: e["result"] for e in ledger["items"]}
        assert set(by_number) == {rows[1][2], rows[2][2]}  # 55+ only
        assert by_number[rows[2][2]]["category"] in (
            "lump_sum_back_payment",
            "claim_without_contribution",
        )

        resp = await client.post(
            "/v1/pension/benefit",
            json={"county_code": "532325", "on": "2018-07-01", "contribution_years": 16,
                  "account_balance": "0"},
            headers=hrss,
        )  # fmt: skip
        assert resp.json()["result"]["long_contribution_extra"] == "2.00"  # ENR-P7
        resp = await client.post(
            "/v1/pension/transfer-in",
            json={"county_code": "532325", "on": "2018-07-01",
                  "employee_contribution_months": 200, "employee_account_balance": "9000.00"},
            headers=hrss,
        )  # fmt: skip
        assert resp.json()["result"]["allowed"] is False  # 16+ years: not transferable in
