"""Disability support over HTTP on SQLite and PostgreSQL, 正安 (520324, ZA-GOV §三(三)4, §三(二)5):
registered people with a grade are paid the nursing subsidy in the next payment cycle without
an application (grade 1: 50, grade 2: 40, grade 3: none), through the month of death; a month
without a payee account is held and paid with arrears once the account is recorded; a grade
change counts from the next month; an enrolled person in 特困 hardship gets the living subsidy
too (WEL-4). Rehabilitation cases from application to decision and grants (WEL-10, WEL-11,
WEL-12), bad input, four eyes and jurisdiction."""

from __future__ import annotations

import io
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook

from services.welfare import clock
from services.welfare.main import build_app
from shared.events.registry import PersonDeceased, PersonDisabilityCertified
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_disability import (
    COUNTY,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    Officers,
    account,
    bank_rows,
    deliver,
    number,
    paid_cycle,
    registered,
)

pytestmark = pytest.mark.integration

TODAY = [date(2018, 7, 5)]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    TODAY[0] = date(2018, 7, 5)
    monkeypatch.setattr(clock, "today", lambda: TODAY[0])


def by_name(rows: list[list[str]]) -> dict[tuple[str, str, str], str]:
    """(payee, category, month) -> amount of a bank file's rows."""
    return {(r[1], r[6], r[7]): r[5] for r in rows}


NURSING, LIVING = "重度残疾人护理补贴", "困难残疾人生活补贴"


async def test_subsidies_paid_without_application(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    url = settings.database_url
    async with running(build_app(settings)) as client:
        # Registered poor, none on dibao; the registry's events reach welfare on June 15.
        people = [("d1", 1, 1), ("d2", 2, 2), ("d3", 3, 3), ("d4", 4, 1), ("d5", 5, 1)]
        for pid, i, grade in people:
            deliver(url, registered(pid, i, grade), date(2018, 6, 15))
        deliver(url, registered("d6", 6, 2, village=OTHER_VILLAGE), date(2018, 6, 15))
        deliver(url, registered("d7", 7, None), date(2018, 6, 15))  # not disabled

        listed = (await client.get("/v1/disability/persons", headers=o.cdpf)).json()
        ids = {p["person_id"]: p["id"] for p in listed["items"]}
        assert set(ids) == {"d1", "d2", "d3", "d4", "d5", "d6"}
        # The township sees its own village only; another township's person is a 404.
        town_list = (await client.get("/v1/disability/persons", headers=o.town)).json()
        assert {p["person_id"] for p in town_list["items"]} == {"d1", "d2", "d3", "d4", "d5"}
        assert (
            await client.get(f"/v1/disability/persons/{ids['d1']}", headers=o.other_town)
        ).status_code == 404

        # Accounts (一卡通) recorded by the 县残联, except d5's; a bad account is a 422.
        bad = await client.put(
            f"/v1/disability/persons/{ids['d1']}/account",
            json={**account(1), "bank_account": "12-34"},
            headers=o.cdpf,
        )
        assert bad.status_code == 422 and "bank_account" in bad.text
        for pid, i in (("d1", 1), ("d2", 2), ("d3", 3), ("d4", 4), ("d6", 6)):
            resp = await client.put(
                f"/v1/disability/persons/{ids[pid]}/account", json=account(i), headers=o.cdpf
            )
            assert resp.status_code == 200, resp.text
        assert (
            await client.put(
                f"/v1/disability/persons/{ids['d1']}/account", json=account(1), headers=o.cadre
            )
        ).status_code == 403

        # d4 dies on July 20: paid through July.
        deliver(
            url,
            PersonDeceased(
                person_id="d4", household_id="H-d4", id_number=number(4), county_code=COUNTY,
                village_code=VILLAGE, deceased_on=date(2018, 7, 20),
            ),
            date(2018, 7, 21),
        )  # fmt: skip

        # An enrolment by the township: outside the registry, 特困 hardship recorded, grade 2.
        outsider = {
            "id_number": number(8),
            "name": "残疾人8",
            "village_code": VILLAGE,
            "grade": 2,
            "certificate_no": "52032419580101",
            "hardship": "tekun",
            "account": account(8),
        }
        assert (
            await client.post(
                "/v1/disability/persons", json={**outsider, "hardship": "dibao"}, headers=o.town
            )
        ).status_code == 422
        assert (
            await client.post("/v1/disability/persons", json=outsider, headers=o.other_town)
        ).status_code == 404
        resp = await client.post("/v1/disability/persons", json=outsider, headers=o.town)
        assert resp.status_code == 201, resp.text
        again = await client.post("/v1/disability/persons", json=outsider, headers=o.town)
        assert again.status_code == 409

        # July's cycle: the nursing subsidy of every grade 1-2 person, no application.
        TODAY[0] = date(2018, 7, 25)
        july = await paid_cycle(client, o, "2018-07")
        assert july["notes"]["disability_lines"] == 6
        assert july["notes"]["disability_held_lines"] == 1
        rows = by_name(await bank_rows(client, o, july["id"]))
        assert rows == {
            ("残疾人1", NURSING, "2018-07"): "50.00",
            ("残疾人2", NURSING, "2018-07"): "40.00",
            ("残疾人4", NURSING, "2018-07"): "50.00",
            ("残疾人6", NURSING, "2018-07"): "40.00",
            # enrolled on July 5, before July's cycle: nursing 40 and 特困 living 30% of 323
            ("残疾人8", NURSING, "2018-07"): "40.00",
            ("残疾人8", LIVING, "2018-07"): "96.90",
        }
        summary = (
            await client.get(f"/v1/payment-cycles/{july['id']}/summary", headers=o.auditor)
        ).json()
        assert {"township_code": TOWN, "scheme": "nursing", "lines": 1, "amount": "50.00",
                "held": True} in summary  # fmt: skip
        xlsx = await client.get(
            f"/v1/payment-cycles/{july['id']}/summary", params={"format": "xlsx"}, headers=o.civil
        )
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        cells = [c for r in sheet.iter_rows(values_only=True) for c in r]
        assert "重度残疾人护理补贴（暂缓发放：无账户）" in cells

        # Why: the person's ledger with the trace of each month.
        d1 = (await client.get(f"/v1/disability/persons/{ids['d1']}", headers=o.town)).json()
        assert [(s["scheme"], s["month"], s["amount"], s["status"]) for s in d1["subsidies"]] == [
            ("nursing", "2018-07-01", "50.00", "paid")
        ]
        trace = d1["subsidies"][0]["trace"]
        assert trace["rules"] == ["WEL-4"]
        nursing_param = next(
            p for p in trace["parameters"] if p["path"].endswith("nursing_subsidy.grade1")
        )
        assert (nursing_param["county"], nursing_param["illustrative"]) == ("520324", False)
        assert "welfare.disability.subsidy.start_lag_months" in d1["illustrative_parameters"]
        assert (
            d1["account"]["bank_account"].endswith("0001") and "*" in d1["account"]["bank_account"]
        )

        # d5's account arrives; d2 is certified grade 1 on August 10, before August's cycle.
        resp = await client.put(
            f"/v1/disability/persons/{ids['d5']}/account", json=account(5), headers=o.town
        )
        assert resp.status_code == 200
        deliver(
            url,
            PersonDisabilityCertified(
                person_id="d2", household_id="H-d2", id_number=number(2), county_code=COUNTY,
                village_code=VILLAGE, grade=1, certified_on=date(2018, 8, 9),
            ),
            date(2018, 8, 10),
        )  # fmt: skip

        TODAY[0] = date(2018, 8, 20)
        august = await paid_cycle(client, o, "2018-08")
        rows = by_name(await bank_rows(client, o, august["id"]))
        assert rows == {
            ("残疾人1", NURSING, "2018-08"): "50.00",
            ("残疾人2", NURSING, "2018-08"): "50.00",  # grade 1 since August 10
            ("残疾人5", NURSING, "2018-07"): "50.00",  # held in July, paid now
            ("残疾人5", NURSING, "2018-08"): "50.00",
            ("残疾人6", NURSING, "2018-08"): "40.00",
            ("残疾人8", NURSING, "2018-08"): "40.00",
            ("残疾人8", LIVING, "2018-08"): "96.90",
        }
        assert august["notes"]["disability_held_lines"] == 0

        TODAY[0] = date(2018, 9, 3)
        september = await paid_cycle(client, o, "2018-09")
        rows = by_name(await bank_rows(client, o, september["id"]))
        assert rows[("残疾人2", NURSING, "2018-09")] == "50.00"
        assert ("残疾人4", NURSING, "2018-09") not in rows

        # The ledger per village with totals; the township sees its village only.
        ledger = (
            await client.get(
                "/v1/disability/subsidies", params={"month": "2018-08"}, headers=o.town
            )
        ).json()
        assert {i["village_code"] for i in ledger["items"]} == {VILLAGE}
        totals = {(t["scheme"], t["status"]): (t["lines"], t["amount"]) for t in ledger["totals"]}
        assert totals == {("nursing", "paid"): (4, "190.00"), ("disab_liv", "paid"): (1, "96.90")}
        assert (
            await client.get(
                "/v1/disability/subsidies", params={"month": "2018-13"}, headers=o.town
            )
        ).status_code == 422


async def test_rehabilitation_cases(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    url = settings.database_url
    async with running(build_app(settings)) as client:
        deliver(url, registered("r1", 1, None), date(2018, 6, 1))  # mental illness
        deliver(url, registered("r2", 2, 2), date(2018, 6, 1))  # severe, not in hardship
        deliver(url, registered("r3", 3, 3), date(2018, 6, 1))
        child = registered("r4", 4, None, born=date(2014, 3, 1))
        deliver(url, child, date(2018, 6, 1))

        async def apply(body: dict, who: dict[str, str]) -> dict:
            resp = await client.post("/v1/disability/rehab-cases", json=body, headers=who)
            assert resp.status_code == 201, resp.text
            return resp.json()

        async def decide(case_id: int, approve: bool, who: dict[str, str]) -> httpx.Response:
            return await client.post(
                f"/v1/disability/rehab-cases/{case_id}/decision",
                json={"approve": approve, "note": "审核"},
                headers=who,
            )

        async def grant(case_id: int, body: dict, who: dict[str, str] = o.cdpf_b) -> httpx.Response:
            return await client.post(
                f"/v1/disability/rehab-cases/{case_id}/grants", json=body, headers=who
            )

        # Bad input and jurisdiction.
        bad = await client.post(
            "/v1/disability/rehab-cases",
            json={"kind": "mental_hospital", "person_id": "r1", "request": "住院"},
            headers=o.town,
        )
        assert bad.status_code == 422 and "stay_from" in bad.text
        outside = await client.post(
            "/v1/disability/rehab-cases",
            json={"kind": "device", "person_id": "r3", "request": "轮椅"},
            headers=o.other_town,
        )
        assert outside.status_code == 404

        # WEL-10 in hospital: 300 a month of the stay, once a month.
        hospital = await apply(
            {
                "kind": "mental_hospital", "person_id": "r1", "request": "县精神病院住院",
                "diagnosis": "精神分裂症", "stay_from": "2018-06-20",
            },
            o.town,
        )  # fmt: skip
        assert hospital["rule"] == "WEL-10" and hospital["status"] == "applied"
        assert (await decide(hospital["id"], True, o.town)).status_code == 403
        resp = await decide(hospital["id"], True, o.cdpf)
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "approved" and resp.json()["trace"]["rules"] == ["WEL-10"]
        assert (await grant(hospital["id"], {"kind": "hospital_month", "on": "2018-07-01",
                                             "month": "2018-06"})).status_code == 201  # fmt: skip
        assert (await grant(hospital["id"], {"kind": "hospital_month", "on": "2018-07-02",
                                             "month": "2018-06"})).status_code == 409  # fmt: skip
        assert (await grant(hospital["id"], {"kind": "hospital_month", "on": "2018-07-02",
                                             "month": "2018-05"})).status_code == 422  # fmt: skip
        assert (await grant(hospital["id"], {"kind": "drugs", "on": "2018-07-02",
                                             "amount": "10.00"})).status_code == 422  # fmt: skip
        resp = await grant(
            hospital["id"], {"kind": "hospital_month", "on": "2018-07-03", "month": "2018-07",
                             "amount": "120.00"},
        )  # fmt: skip
        detail = resp.json()
        assert [g["amount"] for g in detail["grants"]] == ["300.00", "120.00"]
        assert detail["granted_amount"] == "420.00"
        assert "ZA-GOV §三(二)5" in detail["grants"][0]["trace"]["parameters"][0]["reference"]

        # WEL-10 at home: 800 a year drawn down; four eyes: the applicant may not decide.
        home = await apply(
            {"kind": "mental_home", "person_id": "r1", "request": "在家服药"}, o.cdpf
        )
        assert (await decide(home["id"], True, o.cdpf)).status_code == 403
        assert (await decide(home["id"], True, o.cdpf_b)).status_code == 200
        assert (await grant(home["id"], {"kind": "drugs", "on": "2018-07-01",
                                         "amount": "500.00"})).status_code == 201  # fmt: skip
        over = await grant(home["id"], {"kind": "drugs", "on": "2018-07-04", "amount": "300.01"})
        assert over.status_code == 409 and "exceeds" in over.text

        # WEL-11: a device for grade 3; an adaptation refused outside hardship.
        device = await apply({"kind": "device", "person_id": "r3", "request": "轮椅"}, o.town)
        assert (await decide(device["id"], True, o.cdpf)).status_code == 200
        assert (
            await grant(device["id"], {"kind": "device", "on": "2018-07-04", "item": "轮椅一台"})
        ).status_code == 201
        adaptation = await apply(
            {"kind": "adaptation", "person_id": "r2", "request": "卫生间改造"}, o.town
        )
        refused = await decide(adaptation["id"], True, o.cdpf)
        assert refused.status_code == 409 and "hardship" in refused.text
        resp = await decide(adaptation["id"], False, o.cdpf)
        assert resp.json()["status"] == "refused" and resp.json()["eligible"] is False
        assert (
            await grant(
                adaptation["id"], {"kind": "adaptation", "on": "2018-07-04", "item": "x改造"}
            )
        ).status_code == 409

        # WEL-12: a child of 4 of a registered poor family, disabled by diagnosis.
        rehab = await apply(
            {"kind": "child_rehab", "person_id": "r4", "request": "抢救性康复",
             "diagnosis": "脑瘫"},
            o.town,
        )  # fmt: skip
        resp = await decide(rehab["id"], True, o.cdpf)
        assert resp.status_code == 200 and resp.json()["trace"]["rules"] == ["WEL-12"]
        assert (
            await grant(rehab["id"], {"kind": "sessions", "on": "2018-07-04", "quantity": 12})
        ).status_code == 201

        # Lists per township and the ledger for county staff.
        cases = (await client.get("/v1/disability/rehab-cases", headers=o.town)).json()
        assert cases["total"] == 5
        assert (await client.get("/v1/disability/rehab-cases", headers=o.other_town)).json()[
            "total"
        ] == 0
        assert (
            await client.get(f"/v1/disability/rehab-cases/{rehab['id']}", headers=o.other_town)
        ).status_code == 404
        xlsx = await client.get("/v1/disability/rehab-grants.xlsx", headers=o.cdpf)
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:5] == ("乡镇", "村", "姓名", "身份证号码", "救助类别")
        assert len(rows) == 1 + 5  # two hospital months, drugs, a device, sessions
        masked = await client.get("/v1/disability/rehab-grants.xlsx", headers=o.auditor)
        audit_sheet = load_workbook(io.BytesIO(masked.content)).active
        audit_rows = list(audit_sheet.iter_rows(values_only=True))
        assert "*" in str(audit_rows[1][3])

        # Another county has no such programme: the decision is a 422 naming the parameter.
        yaoan = registered("y1", 9, 3).model_copy(
            update={
                "id_number": make_resident_id("532325", date(1959, 1, 1), 39, "M"),
                "county_code": "532325",
                "township_code": "532325100",
                "village_code": "532325100201",
            }
        )
        deliver(url, yaoan, date(2018, 6, 1))
        y_town = token(settings, Role.township_officer, scope="532325100", sub="ya-town")
        y_cdpf = token(settings, Role.county_disability, scope="532325", sub="ya-cdpf")
        y_case = await apply({"kind": "device", "person_id": "y1", "request": "拐杖"}, y_town)
        resp = await decide(y_case["id"], True, y_cdpf)
        assert resp.status_code == 422 and "welfare.disability.devices.max_grade" in resp.text


async def test_the_registry_card_pays_a_grade_1_person_not_on_dibao(db_template: str) -> None:
    """WEL-4, the done-when: nobody applies and nobody records an account. The roster carried
    the person's social security card account (社保卡) with the grade; the next cycle pays the
    nursing subsidy into it. A later registry event without the account keeps it; an account
    recorded by the 县残联 wins over the card."""
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    url = settings.database_url
    card = {"bank_name": "正安县农村信用社", "bank_account": "6221888800001111"}
    async with running(build_app(settings)) as client:
        person = registered("c1", 11, 1).model_copy(update=card)
        deliver(url, person, date(2018, 6, 15))
        # A later update without the account (a roster without the column) keeps the card.
        deliver(url, registered("c1", 11, 1), date(2018, 6, 20))
        july = await paid_cycle(client, o, "2018-07")
        rows = await bank_rows(client, o, july["id"])
        assert [(r[1], r[3], r[4], r[5], r[6]) for r in rows] == [
            ("残疾人11", "正安县农村信用社", "6221888800001111", "50.00", NURSING)
        ]
        listed = (await client.get("/v1/disability/persons", headers=o.cdpf)).json()
        (entry,) = listed["items"]
        detail = (await client.get(f"/v1/disability/persons/{entry['id']}", headers=o.cdpf)).json()
        assert detail["account"]["source"] == "registry"
        assert detail["account"]["bank_account"].endswith("1111")
        assert "8888" not in detail["account"]["bank_account"]

        # The 县残联 records another account: it wins from the next cycle on.
        resp = await client.put(
            f"/v1/disability/persons/{entry['id']}/account", json=account(11), headers=o.cdpf
        )
        assert resp.status_code == 200, resp.text
        TODAY[0] = date(2018, 8, 5)
        august = await paid_cycle(client, o, "2018-08")
        (row,) = await bank_rows(client, o, august["id"])
        assert row[4] == account(11)["bank_account"] and row[5] == "50.00"
