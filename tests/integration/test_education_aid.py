"""Education aid through the HTTP API on a 正安 registry (EDU-1 to EDU-6): the education bureau's
register imported as CSV and XLSX, the list per school with amounts, a dibao student's tuition
waiver after civil affairs' dibao event, a child of school age in no school flagged, a bad file
refused whole, and the jurisdiction."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from services.enrollment.consumers import dibao
from services.enrollment.main import build_app
from shared.db import make_engine
from shared.events.envelope import Envelope
from shared.events.welfare import DibaoGranted
from shared.policy import PolicySet
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.education import (
    BOARDER,
    COUNTY,
    DROPOUT,
    HIGH,
    MARGINAL_HIGH,
    NAMES,
    OTHER_TOWNSHIP,
    OUTSIDER,
    ROSTER,
    SCHOOL_YEAR,
    TOWNSHIP,
    register_csv,
    register_xlsx,
)
from tests.support.uow import event_uow

pytestmark = pytest.mark.integration

YEAR = {"school_year": str(SCHOOL_YEAR)}
IMPORT = {**YEAR, "county_code": COUNTY}


def grant_dibao(settings: Settings, household_id: str, person_id: str) -> None:
    """Civil affairs' dibao decision, applied by enrollment's own consumer handler."""
    event = DibaoGranted(
        household_id=household_id,
        county_code=COUNTY,
        person_ids=[person_id],
        category="B",
        monthly_amount=Decimal("200.00"),
        effective_from=date(2018, 10, 1),
    )
    envelope = Envelope.wrap(event, source="/services/welfare", subject="x", key=household_id)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        uow = event_uow(
            session, envelope, policy=PolicySet.load(settings.policy_dir), group="enrollment"
        )
        dibao(uow, event)
        session.commit()
    engine.dispose()


def by_number(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id_number"]: item for item in page["items"]}


async def test_register_entitlements_dibao_waiver_and_out_of_school(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    bureau = token(settings, Role.county_education, scope=COUNTY)
    async with running(build_app(settings)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("roster.csv", ROSTER, "text/csv")},
            headers=token(settings, Role.county_poverty, scope=COUNTY),
        )
        assert resp.status_code == 201, resp.text
        resp = await client.post(
            "/v1/education/registers/imports",
            params=IMPORT,
            files={"file": ("register.csv", register_csv(), "text/csv")},
            headers=bureau,
        )
        assert resp.status_code == 201, resp.text
        result = resp.json()["result"]
        assert (result["rows"], result["in_registry"], result["not_in_registry"]) == (4, 3, 1)

        # Per school: 正安一中's registered-poor student gets 两助三免 5,700 (EDU-3); the student
        # in no registered household is listed without a decision.
        resp = await client.get(
            "/v1/education/students", params={**YEAR, "school": "正安一中"}, headers=bureau
        )
        assert resp.status_code == 200, resp.text
        page = resp.json()
        students = by_number(page)
        assert set(students) == {HIGH, OUTSIDER}
        assert students[HIGH]["amount"] == "5700.00"
        assert [line["item"] for line in students[HIGH]["lines"]] == ["two_aids_three_waivers"]
        assert students[OUTSIDER]["in_registry"] is False and students[OUTSIDER]["lines"] == []
        assert (page["amount"], page["not_in_registry"], page["entitled"]) == ("5700.00", 1, 1)
        assert page["illustrative_parameters"] == []  # 正安's own figures

        everyone = by_number(
            (await client.get("/v1/education/students", params=YEAR, headers=bureau)).json()
        )
        assert everyone[BOARDER]["amount"] == "1000.00"  # a boarder in primary school (EDU-2)
        assert everyone[MARGINAL_HIGH]["lines"] == []  # marginal, not yet on dibao

        # Civil affairs grant the marginal household dibao: its student's tuition is waived at
        # 正安二中's figure (EDU-3).
        person = await client.get(
            f"/v1/persons/{MARGINAL_HIGH}",
            headers=token(settings, Role.county_poverty, scope=COUNTY),
        )
        assert person.status_code == 200, person.text
        grant_dibao(settings, "ZA-E2", person.json()["person_id"])
        resp = await client.get(
            f"/v1/education/students/{MARGINAL_HIGH}", params=YEAR, headers=bureau
        )
        assert resp.status_code == 200, resp.text
        detail = resp.json()
        assert detail["amount"] == "1600.00"
        assert [(x["item"], x["kind"]) for x in detail["lines"]] == [("tuition_waiver", "waiver")]
        assert "EDU-3" in detail["trace"]["rules"]
        assert any(
            p["path"] == "education.senior_high.school_tiers" for p in detail["trace"]["parameters"]
        )

        # 控辍保学: the registered-poor child of 12 in no school is flagged, in her village.
        resp = await client.get("/v1/education/out-of-school", params=YEAR, headers=bureau)
        assert resp.status_code == 200, resp.text
        flagged = resp.json()
        assert [c["id_number"] for c in flagged["items"]] == [DROPOUT]
        assert flagged["items"][0]["age"] == 12 and flagged["items"][0]["township_code"] == TOWNSHIP
        assert "EDU-6" in flagged["trace"]["rules"]

        resp = await client.get("/v1/education/coverage", params=YEAR, headers=bureau)
        assert resp.status_code == 200, resp.text
        coverage = {t["township_code"]: t for t in resp.json()["townships"]}
        assert coverage[TOWNSHIP] == {
            "township_code": TOWNSHIP,
            "students": 2,
            "registered_poor_students": 2,
            "entitled": 2,
            "amount": "6700.00",
            "out_of_school": 1,
        }
        assert coverage[OTHER_TOWNSHIP]["amount"] == "1600.00"
        assert resp.json()["not_in_registry"] == 1

        # The list for the education bureau, Chinese headers.
        resp = await client.get(
            "/v1/education/students/export", params={**YEAR, "format": "xlsx"}, headers=bureau
        )
        assert resp.status_code == 200, resp.text
        sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
        table = list(sheet.iter_rows(values_only=True))
        assert table[2][:3] == ("学年", "学校", "学段")
        assert {row[10] for row in table[3:]} == {
            "两助三免",
            "寄宿生生活费补助",
            "免费教科书、免学杂费",
            "免学费",
        }


async def test_bad_register_refused_whole_xlsx_replaces_and_jurisdiction(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    bureau = token(settings, Role.county_education, scope=COUNTY)
    async with running(build_app(settings)) as client:
        await client.post(
            "/v1/registry/imports",
            files={"file": ("roster.csv", ROSTER, "text/csv")},
            headers=token(settings, Role.county_poverty, scope=COUNTY),
        )
        resp = await client.post(
            "/v1/education/registers/imports",
            params=IMPORT,
            files={"file": ("register.xlsx", register_xlsx(), "application/octet-stream")},
            headers=bureau,
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["result"]["rows"] == 4

        # A file with one bad row among good ones: 422 naming row and field, nothing written.
        bad = register_csv(
            [
                ["正安一中", "高中", "高二", "否", HIGH, NAMES[HIGH]],
                ["某镇中心小学", "小学", "九年级", "是", BOARDER, NAMES[BOARDER]],
                ["某幼儿园", "学前", "1", "否", DROPOUT, NAMES[DROPOUT]],
            ]
        )
        resp = await client.post(
            "/v1/education/registers/imports",
            params=IMPORT,
            files={"file": ("bad.csv", bad, "text/csv")},
            headers=bureau,
        )
        assert resp.status_code == 422, resp.text
        errors = {(e["row"], e["field"]) for e in resp.json()["errors"]}
        assert {(3, "grade"), (4, "public_inclusive"), (4, "poor_village")} <= errors
        resp = await client.post(
            "/v1/education/registers/imports",
            params=IMPORT,
            files={"file": ("broken.xlsx", b"PK\x03\x04 not a workbook", "text/plain")},
            headers=bureau,
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["field"] == "file"
        listed = (await client.get("/v1/education/students", params=YEAR, headers=bureau)).json()
        assert listed["total"] == 4  # the XLSX register as it was

        # Another county's bureau may not import 正安's register, nor see its students.
        other = token(settings, Role.county_education, scope="532325")
        resp = await client.post(
            "/v1/education/registers/imports",
            params=IMPORT,
            files={"file": ("register.csv", register_csv(), "text/csv")},
            headers=other,
        )
        assert resp.status_code == 403, resp.text
        resp = await client.get(f"/v1/education/students/{HIGH}", params=YEAR, headers=other)
        assert resp.status_code == 404

        # A township officer sees the students of the township only; the student in no
        # registered household is the county's.
        township = token(settings, Role.township_officer, scope=OTHER_TOWNSHIP)
        listed = (await client.get("/v1/education/students", params=YEAR, headers=township)).json()
        assert [item["id_number"] for item in listed["items"]] == [MARGINAL_HIGH]
        for number in (HIGH, OUTSIDER):
            resp = await client.get(
                f"/v1/education/students/{number}", params=YEAR, headers=township
            )
            assert resp.status_code == 404, number
        flagged = (
            await client.get("/v1/education/out-of-school", params=YEAR, headers=township)
        ).json()
        assert flagged["items"] == []
        resp = await client.get(
            "/v1/education/out-of-school", params={**YEAR, "division": TOWNSHIP}, headers=township
        )
        assert resp.status_code == 403
        village = token(settings, Role.village_cadre, scope="520324100201")
        flagged = (
            await client.get("/v1/education/out-of-school", params=YEAR, headers=village)
        ).json()
        assert [c["id_number"] for c in flagged["items"]] == [DROPOUT]
