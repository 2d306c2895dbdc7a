"""Family-doctor signing of chronic patients (MED-12) over HTTP, on SQLite and PostgreSQL: a stay
or a bill with a chronic diagnosis puts the patient in the register, unsigned; a team signs and
visits; the signing rate per township reaches 100% where everyone is signed; bad input is a 4xx
naming the field and writes nothing; another township's doctor gets 404."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, select

from services.medical.family_doctor.routes import RATE_HEADERS
from services.medical.main import build_app
from services.medical.models import (
    ChronicDiagnosis,
    FamilyDoctorSigning,
    FamilyDoctorTeam,
    FollowUpVisit,
)
from shared.db import make_engine
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.medical_family_doctor import (
    A1,
    A2,
    B1,
    B2,
    MARGINAL,
    TOWN_A,
    TOWN_B,
    VILLAGE_A,
    VILLAGE_B,
    ZA,
    chronic36_bill,
    die,
    move,
    seed,
    stay,
    team,
)

pytestmark = pytest.mark.integration

BASE = "/v1/family-doctor"


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return int(n)


def unsigned_numbers(body: dict) -> dict[str, list[str]]:
    return {v["village_code"]: [p["id_number"] for p in v["patients"]] for v in body["villages"]}


async def test_med_12_from_a_stay_to_a_full_township(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, scope=ZA, sub="hospital-ZA")
    health = token(settings, Role.county_health, scope=ZA, sub="health-bureau")
    doc_a = token(settings, Role.family_doctor, scope=TOWN_A, sub="doc-a")
    doc_b = token(settings, Role.family_doctor, scope=TOWN_B, sub="doc-b")
    officer_b = token(settings, Role.township_officer, scope=TOWN_B, sub="officer-b")
    auditor = token(settings, Role.auditor, scope=ZA, sub="auditor")
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)

        # Stays and a bill with chronic diagnoses: the patients enter the register, unsigned.
        for claim, number, codes in (
            ("FD-1", A1, ["I10", "E11.9"]),
            ("FD-2", MARGINAL, ["I10"]),
            ("FD-3", B1, ["I11.9"]),
            ("FD-4", B2, ["S72.0"]),  # a fracture: not chronic
        ):
            r = await client.post(
                "/v1/hospitalizations", json=stay(claim, number, codes), headers=hospital
            )
            assert r.status_code == 201, r.text
        bill = await client.post(
            "/v1/outpatient/chronic36-bills",
            json=chronic36_bill("FD-B1", A2, ["J44.9"]),
            headers=hospital,
        )
        assert bill.status_code == 201, bill.text
        unsigned = await client.get(
            f"{BASE}/unsigned", params={"county_code": ZA, "on": "2018-04-01"}, headers=health
        )
        assert unsigned.status_code == 200, unsigned.text
        assert unsigned_numbers(unsigned.json()) == {VILLAGE_A: [A1, A2], VILLAGE_B: [B1]}
        first = unsigned.json()["villages"][0]["patients"][0]
        assert first["diseases"] == ["diabetes", "hypertension"]
        assert "MED-12" in unsigned.json()["trace"]["rules"]

        # Teams: a village team for A (doc-a), a township team for B (doc-b).
        bad_team = await client.post(
            f"{BASE}/teams", json=team("错", "village", TOWN_A, "doc-a"), headers=health
        )
        assert bad_team.status_code == 422
        assert bad_team.json()["errors"][0]["field"] == "body.division_code"
        twice = await client.post(
            f"{BASE}/teams", json=team("重", "village", VILLAGE_A, "x", "x"), headers=health
        )
        assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "body.members"
        assert count(url, FamilyDoctorTeam) == 0
        assert (
            await client.post(
                f"{BASE}/teams", json=team("甲", "village", VILLAGE_A, "doc-a"), headers=doc_a
            )
        ).status_code == 403
        team_a = await client.post(
            f"{BASE}/teams", json=team("甲村团队", "village", VILLAGE_A, "doc-a"), headers=health
        )
        assert team_a.status_code == 201, team_a.text
        team_b = await client.post(
            f"{BASE}/teams", json=team("乙乡团队", "township", TOWN_B, "doc-b"), headers=health
        )
        a_id, b_id = team_a.json()["id"], team_b.json()["id"]

        # Signing: the village team signs A1; bad input and the marginal patient are refused.
        signings_before = count(url, FamilyDoctorSigning)
        wrong_team = await client.post(
            f"{BASE}/signings",
            json={"id_number": A1, "team_id": b_id, "signed_on": "2018-04-01"},
            headers=health,
        )
        assert wrong_team.status_code == 422
        assert wrong_team.json()["errors"][0]["field"] == "body.team_id"
        future = await client.post(
            f"{BASE}/signings",
            json={"id_number": A1, "team_id": a_id, "signed_on": "2999-01-01"},
            headers=doc_a,
        )
        assert future.status_code == 422
        assert future.json()["errors"][0]["field"] == "body.signed_on"
        marginal = await client.post(
            f"{BASE}/signings",
            json={"id_number": MARGINAL, "team_id": a_id, "signed_on": "2018-04-01"},
            headers=doc_a,
        )
        assert marginal.status_code == 422
        assert marginal.json()["errors"][0]["field"] == "body.id_number"
        assert count(url, FamilyDoctorSigning) == signings_before
        signed = await client.post(
            f"{BASE}/signings",
            json={"id_number": A1, "team_id": a_id, "signed_on": "2018-04-01"},
            headers=doc_a,
        )
        assert signed.status_code == 201, signed.text
        s1 = signed.json()
        assert (s1["starts"], s1["ends"], s1["status"]) == ("2018-04-01", "2019-03-31", "active")
        assert s1["id_number"] == A1  # a family doctor sees the number in full
        assert "medical.family_doctor.contract_months" in s1["illustrative_parameters"]
        again = await client.post(
            f"{BASE}/signings",
            json={"id_number": A1, "team_id": a_id, "signed_on": "2018-04-02"},
            headers=health,
        )
        assert again.status_code == 409

        # Jurisdiction: another township's doctor finds neither the patient nor the signing.
        assert (
            await client.post(
                f"{BASE}/signings",
                json={"id_number": A1, "team_id": b_id, "signed_on": "2018-04-01"},
                headers=doc_b,
            )
        ).status_code == 404
        assert (await client.get(f"{BASE}/signings/{s1['id']}", headers=doc_b)).status_code == 404
        assert (await client.get(f"{BASE}/persons/{A1}/visits", headers=doc_b)).status_code == 404
        assert (
            await client.post(
                f"{BASE}/signings/{s1['id']}/visits",
                json={"visit_date": "2018-05-01", "place": "home"},
                headers=doc_b,
            )
        ).status_code == 404

        # Follow-up visits: hypertension and diabetes need blood pressure and glucose.
        visit_url = f"{BASE}/signings/{s1['id']}/visits"
        missing = await client.post(
            visit_url,
            json={"visit_date": "2018-05-01", "place": "home",
                  "indicators": {"systolic_bp": "150", "fasting_glucose": "7.2"}},
            headers=doc_a,
        )  # fmt: skip
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} == {"body.indicators.diastolic_bp"}
        wild = await client.post(
            visit_url,
            json={"visit_date": "2018-05-01", "place": "home",
                  "indicators": {"systolic_bp": "15", "diastolic_bp": "90",
                                 "fasting_glucose": "7.2", "pulse": "70"}},
            headers=doc_a,
        )  # fmt: skip
        assert wild.status_code == 422
        assert {e["field"] for e in wild.json()["errors"]} == {
            "body.indicators.systolic_bp",
            "body.indicators.pulse",
            "body.indicators.diastolic_bp",  # not below the systolic
        }
        ahead = await client.post(
            visit_url,
            json={"visit_date": "2999-05-01", "place": "home",
                  "indicators": {"systolic_bp": "150", "diastolic_bp": "90",
                                 "fasting_glucose": "7.2"}},
            headers=doc_a,
        )  # fmt: skip
        assert ahead.status_code == 422
        assert ahead.json()["errors"][0]["field"] == "body.visit_date"
        assert (
            await client.post(
                visit_url, json={"visit_date": "2018-05-01", "place": "roof"}, headers=doc_a
            )
        ).status_code == 422
        assert count(url, FollowUpVisit) == 0
        assert (
            await client.post(
                visit_url, json={"visit_date": "2018-05-01", "place": "home"}, headers=health
            )
        ).status_code == 403
        visit = await client.post(
            visit_url,
            json={"visit_date": "2018-05-01", "place": "home",
                  "indicators": {"systolic_bp": "150", "diastolic_bp": "90",
                                 "fasting_glucose": "7.2"},
                  "advice": "低盐饮食，按时服药"},
            headers=doc_a,
        )  # fmt: skip
        assert visit.status_code == 201, visit.text
        assert visit.json()["indicators"] == {
            "systolic_bp": "150",
            "diastolic_bp": "90",
            "fasting_glucose": "7.2",
        }
        record = (await client.get(f"{BASE}/persons/{A1}/visits", headers=doc_a)).json()
        assert record["diseases"] == ["hypertension", "diabetes"]
        assert [v["visit_date"] for v in record["visits"]] == ["2018-05-01"]

        # The exited patient with COPD (from the bill) is signed by the bureau for team A.
        a2 = await client.post(
            f"{BASE}/signings",
            json={"id_number": A2, "team_id": a_id, "signed_on": "2018-04-15"},
            headers=health,
        )
        assert a2.status_code == 201, a2.text

        # The rate: township A 2 of 2 = 100% (正安's own target), township B 0 of 1.
        rate = await client.get(
            f"{BASE}/signing-rate", params={"county_code": ZA, "on": "2018-06-01"}, headers=health
        )
        assert rate.status_code == 200, rate.text
        body = rate.json()
        rows = {r["township_code"]: r for r in body["townships"]}
        assert (rows[TOWN_A]["must_sign"], rows[TOWN_A]["signed"]) == (2, 2)
        assert (rows[TOWN_A]["rate"], rows[TOWN_A]["met"]) == ("1.0000", True)
        assert rows[TOWN_A]["chronic_patients"] == 3  # the marginal patient is not counted
        assert (rows[TOWN_B]["rate"], rows[TOWN_B]["met"]) == ("0.0000", False)
        assert (body["total"]["must_sign"], body["total"]["signed"]) == (3, 2)
        assert "medical.family_doctor.signing_rate_target" not in body["illustrative_parameters"]
        target = next(
            p for p in body["trace"]["parameters"] if p["path"].endswith("signing_rate_target")
        )
        assert target["county"] == ZA and "ZA-GOV §三(二)3" in target["reference"]
        # Before the signings nobody in A was signed.
        early = (
            await client.get(
                f"{BASE}/signing-rate",
                params={"county_code": ZA, "on": "2018-03-31"},
                headers=auditor,
            )
        ).json()
        assert {r["township_code"]: r["signed"] for r in early["townships"]} == {
            TOWN_A: 0,
            TOWN_B: 0,
        }
        # A township officer sees their own township only.
        own = (
            await client.get(
                f"{BASE}/signing-rate",
                params={"county_code": ZA, "on": "2018-06-01"},
                headers=officer_b,
            )
        ).json()
        assert [r["township_code"] for r in own["townships"]] == [TOWN_B]
        export = await client.get(
            f"{BASE}/signing-rate/export",
            params={"county_code": ZA, "on": "2018-06-01"},
            headers=health,
        )
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert sheet is not None
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert values[2] == RATE_HEADERS
        assert values[3][:7] == [TOWN_A, 3, 2, 2, "100.00%", "100%", "是"]
        assert values[4][6] == "否"

        # A doctor records a diagnosis seen at a visit: B2 enters the register.
        assert (
            await client.post(
                f"{BASE}/diagnoses",
                json={"id_number": B2, "diagnosis_codes": ["S72.0"], "seen_on": "2018-05-02"},
                headers=doc_b,
            )
        ).status_code == 422
        assert count(url, ChronicDiagnosis) == 5  # A1 x2, marginal, B1, A2
        seen = await client.post(
            f"{BASE}/diagnoses",
            json={"id_number": B2, "diagnosis_codes": ["I10"], "seen_on": "2018-05-02"},
            headers=doc_b,
        )
        assert seen.status_code == 201, seen.text
        later = (
            await client.get(
                f"{BASE}/unsigned",
                params={"county_code": ZA, "on": "2018-06-01"},
                headers=doc_b,
            )
        ).json()
        assert unsigned_numbers(later) == {VILLAGE_B: [B1, B2]}
        # The same diagnosis of two patients by one account on one day: two records.
        for number in (A1, A2):
            again_seen = await client.post(
                f"{BASE}/diagnoses",
                json={"id_number": number, "diagnosis_codes": ["I10"], "seen_on": "2018-05-02"},
                headers=health,
            )
            assert again_seen.status_code == 201, again_seen.text
        assert count(url, ChronicDiagnosis) == 8

        # Overdue home follow-ups on 2018-09-15: A1 (last home visit 05-01, due 07-30) and A2
        # (signed 04-15, never visited, due 07-14).
        late = (
            await client.get(
                f"{BASE}/overdue", params={"county_code": ZA, "on": "2018-09-15"}, headers=doc_a
            )
        ).json()
        assert {(o["id_number"], o["due"]) for o in late["signings"]} == {
            (A1, "2018-07-30"),
            (A2, "2018-07-14"),
        }

        # Renewal before the end continues the day after it; a death ends A2's signing.
        renewed = await client.post(
            f"{BASE}/signings/{s1['id']}/renew", json={"renewed_on": "2019-03-01"}, headers=doc_a
        )
        assert renewed.status_code == 201, renewed.text
        assert (renewed.json()["starts"], renewed.json()["renews"]) == ("2019-04-01", s1["id"])
        old = (await client.get(f"{BASE}/signings/{s1['id']}", headers=doc_a)).json()
        assert (old["status"], old["end_reason"], old["ended_on"]) == (
            "ended", "renewed", "2019-03-31",
        )  # fmt: skip
        die(url, "fd-a2", A2, VILLAGE_A, date(2018, 8, 1))
        dead = (await client.get(f"{BASE}/signings/{a2.json()['id']}", headers=health)).json()
        assert (dead["status"], dead["end_reason"], dead["ended_on"]) == (
            "ended", "death", "2018-08-01",
        )  # fmt: skip

        # A move inside the township team's area keeps the signing; out of it ends it.
        b2 = await client.post(
            f"{BASE}/signings",
            json={"id_number": B2, "team_id": b_id, "signed_on": "2018-06-01"},
            headers=doc_b,
        )
        assert b2.status_code == 201, b2.text
        move(url, "fd-b2", TOWN_B, "520324200302", date(2018, 7, 1))
        kept = (await client.get(f"{BASE}/signings/{b2.json()['id']}", headers=doc_b)).json()
        assert (kept["status"], kept["village_code"]) == ("active", "520324200302")
        move(url, "fd-b2", TOWN_A, VILLAGE_A, date(2018, 8, 1))
        gone = (await client.get(f"{BASE}/signings/{b2.json()['id']}", headers=health)).json()
        assert (gone["status"], gone["end_reason"], gone["ended_on"]) == (
            "ended", "moved", "2018-08-01",
        )  # fmt: skip

        # A cancelled stay leaves no diagnosis behind.
        cancelled = await client.post(
            "/v1/hospitalizations/FD-3/cancel", json={"reason": "duplicate"}, headers=hospital
        )
        assert cancelled.status_code == 200, cancelled.text
        after = (
            await client.get(
                f"{BASE}/unsigned", params={"county_code": ZA, "on": "2018-09-01"}, headers=health
            )
        ).json()
        # B1's stay is gone, B2 moved out of team B's area, A2 died, A1 is signed.
        assert unsigned_numbers(after) == {VILLAGE_A: [B2]}
        # B2 dies never signed by a team of village A: the register keeps the day, the list
        # of patients to sign leaves them out from that day on.
        die(url, "fd-b2", B2, VILLAGE_A, date(2018, 9, 10))
        for day, expected in (("2018-09-09", {VILLAGE_A: [B2]}), ("2018-09-10", {})):
            listed = await client.get(
                f"{BASE}/unsigned", params={"county_code": ZA, "on": day}, headers=health
            )
            assert unsigned_numbers(listed.json()) == expected, day
