"""Temporary relief (临时救助, WEL-6) over HTTP on SQLite and PostgreSQL, and from medical's
high-burden event (MED-4) on a real broker: every source of a case, the 3×-for-3-months detector,
the cap, one decision per case, childbirth and relocation once per person, 422 / 403 / 404."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, col, select

from services.welfare.main import build_app
from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from services.welfare.relief.models import ReliefCase, ReliefDeclaration
from shared.bus.tables import OutboxEvent, ProcessedEvent
from shared.db import make_engine
from shared.events.envelope import Envelope
from shared.events.medical import HighBurdenDetected
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.bus import produce_raw, wait_until
from tests.support.welfare_relief import (
    COUNTY,
    NOT_EXITED,
    NUMBER,
    TOWN_A,
    TOWN_B,
    VILLAGE_A,
    VILLAGE_B,
    app_settings,
    count,
    seed_registry,
)

pytestmark = pytest.mark.integration


def outbox(url: str) -> list[OutboxEvent]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = list(s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq))))
    engine.dispose()
    return rows


async def test_window_case_cap_and_one_decision(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a")
    county = token(settings, Role.county_civil, sub="civil")
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url
        body = {
            "kind": "accident",
            "id_number": NUMBER["p1"],
            "occurred_on": "2018-03-01",
            "assessed_need": "10000.00",
            "description": "房屋失火",
        }
        resp = await client.post("/v1/relief/cases", json=body, headers=town_a)
        assert resp.status_code == 201, resp.text
        case = resp.json()
        # Cap: 6 months of the monthly dibao standard (3,500 / 12) per person, 3 persons.
        assert case["cap"] == "5250.00" and case["proposed_amount"] == "5250.00"
        assert case["persons"] == 3 and case["poverty_status"] == "not_exited"
        assert "WEL-6" in case["trace"]["rules"]
        assert {p["path"] for p in case["trace"]["parameters"]} >= {
            "welfare.temporary_relief.cap_months.accident",
            "welfare.temporary_relief.eligible_statuses.accident",
        }
        assert [s["to_status"] for s in case["steps"]] == ["opened"]

        # Validation: every bad field named, nothing written.
        bad = await client.post(
            "/v1/relief/cases",
            json={**body, "id_number": "532325196001011234", "assessed_need": "1.234"},
            headers=town_a,
        )
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert fields == {"body.id_number", "body.assessed_need"}
        future = await client.post(
            "/v1/relief/cases", json={**body, "occurred_on": "2999-01-01"}, headers=town_a
        )
        assert future.status_code == 422
        assert future.json()["errors"][0]["field"] == "body.occurred_on"
        # Marginal households get no accident relief in 姚安 (YA-GOV §三(七)).
        marginal = await client.post(
            "/v1/relief/cases", json={**body, "id_number": NUMBER["p4"]}, headers=town_a
        )
        assert marginal.status_code == 422
        assert marginal.json()["errors"][0]["field"] == "id_number"
        assert count(url, ReliefCase) == 1

        # Roles and jurisdiction: another township's officer does not see the person (404); a
        # county medical officer may not open relief cases (403).
        town_b = token(settings, Role.township_officer, scope=TOWN_B, sub="town-b")
        assert (await client.post("/v1/relief/cases", json=body, headers=town_b)).status_code == 404
        medical = token(settings, Role.county_medical)
        assert (
            await client.post("/v1/relief/cases", json=body, headers=medical)
        ).status_code == 403
        assert (
            await client.get(f"/v1/relief/cases/{case['id']}", headers=town_b)
        ).status_code == 404

        # Decided once, by county civil affairs.
        decide = f"/v1/relief/cases/{case['id']}/decision"
        assert (
            await client.post(decide, json={"decision": "approved"}, headers=town_a)
        ).status_code == 403
        no_reason = await client.post(decide, json={"decision": "rejected"}, headers=county)
        assert no_reason.status_code == 422
        assert no_reason.json()["errors"][0]["field"] == "body.reason"
        approved = await client.post(
            decide, json={"decision": "approved", "amount": "3000.00"}, headers=county
        )
        assert approved.status_code == 200, approved.text
        done = approved.json()
        assert done["status"] == "approved" and done["amount"] == "3000.00"
        assert done["decided_by"] == "civil" and "WEL-6" in done["decision_trace"]["rules"]
        assert [s["to_status"] for s in done["steps"]] == ["opened", "approved"]
        again = await client.post(
            decide, json={"decision": "rejected", "reason": "重复"}, headers=county
        )
        assert again.status_code == 409
        events = [e for e in outbox(url) if e.event_type == "welfare.temporary_relief_granted"]
        assert len(events) == 1 and events[0].key == "H1"

        # Listed by township with filters; out of scope left out.
        page = (
            await client.get(f"/v1/relief/cases?township={TOWN_A}&status=approved", headers=county)
        ).json()
        assert page["total"] == 1 and page["items"][0]["id"] == case["id"]
        assert (await client.get("/v1/relief/cases", headers=town_b)).json()["total"] == 0


async def test_disaster_declaration_all_or_nothing(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url
        body = {
            "county_code": COUNTY,
            "township_code": TOWN_A,
            "occurred_on": "2018-07-10",
            "description": "洪涝灾害",
            "households": [
                {"household_id": "H1", "assessed_need": "1000.00"},
                {"household_id": "H9", "assessed_need": "500.00"},
                {"household_id": "H3", "assessed_need": "500.00"},
                {"household_id": "H1", "assessed_need": "700.00"},
            ],
        }
        bad = await client.post("/v1/relief/declarations", json=body, headers=town_a)
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == [
            "households[1].household_id",
            "households[2].household_id",
            "households[3].household_id",
        ]
        assert count(url, ReliefCase) == 0 and count(url, ReliefDeclaration) == 0

        body["households"] = [
            {"household_id": "H1", "assessed_need": "1000.00"},
            {"household_id": "H2", "assessed_need": "99999.00"},
        ]
        resp = await client.post("/v1/relief/declarations", json=body, headers=town_a)
        assert resp.status_code == 201, resp.text
        cases = {c["household_id"]: c for c in resp.json()["cases"]}
        assert cases["H1"]["proposed_amount"] == "1000.00"
        # One person: 6 × 3,500 / 12 = 1,750 (the cap applies).
        assert cases["H2"]["proposed_amount"] == "1750.00" and cases["H2"]["cap"] == "1750.00"
        assert {c["source"] for c in cases.values()} == {"disaster_declaration"}
        village = token(settings, Role.village_cadre, scope=VILLAGE_A)
        assert (
            await client.post("/v1/relief/declarations", json=body, headers=village)
        ).status_code == 403


async def test_childbirth_and_relocation_once_per_person(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A)
    town_b = token(settings, Role.village_cadre, scope=VILLAGE_B)
    county = token(settings, Role.county_civil)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        birth = {
            "id_number": NUMBER["p2"],
            "birth_date": "2018-05-02",
            "hospital": "姚安县人民医院",
        }
        first = await client.post("/v1/relief/childbirths", json=birth, headers=town_a)
        assert first.status_code == 201, first.text
        assert first.json()["proposed_amount"] == "400.00" and first.json()["persons"] == 1
        # The same delivery reported again (the twin of the same delivery, another clerk): once.
        second = await client.post(
            "/v1/relief/childbirths",
            json={**birth, "hospital": "姚安县妇幼保健院", "hospital_record_number": "2018-77"},
            headers=town_a,
        )
        assert second.status_code == 409
        assert f"case {first.json()['id']}" in second.json()["detail"]
        # A marginal household is not a 贫困家庭 for childbirth relief.
        marginal = await client.post(
            "/v1/relief/childbirths", json={**birth, "id_number": NUMBER["p4"]}, headers=town_a
        )
        assert marginal.status_code == 422

        moved = await client.post(
            "/v1/relief/relocations",
            json={"household_id": "H1", "relocated_on": "2018-08-01"},
            headers=town_a,
        )
        assert moved.status_code == 201, moved.text
        assert moved.json()["case"]["proposed_amount"] == "4500.00"  # 3 × 1,500
        again = await client.post(
            "/v1/relief/relocations",
            json={"household_id": "H1", "relocated_on": "2018-09-01"},
            headers=town_a,
        )
        assert again.status_code == 409
        one = await client.post(
            "/v1/relief/relocations",
            json={"household_id": "H3", "relocated_on": "2018-08-01", "person_ids": ["p5"]},
            headers=town_b,
        )
        assert one.json()["case"]["proposed_amount"] == "1500.00"
        rest = await client.post(
            "/v1/relief/relocations",
            json={"household_id": "H3", "relocated_on": "2018-08-02"},
            headers=town_b,
        )
        assert rest.status_code == 201
        assert rest.json()["case"]["persons"] == 1
        assert rest.json()["skipped_already_relieved"] == ["p5"]
        stranger = await client.post(
            "/v1/relief/relocations",
            json={"household_id": "H3", "relocated_on": "2018-08-02", "person_ids": ["p1"]},
            headers=town_b,
        )
        assert stranger.status_code == 422
        assert stranger.json()["errors"][0]["field"] == "person_ids[0]"

        # Fixed kinds are granted their fixed amount whatever is asked.
        case_id = first.json()["id"]
        granted = await client.post(
            f"/v1/relief/cases/{case_id}/decision",
            json={"decision": "approved", "amount": "9999.00"},
            headers=county,
        )
        assert granted.json()["amount"] == "400.00"


async def test_childbirth_relief_once_per_delivery(db_template: str) -> None:
    """YA-GOV §三(七) 400元/人一次性: a lump sum for each hospital delivery. The same delivery
    reported twice at once opens one case; the mother's next delivery a year later pays again."""
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A)
    county = token(settings, Role.county_civil)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        birth = {"id_number": NUMBER["p2"], "birth_date": "2018-05-02", "hospital": "县医院"}
        racing = await asyncio.gather(
            *(client.post("/v1/relief/childbirths", json=birth, headers=town_a) for _ in range(4))
        )
        assert sorted(r.status_code for r in racing) == [201, 409, 409, 409]
        assert count(settings.database_url, ReliefCase, col(ReliefCase.kind) == "childbirth") == 1

        later = await client.post(
            "/v1/relief/childbirths", json={**birth, "birth_date": "2019-06-10"}, headers=town_a
        )
        assert later.status_code == 201, later.text
        assert later.json()["proposed_amount"] == "400.00"
        first = next(r for r in racing if r.status_code == 201).json()
        for case in (first, later.json()):
            granted = await client.post(
                f"/v1/relief/cases/{case['id']}/decision",
                json={"decision": "approved"},
                headers=county,
            )
            assert granted.status_code == 200, granted.text
            assert granted.json()["amount"] == "400.00"
        grants = [
            e for e in outbox(settings.database_url) if e.event_type.endswith("relief_granted")
        ]
        assert len(grants) == 2


async def test_essential_spending_detector(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A)
    town_b = token(settings, Role.township_officer, scope=TOWN_B)
    county = token(settings, Role.county_civil)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url

        async def declare(household: str, month: str, spending: str, headers: dict) -> dict:
            resp = await client.put(
                "/v1/relief/spending",
                json={
                    "household_id": household,
                    "month": month,
                    "essential_spending_per_capita": spending,
                    "per_capita_monthly_income": "100.00",
                },
                headers=headers,
            )
            assert resp.status_code == 200, resp.text
            return resp.json()

        # Two qualifying months, then a gap: no case.
        assert (await declare("H1", "2018-01", "300.00", town_a))["triggered"] is False
        assert (await declare("H1", "2018-02", "450.00", town_a))["triggered"] is False
        gap = await declare("H1", "2018-04", "300.00", town_a)
        assert gap["triggered"] is False and gap["case"] is None
        # The missing month arrives: January to April are consecutive, one case.
        full = await declare("H1", "2018-03", "310.00", town_a)
        assert full["triggered"] is True and full["case_opened"] is True
        assert full["run"] == ["2018-01-01", "2018-02-01", "2018-03-01", "2018-04-01"]
        assert "WEL-6" in full["trace"]["rules"]
        case = full["case"]
        assert case["kind"] == "essential_spending" and case["source"] == "spending_detector"
        # The run goes on: still the same occasion, nothing new.
        more = await declare("H1", "2018-05", "500.00", town_a)
        assert more["triggered"] is True and more["case_opened"] is False
        assert count(url, ReliefCase) == 1

        # A month below 3× breaks the run.
        await declare("H3", "2018-01", "300.00", town_b)
        await declare("H3", "2018-02", "299.99", town_b)
        await declare("H3", "2018-03", "300.00", town_b)
        assert (await declare("H3", "2018-04", "300.00", town_b))["triggered"] is False

        bad = await client.put(
            "/v1/relief/spending",
            json={
                "household_id": "H1",
                "month": "2018-13",
                "essential_spending_per_capita": "-1",
                "per_capita_monthly_income": "100.00",
            },
            headers=town_a,
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "body.month",
            "body.essential_spending_per_capita",
        }
        out_of_scope = await client.put(
            "/v1/relief/spending",
            json={
                "household_id": "H3",
                "month": "2018-06",
                "essential_spending_per_capita": "1.00",
                "per_capita_monthly_income": "1.00",
            },
            headers=town_a,
        )
        assert out_of_scope.status_code == 404

        # No assessed need yet: the decision names the amount, capped (3 months × 3 persons).
        decide = f"/v1/relief/cases/{case['id']}/decision"
        missing = await client.post(decide, json={"decision": "approved"}, headers=county)
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "amount"
        capped = await client.post(
            decide, json={"decision": "approved", "amount": "100000.00"}, headers=county
        )
        assert capped.json()["amount"] == "2625.00"


async def test_high_burden_event_opens_one_case_per_person_year(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    settings = make_settings(
        "welfare", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url

        def event(person: str, household: str, claim: str, self_pay: str) -> HighBurdenDetected:
            return HighBurdenDetected(
                person_id=person,
                household_id=household,
                county_code=COUNTY,
                year=2018,
                claim_id=claim,
                ytd_self_pay=Decimal(self_pay),
                threshold=Decimal("9000.00"),
            )

        first = Envelope.wrap(
            event("p1", "H1", "C-1", "12000.00"), source="/services/medical", subject="x", key="H1"
        ).to_kafka()
        later = Envelope.wrap(
            event("p1", "H1", "C-2", "15000.00"), source="/services/medical", subject="x", key="H1"
        ).to_kafka()
        other = Envelope.wrap(
            event("p5", "H3", "C-3", "9500.00"), source="/services/medical", subject="x", key="H3"
        ).to_kafka()
        # The same event twice, a second event for the same person-year, another person.
        await produce_raw(broker, topic_prefix + "medical.events", [first, first, later, other])

        def applied() -> bool:
            return (
                count(
                    url,
                    ProcessedEvent,
                    col(ProcessedEvent.event_type) == HighBurdenDetected.event_type,
                )
                >= 3
            )

        await wait_until(applied, timeout=60)
        assert count(url, ReliefCase) == 2
        county = token(settings, Role.county_civil)
        page = (await client.get("/v1/relief/cases?source=medical_event", headers=county)).json()
        by_household = {c["household_id"]: c for c in page["items"]}
        p1 = by_household["H1"]
        assert p1["kind"] == "high_medical_burden" and p1["assessed_need"] == "3000.00"
        assert p1["facts"]["claim_id"] == "C-1"
        assert {"MED-4", "WEL-6"} <= set(p1["trace"]["rules"])
        assert by_household["H3"]["assessed_need"] == "500.00"
        detail = (await client.get(f"/v1/relief/cases/{p1['id']}", headers=county)).json()
        assert detail["steps"][0]["actor_role"] == "service"


FRESH = "522121"  # a county the seeds never name
FRESH_TOWN, FRESH_VILLAGE = "522121100", "522121100201"


def seed_fresh_mother(url: str) -> str:
    number = make_resident_id(FRESH, date(1990, 4, 1), 31, "F")
    engine = make_engine(url)
    with Session(engine) as s:
        s.add(
            RegistryPerson(
                person_id="f1", id_number=number, household_id="FH1", name="居民f1", sex="F",
                birth_date=date(1990, 4, 1), relation="户主", county_code=FRESH,
                township_code=FRESH_TOWN, village_code=FRESH_VILLAGE,
                poverty_status=NOT_EXITED, source_event_id="seed",
            )
        )  # fmt: skip
        s.add(
            RegistryStatusHistory(
                person_id="f1", status=NOT_EXITED, valid_from=date.min, source_event_id="seed"
            )
        )
        s.commit()
    engine.dispose()
    return number


async def test_relief_decisions_list_their_illustrative_figures(db_template: str) -> None:
    """In 姚安 childbirth relief rests on 姚安's own figures (YA-GOV §三(七): who and 400): the
    case, the decision and TemporaryReliefGranted list none. In a county the seeds never name
    both figures are illustrative and every one of them says so."""
    settings = app_settings(db_template)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        fresh_mother = seed_fresh_mother(settings.database_url)
        births = [
            (NUMBER["p2"], TOWN_A, COUNTY, []),
            (
                fresh_mother,
                FRESH_TOWN,
                FRESH,
                [
                    "welfare.temporary_relief.childbirth",
                    "welfare.temporary_relief.eligible_statuses.childbirth",
                ],
            ),
        ]
        for number, town, county, expected in births:
            opened = await client.post(
                "/v1/relief/childbirths",
                json={"id_number": number, "birth_date": "2018-05-02", "hospital": "县医院"},
                headers=token(settings, Role.township_officer, scope=town),
            )
            assert opened.status_code == 201, opened.text
            assert opened.json()["illustrative_parameters"] == expected
            decided = await client.post(
                f"/v1/relief/cases/{opened.json()['id']}/decision",
                json={"decision": "approved"},
                headers=token(settings, Role.county_civil, scope=county),
            )
            assert decided.status_code == 200, decided.text
            assert decided.json()["illustrative_parameters"] == expected
            body = decided.json()
            flags = {
                p["path"]: p["illustrative"]
                for t in (body["trace"], body["decision_trace"])
                for p in t["parameters"]
            }
            assert sorted(p for p, flag in flags.items() if flag) == expected
        grants = {
            json.loads(e.payload)["county_code"]: json.loads(e.payload)
            for e in outbox(settings.database_url)
            if e.event_type.endswith("relief_granted")
        }
        assert grants[COUNTY]["illustrative_parameters"] == []
        assert grants[FRESH]["illustrative_parameters"] == births[1][3]
