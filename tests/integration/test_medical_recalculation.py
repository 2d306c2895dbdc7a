"""Stays settled again under figures published after them: in June 姚安 publishes its rural
per-capita income, effective January, lower than the figure the year's stays were settled on.
A second officer's approval settles the year's stays again: each a new version with a
`recalculated` adjustment, an entry in the ledger of policy adjustments citing both parameter
versions, and an event; back-pay is settled as paid, once. Running it again records nothing; a
stay admitted before the figure takes effect is untouched; a later set raising the figure from
March claws back what the May stay was paid; a set effective in the future settles nothing again
(decisions from then on use it)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, col, select

from services.medical import clock as medical_clock
from services.medical.main import build_app
from services.medical.models import PersonYear, RegistryPerson
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.policy import figure, publish_set

pytestmark = pytest.mark.integration

COUNTY = "532325"
POOR = make_resident_id(COUNTY, date(1970, 5, 5), 1, "M")
INCOME = "medical.annual_cap.rural_disposable_income"
PUBLICATIONS = "/v1/policy/publications"
ADJUSTMENTS = "/v1/policy/adjustments"
JUNE = date(2026, 6, 15)
LAYERS = ("basic", "critical_illness", "assistance", "topup", "annual_cap")
# In the order recorded: the December stay is of the year before the figure takes effect.
ADMITTED = {"C-DEC": "2025-12-01", "C-FEB": "2026-02-03", "C-MAY": "2026-05-04"}


class Staff:
    def __init__(self, settings: Settings) -> None:
        self.hospital = token(settings, Role.hospital, sub="hospital-A")
        self.county = token(settings, Role.county_medical, scope=COUNTY, sub="med-a")
        self.county_b = token(settings, Role.county_medical, scope=COUNTY, sub="med-b")
        self.auditor = token(settings, Role.auditor, scope=COUNTY, sub="auditor")


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
                county_code=COUNTY,
                township_code="532325100",
                village_code="532325100201",
                poverty_status=PovertyStatus.not_exited,
                source_event_id="seed",
            )
        )
        s.commit()
    engine.dispose()


def stay(claim: str, admission: str, discharge: str) -> dict[str, Any]:
    return {
        "claim_id": claim,
        "id_number": POOR,
        "county_code": COUNTY,
        "hospital_level": 2,
        "admin_level": "county",
        "admission": admission,
        "discharge": discharge,
        "referral_compliant": True,
        "total_cost": "30000.00",
        "covered_cost": "27000.00",
        "diagnosis_codes": ["J18.9"],
    }


def reimbursed(decision: dict[str, Any]) -> Decimal:
    return sum((Decimal(decision[k]) for k in LAYERS), Decimal(0))


def recalculated_events(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == "medical.stay_recalculated")
            .order_by(col(OutboxEvent.seq))
        ).all()
        found = [
            {"key": r.key, "subject": r.headers.get("subject"), "data": json.loads(r.payload)}
            for r in rows
        ]
    engine.dispose()
    return found


def person_year(url: str, year: int) -> PersonYear:
    engine = make_engine(url)
    with Session(engine) as s:
        row = s.get(PersonYear, (POOR, year))
        assert row is not None
        s.expunge(row)
    engine.dispose()
    return row


async def publish(client: Any, staff: Staff, value: str, effective: str) -> dict[str, Any]:
    """Proposed by one officer, approved by another: the decision's answer."""
    items = [figure(INCOME, value, effective, "姚安县2026年统计公报")]
    return await publish_set(
        client, COUNTY, "县统计局公布农村居民人均可支配收入", items, staff.county, staff.county_b
    )


async def history(client: Any, staff: Staff, claim: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/hospitalizations/{claim}/history", headers=staff.county)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def income_used(trace: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in trace["parameters"] if p["path"] == INCOME)


async def test_a_figure_published_after_the_fact_settles_the_years_stays_again_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(medical_clock, "today", lambda: JUNE)
    settings = make_settings("medical", db_template, bus_enabled=False)
    staff = Staff(settings)
    url = settings.database_url
    async with running(build_app(settings)) as client:
        seed_registry(url)
        settled: dict[str, dict[str, Any]] = {}
        for claim, admission in ADMITTED.items():
            discharge = (date.fromisoformat(admission) + timedelta(days=9)).isoformat()
            resp = await client.post(
                "/v1/hospitalizations", json=stay(claim, admission, discharge),
                headers=staff.hospital,
            )  # fmt: skip
            assert resp.status_code == 201, resp.text
            settled[claim] = resp.json()
        # Settled on the shipped income (9,800): 3,000 self-pay a stay, nothing above it.
        for claim in settled:
            assert settled[claim]["annual_cap"] == "0.00"
            assert Decimal(settled[claim]["self_pay"]) == Decimal("3000.00")
            assert income_used(settled[claim]["trace"])["source"] == "shipped"

        # June: the county's own figure, 2,000, from January (published by a second officer).
        decided = await publish(client, staff, "2000", "2026-01-01")
        number = decided["id"]
        run = decided["recalculation"]
        assert run["effective_from"] == "2026-01-01"
        assert run["adjustments"] == 2 and run["by_scheme"] == {"hospital_stay": 2}
        assert Decimal(run["back_pay"]) == Decimal("4000.00") and Decimal(run["claw_back"]) == 0

        # February: 1,000 of its 3,000 above the 2,000; May: all of it.
        listed = await client.get(
            ADJUSTMENTS, params={"publication_id": number}, headers=staff.auditor
        )
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert [a["id"] for a in items] == run["adjustment_ids"]
        by_claim = {a["subject"]: a for a in items}
        assert set(by_claim) == {"C-FEB", "C-MAY"}
        for claim, back_pay in (("C-FEB", "1000.00"), ("C-MAY", "3000.00")):
            a = by_claim[claim]
            assert (a["scheme"], a["kind"], a["status"]) == ("hospital_stay", "back_pay", "open")
            assert Decimal(a["difference"]) == Decimal(back_pay)
            assert Decimal(a["paid_amount"]) == reimbursed(settled[claim])
            assert (a["person_id"], a["household_id"]) == ("p-poor", "H1")
            assert a["township_code"] == "532325100" and a["county_code"] == COUNTY
            assert a["period"] == ADMITTED[claim]
            assert income_used(a["old_trace"])["source"] == "shipped"
            assert income_used(a["new_trace"])["source"] == f"publication {number}"
            assert f"publication {number}" in a["sources"]
            [changed] = a["parameters"]
            assert changed["path"] == INCOME
            assert (changed["paid_on"]["value"], changed["paid_on"]["source"]) == (
                "9800",
                "shipped",
            )
            assert (changed["due_on"]["value"], changed["due_on"]["source"]) == (
                "2000",
                f"publication {number}",
            )
            # The stay's history: a new version as now due, the difference between the two.
            h = await history(client, staff, claim)
            assert [v["version"] for v in h["versions"]] == [1, 2]
            latest = h["versions"][-1]
            assert reimbursed(latest) == Decimal(a["due_amount"])
            assert Decimal(latest["annual_cap"]) == Decimal(back_pay)
            [adjustment] = h["adjustments"]
            assert adjustment["kind"] == "recalculated"
            assert (adjustment["from_version"], adjustment["to_version"]) == (1, 2)
            assert Decimal(adjustment["annual_cap_delta"]) == Decimal(back_pay)
            assert Decimal(adjustment["self_pay_delta"]) == -Decimal(back_pay)
            assert f"publication {number}" in adjustment["reason"]
            current = await client.get(f"/v1/hospitalizations/{claim}", headers=staff.county)
            assert current.json()["version"] == 2
        # A stay admitted before the figure takes effect (another year) is untouched.
        untouched = await history(client, staff, "C-DEC")
        assert len(untouched["versions"]) == 1 and untouched["adjustments"] == []
        # The year's running totals are the new versions'.
        year = person_year(url, 2026)
        assert Decimal(year.annual_cap_paid) == Decimal("4000.00")
        assert Decimal(year.self_pay) == Decimal("2000.00")
        assert Decimal(person_year(url, 2025).annual_cap_paid) == 0

        events = recalculated_events(url)
        assert [(e["subject"], e["key"]) for e in events] == [("C-FEB", "H1"), ("C-MAY", "H1")]
        assert [e["data"]["adjustment_id"] for e in events] == run["adjustment_ids"]
        assert events[0]["data"]["kind"] == "back_pay"
        assert events[0]["data"]["difference"] == "1000.00"

        # Run again: nothing recorded, no version, no event.
        again = await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=staff.county)
        assert again.status_code == 200, again.text
        assert again.json()["adjustments"] == 0 and again.json()["adjustment_ids"] == []
        assert len((await history(client, staff, "C-MAY"))["versions"]) == 2
        assert len(recalculated_events(url)) == 2
        assert Decimal(person_year(url, 2026).annual_cap_paid) == Decimal("4000.00")
        # The hospital may not run it.
        refused = await client.post(
            f"{PUBLICATIONS}/{number}/recalculation", headers=staff.hospital
        )
        assert refused.status_code == 403

        # Settlement: back-pay is paid, once; an overpayment's outcome is refused for it.
        feb = by_claim["C-FEB"]
        wrong = await client.post(
            f"{ADJUSTMENTS}/{feb['id']}/settlement",
            json={"outcome": "recovered"},
            headers=staff.county,
        )
        assert wrong.status_code == 422, wrong.text
        assert any(e["field"] == "outcome" for e in wrong.json()["errors"]), wrong.json()
        paid = await client.post(
            f"{ADJUSTMENTS}/{feb['id']}/settlement",
            json={"outcome": "paid", "note": "县医保局 2026-06 补发"},
            headers=staff.county,
        )
        assert paid.status_code == 200, paid.text
        assert (paid.json()["status"], paid.json()["settled_by"]) == ("paid", "med-a")
        twice = await client.post(
            f"{ADJUSTMENTS}/{feb['id']}/settlement", json={"outcome": "paid"}, headers=staff.county
        )
        assert twice.status_code == 409

        # A set raising the figure again from March: February's stay (admitted before) keeps
        # its version; May's cover (3,000) is clawed back.
        raised = await publish(client, staff, "9800", "2026-03-01")
        assert raised["recalculation"]["adjustments"] == 1
        [back] = (
            await client.get(
                ADJUSTMENTS, params={"publication_id": raised["id"]}, headers=staff.county
            )
        ).json()["items"]
        assert (back["subject"], back["kind"]) == ("C-MAY", "claw_back")
        assert Decimal(back["difference"]) == Decimal("-3000.00")
        assert income_used(back["old_trace"])["source"] == f"publication {number}"
        assert income_used(back["new_trace"])["source"] == f"publication {raised['id']}"
        assert len((await history(client, staff, "C-FEB"))["versions"]) == 2
        may = await history(client, staff, "C-MAY")
        assert [a["kind"] for a in may["adjustments"]] == ["recalculated", "recalculated"]
        assert may["versions"][-1]["annual_cap"] == "0.00"
        assert Decimal(person_year(url, 2026).annual_cap_paid) == Decimal("1000.00")
        assert len(recalculated_events(url)) == 3


async def test_a_set_effective_in_the_future_settles_nothing_again(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(medical_clock, "today", lambda: JUNE)
    settings = make_settings("medical", db_template, bus_enabled=False)
    staff = Staff(settings)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        resp = await client.post(
            "/v1/hospitalizations", json=stay("C-MAY", "2026-05-04", "2026-05-13"),
            headers=staff.hospital,
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
        decided = await publish(client, staff, "2000", "2026-07-01")
        run = decided["recalculation"]
        assert run["effective_from"] == "2026-07-01"
        assert run["adjustments"] == 0 and run["adjustment_ids"] == []
        assert len((await history(client, staff, "C-MAY"))["versions"]) == 1
        listed = await client.get(ADJUSTMENTS, headers=staff.county)
        assert listed.json() == {"total": 0, "items": []}
        assert recalculated_events(settings.database_url) == []


async def test_a_stay_settled_before_a_cancellation_moves_by_what_the_figure_changes(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """May's stay was settled after February's, which used up the year's critical-illness
    deductible; February's is cancelled. The set's replay from zero would settle May as the
    first stay of the year, moving money between the funds that no figure changed: May's stored
    layers move only by what the set changes (the annual cap's 1,000 above the 2,000)."""
    monkeypatch.setattr(medical_clock, "today", lambda: JUNE)
    settings = make_settings("medical", db_template, bus_enabled=False)
    staff = Staff(settings)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        for claim, admission in (("C-FEB", "2026-02-03"), ("C-MAY", "2026-05-04")):
            discharge = (date.fromisoformat(admission) + timedelta(days=9)).isoformat()
            resp = await client.post(
                "/v1/hospitalizations", json=stay(claim, admission, discharge),
                headers=staff.hospital,
            )  # fmt: skip
            assert resp.status_code == 201, resp.text
        cancelled = await client.post(
            "/v1/hospitalizations/C-FEB/cancel", json={"reason": "重复上报"}, headers=staff.hospital
        )
        assert cancelled.status_code == 200, cancelled.text

        run = (await publish(client, staff, "2000", "2026-01-01"))["recalculation"]
        assert run["adjustments"] == 1 and Decimal(run["back_pay"]) == Decimal("1000.00")
        first, second = (await history(client, staff, "C-MAY"))["versions"]
        for layer in ("basic", "critical_illness", "assistance", "topup"):
            assert second[layer] == first[layer], layer
        assert (second["annual_cap"], second["self_pay"]) == ("1000.00", "2000.00")
