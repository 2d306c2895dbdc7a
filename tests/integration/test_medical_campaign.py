"""The retroactive top-up campaign (MED-10) over HTTP on SQLite and PostgreSQL: extraction,
the verification form's steps by role and jurisdiction, payment once as a new stay version, the
附件4 export, the person summary and the county's guarantee indicator.

Stays below the standard arise here as they do in the county: the stays were settled while the
registry held the household as marginal (边缘户, no MED-2 guarantee), and the registry then
recorded it as registered poor. A registered-poor compliant stay posted today is topped up at
once by the live settlement and never reaches the campaign."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import Session, col, select

from services.medical.campaign.routes import EXPORT_HEADERS
from services.medical.main import build_app
from services.medical.models import PersonYear, RegistryPerson, TopupForm
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token

pytestmark = pytest.mark.integration

COUNTY = "532325"
TOWN_A, VILLAGE_A = "532325100", "532325100201"
TOWN_B, VILLAGE_B = "532325101", "532325101202"
P1 = make_resident_id(COUNTY, date(1960, 1, 1), 11, "M")
P2 = make_resident_id(COUNTY, date(1965, 2, 2), 12, "F")
P3 = make_resident_id(COUNTY, date(1970, 3, 3), 13, "M")


def seed(url: str) -> None:
    engine = make_engine(url)
    people = [
        ("p1", P1, "H1", "张三", "M", date(1960, 1, 1), TOWN_A, VILLAGE_A, "marginal"),
        ("p2", P2, "H2", "李四", "F", date(1965, 2, 2), TOWN_B, VILLAGE_B, "marginal"),
        ("p3", P3, "H3", "王五", "M", date(1970, 3, 3), TOWN_A, VILLAGE_A, "not_exited"),
    ]
    with Session(engine) as s:
        for pid, number, household, name, sex, born, town, village, status in people:
            s.add(
                RegistryPerson(
                    person_id=pid,
                    id_number=number,
                    household_id=household,
                    name=name,
                    sex=sex,
                    birth_date=born,
                    county_code=COUNTY,
                    township_code=town,
                    village_code=village,
                    poverty_status=PovertyStatus(status),
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()


def registered_poor_now(url: str, *person_ids: str) -> None:
    """The registry recognises the households as registered poor (as person.updated does)."""
    engine = make_engine(url)
    with Session(engine) as s:
        s.execute(
            update(RegistryPerson)
            .where(col(RegistryPerson.person_id).in_(person_ids))
            .values(poverty_status="not_exited")
        )
        s.commit()
    engine.dispose()


def stay(claim: str, number: str, covered: str, paid: tuple[str, str, str], **over: object) -> dict:
    body = {
        "claim_id": claim,
        "id_number": number,
        "county_code": COUNTY,
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2017-04-01",
        "discharge": "2017-04-12",
        "referral_compliant": True,
        "total_cost": "20000.00",
        "covered_cost": covered,
        "diagnosis_codes": ["I63.9"],
        "upstream": dict(zip(("basic", "critical_illness", "assistance"), paid, strict=True)),
    }
    body.update(over)
    return body


STAYS = [
    # 姚安 measures on the total cost (YA-GOV §三(六) 实际报销比例):
    # 12000 / 20000 = 0.60: 0.90 x 20000 - 12000 = 6000.00 due
    stay("C-LOW1", P1, "18000.00", ("9000.00", "2000.00", "1000.00")),
    # 7500 / 10000 = 0.75: 1500.00 due
    stay("C-LOW2", P2, "10000.00", ("6000.00", "1000.00", "500.00"), total_cost="10000.00"),
    # 9500 / 10000 = 0.95: at the standard already
    stay(
        "C-HIGH",
        P1,
        "10000.00",
        ("8000.00", "1000.00", "500.00"),
        total_cost="10000.00",
        admission="2017-06-01",
        discharge="2017-06-03",
    ),
    # Referral rules not followed: never topped up
    stay(
        "C-NONCOMP",
        P1,
        "10000.00",
        ("5000.00", "0.00", "0.00"),
        total_cost="10000.00",
        admission="2017-07-01",
        discharge="2017-07-05",
        referral_compliant=False,
    ),
    # Registered poor when posted: topped up live, so never by the campaign
    stay("C-LIVE", P3, "10000.00", ("6000.00", "0.00", "0.00")),
    # Outside the campaign's period
    stay(
        "C-2018", P1, "10000.00", ("6000.00", "0.00", "0.00"), admission="2018-02-01",
        discharge="2018-02-03",
    ),
]  # fmt: skip


# 张三 (the patient) confirms his own form with a signature, on a day after the home visit.
CONFIRMED = {
    "id_number": P1,
    "name": "张三",
    "relation": "self",
    "method": "signature",
    # The day at the household (China Standard Time), as the service reads it.
    "confirmed_on": datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
}


def outbox_types(url: str) -> list[tuple[str, str | None]]:
    engine = make_engine(url)
    with Session(engine) as s:
        found = [
            (e.event_type, e.key)
            for e in s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq)))
        ]
    engine.dispose()
    return found


async def test_campaign_end_to_end(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="county-hospital")
    county = token(settings, Role.county_medical, sub="county-officer")
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a-officer")
    cadre_a = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a")
    cadre_a2 = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a2")
    cadre_b = token(settings, Role.village_cadre, scope=VILLAGE_B, sub="cadre-b")

    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        for body in STAYS:
            resp = await client.post("/v1/hospitalizations", json=body, headers=hospital)
            assert resp.status_code == 201, resp.text
            decision = resp.json()
            if body["claim_id"] == "C-LIVE":
                assert Decimal(decision["topup"]) > 0
            else:
                assert decision["topup"] == "0.00"
        registered_poor_now(url, "p1", "p2")

        # Only county medical staff start a campaign, within their county.
        period = {"county_code": COUNTY, "period_start": "2017-01-01", "period_end": "2017-12-31"}
        assert (await client.post("/v1/campaigns", json=period, headers=town_a)).status_code == 403
        far = token(settings, Role.county_medical, scope="360222")
        assert (await client.post("/v1/campaigns", json=period, headers=far)).status_code == 403
        backwards = {**period, "period_end": "2016-12-31"}
        assert (
            await client.post("/v1/campaigns", json=backwards, headers=county)
        ).status_code == 422

        resp = await client.post("/v1/campaigns", json=period, headers=county)
        assert resp.status_code == 201, resp.text
        campaign = resp.json()
        cid = campaign["id"]
        assert campaign["forms_created"] == 2 and campaign["skipped_existing_form"] == 0
        assert Decimal(campaign["topup_due"]) == Decimal("7500.00")
        assert [t["township_code"] for t in campaign["townships"]] == [TOWN_A, TOWN_B]
        assert campaign["by_status"] == [
            {"status": "issued", "label": "已下发乡镇", "forms": 2, "topup_due": "7500.00"}
        ]

        page = (await client.get(f"/v1/campaigns/{cid}/forms", headers=county)).json()
        assert page["total"] == 2
        forms = {f["claim_id"]: f for f in page["items"]}
        assert set(forms) == {"C-LOW1", "C-LOW2"}
        low1, low2 = forms["C-LOW1"], forms["C-LOW2"]
        assert low1["topup_due"] == "6000.00" and low2["topup_due"] == "1500.00"
        assert low1["township_code"] == TOWN_A and low1["ratio_before"] == "0.6000"
        assert "MED-10" in low1["trace"]["rules"]
        # 姚安's own target: no illustrative figure behind the amount due.
        assert low1["illustrative_parameters"] == []
        one = await client.get(f"/v1/campaigns/{cid}/forms?limit=1&offset=1", headers=county)
        assert one.json()["total"] == 2 and len(one.json()["items"]) == 1
        filtered = await client.get(
            f"/v1/campaigns/{cid}/forms?township={TOWN_B}&status=issued", headers=county
        )
        assert [f["claim_id"] for f in filtered.json()["items"]] == ["C-LOW2"]
        # A township sees its own forms only, in lists and in the summary.
        mine = (await client.get(f"/v1/campaigns/{cid}/forms", headers=town_a)).json()
        assert [f["claim_id"] for f in mine["items"]] == ["C-LOW1"]
        summary_a = (await client.get(f"/v1/campaigns/{cid}", headers=town_a)).json()
        assert summary_a["forms"] == 1 and summary_a["townships"][0]["township_code"] == TOWN_A
        assert (await client.get(f"/v1/campaigns/{cid}", headers=hospital)).status_code == 403

        # The 附件4 form for the townships.
        export = await client.get(f"/v1/campaigns/{cid}/forms/export", headers=county)
        assert export.status_code == 200
        assert export.headers["x-exported-by"] == "county-officer"
        sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert "贫困户转诊转院住院就医负担核查表" in rows[0][0]
        assert "导出人: county-officer" in rows[1][0] and "导出时间" in rows[1][0]
        assert rows[2] == [*EXPORT_HEADERS[:2], "乡镇名称", *EXPORT_HEADERS[2:]]
        for header in ("乡镇", "行政村", "户编号", "患者姓名", "身份证号码", "就诊医院"):
            assert header in rows[2]
        for header in ("帮扶干部核实签字", "户主确认签字", "村委会核查意见(签字盖章)"):
            assert header in rows[2]
        lines = {r[rows[2].index("结算单号")]: r for r in rows[3:]}
        assert set(lines) == {"C-LOW1", "C-LOW2"}
        line = dict(zip(rows[2], lines["C-LOW1"], strict=True))
        assert line["患者姓名"] == "张三" and line["身份证号码"] == P1
        assert line["应二次报销补足(元)"] == 6000 and line["实际报销比例"] == "60.00%"
        assert line["帮扶干部核实签字"] is None and line["乡镇人民政府核查意见(签字盖章)"] is None
        only_b = await client.get(
            f"/v1/campaigns/{cid}/forms/export?township={TOWN_B}", headers=county
        )
        sheet_b = load_workbook(io.BytesIO(only_b.content)).worksheets[0]
        assert len(list(sheet_b.iter_rows(values_only=True))) == 4  # title, marking, header, 1

        # The workflow of C-LOW1.
        f1 = f"/v1/campaigns/{cid}/forms/{low1['id']}/steps"

        async def step(
            to: str, who: dict[str, str], note: str = "", **extra: object
        ) -> tuple[int, dict]:
            resp = await client.post(f1, json={"to": to, "note": note, **extra}, headers=who)
            return resp.status_code, resp.json()

        assert (await step("home_visited", town_a))[0] == 403  # wrong role
        assert (await step("home_visited", county))[0] == 403
        # Another village's cadre: the form is outside their jurisdiction, reported as 404.
        assert (await step("home_visited", cadre_b))[0] == 404
        status, problem = await step("village_checked", cadre_a)  # skipping
        assert status == 409 and "next step is home_visited" in problem["detail"]
        assert (await step("township_signed", town_a))[0] == 409
        status, form = await step("home_visited", cadre_a, "visited with the household head")
        assert status == 200 and form["status"] == "home_visited"
        status, problem = await step("home_visited", cadre_a)  # repeating
        assert status == 409 and "already done" in problem["detail"]
        # The household's confirmation: a member of H1, validated against the registry.
        status, problem = await step("household_confirmed", cadre_a, "户主确认")
        assert status == 422 and "confirmation" in problem["detail"] + str(problem["errors"])
        bad = [
            ({"id_number": P2}, "body.confirmation.id_number"),  # another household
            ({"name": "张四"}, "body.confirmation.name"),
            ({"relation": "spouse"}, "body.confirmation.relation"),  # the patient is 本人
            ({"confirmed_on": "2999-01-01"}, "body.confirmation.confirmed_on"),
            ({"confirmed_on": "2017-01-01"}, "body.confirmation.confirmed_on"),  # before visit
        ]
        for change, field in bad:
            status, problem = await step(
                "household_confirmed", cadre_a, confirmation={**CONFIRMED, **change}
            )
            assert status == 422 and problem["errors"][0]["field"] == field, problem
        status, form = await step("household_confirmed", cadre_a, confirmation=CONFIRMED)
        assert status == 200, form
        confirmed = form["steps"][2]
        assert confirmed["actor"] == "household:H1" and confirmed["actor_role"] == "household"
        assert confirmed["recorded_by"] == "cadre-a"
        assert confirmed["household_confirmation"] == {**CONFIRMED, "name": "张三"}
        # Separation of duties: the visiting cadre may not also check for the village.
        status, problem = await step("village_checked", cadre_a)
        assert status == 409 and "MED-10 separation of duties" in problem["detail"]
        assert (await step("village_checked", cadre_a2))[0] == 200
        assert (await step("county_approved", county))[0] == 409  # township has not signed
        assert (await step("township_signed", town_a))[0] == 200
        assert (await step("paid", county))[0] == 409  # not approved yet
        assert (await step("county_approved", county))[0] == 200
        status, form = await step("paid", county)
        assert status == 200 and form["status"] == "paid" and form["paid_version"] == 2
        assert [s["to_status"] for s in form["steps"]] == [
            "issued",
            "home_visited",
            "household_confirmed",
            "village_checked",
            "township_signed",
            "county_approved",
            "paid",
        ]
        assert [s["actor"] for s in form["steps"]][1:] == [
            "cadre-a",
            "household:H1",
            "cadre-a2",
            "town-a-officer",
            "county-officer",
            "county-officer",
        ]
        assert form["steps"][4]["actor_role"] == "township_officer"
        assert all(s["at"] for s in form["steps"])
        status, problem = await step("paid", county)  # paying twice
        assert status == 409 and "ended" in problem["detail"]
        assert (await step("rejected", county, "too late"))[0] == 409

        # Paid: a new version of the stay's decision, the history kept, the year totals moved.
        paid = (await client.get("/v1/hospitalizations/C-LOW1", headers=county)).json()
        assert paid["version"] == 2 and paid["topup"] == "6000.00"
        assert Decimal(paid["ratio_after"]) >= Decimal("0.90")
        assert paid["self_pay"] == "2000.00"  # 20000 - 12000 - 6000: 10% of the total
        # The merged trace keeps each figure's flag: 姚安's rural income is in no document.
        assert paid["illustrative_parameters"] == paid["trace"]["illustrative_parameters"]
        assert "medical.guarantee.target_ratio" not in paid["illustrative_parameters"]
        assert "MED-10" in paid["trace"]["rules"]
        history = (await client.get("/v1/hospitalizations/C-LOW1/history", headers=county)).json()
        assert [v["topup"] for v in history["versions"]] == ["0.00", "6000.00"]
        assert history["adjustments"][0]["kind"] == "campaign"
        assert history["adjustments"][0]["self_pay_delta"] == "-6000.00"
        engine = make_engine(url)
        with Session(engine) as s:
            year = s.get(PersonYear, (P1, 2017))
            assert year is not None and year.topup_paid == Decimal("6000.00")
            # C-LOW1 8000 -> 2000, C-HIGH 500, C-NONCOMP 5000
            assert year.self_pay == Decimal("7500.00")
        engine.dispose()
        assert ("medical.topup_granted", "H1") in outbox_types(url)

        # C-LOW2: rejected at the household by its own village's cadre; that ends it.
        f2 = f"/v1/campaigns/{cid}/forms/{low2['id']}/steps"
        no_reason = await client.post(f2, json={"to": "rejected"}, headers=cadre_b)
        assert no_reason.status_code == 422
        assert (
            await client.post(f2, json={"to": "rejected", "note": "x"}, headers=town_a)
        ).status_code == 404  # another township's form
        rejected = await client.post(
            f2, json={"to": "rejected", "note": "住院人不符"}, headers=cadre_b
        )
        assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "住院人不符"
        after = await client.post(f2, json={"to": "home_visited"}, headers=cadre_b)
        assert after.status_code == 409

        # A second campaign over the same period: no new form, the paid stay never again.
        again = await client.post("/v1/campaigns", json=period, headers=county)
        assert again.status_code == 201
        assert again.json()["forms_created"] == 0 and again.json()["skipped_existing_form"] == 1
        engine = make_engine(url)
        with Session(engine) as s:
            claims = [f.claim_id for f in s.exec(select(TopupForm))]
        engine.dispose()
        assert sorted(claims) == ["C-LOW1", "C-LOW2"]

        summary = (await client.get(f"/v1/campaigns/{cid}", headers=county)).json()
        assert summary["topup_paid"] == "6000.00"
        assert {s["status"]: s["forms"] for s in summary["by_status"]} == {
            "paid": 1,
            "rejected": 1,
        }

        # The person summary.
        path = f"/v1/persons/{P1}/medical-summary"
        resp = await client.get(path + "?year=2017", headers=cadre_a)
        assert resp.status_code == 200, resp.text
        person = resp.json()
        assert person["registered_poor"] is True and person["name"] == "张三"
        assert [s["claim_id"] for s in person["stays"]] == ["C-LOW1", "C-HIGH", "C-NONCOMP"]
        first = person["stays"][0]
        assert first["topup"] == "6000.00" and first["campaign_form_status"] == "paid"
        assert first["discharge"] == "2017-04-12"
        assert person["totals"]["stays"] == 3 and person["totals"]["topup"] == "6000.00"
        assert person["totals"]["self_pay"] == "7500.00"
        assert person["year_to_date"] == [
            {
                "year": 2017,
                "self_pay": "7500.00",
                # MED-3 counts compliant stays only: C-LOW1 2000 + C-HIGH 500, not C-NONCOMP.
                "compliant_self_pay": "2500.00",
                "topup_paid": "6000.00",
                "annual_cap_paid": "0.00",
                "basic_paid": "22000.00",
                "critical_illness_paid": "3000.00",
                "assistance_paid": "1500.00",
            }
        ]
        every_year = (await client.get(path, headers=county)).json()
        assert len(every_year["stays"]) == 4 and len(every_year["year_to_date"]) == 2
        assert (await client.get(path, headers=hospital)).status_code == 403
        assert (await client.get(path, headers=cadre_b)).status_code == 404
        assert (await client.get(path, headers=far)).status_code == 404

        # The county indicator: compliant stays of registered poor at or above 90%.
        ind = "/v1/indicators/guarantee?county=532325&year=2017"
        indicator = (await client.get(ind, headers=county)).json()
        assert indicator["townships"] == [
            # C-LOW1 (topped up), C-HIGH, C-LIVE; C-NONCOMP is not counted
            {"division": TOWN_A, "compliant_stays": 3, "at_or_above_target": 3, "share": "1.0000"},
            # C-LOW2, rejected, still at 0.75
            {"division": TOWN_B, "compliant_stays": 1, "at_or_above_target": 0, "share": "0.0000"},
        ]
        assert indicator["total"] == {
            "division": COUNTY,
            "compliant_stays": 4,
            "at_or_above_target": 3,
            "share": "0.7500",
        }
        town_view = (await client.get(ind, headers=town_a)).json()
        assert [t["division"] for t in town_view["townships"]] == [TOWN_A]
        assert (await client.get(ind, headers=hospital)).status_code == 403
        assert (await client.get(ind, headers=far)).status_code == 403


async def test_a_corrected_stay_is_not_paid_from_a_stale_form(db_template: str) -> None:
    """A form is paid only on the stay version it was issued for; a correction in between is
    settled live (the person is registered poor by then) and the form can only be rejected."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="county-hospital")
    county = token(settings, Role.county_medical, sub="county-officer")
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a-officer")
    cadre_a = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a")
    cadre_a2 = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a2")
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        body = STAYS[0]
        assert (
            await client.post("/v1/hospitalizations", json=body, headers=hospital)
        ).status_code == 201
        registered_poor_now(settings.database_url, "p1")
        period = {"county_code": COUNTY, "period_start": "2017-01-01", "period_end": "2017-12-31"}
        cid = (await client.post("/v1/campaigns", json=period, headers=county)).json()["id"]
        form = (await client.get(f"/v1/campaigns/{cid}/forms", headers=county)).json()["items"][0]
        steps = f"/v1/campaigns/{cid}/forms/{form['id']}/steps"
        for to, who in [
            ("home_visited", cadre_a),
            ("household_confirmed", cadre_a),
            ("village_checked", cadre_a2),
            ("township_signed", town_a),
            ("county_approved", county),
        ]:
            extra = {"confirmation": CONFIRMED} if to == "household_confirmed" else {}
            resp = await client.post(steps, json={"to": to, **extra}, headers=who)
            assert resp.status_code == 200, resp.text

        fixed = await client.put(
            "/v1/hospitalizations/C-LOW1", json={**body, "total_cost": "19000.00"}, headers=hospital
        )
        # 0.90 x 19000 - 12000, settled live on the total cost
        assert fixed.status_code == 200 and Decimal(fixed.json()["topup"]) == Decimal("5100.00")
        stale = await client.post(steps, json={"to": "paid"}, headers=county)
        assert stale.status_code == 409 and "corrected" in stale.json()["detail"]
        current = (await client.get("/v1/hospitalizations/C-LOW1", headers=county)).json()
        assert current["version"] == 2 and current["topup"] == "5100.00"  # no second top-up
        done = await client.post(
            steps, json={"to": "rejected", "note": "stay corrected, settled live"}, headers=county
        )
        assert done.status_code == 200 and done.json()["status"] == "rejected"


async def test_racing_steps_give_one_step(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="county-hospital")
    county = token(settings, Role.county_medical, sub="county-officer")
    cadre_a = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a")
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        assert (
            await client.post("/v1/hospitalizations", json=STAYS[0], headers=hospital)
        ).status_code == 201
        registered_poor_now(settings.database_url, "p1")
        period = {"county_code": COUNTY, "period_start": "2017-01-01", "period_end": "2017-12-31"}
        cid = (await client.post("/v1/campaigns", json=period, headers=county)).json()["id"]
        form = (await client.get(f"/v1/campaigns/{cid}/forms", headers=county)).json()["items"][0]
        steps = f"/v1/campaigns/{cid}/forms/{form['id']}/steps"
        answers = await asyncio.gather(
            *(client.post(steps, json={"to": "home_visited"}, headers=cadre_a) for _ in range(6))
        )
        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409, 409]
        detail = (
            await client.get(f"/v1/campaigns/{cid}/forms/{form['id']}", headers=county)
        ).json()
        assert [s["to_status"] for s in detail["steps"]] == ["issued", "home_visited"]
