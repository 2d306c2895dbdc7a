"""The county plans' targets (PLAN-1, PLAN-2) through each service's HTTP API on SQLite and
PostgreSQL: records in, progress out per township, a target flagged late after its due date.

正安 (520324, ZA-GOV): business leaders (致富带头人) and quarterly recruitment fairs in
employment; 特困 certification by the end of May and occupancy 70% by the end of June in
welfare. 姚安 (532325, YA-HRSS): the pension ledger in three copies by 2017-10-15 in enrollment;
the diagnosis-fee clean-up ledger by 2017-11-20 in medical."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.employment import clock as employment_clock
from services.employment.main import build_app as employment_app
from services.enrollment import clock as enrollment_clock
from services.enrollment.main import build_app as enrollment_app
from services.medical import clock as medical_clock
from services.medical.main import build_app as medical_app
from services.welfare import clock as welfare_clock
from services.welfare.main import build_app as welfare_app
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.plan import (
    ZA,
    ZA_TOWN_A,
    ZA_TOWN_B,
    ZA_VILLAGE_A,
    ZA_VILLAGE_B,
    seed_employment_people,
    seed_households,
    seed_medical_people,
    set_day,
)
from tests.support.welfare_tekun import seed as seed_welfare_people

pytestmark = pytest.mark.integration


def target(body: dict[str, Any], target_id: str) -> dict[str, Any]:
    return next(t for t in body["targets"] if t["id"] == target_id)


def township(t: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in t["townships"] if r["township_code"] == code)


async def test_plan_1_employment_leaders_and_fairs(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    hrss = token(settings, Role.county_hrss, scope=ZA)
    town_a = token(settings, Role.township_officer, scope=ZA_TOWN_A)
    town_b = token(settings, Role.township_officer, scope=ZA_TOWN_B)
    civil = token(settings, Role.county_civil, scope=ZA)
    cadre = token(settings, Role.village_cadre, scope=ZA_TOWN_A + "201")
    other = token(settings, Role.county_hrss, scope="532325")
    seed_employment_people(
        settings.database_url,
        [("p1", ZA_VILLAGE_A, "not_exited"), ("p2", ZA_VILLAGE_B, "exited"),
         ("p3", ZA_VILLAGE_A, "marginal")],
    )  # fmt: skip
    set_day(monkeypatch, employment_clock, date(2018, 3, 10))
    async with running(employment_app(settings)) as client:
        # A fair in the first quarter, none in the second.
        fair = {"township_code": ZA_TOWN_A, "name": "春风行动专场招聘会", "held_on": "2018-03-05",
                "employers": 12, "vacancies": 300, "attendees": 400, "hires": 80}  # fmt: skip
        assert (await client.post("/v1/jobs/fairs", json=fair, headers=hrss)).status_code == 201

        session = {
            "county_code": ZA,
            "name": "2018年第1期东西部致富带头人培训",
            "starts_on": "2018-03-01",
            "ends_on": "2018-03-08",
            "trainees": [
                {"person_id": "p1"},
                {"person_id": "p2"},
                {"person_id": "p3"},
                {"name": "张三", "township_code": ZA_TOWN_B},
            ],
        }
        bad = await client.post(
            "/v1/plan/leader-sessions",
            json={**session, "trainees": [{"person_id": "nobody"}]},
            headers=hrss,
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "trainees[0].person_id"
        assert (
            await client.post("/v1/plan/leader-sessions", json=session, headers=town_a)
        ).status_code == 403
        resp = await client.post("/v1/plan/leader-sessions", json=session, headers=hrss)
        assert resp.status_code == 201, resp.text
        trainees = {t["person_id"] or t["name"]: t for t in resp.json()["trainees"]}
        # Registered poor: p1 (not exited) and p2 (exited); p3 is marginal, 张三 not registered.
        assert [trainees[k]["poor"] for k in ("p1", "p2", "p3", "张三")] == [
            True,
            True,
            False,
            False,
        ]
        assert trainees["p2"]["township_code"] == ZA_TOWN_B

        employ = f"/v1/plan/leader-trainees/{trainees['p1']['id']}/employment"
        job = {"employed_on": "2018-03-09", "employer": "上海某服装厂"}
        # Township B's officer cannot see township A's trainee: 404, not 403.
        assert (await client.post(employ, json=job, headers=town_b)).status_code == 404
        assert (await client.post(employ, json=job, headers=town_a)).status_code == 200
        assert (await client.post(employ, json=job, headers=town_a)).status_code == 409

        resp = await client.get(f"/v1/plan/targets?county={ZA}", headers=hrss)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["on"] == "2018-03-10"
        leaders = target(body, "ZA-2018-LEADERS")
        assert (leaders["count"], leaders["status"], leaders["late"]) == (4, "not_due", False)
        assert leaders["citation"] == "ZA-GOV §三(四)4" and "300" in leaders["quote"]
        poor = target(body, "ZA-2018-LEADERS-POOR")
        assert (poor["count"], poor["base"], poor["value"], poor["status"]) == (
            2,
            4,
            "0.5000",
            "met",
        )
        employed = target(body, "ZA-2018-LEADERS-EMPLOYED")
        assert (employed["count"], employed["base"]) == (1, 4)
        assert township(employed, ZA_TOWN_A)["value"] == "0.5000"
        assert target(body, "ZA-2018-LEADER-SESSIONS")["count"] == 1
        q1 = target(body, "ZA-2018-FAIR-Q1")
        assert (q1["count"], q1["status"]) == (1, "met")
        assert "PLAN-1" in q1["trace"]["rules"] and "PLAN-2" in q1["trace"]["rules"]
        assert "plan.due_day_is_on_time" in q1["illustrative_parameters"]

        # A township officer reads their own township's figures only.
        mine = (await client.get(f"/v1/plan/targets?county={ZA}", headers=town_b)).json()
        assert target(mine, "ZA-2018-LEADERS")["count"] == 2
        assert target(mine, "ZA-2018-FAIR-Q1")["count"] == 0
        assert mine["township"] == ZA_TOWN_B
        # A county plan's targets are nothing personal: every county department reads them.
        assert (await client.get(f"/v1/plan/targets?county={ZA}", headers=civil)).status_code == 200
        assert (await client.get(f"/v1/plan/targets?county={ZA}", headers=cadre)).status_code == 403
        assert (await client.get(f"/v1/plan/targets?county={ZA}", headers=other)).status_code == 404
        future = await client.get(f"/v1/plan/targets?county={ZA}&on=2018-04-01", headers=hrss)
        assert future.status_code == 422

    # After the second quarter with no fair: Q2 is late, Q1 stays met.
    set_day(monkeypatch, employment_clock, date(2018, 7, 1))
    async with running(employment_app(settings)) as client:
        body = (await client.get(f"/v1/plan/targets?county={ZA}", headers=hrss)).json()
        q2 = target(body, "ZA-2018-FAIR-Q2")
        assert (q2["count"], q2["status"], q2["late"]) == (0, "late", True)
        assert target(body, "ZA-2018-FAIR-Q1")["status"] == "met"
        # On the due day itself the quarter is still open (done on the due day is on time).
        on_due = (
            await client.get(f"/v1/plan/targets?county={ZA}&on=2018-06-30", headers=hrss)
        ).json()
        assert target(on_due, "ZA-2018-FAIR-Q2")["status"] == "not_due"


async def test_plan_1_welfare_certification_and_occupancy(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    civil = token(settings, Role.county_civil, scope=ZA)
    town_a = token(settings, Role.township_officer, scope=ZA_TOWN_A)
    cadre_a = token(settings, Role.village_cadre, scope=ZA_VILLAGE_A)
    town_b = token(settings, Role.township_officer, scope=ZA_TOWN_B)
    medical = token(settings, Role.county_medical, scope=ZA)  # minted before the clock moves
    seed_welfare_people(
        settings.database_url,
        [("t1", "H1", ZA_TOWN_A, ZA_VILLAGE_A), ("t2", "H2", ZA_TOWN_A, ZA_VILLAGE_A),
         ("t3", "H3", ZA_TOWN_A, ZA_VILLAGE_A), ("t4", "H4", ZA_TOWN_A, ZA_VILLAGE_A),
         ("t5", "H5", ZA_TOWN_B, ZA_VILLAGE_B)],
    )  # fmt: skip
    set_day(monkeypatch, welfare_clock, date(2018, 5, 20))
    async with running(welfare_app(settings)) as client:
        for pid in ("t1", "t2", "t3", "t5"):
            direct = {"person_id": pid, "self_care": "full", "assessed_on": "2018-05-15",
                      "effective_from": "2018-06-01", "basis": "原五保供养证"}  # fmt: skip
            resp = await client.post("/v1/tekun/certifications", json=direct, headers=civil)
            assert resp.status_code == 201, resp.text
        applied = {"person_id": "t4", "self_care": "partial", "assessed_on": "2018-05-18"}
        assert (
            await client.post("/v1/tekun/cases", json=applied, headers=cadre_a)
        ).status_code == 201
        body = (await client.get(f"/v1/plan/targets?county={ZA}", headers=civil)).json()
        cert = target(body, "ZA-2018-TEKUN-CERTIFIED")
        assert (cert["count"], cert["base"], cert["status"]) == (4, 5, "not_due")
        assert township(cert, ZA_TOWN_A)["value"] == "0.7500"

    # June: t4 was never certified, so township A is late on the May target; B met it.
    set_day(monkeypatch, welfare_clock, date(2018, 6, 20))
    async with running(welfare_app(settings)) as client:
        body = (await client.get(f"/v1/plan/targets?county={ZA}", headers=civil)).json()
        cert = target(body, "ZA-2018-TEKUN-CERTIFIED")
        assert (cert["status"], cert["late"], cert["late_townships"]) == ("late", True, [ZA_TOWN_A])
        assert township(cert, ZA_TOWN_B)["status"] == "met"
        home = {"name": "城关敬老院", "county_code": ZA, "township_code": ZA_TOWN_A, "beds": 10}
        hid = (await client.post("/v1/tekun/care-homes", json=home, headers=civil)).json()["id"]
        cases = (await client.get("/v1/tekun/cases", headers=civil)).json()["items"]
        ids = {c["person_id"]: c["id"] for c in cases}
        for pid in ("t1", "t2"):
            resp = await client.post(
                f"/v1/tekun/care-homes/{hid}/placements",
                json={"case_id": ids[pid], "moved_in": "2018-06-20"},
                headers=town_a,
            )
            assert resp.status_code == 201, resp.text

    # After the end of June: 2 of township A's 3 supported people live in the home (66.67% <
    # 70%), and nobody of township B's: late. People are counted, not the 10 beds.
    set_day(monkeypatch, welfare_clock, date(2018, 7, 2))
    async with running(welfare_app(settings)) as client:
        body = (await client.get(f"/v1/plan/targets?county={ZA}", headers=civil)).json()
        # The four certified from June 1 are supported at 741 and more (the self-care standard
        # on top): June's support target is met in both townships.
        support = target(body, "ZA-2018-TEKUN-SUPPORT-JUNE")
        assert (support["count"], support["base"], support["status"]) == (4, 4, "met")
        assert "welfare.tekun.monthly_support" in {
            p["path"] for p in support["trace"]["parameters"]
        }
        june = target(body, "ZA-2018-OCCUPANCY-06")
        assert (june["count"], june["base"], june["value"]) == (2, 4, "0.5000")
        assert june["status"] == "late" and june["late_townships"] == [ZA_TOWN_A, ZA_TOWN_B]
        assert township(june, ZA_TOWN_A)["value"] == "0.6667"
        assert "plan.occupancy_basis" in {p["path"] for p in june["trace"]["parameters"]}
        assert "plan.occupancy_basis" not in june["illustrative_parameters"]
        resp = await client.post(
            f"/v1/tekun/care-homes/{hid}/placements",
            json={"case_id": ids["t3"], "moved_in": "2018-07-01"},
            headers=town_a,
        )
        assert resp.status_code == 201
        body = (await client.get(f"/v1/plan/targets?county={ZA}", headers=town_a)).json()
        june = target(body, "ZA-2018-OCCUPANCY-06")
        assert [r["township_code"] for r in june["townships"]] == [ZA_TOWN_A]
        assert (june["value"], june["value_at_due"], june["status"]) == (
            "1.0000",
            "0.6667",
            "met_late",
        )
        sept = target(body, "ZA-2018-OCCUPANCY-09")
        assert (sept["status"], sept["late"]) == ("met", False)
        assert (
            await client.get(f"/v1/plan/targets?county={ZA}", headers=town_b)
        ).status_code == 200
        assert (
            await client.get(f"/v1/plan/targets?county={ZA}", headers=medical)
        ).status_code == 200


YA = "532325"
YA_T1, YA_T2 = "532325100", "532325101"


async def test_plan_1_enrollment_ledger_in_three_copies_by_15_october(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    hrss = token(settings, Role.county_hrss, scope=YA)
    town_1 = token(settings, Role.township_officer, scope=YA_T1)
    seed_households(settings.database_url, [f"{YA_T1}201", f"{YA_T1}202", f"{YA_T2}201"])
    set_day(monkeypatch, enrollment_clock, date(2017, 10, 10))
    async with running(enrollment_app(settings)) as client:
        url = "/v1/plan/pension-ledger-copies"
        for holder, village in (("township", None), ("county", None), ("village", f"{YA_T1}201")):
            body = {"year": 2017, "township_code": YA_T1, "holder": holder,
                    "village_code": village, "handed_on": "2017-10-09"}  # fmt: skip
            resp = await client.post(url, json=body, headers=town_1)
            assert resp.status_code == 201, resp.text
        again = await client.post(url, json=body, headers=town_1)
        assert again.status_code == 409
        stray = {**body, "village_code": f"{YA_T1}299"}
        bad = await client.post(url, json=stray, headers=town_1)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "village_code"
        other = {**body, "township_code": YA_T2, "village_code": f"{YA_T2}201"}
        assert (await client.post(url, json=other, headers=town_1)).status_code == 404
        body = (await client.get(f"/v1/plan/targets?county={YA}", headers=hrss)).json()
        ledger = target(body, "YA-2017-PENSION-LEDGER")
        assert township(ledger, YA_T1)["count"] == 3 and township(ledger, YA_T1)["base"] == 4
        assert township(ledger, YA_T2)["base"] == 3
        assert (ledger["status"], ledger["late"]) == ("not_due", False)

    # The last village copy handed over on the due day itself is on time; township 2 never did.
    set_day(monkeypatch, enrollment_clock, date(2017, 10, 16))
    async with running(enrollment_app(settings)) as client:
        last = {"year": 2017, "township_code": YA_T1, "holder": "village",
                "village_code": f"{YA_T1}202", "handed_on": "2017-10-15"}  # fmt: skip
        resp = await client.post("/v1/plan/pension-ledger-copies", json=last, headers=town_1)
        assert resp.status_code == 201, resp.text
        body = (await client.get(f"/v1/plan/targets?county={YA}", headers=hrss)).json()
        ledger = target(body, "YA-2017-PENSION-LEDGER")
        assert township(ledger, YA_T1)["status"] == "met"
        assert township(ledger, YA_T2)["status"] == "late"
        assert (ledger["status"], ledger["late_townships"]) == ("late", [YA_T2])
        mine = (await client.get(f"/v1/plan/targets?county={YA}", headers=town_1)).json()
        assert target(mine, "YA-2017-PENSION-LEDGER")["status"] == "met"


async def test_plan_1_medical_diagnosis_fee_ledger_by_20_november(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    medical = token(settings, Role.county_medical, scope=YA)
    town_1 = token(settings, Role.township_officer, scope=YA_T1)
    welfare = token(settings, Role.county_civil, scope=YA)
    seed_medical_people(settings.database_url, [f"{YA_T1}201", f"{YA_T2}201"])
    set_day(monkeypatch, medical_clock, date(2017, 11, 21))
    async with running(medical_app(settings)) as client:
        url = "/v1/plan/diagnosis-fee-ledgers"
        report = {"township_code": YA_T1, "reported_on": "2017-11-20"}
        resp = await client.post(url, json=report, headers=town_1)
        assert resp.status_code == 201, resp.text
        assert resp.json()["period_from"] == "2017-01-01"
        assert resp.json()["period_to"] == "2017-10-31"
        assert (await client.post(url, json=report, headers=town_1)).status_code == 409
        body = (await client.get(f"/v1/plan/targets?county={YA}", headers=medical)).json()
        ledger = target(body, "YA-2017-DIAGNOSIS-FEE-LEDGER")
        assert (ledger["count"], ledger["base"]) == (1, 2)
        assert township(ledger, YA_T1)["status"] == "met"
        assert (ledger["status"], ledger["late"], ledger["late_townships"]) == (
            "late",
            True,
            [YA_T2],
        )
        assert (
            await client.get(f"/v1/plan/targets?county={YA}", headers=welfare)
        ).status_code == 200
