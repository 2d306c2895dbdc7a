"""Creates that must happen once are atomic insert-or-get on both databases: the same payment
cycle prepared 20 times at once, the same diagnosis-fee visit posted 20 times at once — one is
created, every other answer is the repeat (never a 500 from a unique violation)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from services.medical.main import build_app as medical_app
from services.welfare import clock as welfare_clock
from services.welfare.main import build_app as welfare_app
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.medical_outpatient import POOR, seed, visit

pytestmark = pytest.mark.integration

TIMES = 20


async def test_one_payment_cycle_prepared_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    civil = token(settings, Role.county_civil, scope="532325", sub="civil-a")
    body = {"county_code": "532325", "month": "2026-03"}
    async with running(welfare_app(settings)) as client:
        answers = await asyncio.gather(
            *(client.post("/v1/payment-cycles", json=body, headers=civil) for _ in range(TIMES))
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * (TIMES - 1) + [201], [
            a.text for a in answers if a.status_code >= 300
        ]
        assert len({a.json()["id"] for a in answers}) == 1
        listed = await client.get("/v1/payment-cycles", headers=civil)
        assert len(listed.json()) == 1


async def test_one_diagnosis_fee_visit_posted_twenty_times_at_once(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    clinic = token(settings, Role.hospital, sub="clinic-1")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        answers = await asyncio.gather(
            *(
                client.post("/v1/general-diagnosis-fees", json=visit("V-9"), headers=clinic)
                for _ in range(TIMES)
            )
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * (TIMES - 1) + [201], [
            a.text for a in answers if a.status_code >= 300
        ]
        assert len({a.json()["refund"] for a in answers}) == 1


async def test_one_hospital_claim_posted_twenty_times_at_once(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    body = {
        "claim_id": "C-20",
        "id_number": POOR,
        "county_code": "532325",
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2018-03-01",
        "discharge": "2018-03-10",
        "referral_compliant": True,
        "total_cost": "10000.00",
        "covered_cost": "9000.00",
        "diagnosis_codes": ["I63.9"],
    }
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        answers = await asyncio.gather(
            *(
                client.post("/v1/hospitalizations", json=body, headers=hospital)
                for _ in range(TIMES)
            )
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * (TIMES - 1) + [201], [
            a.text for a in answers if a.status_code >= 300
        ]
        assert len({a.json()["topup"] for a in answers}) == 1
