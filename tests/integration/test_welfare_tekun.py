"""Extreme-poverty support (特困供养, WEL-5) over HTTP on SQLite and PostgreSQL: certification
through the workflow with its audit steps, direct certification, self-care reassessment changing
the amount, care homes (敬老院) with placements and the occupancy targets by date, ending support,
the monthly list for payments, and a death delivered twice on the real broker ending support
once. County 520324 (正安, ZA-GOV): 741 yuan a month from June 2018."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from sqlmodel import Session, col, select

from services.welfare.main import build_app
from services.welfare.registry.models import RegistryPerson
from services.welfare.tekun.repository import active_tekun
from shared.bus.tables import OutboxEvent, ProcessedEvent
from shared.db import make_engine
from shared.events.envelope import Envelope
from shared.events.registry import PersonDeceased
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_tekun import COUNTY, TOWN_A, VILLAGE_A, number, seed

pytestmark = pytest.mark.integration

TOWN_B, VILLAGE_B = "520324101", "520324101202"


def outbox(url: str) -> list[tuple[str, str | None]]:
    engine = make_engine(url)
    with Session(engine) as s:
        events = s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq)))
        rows = [(e.event_type, e.key) for e in events]
    engine.dispose()
    return rows


async def produce(bootstrap: str, topic: str, messages: list[tuple]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def wait_until(predicate: Callable[[], bool], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.1)


PEOPLE = [
    ("t1", "H1", TOWN_A, VILLAGE_A),
    ("t2", "H2", TOWN_A, VILLAGE_A),
    ("t3", "H3", TOWN_B, VILLAGE_B),
    ("t4", "H4", TOWN_A, VILLAGE_A),
    ("t5", "H5", TOWN_A, VILLAGE_A),
]


async def test_certification_assessment_homes_and_end(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    county = token(settings, Role.county_civil, scope=COUNTY, sub="civil-officer")
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a")
    town_b = token(settings, Role.township_officer, scope=TOWN_B, sub="town-b")
    cadre_a = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a")
    medical = token(settings, Role.county_medical, scope=COUNTY)
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url, PEOPLE)

        # Application at the village, with the first self-care assessment before June.
        app_body = {"person_id": "t1", "self_care": "partial", "assessed_on": "2018-05-20"}
        assert (
            await client.post("/v1/tekun/cases", json=app_body, headers=county)
        ).status_code == 403
        assert (
            await client.post("/v1/tekun/cases", json=app_body, headers=town_b)
        ).status_code == 404
        resp = await client.post("/v1/tekun/cases", json=app_body, headers=cadre_a)
        assert resp.status_code == 201, resp.text
        case = resp.json()
        cid = case["id"]
        assert case["status"] == "applied" and case["monthly_amount"] is None
        again = await client.post("/v1/tekun/cases", json=app_body, headers=cadre_a)
        assert again.status_code == 409

        steps = f"/v1/tekun/cases/{cid}/steps"
        certify = {"to": "certified", "effective_from": "2018-06-01"}
        assert (await client.post(steps, json=certify, headers=county)).status_code == 409
        assert (
            await client.post(steps, json={"to": "township_reviewed"}, headers=cadre_a)
        ).status_code == 403
        assert (
            await client.post(steps, json={"to": "township_reviewed"}, headers=town_b)
        ).status_code == 404
        resp = await client.post(
            steps, json={"to": "township_reviewed", "note": "乡镇审核通过"}, headers=town_a
        )
        assert resp.status_code == 200, resp.text
        assert (await client.post(steps, json=certify, headers=town_a)).status_code == 403
        resp = await client.post(steps, json=certify, headers=county)
        assert resp.status_code == 200, resp.text
        case = resp.json()
        # 741 basic + 200 care (半自理), priced on the certification date.
        assert case["status"] == "certified" and case["monthly_amount"] == "941.00"
        assert case["effective_from"] == "2018-06-01" and "WEL-5" in case["trace"]["rules"]
        paths = {p["path"] for p in case["trace"]["parameters"]}
        assert "welfare.tekun.monthly_support" in paths
        assert [
            (s["from_status"], s["to_status"], s["actor"], s["actor_role"]) for s in case["steps"]
        ] == [
            (None, "applied", "cadre-a", "village_cadre"),
            ("applied", "township_reviewed", "town-a", "township_officer"),
            ("township_reviewed", "certified", "civil-officer", "county_civil"),
        ]
        assert case["assessments"][0]["applies_from"] == "2018-06-01"
        assert ("welfare.tekun_certified", "H1") in outbox(url)
        assert (await client.post(steps, json=certify, headers=county)).status_code == 409

        # Reassessment changes the amount; the history is kept.
        path = f"/v1/tekun/cases/{cid}/assessments"
        worse = {"self_care": "none", "assessed_on": "2018-08-10", "note": "卧床"}
        assert (await client.post(path, json=worse, headers=cadre_a)).status_code == 403
        resp = await client.post(path, json=worse, headers=town_a)
        assert resp.status_code == 201, resp.text
        case = resp.json()
        assert case["monthly_amount"] == "1141.00" and case["self_care"] == "none"
        assert [a["monthly_amount"] for a in case["assessments"]] == ["941.00", "1141.00"]

        # Direct certification by the county with its basis; not before the standard exists.
        direct = {
            "person_id": "t2",
            "self_care": "full",
            "assessed_on": "2018-05-28",
            "effective_from": "2018-06-01",
            "basis": "原农村五保供养证 No. 0012",
        }
        assert (
            await client.post("/v1/tekun/certifications", json=direct, headers=town_a)
        ).status_code == 403
        early = {**direct, "effective_from": "2018-03-01", "assessed_on": "2018-03-01"}
        bad = await client.post("/v1/tekun/certifications", json=early, headers=county)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "effective_from"
        resp = await client.post("/v1/tekun/certifications", json=direct, headers=county)
        assert resp.status_code == 201, resp.text
        c2 = resp.json()
        assert c2["route"] == "direct" and c2["monthly_amount"] == "801.00"
        assert c2["steps"][0]["note"] == direct["basis"]
        for pid in ("t4", "t5"):
            body = {**direct, "person_id": pid}
            assert (
                await client.post("/v1/tekun/certifications", json=body, headers=county)
            ).status_code == 201
        ids = {
            c["person_id"]: c["id"]
            for c in (await client.get("/v1/tekun/cases", headers=county)).json()["items"]
        }
        listed_b = (await client.get("/v1/tekun/cases", headers=town_b)).json()
        assert listed_b["total"] == 0
        assert (await client.get("/v1/tekun/cases", headers=medical)).status_code == 403

        # A care home of two beds in township A.
        home_body = {
            "name": "城关敬老院",
            "county_code": COUNTY,
            "township_code": TOWN_A,
            "beds": 2,
        }
        assert (
            await client.post("/v1/tekun/care-homes", json=home_body, headers=town_a)
        ).status_code == 403
        resp = await client.post("/v1/tekun/care-homes", json=home_body, headers=county)
        assert resp.status_code == 201, resp.text
        hid = resp.json()["id"]
        place = f"/v1/tekun/care-homes/{hid}/placements"
        r1 = await client.post(
            place, json={"case_id": ids["t1"], "moved_in": "2018-06-20"}, headers=town_a
        )
        assert r1.status_code == 201, r1.text
        twice = await client.post(
            place, json={"case_id": ids["t1"], "moved_in": "2018-07-01"}, headers=town_a
        )
        assert twice.status_code == 409  # one home at a time
        r2 = await client.post(
            place, json={"case_id": ids["t2"], "moved_in": "2018-09-15"}, headers=town_a
        )
        assert r2.status_code == 201
        # Over the beds, even back-dated: the home is full from 2018-09-15 on.
        full = await client.post(
            place, json={"case_id": ids["t4"], "moved_in": "2018-08-01"}, headers=county
        )
        assert full.status_code == 409 and "beds" in full.json()["detail"]
        detail = (await client.get(f"/v1/tekun/cases/{ids['t1']}", headers=county)).json()
        assert detail["support_mode"] == "centralised"

        occ = f"/v1/tekun/care-homes/{hid}/occupancy"
        before = (await client.get(occ + "?on=2018-06-25", headers=county)).json()
        assert before["occupied"] == 1 and before["rate"] == "0.5000" and before["target"] is None
        june = (await client.get(occ + "?on=2018-07-01", headers=county)).json()
        assert (june["target"], june["target_from"], june["met"]) == ("0.70", "2018-06-30", False)
        sept = (await client.get(occ + "?on=2018-09-30", headers=county)).json()
        assert (sept["occupied"], sept["target"], sept["met"]) == (2, "0.85", True)
        assert "WEL-5" in sept["trace"]["rules"]

        # A second home: the county figure is summed over homes.
        other = {**home_body, "name": "乡敬老院", "township_code": TOWN_B, "beds": 2}
        hid_b = (await client.post("/v1/tekun/care-homes", json=other, headers=county)).json()["id"]
        county_occ = (
            await client.get(f"/v1/tekun/occupancy?county={COUNTY}&on=2018-12-31", headers=county)
        ).json()
        assert [h["home_id"] for h in county_occ["homes"]] == [hid, hid_b]
        total = county_occ["total"]
        assert (total["occupied"], total["beds"], total["rate"]) == (2, 4, "0.5000")
        assert (total["target"], total["met"]) == ("1.00", False)
        town_b_view = (
            await client.get(f"/v1/tekun/occupancy?county={COUNTY}&on=2018-12-31", headers=town_b)
        ).json()
        assert [h["home_id"] for h in town_b_view["homes"]] == [hid_b]
        assert (await client.get(occ + "?on=2018-07-01", headers=town_b)).status_code == 404

        # Moving out frees the bed.
        out = await client.post(
            f"/v1/tekun/placements/{r2.json()['id']}/move-out",
            json={"moved_out": "2018-10-10", "reason": "回家分散供养"},
            headers=town_a,
        )
        assert out.status_code == 200, out.text
        ok = await client.post(
            place, json={"case_id": ids["t4"], "moved_in": "2018-10-10"}, headers=town_a
        )
        assert ok.status_code == 201, ok.text

        # Ending support: no longer eligible, by the county, with its reason.
        end = f"/v1/tekun/cases/{ids['t4']}/end"
        body = {"reason": "no_longer_eligible", "effective_from": "2018-11-01", "note": "子女赡养"}
        assert (await client.post(end, json=body, headers=town_a)).status_code == 403
        resp = await client.post(end, json=body, headers=county)
        assert resp.status_code == 200, resp.text
        ended = resp.json()
        assert ended["status"] == "ended" and ended["end_reason"] == "no_longer_eligible"
        assert ended["placements"][0]["moved_out"] == "2018-11-01"
        assert ("welfare.tekun_ended", "H4") in outbox(url)
        assert (await client.post(end, json=body, headers=county)).status_code == 409

        # The monthly list for payments: October pays t4, November does not.
        engine = make_engine(url)
        with Session(engine) as s:
            october = active_tekun(s, COUNTY, date(2018, 10, 1))
            november = active_tekun(s, COUNTY, date(2018, 11, 1))
            june_list = active_tekun(s, COUNTY, date(2018, 6, 1))
            may_list = active_tekun(s, COUNTY, date(2018, 5, 1))
        engine.dispose()
        assert [p for p, *_ in october] == ["t1", "t2", "t4", "t5"]
        assert [p for p, *_ in november] == ["t1", "t2", "t5"]
        assert may_list == []
        # t1 was 半自理 in June, 全护理 from the August assessment on.
        assert dict((p, a) for p, _, _, a in june_list)["t1"] == 941
        assert dict((p, a) for p, _, _, a in october)["t1"] == 1141
        assert october[0][1:3] == ("H1", VILLAGE_A)


async def test_death_delivered_twice_ends_support_once(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    settings = make_settings(
        "welfare", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    county = token(settings, Role.county_civil, scope=COUNTY)
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url, PEOPLE[:1])
        direct = {
            "person_id": "t1",
            "self_care": "full",
            "assessed_on": "2018-05-28",
            "effective_from": "2018-06-01",
            "basis": "县民政局认定",
        }
        resp = await client.post("/v1/tekun/certifications", json=direct, headers=county)
        assert resp.status_code == 201, resp.text
        cid = resp.json()["id"]
        home = {"name": "敬老院", "county_code": COUNTY, "township_code": TOWN_A, "beds": 1}
        hid = (await client.post("/v1/tekun/care-homes", json=home, headers=county)).json()["id"]
        placed = await client.post(
            f"/v1/tekun/care-homes/{hid}/placements",
            json={"case_id": cid, "moved_in": "2018-07-01"},
            headers=county,
        )
        assert placed.status_code == 201

        died = PersonDeceased(
            person_id="t1",
            household_id="H1",
            id_number=number(0),
            county_code=COUNTY,
            village_code=VILLAGE_A,
            deceased_on=date(2018, 9, 3),
        )
        message = Envelope.wrap(died, source="/services/enrollment", subject="t1", key="H1")
        # A later event of the same household (same partition): once it is processed, so is
        # the redelivery before it.
        marker = Envelope.wrap(
            died.model_copy(update={"person_id": "nobody"}),
            source="/services/enrollment",
            subject="nobody",
            key="H1",
        )
        await produce(
            broker,
            topic_prefix + PersonDeceased.topic,
            [message.to_kafka(), message.to_kafka(), marker.to_kafka()],
        )

        def processed() -> int:
            engine = make_engine(url)
            with Session(engine) as s:
                n = len(s.exec(select(ProcessedEvent)).all())
            engine.dispose()
            return n

        await wait_until(lambda: processed() == 2, timeout=40)
        case = (await client.get(f"/v1/tekun/cases/{cid}", headers=county)).json()
        assert case["end_reason"] == "deceased" and case["ended_on"] == "2018-09-04"
        assert case["placements"][0]["moved_out"] == "2018-09-04"
        assert [s["to_status"] for s in case["steps"]] == ["certified", "ended"]
        assert case["steps"][1]["actor_role"] == "service"
        # The second delivery changed nothing: one ended event, one step.
        assert [t for t, _ in outbox(url)].count("welfare.tekun_ended") == 1
        with Session(make_engine(url)) as s:
            person = s.get(RegistryPerson, "t1")
            assert person is not None and person.deceased_on == date(2018, 9, 3)
