"""Training over HTTP on SQLite and PostgreSQL (技能培训, EMP-2; 求职创业补贴, EMP-7): a programme
checked against YA-HRSS's department-per-township table, enrolments of census persons, a
completion published once, a certificate, the 500-yuan subsidy granted once under repeated and
concurrent requests, coverage and placement indicators per township and village, the training
ledger (培训台账) as XLSX; roles (403) and jurisdiction (404)."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from services.employment import clock
from services.employment.jobs.models import JobPlacement
from services.employment.main import build_app
from services.employment.training.models import JobSeekingSubsidyGrant
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.employment_census import (
    ADULT,
    AWAY,
    COUNTY,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    YOUTH,
    seed,
)

pytestmark = pytest.mark.integration
TODAY = date(2018, 6, 30)

CENSUS = (
    "证件号码,劳动能力,就业意愿,培训意愿,文化程度,是否在读\n"
    f"{ADULT},有劳动能力,是,是,小学,否\n"
    f"{YOUTH},有劳动能力,是,否,初中,否\n"
    f"{AWAY},有劳动能力,是,是,高中,否\n"
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def outbox(url: str, event_type: str) -> list[tuple[str | None, dict[str, Any]]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.event_type == event_type)).all()
        found = [(r.key, json.loads(r.payload)) for r in rows]
    engine.dispose()
    return found


def grants(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = len(s.exec(select(JobSeekingSubsidyGrant)).all())
    engine.dispose()
    return n


def place(url: str, person_id: str, household: str, start: date) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        s.add(
            JobPlacement(
                id=f"J-{person_id}", person_id=person_id, household_id=household,
                county_code=COUNTY, township_code=TOWN, village_code=VILLAGE, employer="某厂",
                location="local", start_on=start, created_by="seed",
            )
        )  # fmt: skip
        s.commit()
    engine.dispose()


def programme(**over: Any) -> dict[str, Any]:
    body = {
        "county_code": COUNTY,
        "name": "2018年弥兴镇电焊技能培训",
        "kind": "skills",
        "provider_department": "县人社局",
        "townships": [TOWN],
        "hours": 80,
        "starts_on": "2018-03-01",
        "ends_on": "2018-03-20",
    }
    body.update(over)
    return body


async def test_training_through_subsidy(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    county = token(settings, Role.county_hrss, scope=COUNTY)
    town = token(settings, Role.township_officer, scope=TOWN)
    other_town = token(settings, Role.township_officer, scope=OTHER_TOWN)
    auditor = token(settings, Role.auditor, scope=COUNTY)
    async with running(build_app(settings)) as client:
        seed(url)
        resp = await client.post(
            "/v1/census/imports", files={"file": ("c.csv", CENSUS.encode())}, headers=county
        )
        assert resp.status_code == 201, resp.text

        # 部门包乡镇 (YA-HRSS §三(二)1): 人社局 does not train 栋川镇.
        resp = await client.post(
            "/v1/training/programmes",
            json=programme(townships=[TOWN, OTHER_TOWN]),
            headers=county,
        )
        assert resp.status_code == 422
        assert [e["field"] for e in resp.json()["errors"]] == ["townships[1]"]
        resp = await client.post("/v1/training/programmes", json=programme(), headers=town)
        assert resp.status_code == 403
        resp = await client.post("/v1/training/programmes", json=programme(), headers=county)
        assert resp.status_code == 201, resp.text
        prog = resp.json()
        assert prog["kind_zh"] == "技能培训" and "EMP-2" in prog["assignment_trace"]["rules"]
        resp = await client.get("/v1/training/assignments?county=532325", headers=auditor)
        assert resp.json()["two_after_department"] == "县教育局"

        # Enrolments: census persons of the programme's townships, once each.
        enrol = f"/v1/training/programmes/{prog['id']}/enrolments"
        resp = await client.post(
            enrol, json={"person_id": "p-adult", "enrolled_on": "2018-03-01"}, headers=town
        )
        assert resp.status_code == 201, resp.text
        adult_enrolment = resp.json()["id"]
        resp = await client.post(enrol, json={"person_id": "p-adult"}, headers=county)
        assert resp.status_code == 409
        resp = await client.post(
            enrol, json={"person_id": "p-late", "enrolled_on": "2018-03-01"}, headers=county
        )
        assert resp.status_code == 422  # not surveyed
        resp = await client.post(enrol, json={"person_id": "p-away"}, headers=county)
        assert resp.status_code == 422  # 栋川镇 is not served by the programme
        resp = await client.post(enrol, json={"person_id": "p-youth"}, headers=other_town)
        assert resp.status_code == 404  # outside the officer's township
        resp = await client.post(
            enrol, json={"person_id": "p-youth", "enrolled_on": "2018-03-01"}, headers=town
        )
        youth_enrolment = resp.json()["id"]

        # Completion: once, with one event keyed by the household.
        done = f"/v1/training/enrolments/{adult_enrolment}/completion"
        resp = await client.post(
            done, json={"completed_on": "2018-03-20", "outcome": "passed"}, headers=auditor
        )
        assert resp.status_code == 403
        resp = await client.post(
            done, json={"completed_on": "2018-03-20", "outcome": "passed"}, headers=other_town
        )
        assert resp.status_code == 404
        resp = await client.post(
            done, json={"completed_on": "2018-03-20", "outcome": "passed"}, headers=town
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "completed"
        resp = await client.post(
            done, json={"completed_on": "2018-03-21", "outcome": "passed"}, headers=county
        )
        assert resp.status_code == 409
        events = outbox(url, "employment.training_completed")
        assert len(events) == 1
        key, payload = events[0]
        assert key == "H-1" and payload["person_id"] == "p-adult"
        assert payload["programme_id"] == str(prog["id"]) and payload["outcome"] == "passed"

        # Certificates and the EMP-7 subsidy.
        certs = f"/v1/training/enrolments/{adult_enrolment}/certificates"
        resp = await client.post(
            f"/v1/training/enrolments/{youth_enrolment}/certificates",
            json={"kind": "vocational_qualification", "number": "Y-1", "issued_on": "2018-04-01"},
            headers=county,
        )
        assert resp.status_code == 409  # not completed
        resp = await client.post(
            certs,
            json={"kind": "skill_level", "number": "S-1", "issued_on": "2018-04-01"},
            headers=county,
        )
        skill_cert = resp.json()["id"]
        resp = await client.post(
            f"/v1/training/certificates/{skill_cert}/job-seeking-subsidy", headers=county
        )
        assert resp.status_code == 422  # FL-HRSS names 职业资格证 only
        assert "not accepted" in resp.json()["detail"]
        resp = await client.post(
            certs,
            json={
                "kind": "vocational_qualification",
                "number": "ZG-2018-0001",
                "title": "电焊工",
                "issued_on": "2018-04-10",
            },
            headers=county,
        )
        assert resp.status_code == 201, resp.text
        cert = resp.json()["id"]
        resp = await client.post(
            certs,
            json={"kind": "vocational_qualification", "number": "ZG-2018-0001",
                  "issued_on": "2018-04-10"},
            headers=county,
        )  # fmt: skip
        assert resp.status_code == 409  # the same certificate number twice

        subsidy = f"/v1/training/certificates/{cert}/job-seeking-subsidy"
        resp = await client.post(subsidy, headers=town)
        assert resp.status_code == 403
        resp = await client.post(subsidy, headers=token(settings, Role.county_hrss, scope="360222"))
        assert resp.status_code == 404
        first, second = await asyncio.gather(
            client.post(subsidy, headers=county), client.post(subsidy, headers=county)
        )
        assert sorted([first.status_code, second.status_code]) == [200, 201], (
            first.text,
            second.text,
        )
        assert first.json()["id"] == second.json()["id"]
        grant = first.json()
        assert Decimal(grant["amount"]) == Decimal("500.00")
        assert grant["trace"]["rules"] == ["EMP-7"]
        assert (
            grant["trace"]["parameters"][-1]["path"] == "employment.job_seeking.certificate_subsidy"
        )
        # 姚安 has no EMP-7 figure of its own (FL-HRSS's 职业资格证 and 500 yuan are flagged).
        assert {
            "employment.job_seeking.certificate_kinds",
            "employment.job_seeking.certificate_subsidy",
        } <= set(grant["illustrative_parameters"])
        assert grant["illustrative_parameters"] == sorted(
            p["path"] for p in grant["trace"]["parameters"] if p["illustrative"]
        )
        for _ in range(2):
            resp = await client.post(subsidy, headers=county)
            assert resp.status_code == 200 and resp.json()["id"] == grant["id"]
        assert grants(url) == 1

        # Indicators on 2018-06-30: 姚安 counts every labourer (YA-HRSS §三(一)).
        place(url, "p-adult", "H-1", date(2018, 5, 2))
        resp = await client.get(
            "/v1/training/indicators?county=532325&by=township", headers=auditor
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        areas = {a["code"]: a for a in body["areas"]}
        mixing = areas[TOWN]
        assert (mixing["labourers"], mixing["base"], mixing["trained"]) == (2, 2, 1)
        assert Decimal(mixing["training_rate"]) == Decimal("0.5")
        assert (mixing["two_after"], mixing["two_after_base"], mixing["two_after_trained"]) == (
            1,
            1,
            0,
        )
        assert (mixing["placed"], mixing["not_placed"], mixing["pending"]) == (1, 0, 0)
        assert Decimal(mixing["placement_rate"]) == Decimal("1")
        assert areas[OTHER_TOWN]["trained"] == 0 and areas[OTHER_TOWN]["training_rate"] == "0.0000"
        assert body["total"]["labourers"] == 3 and body["placement_window_months"] == 6
        assert "EMP-2" in body["trace"]["rules"]
        resp = await client.get("/v1/training/indicators?county=532325&by=village", headers=town)
        assert [a["code"] for a in resp.json()["areas"]] == [VILLAGE]
        resp = await client.get("/v1/training/indicators?county=520324", headers=town)
        assert resp.status_code == 403

        # The ledger (培训台账): Chinese headers, the caller's scope.
        resp = await client.get("/v1/training/ledger", headers=county)
        assert resp.status_code == 200
        rows = list(
            load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows(values_only=True)
        )
        header = rows[0]
        assert header[:3] == ("培训项目", "培训类型", "承办部门") and "证书编号" in header
        numbers = [r[header.index("证书编号")] for r in rows[1:]]
        assert sorted(n or "" for n in numbers) == ["", "S-1", "ZG-2018-0001"]
        paid = [
            r[header.index("求职创业补贴(元)")]
            for r in rows[1:]
            if r[header.index("证书编号")] == "ZG-2018-0001"
        ]
        assert paid == [500]
        resp = await client.get("/v1/training/ledger", headers=other_town)
        assert len(list(load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows())) == 1


async def test_two_after_programme_county_wide(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    county = token(settings, Role.county_hrss, scope=COUNTY)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        body = programme(
            name="两后生职业技能培训", provider_department="县教育局",
            townships=[TOWN, OTHER_TOWN], for_two_after=True,
        )  # fmt: skip
        resp = await client.post("/v1/training/programmes", json=body, headers=county)
        assert resp.status_code == 201, resp.text
        resp = await client.post(
            "/v1/training/programmes", json={**body, "for_two_after": False}, headers=county
        )
        assert resp.status_code == 422
        resp = await client.post(
            "/v1/training/programmes",
            json=programme(ends_on="2018-02-01"),
            headers=county,
        )
        assert resp.status_code == 422
        _ = OTHER_VILLAGE
