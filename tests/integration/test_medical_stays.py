"""Hospital stays over HTTP and the input topic, on SQLite and PostgreSQL: idempotent claims,
the 90% top-up and annual cap with traces, corrections and cancellations as adjustments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, col, select

from services.medical.main import build_app
from services.medical.models import PersonYear, RegistryPerson
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.envelope import Envelope
from shared.events.medical import HospitalStaySubmitted
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.bus import produce_raw, wait_until
from tests.support.uow import event_uow

pytestmark = pytest.mark.integration

POOR = make_resident_id("532325", date(1970, 5, 5), 1, "M")
OTHER = make_resident_id("532325", date(1971, 5, 5), 2, "M")


def seed_registry(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        s.add(
            RegistryPerson(
                person_id="p-poor",
                id_number=POOR,
                household_id="H1",
                name="张三",
                sex="M",
                birth_date=date(1970, 5, 5),
                county_code="532325",
                township_code="532325100",
                village_code="532325100201",
                poverty_status=PovertyStatus.not_exited,
                source_event_id="seed",
            )
        )
        s.commit()
    engine.dispose()


def stay(claim: str, number: str = POOR, **over: object) -> dict:
    body = {
        "claim_id": claim,
        "id_number": number,
        "county_code": "532325",
        "hospital_level": 3,
        "admin_level": "city",
        "admission": "2018-03-01",
        "discharge": "2018-03-10",
        "referral_compliant": True,
        "total_cost": "20000.00",
        "covered_cost": "18000.00",
        "diagnosis_codes": ["I63.9"],
    }
    body.update(over)
    return body


def event_types(url: str) -> list[str]:
    engine = make_engine(url)
    with Session(engine) as s:
        found = [e.event_type for e in s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq)))]
    engine.dispose()
    return found


async def test_stay_lifecycle(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    app = build_app(settings)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(app) as client:
        seed_registry(settings.database_url)
        resp = await client.post("/v1/hospitalizations", json=stay("C-1"), headers=hospital)
        assert resp.status_code == 201, resp.text
        first = resp.json()
        assert first["registered_poor"] is True
        assert Decimal(first["ratio_after"]) >= Decimal("0.90")
        assert Decimal(first["topup"]) > 0
        assert "MED-2" in first["trace"]["rules"]
        # I63.9 (脑梗死) at a level-3 hospital: basic insurance by the MED-7 quota, 20000 x 0.70.
        assert "MED-7" in first["trace"]["rules"] and first["basic"] == "12600.00"
        paid = sum(
            Decimal(first[k])
            for k in ("basic", "critical_illness", "assistance", "topup", "annual_cap", "self_pay")
        )
        assert paid == Decimal("20000.00")

        again = await client.post("/v1/hospitalizations", json=stay("C-1"), headers=hospital)
        assert again.status_code == 200 and again.json() == first  # pays nothing twice
        clash = await client.post(
            "/v1/hospitalizations", json=stay("C-1", total_cost="25000.00"), headers=hospital
        )
        assert clash.status_code == 409
        assert event_types(settings.database_url) == [
            "medical.hospitalization_recorded",
            "medical.topup_granted",
        ]

        bad = await client.post(
            "/v1/hospitalizations",
            json=stay("C-2", covered_cost="30000.00", diagnosis_codes=["nonsense"]),
            headers=hospital,
        )
        assert bad.status_code == 422
        assert len(event_types(settings.database_url)) == 2  # nothing written

        # A non-registered patient: settled, but no guarantee.
        other = await client.post("/v1/hospitalizations", json=stay("C-3", OTHER), headers=hospital)
        assert other.json()["registered_poor"] is False and other.json()["topup"] == "0.00"

        # A correction: a new version, the difference recorded.
        smaller = stay("C-1", total_cost="10000.00", covered_cost="9000.00")
        fixed = await client.put("/v1/hospitalizations/C-1", json=smaller, headers=hospital)
        assert fixed.status_code == 200 and fixed.json()["version"] == 2
        history = (await client.get("/v1/hospitalizations/C-1/history", headers=hospital)).json()
        assert [v["version"] for v in history["versions"]] == [1, 2]
        delta = history["adjustments"][0]
        assert Decimal(delta["topup_delta"]) == Decimal(fixed.json()["topup"]) - Decimal(
            first["topup"]
        )
        # Cancelled: everything reversed, the year-to-date totals back to zero.
        cancelled = await client.post(
            "/v1/hospitalizations/C-1/cancel", json={"reason": "duplicate"}, headers=hospital
        )
        assert cancelled.json()["status"] == "cancelled"
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            year = s.get(PersonYear, (POOR, 2018))
            assert year is not None and year.self_pay == 0 and year.topup_paid == 0
        engine.dispose()
        assert event_types(settings.database_url).count("medical.stay_adjusted") == 2

        # Another hospital cannot read it; a county officer of another county neither.
        other_hospital = token(settings, Role.hospital, sub="hospital-B")
        assert (
            await client.get("/v1/hospitalizations/C-1", headers=other_hospital)
        ).status_code == 404
        far = token(settings, Role.county_medical, scope="360222")
        assert (await client.get("/v1/hospitalizations/C-1", headers=far)).status_code == 404
        assert (
            await client.get("/v1/hospitalizations/C-1", headers=token(settings, Role.auditor))
        ).status_code == 200


async def test_high_burden_is_reported_once_per_year(tmp_path) -> None:
    settings = make_settings("medical", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        for i in range(4):
            resp = await client.post(
                "/v1/hospitalizations",
                json=stay(f"H-{i}", total_cost="90000.00", covered_cost="40000.00"),
                headers=hospital,
            )
            assert resp.status_code == 201
        assert resp.json()["high_burden"] is True
        assert event_types(settings.database_url).count("medical.high_burden_detected") == 1


async def test_input_topic(db_template: str, broker: str, topic_prefix: str) -> None:
    settings = make_settings(
        "medical", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        data = HospitalStaySubmitted.model_validate(stay("K-1"))
        message = Envelope.wrap(data, source="/hospitals/h1", subject="K-1", key="K-1").to_kafka()
        bad = Envelope.wrap(data, source="/hospitals/h1", subject="K-2", key="K-2").model_copy(
            update={"data": {**stay("K-2"), "total_cost": "-5"}}
        )
        await produce_raw(
            broker,
            topic_prefix + "medical.hospital-stays.input",
            [message, bad.to_kafka(), message],
        )
        await wait_until(
            lambda: (
                event_types(settings.database_url).count("medical.hospitalization_recorded") == 1
            ),
            timeout=40,
        )
        resp = await client.get(
            "/v1/hospitalizations/K-1", headers=token(settings, Role.county_medical)
        )
        assert resp.status_code == 200 and Decimal(resp.json()["topup"]) > 0
        assert (
            await client.get(
                "/v1/hospitalizations/K-2", headers=token(settings, Role.county_medical)
            )
        ).status_code == 404


async def test_status_on_the_admission_date(db_template: str) -> None:
    """A household marginal until June 2018 and registered poor after: a stay before the change
    gets no guarantee, one after it does (REG-2: judged by the status on the admission date)."""
    from datetime import UTC, datetime

    from services.medical.registry.consumers import household_status, upsert_person
    from shared.events.registry import HouseholdPovertyStatusChanged, PersonRegistered

    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(build_app(settings)) as client:
        registered = PersonRegistered(
            person_id="p-m", household_id="HM", id_number=OTHER, name="李四", sex="M",
            birth_date=date(1971, 5, 5), county_code="532325", township_code="532325100",
            village_code="532325100201", poverty_status=PovertyStatus.marginal,
        )  # fmt: skip
        changed = HouseholdPovertyStatusChanged(
            household_id="HM", county_code="532325", township_code="532325100",
            village_code="532325100201", old_status=PovertyStatus.marginal,
            new_status=PovertyStatus.not_exited, person_ids=["p-m"],
        )  # fmt: skip
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            env = Envelope.wrap(registered, source="/services/enrollment", subject="p-m", key="HM")
            upsert_person(
                event_uow(s, env.model_copy(update={"time": datetime(2018, 1, 5, tzinfo=UTC)})),
                registered,
            )
            env = Envelope.wrap(changed, source="/services/enrollment", subject="HM", key="HM")
            household_status(
                event_uow(s, env.model_copy(update={"time": datetime(2018, 6, 1, tzinfo=UTC)})),
                changed,
            )
            s.commit()
        engine.dispose()
        march = await client.post(
            "/v1/hospitalizations",
            json=stay("S-3", OTHER, admission="2018-03-01", discharge="2018-03-10"),
            headers=hospital,
        )
        # The next one in a new year, so that no accumulation lifts its ratio on its own.
        july = await client.post(
            "/v1/hospitalizations",
            json=stay("S-7", OTHER, admission="2019-02-01", discharge="2019-02-10"),
            headers=hospital,
        )
        assert march.json()["topup"] == "0.00" and march.json()["eligible_for_guarantee"] is False
        assert Decimal(july.json()["topup"]) > 0 and july.json()["eligible_for_guarantee"] is True


async def test_dibao_waiver_by_the_flags_on_the_admission_date(db_template: str) -> None:
    """MED-5: a marginal household granted dibao from 2018-05-01 (the event arrives later, in
    August). A level-2 stay admitted in April bears the 300 deductible; one admitted in June
    does not. A review in October drops the member from the household's dibao: a stay in
    November bears the deductible again, while the June stay, corrected afterwards, keeps its
    waiver."""
    from datetime import UTC, datetime

    from services.medical.models import WelfareFlags
    from services.medical.registry.consumers import upsert_person
    from services.medical.welfare.consumers import apply_welfare_event
    from services.medical.welfare.repository import FlagRepository
    from shared.events.registry import PersonRegistered
    from shared.events.welfare import DibaoChanged, DibaoGranted

    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    async with running(build_app(settings)) as client:
        registered = PersonRegistered(
            person_id="p-d", household_id="HD", id_number=OTHER, name="王五", sex="M",
            birth_date=date(1971, 5, 5), county_code="532325", township_code="532325100",
            village_code="532325100201", poverty_status=PovertyStatus.marginal,
        )  # fmt: skip
        granted = DibaoGranted(
            household_id="HD", county_code="532325", person_ids=["p-d", "p-d2"], category="B",
            monthly_amount=Decimal("300.00"), effective_from=date(2018, 5, 1),
        )  # fmt: skip
        dropped = DibaoChanged(
            household_id="HD", county_code="532325", person_ids=["p-d2"], category="C",
            monthly_amount=Decimal("150.00"), effective_from=date(2018, 10, 1),
        )  # fmt: skip
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            for data, when in ((registered, 1), (granted, 8), (dropped, 10)):
                env = Envelope.wrap(data, source="/services/x", subject="HD", key="HD")
                env = env.model_copy(update={"time": datetime(2018, when, 5, tzinfo=UTC)})
                if data is registered:
                    upsert_person(event_uow(s, env), data)
                else:
                    apply_welfare_event(event_uow(s, env), data)
            s.commit()
            flags = FlagRepository(s)
            assert not flags.flags_on("p-d", date(2018, 4, 30)).dibao
            assert flags.flags_on("p-d", date(2018, 5, 1)).dibao
            assert not flags.flags_on("p-d", date(2018, 10, 1)).dibao
            assert flags.flags_on("p-d2", date(2018, 10, 1)).dibao
            current = s.get(WelfareFlags, "p-d")
            assert current is not None and current.dibao is False
        engine.dispose()

        def level2(claim: str, month: int) -> dict:
            return stay(
                claim, OTHER, hospital_level=2, admission=f"2018-{month:02d}-02",
                discharge=f"2018-{month:02d}-05", total_cost="10000.00", covered_cost="10000.00",
            )  # fmt: skip

        april = (
            await client.post("/v1/hospitalizations", json=level2("D-4", 4), headers=hospital)
        ).json()
        june = (
            await client.post("/v1/hospitalizations", json=level2("D-6", 6), headers=hospital)
        ).json()
        november = (
            await client.post("/v1/hospitalizations", json=level2("D-11", 11), headers=hospital)
        ).json()
        # (10000 - 300) x 0.75 without the waiver, 10000 x 0.75 with it.
        assert april["basic"] == "7275.00" and november["basic"] == "7275.00"
        assert june["basic"] == "7500.00"
        assert "MED-5" in june["trace"]["rules"] and "MED-5" not in april["trace"]["rules"]
        waiver = next(s for s in june["trace"]["steps"] if s["rule"] == "MED-5")
        assert waiver["figures"]["basic_deductible"] == "0.00"
        body = {**level2("D-6", 6), "total_cost": "12000.00", "covered_cost": "12000.00"}
        corrected = (
            await client.put("/v1/hospitalizations/D-6", json=body, headers=hospital)
        ).json()
        assert corrected["basic"] == "9000.00"  # still waived: judged on the admission date


async def test_med_11_rehabilitation_items_in_a_stay(db_template: str) -> None:
    """MED-11 in the chain: a 正安 stay lists rehabilitation items outside its covered cost; the
    nine the county lists join the covered cost (the trace says so), another item does not; a
    body whose items and covered cost exceed the total is a 422 naming the reason."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, scope="520324", sub="hospital-Z")
    patient = make_resident_id("520324", date(1970, 5, 5), 3, "M")
    base = stay("R-1", patient, county_code="520324", covered_cost="15000.00")
    items = [{"item": "运动疗法", "cost": "1200.00"}, {"item": "针灸推拿", "cost": "300.00"}]
    async with running(build_app(settings)) as client:
        plain = await client.post("/v1/hospitalizations", json=base, headers=hospital)
        assert plain.status_code == 201, plain.text
        resp = await client.post(
            "/v1/hospitalizations",
            json={**base, "claim_id": "R-2", "rehabilitation": items},
            headers=hospital,
        )
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert "MED-11" in body["trace"]["rules"]
        step = next(s for s in body["trace"]["steps"] if s["rule"] == "MED-11")
        assert step["figures"]["covered"] == "1200.00" and step["figures"]["outside"] == "300.00"
        assert Decimal(body["basic"]) > Decimal(plain.json()["basic"])  # more is covered
        too_much = {
            **base,
            "claim_id": "R-3",
            "rehabilitation": [{"item": "运动疗法", "cost": "5001"}],
        }
        bad = await client.post("/v1/hospitalizations", json=too_much, headers=hospital)
        assert bad.status_code == 422 and "rehabilitation" in bad.text
