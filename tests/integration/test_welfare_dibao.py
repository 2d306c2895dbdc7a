"""Dibao over HTTP on SQLite and PostgreSQL (WEL-1 .. WEL-3, WEL-8): a household carried by a
village cadre, a township officer and two county officers from application to its monthly
payment; every legal and illegal step of the procedure; an objection during the public notice;
reviews; the payment cycle run twice, approved by a second officer, a failed payment re-issued
once in the next cycle."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.welfare import clock
from services.welfare.dibao.facts import compute, member_facts
from services.welfare.dibao.procedure import APPLICATION, ApplicationStatus
from services.welfare.dibao.rules import DibaoCategory
from services.welfare.main import build_app
from shared.ids import make_resident_id
from shared.policy import PolicySet
from shared.roles import Role
from shared.settings import Settings
from shared.trace import illustrative_of
from tests.support.app import make_settings, running
from tests.support.welfare_dibao import (
    COUNTY,
    REVIEW,
    TOWN,
    VILLAGE,
    Officers,
    application,
    member,
    outbox,
    seed,
    to_notice,
)

pytestmark = pytest.mark.integration

LONE = make_resident_id(COUNTY, date(1948, 1, 9), 23, "M")
TODAY = date(2026, 3, 5)
POLICY = PolicySet.load(Settings().policy_dir)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


async def test_application_to_payment(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        resp = await client.post("/v1/dibao/applications", json=application(), headers=o.cadre)
        assert resp.status_code == 201, resp.text
        app = resp.json()
        assert app["status"] == "submitted" and app["household_id"] == "H-1"
        assert app["next_steps"] == ["accepted", "refused"]
        url = f"/v1/dibao/applications/{app['id']}"

        # Wrong role: 403; wrong step: 409 naming the legal ones; out of scope: 404.
        resp = await client.post(f"{url}/acceptance", json={"accept": True}, headers=o.cadre)
        assert resp.status_code == 403
        resp = await client.post(f"{url}/decision", json={"approve": True}, headers=o.county)
        assert resp.status_code == 409 and "accepted" in resp.json()["detail"]
        resp = await client.post(f"{url}/acceptance", json={"accept": True}, headers=o.other_town)
        assert resp.status_code == 404
        assert (await client.get(url, headers=o.other_town)).status_code == 404

        assert (
            await client.post(f"{url}/acceptance", json={"accept": True}, headers=o.town)
        ).status_code == 200
        # The same step twice is a 409, not a second step.
        resp = await client.post(f"{url}/acceptance", json={"accept": True}, headers=o.town)
        assert resp.status_code == 409

        resp = await client.post(f"{url}/economic-review", json=REVIEW, headers=o.town)
        assert resp.status_code == 200, resp.text
        reviewed = resp.json()
        assert reviewed["annual_income"] == "2000.00"
        members = member_facts(reviewed["members"], TODAY)
        proposed = DibaoCategory(reviewed["proposed_category"])
        expected = compute(POLICY, COUNTY, TODAY, members, Decimal("2000.00"), proposed)
        assert Decimal(reviewed["monthly_amount"]) == expected.benefit.monthly_amount > 0
        assert "WEL-3" in reviewed["benefit"]["rules"]

        resp = await client.post(
            f"{url}/decision", json={"approve": True, "category": "C"}, headers=o.county
        )
        if proposed != DibaoCategory.C:
            assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "reason"
        resp = await client.post(f"{url}/decision", json={"approve": True}, headers=o.county)
        assert resp.status_code == 200 and resp.json()["category"] == proposed.value

        # The notice: 7 days from its first day (welfare.dibao.public_notice_days).
        resp = await client.post(f"{url}/notice", json={"start": "2026-02-02"}, headers=o.town)
        assert resp.status_code == 200, resp.text
        noticed = resp.json()
        assert noticed["status"] == "in_notice" and noticed["registered_poor"] is True
        end = date.fromisoformat(noticed["notice_end"])
        assert end > date(2026, 2, 2)

        listing = await client.get("/v1/dibao/notices", params={"on": "2026-02-03"}, headers=o.town)
        assert [r["application_id"] for r in listing.json()] == [app["id"]]
        assert listing.json()[0]["registered_poor"] is True
        xlsx = await client.get(
            "/v1/dibao/notices", params={"on": "2026-02-03", "format": "xlsx"}, headers=o.town
        )
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert (
            "建档立卡贫困户" in header
            and sheet.cell(2, header.index("建档立卡贫困户") + 1).value == "是"
        )

        # An objection during the notice blocks activation until it is resolved.
        resp = await client.post(
            f"{url}/objections",
            json={
                "objector": "村民王某",
                "content": "该户有子女在外务工收入",
                "lodged_on": "2026-02-04",
            },
            headers=o.cadre,
        )
        assert resp.status_code == 201, resp.text
        objection = resp.json()["id"]
        late = await client.post(
            f"{url}/objections",
            json={"objector": "村民赵某", "content": "公示期后的异议", "lodged_on": "2026-03-01"},
            headers=o.cadre,
        )
        assert late.status_code == 409
        resp = await client.post(f"{url}/activation", json={}, headers=o.county)
        assert resp.status_code == 409 and str(objection) in resp.json()["detail"]
        resp = await client.post(
            f"{url}/objections/{objection}/resolution",
            json={"upheld": False, "resolution": "经核实子女已分户，异议不成立"},
            headers=o.town,
        )
        assert resp.status_code == 200 and resp.json()["status"] == "dismissed"
        again = await client.post(
            f"{url}/objections/{objection}/resolution",
            json={"upheld": True, "resolution": "再次处理"},
            headers=o.county,
        )
        assert again.status_code == 409

        resp = await client.post(
            f"{url}/activation", json={"effective_from": "2026-02-10"}, headers=o.county
        )
        assert resp.status_code == 200, resp.text
        active = resp.json()
        assert active["status"] == "active" and active["case_id"]
        assert [s["to_status"] for s in active["steps"]] == [
            "submitted", "accepted", "reviewed", "approved", "in_notice", "in_notice",
            "in_notice", "active",
        ]  # fmt: skip
        assert {s["actor"] for s in active["steps"]} == {"cadre", "town", "county-a"}
        granted = outbox(settings.database_url, "welfare.dibao_granted")
        assert len(granted) == 1
        assert sorted(granted[0]["person_ids"]) == ["p-head", "p-wife"]
        assert granted[0]["monthly_amount"] == str(expected.benefit.monthly_amount)
        # 姚安 publishes no dibao standard of its own (YA-GOV §一 merges the lines without a
        # figure): the grant says which figures are illustrative, as the case does.
        illustrative = illustrative_of(expected.benefit.trace)
        assert "welfare.dibao.rural_standard" in illustrative
        assert granted[0]["illustrative_parameters"] == illustrative
        assert set(illustrative) <= set(active["illustrative_parameters"])
        case_out = await client.get(f"/v1/dibao/cases/{active['case_id']}", headers=o.county)
        assert case_out.json()["illustrative_parameters"] == illustrative

        case_url = f"/v1/dibao/cases/{active['case_id']}"
        case = (await client.get(case_url, headers=o.auditor)).json()
        assert case["monthly_amount"] == str(expected.benefit.monthly_amount)
        assert date.fromisoformat(case["next_review_due"]) > date(2026, 2, 10)

        # February's payment: prepared by one officer, approved by another, paid once.
        resp = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-02"}, headers=o.county
        )
        assert resp.status_code == 201, resp.text
        cycle = resp.json()
        # The wife's grade 2 (in the household's facts since February 10) is paid from February,
        # the first cycle prepared after it was known, as her own two lines (WEL-4), not inside
        # the dibao amount. Category B in 姚安 (illustrative): nursing 40, living 20% of 3,500 /
        # 12 = 58.33.
        subsidies_total = Decimal("98.33")
        assert cycle["lines"] == 3 and cycle["notes"]["disability_lines"] == 2
        assert Decimal(cycle["total"]) == Decimal(case["monthly_amount"]) + subsidies_total
        again = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-02"}, headers=o.county
        )
        assert again.status_code == 200 and again.json()["id"] == cycle["id"]
        assert again.json()["lines"] == 3
        c_url = f"/v1/payment-cycles/{cycle['id']}"
        assert (await client.get(f"{c_url}/bank-file", headers=o.county)).status_code == 409
        assert (await client.post(f"{c_url}/approval", headers=o.county)).status_code == 403
        assert (await client.post(f"{c_url}/payment", headers=o.county_b)).status_code == 409
        resp = await client.post(f"{c_url}/approval", headers=o.county_b)
        assert resp.status_code == 200 and resp.json()["status"] == "approved"
        resp = await client.post(f"{c_url}/payment", headers=o.county)
        assert resp.status_code == 200 and resp.json()["status"] == "paid"
        bank = await client.get(f"{c_url}/bank-file", headers=o.county)
        rows = list(csv.reader(io.StringIO(bank.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["序号", "收款人姓名", "身份证号码"]
        assert rows[1][1] == "张大" and rows[1][5] == case["monthly_amount"] and len(rows) == 4

        # The bank returns it; it is re-issued once, with March's cycle.
        lines = (await client.get(f"{c_url}/lines", headers=o.county)).json()["items"]
        line = lines[0]["id"]
        assert (
            await client.post(f"/v1/payment-lines/{line}/reissue", json={}, headers=o.county)
        ).status_code == 409
        resp = await client.post(
            f"/v1/payment-lines/{line}/failure", json={"reason": "账户已销户"}, headers=o.county
        )
        assert resp.status_code == 200 and resp.json()["status"] == "failed"
        resp = await client.post(
            f"/v1/payment-lines/{line}/reissue",
            json={"bank_account": "6221000087654321"},
            headers=o.county,
        )
        assert resp.status_code == 201 and resp.json()["attempt"] == 2
        resp = await client.post(f"/v1/payment-lines/{line}/reissue", json={}, headers=o.county)
        assert resp.status_code == 409

        # A review in between changes March's amount; February's frozen cycle is untouched.
        resp = await client.post(
            f"{case_url}/reviews",
            json={"outcome": "adjust", "annual_income": "2600.00", "reason": "复核收入增加"},
            headers=o.town,
        )
        assert resp.status_code == 201, resp.text
        adjusted = resp.json()
        assert Decimal(adjusted["monthly_amount"]) < Decimal(case["monthly_amount"])
        assert len(outbox(settings.database_url, "welfare.dibao_changed")) == 1
        feb = (await client.get(c_url, headers=o.auditor)).json()
        assert Decimal(feb["total"]) == Decimal(case["monthly_amount"]) + subsidies_total

        resp = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-03"}, headers=o.county
        )
        assert resp.status_code == 201
        march = resp.json()
        # March: the adjusted dibao, February's re-issue and the wife's two lines again.
        assert march["lines"] == 4 and march["notes"]["reissued_lines"] == 1
        assert march["notes"]["disability_lines"] == 2
        assert adjusted["category"] == "B"
        march_lines = (
            await client.get(f"/v1/payment-cycles/{march['id']}/lines", headers=o.county)
        ).json()["items"]
        subsidies = {x["scheme"]: x for x in march_lines if x["scheme"] != "dibao"}
        assert {k: v["amount"] for k, v in subsidies.items()} == {
            "nursing": "40.00",
            "disab_liv": "58.33",
        }
        assert {v["beneficiary"] for v in subsidies.values()} == {"p-wife"}
        assert "grade 2" in subsidies["nursing"]["basis"]
        assert "WEL-4" in subsidies["disab_liv"]["basis"]
        # The household is paid what the one dibao amount paid before: dibao + 40 + 58.33.
        assert Decimal(march["total"]) == Decimal(adjusted["monthly_amount"]) + Decimal(
            case["monthly_amount"]
        ) + Decimal("98.33")
        future = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-04"}, headers=o.county
        )
        assert future.status_code == 409
        summary = await client.get(f"/v1/payment-cycles/{march['id']}/summary", headers=o.auditor)
        dibao_total = Decimal(march["total"]) - Decimal("98.33")
        by_scheme = [
            ("dibao", 2, f"{dibao_total:.2f}"),
            ("disab_liv", 1, "58.33"),
            ("nursing", 1, "40.00"),
        ]
        assert summary.json() == [
            {"township_code": TOWN, "scheme": s, "lines": n, "amount": a, "held": False}
            for s, n, a in by_scheme
        ]


async def test_upheld_objection_and_refusals(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        app_id = await to_notice(client, o, application(), "2026-02-20")
        url = f"/v1/dibao/applications/{app_id}"
        # One application of a household in progress at a time: a second (a cadre's retry) is
        # a 409 naming the first.
        again = await client.post("/v1/dibao/applications", json=application(), headers=o.cadre)
        assert again.status_code == 409
        assert f"in progress (no. {app_id}, in_notice)" in again.json()["detail"]
        resp = await client.post(
            f"{url}/objections",
            json={"objector": "村民", "content": "该户经营货车运输", "lodged_on": "2026-02-21"},
            headers=o.town,
        )
        objection = resp.json()["id"]
        resp = await client.post(
            f"{url}/objections/{objection}/resolution",
            json={"upheld": True, "resolution": "经核实有货车一辆，收入超标"},
            headers=o.county,
        )
        assert resp.status_code == 200
        resp = await client.post(f"{url}/activation", json={}, headers=o.county)
        assert resp.status_code == 409 and "upheld" in resp.json()["detail"]
        resp = await client.post(f"{url}/decision", json={"approve": False}, headers=o.county)
        assert resp.status_code == 422  # a rejection needs its reason
        resp = await client.post(
            f"{url}/decision", json={"approve": False, "reason": "异议成立"}, headers=o.county
        )
        assert resp.status_code == 200 and resp.json()["status"] == "rejected"
        assert resp.json()["next_steps"] == []
        assert outbox(settings.database_url, "welfare.dibao_granted") == []
        # Rejected, the household may apply again.
        again = await client.post("/v1/dibao/applications", json=application(), headers=o.cadre)
        assert again.status_code == 201, again.text

        # Refused at the township, with its reason.
        resp = await client.post(
            "/v1/dibao/applications",
            json=application(applicant_id_number=LONE, applicant_name="王五",
                             members=[member(LONE, "王五")]),
            headers=o.town,
        )  # fmt: skip
        assert resp.status_code == 201 and resp.json()["household_id"].startswith("WH")
        other = resp.json()["id"]
        bad = await client.post(
            f"/v1/dibao/applications/{other}/acceptance", json={"accept": False}, headers=o.town
        )
        assert bad.status_code == 422
        resp = await client.post(
            f"/v1/dibao/applications/{other}/acceptance",
            json={"accept": False, "note": "非本辖区户籍"},
            headers=o.town,
        )
        assert resp.json()["status"] == "refused"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (application(applicant_id_number="532325195003010000"), "applicant_id_number"),
        (application(members=[]), "members"),
        (application(bank_account="62-21"), "bank_account"),
        (application(village_code="5323251002"), "village_code"),
        (application(applicant_id_number=LONE), "applicant_id_number"),
    ],
)
async def test_bad_applications_write_nothing(db_template: str, body: dict, field: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        resp = await client.post("/v1/dibao/applications", json=body, headers=o.cadre)
        assert resp.status_code == 422, resp.text
        assert any(field in e["field"] or field in e["reason"] for e in resp.json()["errors"])
        listing = await client.get("/v1/dibao/applications", headers=o.county)
        assert listing.json()["total"] == 0


def test_every_transition_of_the_procedure() -> None:
    """The table itself: each legal step by its role, every other pair refused."""
    from shared.auth import Principal
    from shared.errors import Conflict, Forbidden

    legal = {
        ("submitted", "accepted"), ("submitted", "refused"), ("accepted", "reviewed"),
        ("reviewed", "approved"), ("reviewed", "rejected"), ("approved", "in_notice"),
        ("in_notice", "active"), ("in_notice", "rejected"),
    }  # fmt: skip
    everyone = Principal("all", frozenset(Role) - {Role.admin}, COUNTY)
    for frm in ApplicationStatus:
        for to in ApplicationStatus:
            if (frm.value, to.value) in legal:
                APPLICATION.check(frm, to, everyone)
                continue
            with pytest.raises(Conflict):
                APPLICATION.check(frm, to, everyone)
    cadre = Principal("c", frozenset({Role.village_cadre}), VILLAGE)
    with pytest.raises(Forbidden):
        APPLICATION.check(ApplicationStatus.submitted, ApplicationStatus.accepted, cadre)
    town = Principal("t", frozenset({Role.township_officer}), TOWN)
    with pytest.raises(Forbidden):
        APPLICATION.check(ApplicationStatus.in_notice, ApplicationStatus.active, town)
