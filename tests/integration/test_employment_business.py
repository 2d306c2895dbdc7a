"""Entrepreneurship over HTTP on SQLite and PostgreSQL (EMP-6): business starts publishing
employment.business_started, the one-off 5,000 subsidy after 6 months (FL-HRSS §三(一)5) once per
person under repeated and concurrent requests, loan applications checked against the caps of
FL-HRSS §三(一)4 and decided with a reason."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import Session

from services.employment import clock
from services.employment.business.models import BusinessLoanApplication, BusinessSubsidy
from services.employment.business.repository import businesses_by_township
from services.employment.main import build_app
from shared.db import make_engine
from tests.support.app import make_settings, running
from tests.support.employment_jobs import (
    COUNTY,
    TOWN,
    Officers,
    count_rows,
    outbox,
    seed,
)

pytestmark = pytest.mark.integration

TODAY = date(2018, 7, 20)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def business(pid: str, started: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "person_id": pid,
        "business_type": "individual",
        "name": f"{pid}农家乐",
        "trade": "乡村旅游",
        "started_on": started,
    }
    body.update(over)
    return body


async def test_startup_subsidy_once_per_person(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        assert (
            await client.post(
                "/v1/businesses", json=business("p1", "2018-01-15"), headers=o.auditor
            )
        ).status_code == 403
        bad = await client.post(
            "/v1/businesses",
            json=business("p1", "2018-01-15", business_type="shop"),
            headers=o.cadre,
        )
        assert bad.status_code == 422 and "business_type" in bad.json()["errors"][0]["field"]
        assert outbox(url, "employment.business_started") == []
        resp = await client.post(
            "/v1/businesses", json=business("p1", "2018-01-15"), headers=o.cadre
        )
        assert resp.status_code == 201, resp.text
        b1 = resp.json()
        assert b1["first_business"] is True
        assert (
            await client.post("/v1/businesses", json=business("p1", "2018-01-15"), headers=o.cadre)
        ).status_code == 409
        started = outbox(url, "employment.business_started")
        assert len(started) == 1 and started[0][0] == "H-1"
        assert (
            started[0][1]["business_id"] == b1["id"] and started[0][1]["started_on"] == "2018-01-15"
        )

        grant = f"/v1/businesses/{b1['id']}/subsidy"
        assert (await client.post(grant, headers=o.town)).status_code == 403
        resp = await client.post(grant, headers=o.county)
        assert resp.status_code == 201, resp.text
        granted = resp.json()
        assert granted["amount"] == "5000.00" and "EMP-6" in granted["trace"]["rules"]
        # 姚安 has none of EMP-6's figures (FL-HRSS's): all three are flagged.
        assert granted["illustrative_parameters"] == [
            "employment.entrepreneurship.one_off_subsidy",
            "employment.entrepreneurship.stable_months",
            "employment.entrepreneurship.subsidy_statuses",
        ]
        again = await client.post(grant, headers=o.county)
        assert again.status_code == 409 and "once" in again.json()["detail"]
        # A second business of the same person is not a first one, and the person had it anyway.
        b2 = (
            await client.post(
                "/v1/businesses", json=business("p1", "2018-03-01", name="第二家"), headers=o.cadre
            )
        ).json()
        assert b2["first_business"] is False
        assert (
            await client.post(f"/v1/businesses/{b2['id']}/subsidy", headers=o.county)
        ).status_code == 409

        # Not yet 6 months: 422 with the reason, nothing granted.
        b3 = (
            await client.post("/v1/businesses", json=business("p3", "2018-04-01"), headers=o.county)
        ).json()
        early = await client.post(f"/v1/businesses/{b3['id']}/subsidy", headers=o.county)
        assert early.status_code == 422 and "6 months" in early.json()["errors"][0]["reason"]

        # Racing grants for one person: one subsidy.
        b4 = (
            await client.post("/v1/businesses", json=business("p2", "2017-12-01"), headers=o.cadre)
        ).json()
        answers = await asyncio.gather(
            *(client.post(f"/v1/businesses/{b4['id']}/subsidy", headers=o.county) for _ in range(5))
        )
        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
        assert count_rows(url, BusinessSubsidy) == 2
        assert (await client.get(f"/v1/businesses/{b3['id']}", headers=o.cadre)).status_code == 404

    engine = make_engine(url)
    with Session(engine) as s:
        assert businesses_by_township(s, COUNTY, date(2018, 7, 1))[TOWN] == 3
    engine.dispose()


async def test_loans_checked_against_the_caps(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        loan = {"person_id": "p1", "loan_kind": "guarantee", "borrower": "individual",
                "amount": "120000.00", "term_months": 24, "applied_on": "2018-06-01"}  # fmt: skip
        bad = await client.post("/v1/business-loans", json={**loan, "amount": "0"}, headers=o.cadre)
        assert bad.status_code == 422 and count_rows(url, BusinessLoanApplication) == 0
        resp = await client.post("/v1/business-loans", json=loan, headers=o.cadre)
        assert resp.status_code == 201, resp.text
        over = resp.json()
        assert over["within_caps"] is False and over["cap"] == "100000.00"
        assert "EMP-6" in over["check_trace"]["rules"]
        assert over["illustrative_parameters"] == [
            "employment.loans.guarantee_cap.individual",
            "employment.loans.guarantee_term_months",
            "employment.loans.interest_subsidy_ratio",
        ]
        decide = f"/v1/business-loans/{over['id']}/decision"
        assert (
            await client.post(decide, json={"approve": True}, headers=o.cadre)
        ).status_code == 403
        assert (
            await client.post(decide, json={"approve": True}, headers=o.county)
        ).status_code == 409
        no_reason = await client.post(decide, json={"approve": False}, headers=o.county)
        assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
        resp = await client.post(
            decide,
            json={"approve": False, "reason": "超过个人创业担保贷款上限10万元"},
            headers=o.county,
        )
        assert resp.status_code == 200 and resp.json()["status"] == "rejected"

        partnership = {**loan, "borrower": "partnership", "amount": "480000.00"}
        ok = (await client.post("/v1/business-loans", json=partnership, headers=o.town)).json()
        assert ok["within_caps"] is True and ok["cap"] == "500000.00"
        resp = await client.post(
            f"/v1/business-loans/{ok['id']}/decision", json={"approve": True}, headers=o.county
        )
        assert resp.status_code == 200 and resp.json()["status"] == "approved"
        assert (
            await client.post(
                f"/v1/business-loans/{ok['id']}/decision",
                json={"approve": False, "reason": "x"},
                headers=o.county,
            )
        ).status_code == 409

        micro = {**loan, "loan_kind": "microcredit", "amount": "50000.00", "term_months": 36}
        m = (await client.post("/v1/business-loans", json=micro, headers=o.cadre)).json()
        assert m["within_caps"] is True and m["cap"] == "50000.00"
        listed = await client.get(
            "/v1/business-loans", params={"status": "pending"}, headers=o.auditor
        )
        assert [x["id"] for x in listed.json()] == [m["id"]]
