"""The labour census over HTTP on SQLite and PostgreSQL (劳动力调查, EMP-1): a spreadsheet with
Chinese headers imported whole, a file with bad rows refused whole with every row and field
named, one person edited by PUT and PATCH, the not-yet-surveyed list per village, the XLSX
export, 两后生 derived from age and education, roles (403) and jurisdiction (404); and on a real
broker a person arriving from the registry in the not-yet-surveyed list and a death closing the
census record."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from services.employment import clock
from services.employment.census.models import LabourCensusPerson
from services.employment.main import build_app
from shared.bus.tables import ProcessedEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonDeceased, PersonRegistered
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.bus import produce_raw, wait_until
from tests.support.employment_census import (
    ADULT,
    COUNTY,
    ELDER,
    HEADER,
    LATE,
    OTHER_VILLAGE,
    TODAY,
    TOWN,
    VILLAGE,
    YOUTH,
    seed,
)

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def census_rows(url: str) -> list[LabourCensusPerson]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = list(s.exec(select(LabourCensusPerson).order_by(LabourCensusPerson.person_id)))
    engine.dispose()
    return rows


GOOD = (
    HEADER
    + f"{ADULT},有劳动能力,是,是,砌筑、电焊,小学,否,县内,姚安县某建筑公司\n"
    + f"{YOUTH},有劳动能力,是,是,,初中,否,未就业,\n"
    + f"{ELDER},无劳动能力,否,否,,小学,否,未就业,\n"
)


async def test_census_import_edit_list_export(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    county = token(settings, Role.county_hrss, scope=COUNTY)
    cadre = token(settings, Role.village_cadre, scope=VILLAGE)
    other_cadre = token(settings, Role.village_cadre, scope=OTHER_VILLAGE)
    auditor = token(settings, Role.auditor, scope=COUNTY)
    async with running(build_app(settings)) as client:
        seed(url)

        # A file with bad rows is refused whole: every row and field named, nothing written.
        bad = (
            HEADER
            + f"{ADULT},有劳动能力,是,是,,小学,否,县内,某公司\n"
            + "110101199003077777,有劳动能力,是,是,,,否,未就业,\n"  # invalid ID number
            + f"{make_resident_id(COUNTY, date(1970, 1, 1), 99, 'M')},有劳动能力,是,是,,,否,,\n"
            + f"{YOUTH},会干活,也许,是,,博士,否,火星,\n"
            + f"{LATE},有劳动能力,是,是,,,否,未就业,某公司\n"  # employer without a job
            + f"{ADULT},有劳动能力,是,是,,,否,,\n"  # twice
        )
        resp = await client.post(
            "/v1/census/imports", files={"file": ("census.csv", bad.encode())}, headers=county
        )
        assert resp.status_code == 422, resp.text
        errors = {(e["row"], e["field"]) for e in resp.json()["errors"]}
        assert errors == {
            (3, "id_number"),
            (4, "id_number"),
            (5, "work_ability"),
            (5, "wishes_to_work"),
            (5, "education"),
            (5, "job_location"),
            (6, "employer"),
            (7, "id_number"),
        }
        assert census_rows(url) == []

        # Out of the cadre's village: refused by row, not written.
        resp = await client.post(
            "/v1/census/imports", files={"file": ("c.csv", GOOD.encode())}, headers=other_cadre
        )
        assert resp.status_code == 422
        assert {e["row"] for e in resp.json()["errors"]} == {2, 3, 4}
        # An auditor reads but does not import.
        resp = await client.post(
            "/v1/census/imports", files={"file": ("c.csv", GOOD.encode())}, headers=auditor
        )
        assert resp.status_code == 403

        resp = await client.post(
            "/v1/census/imports", files={"file": ("census.csv", GOOD.encode())}, headers=cadre
        )
        assert resp.status_code == 201, resp.text
        assert (resp.json()["rows"], resp.json()["created"]) == (3, 3)

        resp = await client.get("/v1/census/persons/p-youth", headers=cadre)
        youth = resp.json()
        assert youth["two_after_students"] is True and youth["labourer"] is True
        assert youth["age"] == 17
        elder = (await client.get("/v1/census/persons/p-elder", headers=cadre)).json()
        assert (elder["working_age"], elder["labourer"], elder["two_after_students"]) == (
            False,
            False,
            False,
        )
        adult = (await client.get("/v1/census/persons/p-adult", headers=county)).json()
        assert adult["skills"] == ["砌筑", "电焊"] and adult["job_location"] == "local"
        # Another village's cadre does not see the person: 404, never 403.
        resp = await client.get("/v1/census/persons/p-adult", headers=other_cadre)
        assert resp.status_code == 404

        # Not yet surveyed, per village: the working-age person without a record.
        resp = await client.get("/v1/census/not-surveyed", headers=county)
        assert resp.status_code == 200
        villages = {v["village_code"]: [p["person_id"] for p in v["persons"]] for v in resp.json()}
        assert villages == {VILLAGE: ["p-late"], OTHER_VILLAGE: ["p-away"]}
        resp = await client.get("/v1/census/not-surveyed", headers=cadre)
        assert [v["village_code"] for v in resp.json()] == [VILLAGE]

        # One person: PUT the whole record, then PATCH a field.
        body = {
            "work_ability": "partial",
            "wishes_to_work": True,
            "wishes_to_train": False,
            "skills": ["刺绣"],
            "education": "senior_high",
            "in_school": True,
        }
        resp = await client.put("/v1/census/persons/p-late", json=body, headers=auditor)
        assert resp.status_code == 403
        resp = await client.put("/v1/census/persons/p-away", json=body, headers=cadre)
        assert resp.status_code == 404
        resp = await client.put(
            "/v1/census/persons/p-late", json={**body, "employer": "某厂"}, headers=cadre
        )
        assert resp.status_code == 422
        resp = await client.put("/v1/census/persons/p-late", json=body, headers=cadre)
        assert resp.status_code == 200, resp.text
        assert resp.json()["two_after_students"] is False  # in school, and 28
        resp = await client.patch(
            "/v1/census/persons/p-late",
            json={"job_location": "other_province", "employer": "上海某电子厂"},
            headers=cadre,
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["job_location"] == "other_province"
        assert resp.json()["work_ability"] == "partial"
        resp = await client.patch(
            "/v1/census/persons/p-away", json={"wishes_to_work": True}, headers=county
        )
        assert resp.status_code == 404  # not surveyed yet
        resp = await client.get("/v1/census/not-surveyed", headers=cadre)
        assert resp.json() == []

        # A re-import updates in place.
        again = HEADER + f"{ADULT},部分丧失劳动能力,是,否,,小学,否,未就业,\n"
        resp = await client.post(
            "/v1/census/imports", files={"file": ("again.csv", again.encode())}, headers=county
        )
        assert resp.status_code == 201 and resp.json()["updated"] == 1

        # Export: XLSX with Chinese headers, the rows in the caller's scope.
        resp = await client.get("/v1/census/export", headers=cadre)
        assert resp.status_code == 200
        sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("户编号", "姓名", "证件号码") and "两后生" in rows[0]
        assert len(rows) == 1 + 4
        by_number = {r[2]: r for r in rows[1:]}
        assert by_number[YOUTH][rows[0].index("两后生")] == "是"
        assert by_number[ADULT][rows[0].index("劳动能力")] == "部分丧失劳动能力"

        # The exported file imports back unchanged.
        exported = (await client.get("/v1/census/export", headers=cadre)).content
        resp = await client.post(
            "/v1/census/imports", files={"file": ("export.xlsx", exported)}, headers=cadre
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["updated"] == 4


def kafka(data: EventData, key: str) -> tuple:
    return Envelope.wrap(data, source="/services/test", subject=key, key=key).to_kafka()


def processed(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = len(s.exec(select(ProcessedEvent)).all())
    engine.dispose()
    return n


async def test_registry_events_keep_the_census_current(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    settings = make_settings(
        "employment", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    url = settings.database_url
    county = token(settings, Role.county_hrss, scope=COUNTY)
    async with running(build_app(settings)) as client:
        resp = await client.get("/v1/census/not-surveyed", headers=county)
        assert resp.json() == []
        arrival = PersonRegistered(
            person_id="p-new", household_id="H-9", id_number=LATE, name="李四", sex="F",
            birth_date=date(1990, 2, 2), county_code=COUNTY, township_code=TOWN,
            village_code=VILLAGE, poverty_status=PovertyStatus.not_exited,
        )  # fmt: skip
        await produce_raw(broker, topic_prefix + "enrollment.events", [kafka(arrival, "H-9")])
        await wait_until(lambda: processed(url) >= 1, timeout=40)
        resp = await client.get("/v1/census/not-surveyed", headers=county)
        assert [(v["village_code"], v["count"]) for v in resp.json()] == [(VILLAGE, 1)]
        assert resp.json()[0]["persons"][0]["person_id"] == "p-new"

        resp = await client.put(
            "/v1/census/persons/p-new",
            json={"work_ability": "full", "wishes_to_work": True, "wishes_to_train": True},
            headers=county,
        )
        assert resp.status_code == 200, resp.text

        # A death closes the record; delivered twice, applied once.
        death = PersonDeceased(
            person_id="p-new", household_id="H-9", id_number=LATE, county_code=COUNTY,
            village_code=VILLAGE, deceased_on=date(2018, 2, 20),
        )  # fmt: skip
        message = kafka(death, "H-9")
        await produce_raw(broker, topic_prefix + "enrollment.events", [message, message])
        await wait_until(lambda: processed(url) >= 2, timeout=40)
        await wait_until(lambda: census_rows(url)[0].closed_on is not None, timeout=40)
        row = census_rows(url)[0]
        assert (row.closed_on, row.closed_reason) == (date(2018, 2, 20), "deceased")
        person = (await client.get("/v1/census/persons/p-new", headers=county)).json()
        assert person["labourer"] is False
        resp = await client.get("/v1/census/not-surveyed", headers=county)
        assert resp.json() == []
