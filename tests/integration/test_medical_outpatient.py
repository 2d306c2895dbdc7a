"""Outpatient chronic-disease bills (MED-6, MED-8) and general diagnosis fee refunds (MED-9) over
HTTP, on SQLite and PostgreSQL: idempotent bill ids, running totals per person, year and
category, the registry status on the bill date, roles and jurisdiction, the ledger as JSON and
XLSX."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, select

from services.medical.diagnosis_fee.routes import LEDGER_HEADERS
from services.medical.main import build_app
from services.medical.models import (
    DiagnosisFeeVisit,
    OutpatientBill,
    OutpatientYear,
)
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.medical_outpatient import (
    EXITED,
    LATER,
    POOR,
    TOWN,
    VILLAGE,
    ZA,
    ZA_POOR,
    seed,
    visit,
)

pytestmark = pytest.mark.integration

OUTSIDER = make_resident_id("532325", date(1963, 3, 3), 14, "F")  # not in the registry
ZA_OUTSIDER = make_resident_id(ZA, date(1965, 3, 3), 16, "F")


def chronic(bill: str, number: str = POOR, **over: object) -> dict:
    body = {
        "bill_id": bill,
        "id_number": number,
        "county_code": "532325",
        "bill_date": "2018-03-01",
        "category": "I",
        "hospital_level": 1,
        "covered_cost": "60000.00",
        "diagnosis_codes": ["N18.5"],
    }
    body.update(over)
    return body


def chronic36(bill: str, number: str = ZA_POOR, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "bill_id": bill,
        "id_number": number,
        "county_code": ZA,
        "bill_date": "2018-04-01",
        "hospital_admin_level": "county",
        "bill_self_pay": "800.00",
        "approved_out_of_catalogue": "500.00",
        "diagnosis_codes": ["E11.9"],
    }
    body.update(over)
    return body


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return int(n)


async def test_chronic_bills(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    officer = token(settings, Role.county_medical)
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        # Category I at a level-1 institution (90%): 54000 from the basic fund.
        first = await client.post(
            "/v1/outpatient/chronic-bills", json=chronic("B-1"), headers=hospital
        )
        assert first.status_code == 201, first.text
        b1 = first.json()
        assert (b1["rule"], b1["eligible"], b1["paid"], b1["basic_fund"]) == (
            "MED-6", True, "54000.00", "54000.00",
        )  # fmt: skip
        assert "MED-6" in b1["trace"]["rules"] and b1["trace"]["parameters"]

        again = await client.post(
            "/v1/outpatient/chronic-bills", json=chronic("B-1"), headers=hospital
        )
        assert again.status_code == 200 and again.json() == b1
        clash = await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-1", covered_cost="1.00"),
            headers=hospital,
        )
        assert clash.status_code == 409

        # The year-to-date 54000 crosses the 60000 band start: 6000 basic, 12000 commercial.
        second = (
            await client.post(
                "/v1/outpatient/chronic-bills",
                json=chronic("B-2", covered_cost="20000.00", bill_date="2018-05-01"),
                headers=hospital,
            )
        ).json()
        assert (second["basic_fund"], second["commercial_insurer"]) == ("6000.00", "12000.00")
        assert (second["ytd_before"], second["ytd_after"]) == ("54000.00", "72000.00")
        # Only 28000 is left of the 100000 cap; the rest of the 36000 due is the patient's.
        third = (
            await client.post(
                "/v1/outpatient/chronic-bills",
                json=chronic("B-3", covered_cost="40000.00", bill_date="2018-07-01"),
                headers=hospital,
            )
        ).json()
        assert (third["paid"], third["commercial_insurer"], third["self_pay"]) == (
            "28000.00", "28000.00", "12000.00",
        )  # fmt: skip

        # Exited people keep the policy (REG-2); a category II bill has its own totals.
        exited = await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-4", EXITED, category="II", hospital_level=3, covered_cost="1000.00"),
            headers=hospital,
        )
        assert exited.status_code == 201 and exited.json()["paid"] == "600.00"

        # Not registered, or marginal on the bill date: a decision saying why, nothing paid.
        outsider = (
            await client.post(
                "/v1/outpatient/chronic-bills", json=chronic("B-5", OUTSIDER), headers=hospital
            )
        ).json()
        assert outsider["eligible"] is False and outsider["paid"] == "0.00"
        assert "not in the poverty registry" in outsider["reason"]
        march = (
            await client.post(
                "/v1/outpatient/chronic-bills", json=chronic("B-6", LATER), headers=hospital
            )
        ).json()
        assert march["eligible"] is False and "marginal" in march["reason"]
        assert march["poverty_status"] == "marginal"
        july = (
            await client.post(
                "/v1/outpatient/chronic-bills",
                json=chronic("B-7", LATER, bill_date="2018-07-02"),
                headers=hospital,
            )
        ).json()
        assert july["eligible"] is True and july["paid"] == "54000.00"

        # Bad input: 422 naming the field, nothing written.
        bills_before = count(url, OutpatientBill)
        bad = await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-8", hospital_level=4, category="III"),
            headers=hospital,
        )
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert {"body.hospital_level", "body.category"} <= fields
        early = await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-9", bill_date="2017-06-01"),
            headers=hospital,
        )
        assert early.status_code == 422
        assert early.json()["errors"][0]["field"] == "body.bill_date"
        assert count(url, OutpatientBill) == bills_before
        engine = make_engine(url)
        with Session(engine) as s:
            assert s.get(OutpatientYear, (POOR, 2017, "chronic_I")) is None
            year = s.get(OutpatientYear, (POOR, 2018, "chronic_I"))
            assert year is not None and year.bills == 3 and year.paid == Decimal("100000.00")
            assert year.commercial_insurer == Decimal("40000.00")
        engine.dispose()

        # Roles and jurisdiction.
        assert (
            await client.post("/v1/outpatient/chronic-bills", json=chronic("B-10"), headers=officer)
        ).status_code == 403
        far_hospital = token(settings, Role.hospital, scope="360222", sub="hospital-F")
        assert (
            await client.post(
                "/v1/outpatient/chronic-bills", json=chronic("B-11"), headers=far_hospital
            )
        ).status_code == 403
        assert (await client.get("/v1/outpatient/bills/B-1", headers=officer)).json() == b1
        auditor = token(settings, Role.auditor, scope="")
        assert (await client.get("/v1/outpatient/bills/B-1", headers=auditor)).status_code == 200
        assert (await client.get("/v1/outpatient/bills/B-1", headers=hospital)).status_code == 200
        other = token(settings, Role.hospital, sub="hospital-B")
        assert (await client.get("/v1/outpatient/bills/B-1", headers=other)).status_code == 404
        far = token(settings, Role.county_medical, scope="360222")
        assert (await client.get("/v1/outpatient/bills/B-1", headers=far)).status_code == 404
        cadre = token(settings, Role.village_cadre, scope=VILLAGE)
        assert (await client.get("/v1/outpatient/bills/B-1", headers=cadre)).status_code == 403
        assert (await client.get("/v1/outpatient/bills/NOPE", headers=officer)).status_code == 404


async def test_chronic36_bills_and_summary(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A", scope=ZA)
    officer = token(settings, Role.county_medical, scope=ZA)
    yaoan_hospital = token(settings, Role.hospital, sub="hospital-Y")
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        # 姚安 has no 36-chronic-disease programme: a clear 422 naming the missing figure, never
        # 正安's caps, and nothing stored.
        refused = await client.post(
            "/v1/outpatient/chronic36-bills",
            json=chronic36("M-Y", POOR, county_code="532325"),
            headers=yaoan_hospital,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert "medical.chronic36.self_pay_cap.county" in problem["detail"]
        assert problem["errors"][0]["field"] == "body.county_code"
        assert "must publish its own figure" in problem["errors"][0]["reason"]
        assert count(settings.database_url, OutpatientBill) == 0
        a = (
            await client.post(
                "/v1/outpatient/chronic36-bills", json=chronic36("M-1"), headers=hospital
            )
        ).json()
        # 800 stays within the 1000 county-level cap: no aid.
        assert (a["rule"], a["paid"], a["self_pay"], a["ytd_after"]) == (
            "MED-8", "0.00", "800.00", "800.00",
        )  # fmt: skip
        assert a["illustrative_parameters"] == []  # 正安's own caps
        b = (
            await client.post(
                "/v1/outpatient/chronic36-bills",
                json=chronic36(
                    "M-2", bill_date="2018-05-01", bill_self_pay="1500.00",
                    approved_out_of_catalogue="1000.00",
                ),
                headers=hospital,
            )
        ).json()  # fmt: skip
        # 200 left under the cap; aid 1300 wanted but only the approved 1000 can be aided.
        assert (b["paid"], b["self_pay"], b["ytd_before"], b["ytd_after"]) == (
            "1000.00", "500.00", "800.00", "1300.00",
        )  # fmt: skip
        assert "MED-8" in b["trace"]["rules"]
        over = await client.post(
            "/v1/outpatient/chronic36-bills",
            json=chronic36("M-3", approved_out_of_catalogue="900.00"),
            headers=hospital,
        )
        assert over.status_code == 422
        assert over.json()["errors"][0]["field"] == "body"
        b1 = await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-1", ZA_POOR, county_code=ZA),
            headers=hospital,
        )
        # MED-6 is 浮梁's (FL-HRSS §三(三)2): in 正安 its figures are flagged illustrative.
        assert b1.json()["illustrative_parameters"] == [
            "medical.outpatient_chronic.category_i.annual_cap",
            "medical.outpatient_chronic.category_i.commercial_band_from",
            "medical.outpatient_chronic.ratio.level1",
        ]
        await client.post(
            "/v1/outpatient/chronic-bills",
            json=chronic("B-X", ZA_OUTSIDER, county_code=ZA),
            headers=hospital,
        )

        summary = await client.get(
            f"/v1/persons/{ZA_POOR}/outpatient-summary?year=2018", headers=officer
        )
        assert summary.status_code == 200, summary.text
        body = summary.json()
        assert [b["bill_id"] for b in body["bills"]] == ["B-1", "M-1", "M-2"]
        totals = {t["category"]: t for t in body["totals"]}
        assert totals["chronic36"]["self_pay"] == "1300.00" and totals["chronic36"]["bills"] == 2
        assert totals["chronic_I"]["paid"] == "54000.00" and totals["chronic_I"]["rule"] == "MED-6"
        # Someone outside the registry: their county's officers see the bills, no totals.
        outsider = (
            await client.get(f"/v1/persons/{ZA_OUTSIDER}/outpatient-summary", headers=officer)
        ).json()
        assert [b["eligible"] for b in outsider["bills"]] == [False] and outsider["totals"] == []
        far = token(settings, Role.county_medical, scope="360222")
        path = f"/v1/persons/{ZA_POOR}/outpatient-summary"
        assert (await client.get(path, headers=far)).status_code == 404
        assert (await client.get(path, headers=hospital)).status_code == 403


async def test_concurrent_bills_respect_the_yearly_cap(db_template: str) -> None:
    """Eight bills of one person at once: the running total is taken under a lock, so the
    category II cap (5000) is paid exactly once over, never twice from the same total."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        bodies = [
            chronic(
                f"C-{i}", category="II", covered_cost="1000.00", bill_date=f"2018-08-{i + 1:02d}"
            )
            for i in range(8)
        ]
        answers = await asyncio.gather(
            *(client.post("/v1/outpatient/chronic-bills", json=b, headers=hospital) for b in bodies)
        )
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
        paid = sum(Decimal(a.json()["paid"]) for a in answers)
        assert paid == Decimal("5000.00")  # 8 x 900 due, 5000 cap
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            year = s.get(OutpatientYear, (POOR, 2018, "chronic_II"))
            assert year is not None and year.paid == Decimal("5000.00") and year.bills == 8
        engine.dispose()


async def test_general_diagnosis_fee_refunds_and_ledger(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    clinic = token(settings, Role.hospital, sub="clinic-1")
    officer = token(settings, Role.county_medical)
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        first = await client.post("/v1/general-diagnosis-fees", json=visit("V-1"), headers=clinic)
        assert first.status_code == 201, first.text
        v1 = first.json()
        assert (v1["refund"], v1["in_cleanup_window"], v1["ledger_deadline"]) == (
            "10.00", True, "2017-11-20",
        )  # fmt: skip
        assert "MED-9" in v1["trace"]["rules"]
        again = await client.post("/v1/general-diagnosis-fees", json=visit("V-1"), headers=clinic)
        assert again.status_code == 200 and again.json() == v1
        clash = await client.post(
            "/v1/general-diagnosis-fees", json=visit("V-1", fee_self_pay="12.00"), headers=clinic
        )
        assert clash.status_code == 409
        later = (
            await client.post(
                "/v1/general-diagnosis-fees",
                json=visit("V-2", EXITED, visit_date="2018-03-01", township_code="532325101",
                           facility_type="village_clinic", facility_name="某村卫生室"),
                headers=clinic,
            )
        ).json()  # fmt: skip
        assert (later["refund"], later["in_cleanup_window"], later["ledger_deadline"]) == (
            "10.00", False, None,
        )  # fmt: skip
        outsider = (
            await client.post(
                "/v1/general-diagnosis-fees", json=visit("V-3", OUTSIDER), headers=clinic
            )
        ).json()
        assert outsider["refund"] == "0.00" and "registry" in outsider["reason"]
        hospital_visit = (
            await client.post(
                "/v1/general-diagnosis-fees",
                json=visit("V-4", facility_type="county_hospital"),
                headers=clinic,
            )
        ).json()
        assert hospital_visit["refund"] == "0.00" and "facility" in hospital_visit["reason"]

        before = count(url, DiagnosisFeeVisit)
        bad = await client.post(
            "/v1/general-diagnosis-fees",
            json=visit("V-5", township_code="360222100", fee_self_pay="-1"),
            headers=clinic,
        )
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert "body.fee_self_pay" in fields
        wrong_town = await client.post(
            "/v1/general-diagnosis-fees",
            json=visit("V-6", township_code="360222100"),
            headers=clinic,
        )
        assert wrong_town.status_code == 422
        early = await client.post(
            "/v1/general-diagnosis-fees", json=visit("V-7", visit_date="2016-12-31"), headers=clinic
        )
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "body.visit_date"
        assert count(url, DiagnosisFeeVisit) == before

        ledger = await client.get(
            "/v1/general-diagnosis-fees/ledger?county=532325", headers=officer
        )
        assert ledger.status_code == 200, ledger.text
        body = ledger.json()
        assert [line["visit_id"] for line in body["lines"]] == ["V-1", "V-2"]
        assert (body["visits"], body["refund"], body["cleanup_visits"], body["cleanup_refund"]) == (
            2, "20.00", 1, "10.00",
        )  # fmt: skip
        assert body["lines"][0]["name"] == "居民p-poor"
        town = (
            await client.get(
                f"/v1/general-diagnosis-fees/ledger?county=532325&township={TOWN}"
                "&from=2017-01-01&to=2017-10-31",
                headers=officer,
            )
        ).json()
        assert [line["visit_id"] for line in town["lines"]] == ["V-1"]
        xlsx = await client.get(
            "/v1/general-diagnosis-fees/ledger?county=532325&format=xlsx", headers=officer
        )
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header_at = next(i for i, r in enumerate(rows) if r[0] == LEDGER_HEADERS[0])
        headers = (LEDGER_HEADERS[0], "乡镇名称", *LEDGER_HEADERS[1:])
        assert tuple(rows[header_at]) == headers
        first_line = dict(zip(headers, rows[header_at + 1], strict=True))
        assert first_line["就诊编号"] == "V-1" and first_line["机构类型"] == "乡镇卫生院"
        assert first_line["是否清理期间"] == "是"
        assert first_line["台账上报截止日期"] == datetime(2017, 11, 20)  # a date cell
        assert first_line["退还金额"] == 10

        # Roles and jurisdiction.
        far = token(settings, Role.county_medical, scope="360222")
        path = "/v1/general-diagnosis-fees/ledger?county=532325"
        assert (await client.get(path, headers=far)).status_code == 404
        assert (await client.get(path, headers=clinic)).status_code == 403
        auditor = token(settings, Role.auditor, scope="")
        assert (await client.get(path, headers=auditor)).status_code == 200
        assert (await client.get("/v1/general-diagnosis-fees/V-1", headers=far)).status_code == 404
        assert (await client.get("/v1/general-diagnosis-fees/V-1", headers=officer)).json() == v1
        assert (
            await client.post("/v1/general-diagnosis-fees", json=visit("V-9"), headers=officer)
        ).status_code == 403
