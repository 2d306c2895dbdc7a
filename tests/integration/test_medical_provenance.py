"""Provenance of medical decisions over HTTP, on SQLite and PostgreSQL: a county the seeds never
name (522121) is served, and every response and event lists the illustrative figures it used;
in 姚安 the county's own figures are not listed; a marginal household is not registered poor for
MED-2/MED-4; 浮梁 has no MED-9 clean-up period and is still refunded."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import Session, col, select

from services.medical.main import build_app
from services.medical.models import RegistryPerson
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token

pytestmark = pytest.mark.integration

FRESH, YAOAN, FULIANG = "522121", "532325", "360222"
P_FRESH = make_resident_id(FRESH, date(1970, 5, 5), 1, "M")
P_YAOAN = make_resident_id(YAOAN, date(1971, 5, 5), 2, "F")
P_MARGINAL = make_resident_id(YAOAN, date(1972, 5, 5), 3, "M")
P_FULIANG = make_resident_id(FULIANG, date(1973, 5, 5), 4, "F")
THRESHOLD = "medical.high_burden.threshold"
# Read for a registered poor patient's stay settled upstream in a county of no seed.
FRESH_FLAGGED = [
    "medical.annual_cap.applies",
    "medical.guarantee.cost_basis",
    "medical.guarantee.target_ratio",
    THRESHOLD,
]


def seed(url: str) -> None:
    engine = make_engine(url)
    people = [
        ("p-f", P_FRESH, "HF", FRESH, "not_exited"),
        ("p-y", P_YAOAN, "HY", YAOAN, "not_exited"),
        ("p-m", P_MARGINAL, "HM", YAOAN, "marginal"),
        ("p-l", P_FULIANG, "HL", FULIANG, "not_exited"),
    ]
    with Session(engine) as s:
        for pid, number, household, county, status in people:
            s.add(
                RegistryPerson(
                    person_id=pid,
                    id_number=number,
                    household_id=household,
                    name="居民" + pid,
                    sex="M",
                    birth_date=date(1970, 5, 5),
                    county_code=county,
                    township_code=county + "100",
                    village_code=county + "100201",
                    poverty_status=PovertyStatus(status),
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()


def stay(claim: str, number: str, county: str, **over: object) -> dict:
    """Total 100,000, covered 90,000, 10,000 paid upstream: topped up to 90% of the total,
    self-pay 10,000 (above the illustrative high-burden threshold)."""
    body = {
        "claim_id": claim,
        "id_number": number,
        "county_code": county,
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2018-03-01",
        "discharge": "2018-03-10",
        "referral_compliant": True,
        "total_cost": "100000.00",
        "covered_cost": "90000.00",
        "diagnosis_codes": ["I63.9"],
        "upstream": {"basic": "6000.00", "critical_illness": "2000.00", "assistance": "2000.00"},
    }
    body.update(over)
    return body


def events(url: str, claim_or_person: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq))).all()
    engine.dispose()
    found: dict[str, list[dict]] = {}
    for row in rows:
        data = json.loads(row.payload)
        if claim_or_person in (data.get("claim_id"), data.get("person_id")):
            found.setdefault(row.event_type, []).append(data)
    return found


async def test_fresh_county_decisions_and_events_list_illustrative_figures(
    db_template: str,
) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="h-fresh", scope=FRESH)
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        resp = await client.post(
            "/v1/hospitalizations", json=stay("F-1", P_FRESH, FRESH), headers=hospital
        )
        assert resp.status_code == 201, resp.text
        decision = resp.json()
        assert decision["topup"] == "80000.00" and decision["self_pay"] == "10000.00"
        assert decision["registered_poor"] is True and decision["high_burden"] is True
        assert decision["illustrative_parameters"] == FRESH_FLAGGED
        assert decision["trace"]["illustrative_parameters"] == FRESH_FLAGGED
        published = events(url, "F-1")
        for kind in (
            "medical.hospitalization_recorded",
            "medical.topup_granted",
            "medical.high_burden_detected",
        ):
            assert published[kind][0]["illustrative_parameters"] == FRESH_FLAGGED, kind

        # A correction and a cancellation carry the figures of the versions they compare.
        fixed = await client.put(
            "/v1/hospitalizations/F-1",
            json=stay("F-1", P_FRESH, FRESH, total_cost="95000.00"),
            headers=hospital,
        )
        assert fixed.status_code == 200 and fixed.json()["illustrative_parameters"] == FRESH_FLAGGED
        cancelled = await client.post(
            "/v1/hospitalizations/F-1/cancel", json={"reason": "duplicate"}, headers=hospital
        )
        assert cancelled.status_code == 200
        # Nothing is paid on a cancelled version, so it uses no figure; the patient stays
        # registered poor as on admission.
        assert cancelled.json()["illustrative_parameters"] == []
        assert cancelled.json()["registered_poor"] is True
        adjusted = events(url, "F-1")["medical.stay_adjusted"]
        assert [a["kind"] for a in adjusted] == ["corrected", "cancelled"]
        assert all(a["illustrative_parameters"] == FRESH_FLAGGED for a in adjusted)


async def test_seed_county_lists_only_what_no_document_gives(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="h-yaoan")
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)
        resp = await client.post(
            "/v1/hospitalizations", json=stay("Y-1", P_YAOAN, YAOAN), headers=hospital
        )
        decision = resp.json()
        # 姚安's own target, basis and MED-3 switch; the rural income figure and the
        # high-burden threshold are in no document.
        assert decision["illustrative_parameters"] == [
            "medical.annual_cap.rural_disposable_income",
            THRESHOLD,
        ]
        assert decision["topup"] == "80000.00"
        # YA-GOV §三(六): the year's 10,000 compliant self-pay above the (illustrative) 9,800.
        assert decision["annual_cap"] == "200.00" and decision["self_pay"] == "9800.00"
        granted = events(url, "Y-1")["medical.topup_granted"][0]
        assert granted["illustrative_parameters"] == decision["illustrative_parameters"]

        # A marginal household: no 90% guarantee, no MED-4 referral, not registered poor.
        marginal = (
            await client.post(
                "/v1/hospitalizations", json=stay("M-1", P_MARGINAL, YAOAN), headers=hospital
            )
        ).json()
        assert marginal["registered_poor"] is False
        assert marginal["topup"] == "0.00" and marginal["high_burden"] is False
        assert set(events(url, "M-1")) == {"medical.hospitalization_recorded"}


async def test_diagnosis_fee_without_a_clean_up_period(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    clinic = token(settings, Role.hospital, sub="clinic-l", scope=FULIANG)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        body = {
            "visit_id": "V-L1",
            "id_number": P_FULIANG,
            "county_code": FULIANG,
            "township_code": FULIANG + "100",
            "facility_type": "village_clinic",
            "facility_name": "村卫生室",
            "visit_date": "2017-05-03",
            "fee_self_pay": "10.00",
        }
        resp = await client.post("/v1/general-diagnosis-fees", json=body, headers=clinic)
        assert resp.status_code == 201, resp.text
        visit = resp.json()
        assert visit["refund"] == "10.00"
        assert visit["in_cleanup_window"] is False and visit["ledger_deadline"] is None
        assert visit["illustrative_parameters"] == ["medical.general_diagnosis_fee.refund_ratio"]
