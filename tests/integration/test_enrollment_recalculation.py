"""Contribution subsidies recomputed under figures published after them (ENR-M2, ENR-M3, ENR-P3).
In June 2026 姚安 raises the fixed medical-assistance subsidy from 70 to 100 yuan, effective
January: a registered poor dibao person's 2026 contribution is funded again (medical assistance
takes 30 more from the county's share: no money changes hands, no adjustment); a marginal dibao
person, who pays the rest themselves, paid 30 too much (back-pay), with both parameter versions
in the ledger and an event; their 2025 contribution is untouched. The pension subsidy base rises
from 30 to 40 from January: the paid 2026 line gets 10 more, a later cut to 20 claws back 20.
Running it again records nothing; a figure effective after 1 January (read on 1 January) or in
the future recomputes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, col, select

from services.enrollment import clock as enrollment_clock
from services.enrollment.main import build_app
from services.enrollment.models import MedicalContribution, Person, WelfareStatus
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.policy import figure, publish_set
from tests.support.roster import HEADER_ZH, roster_csv

pytestmark = pytest.mark.integration

COUNTY = "532325"
TOWNSHIP = f"{COUNTY}100"
JUNE = date(2026, 6, 15)
FIXED = "enrollment.medical.fixed_assistance_subsidy"
BASE = "enrollment.pension.subsidy.base"
PUBLICATIONS = "/v1/policy/publications"
ADJUSTMENTS = "/v1/policy/adjustments"
EVENT = "enrollment.subsidy_recalculated"
POOR = make_resident_id(COUNTY, date(1980, 5, 1), 1, "M")  # 未脱贫, on dibao
MARGINAL = make_resident_id(COUNTY, date(1981, 6, 2), 2, "F")  # 边缘户, on dibao
CONTRIBUTOR = make_resident_id(COUNTY, date(1975, 3, 3), 3, "M")  # 未脱贫, pension tier 200


class Staff:
    def __init__(self, settings: Settings) -> None:
        self.poverty = token(settings, Role.county_poverty, sub="fpb")
        self.medical = token(settings, Role.county_medical, sub="med-a")
        self.medical_b = token(settings, Role.county_medical, sub="med-b")
        self.hrss = token(settings, Role.county_hrss, sub="hrss-a")
        self.hrss_b = token(settings, Role.county_hrss, sub="hrss-b")
        self.auditor = token(settings, Role.auditor, sub="auditor")


def row(household: str, number: str, status: str) -> list[str]:
    return [household, f"居民{number[-4:]}", number, "户主", COUNTY, TOWNSHIP,
            f"{TOWNSHIP}201", status]  # fmt: skip


async def seed(client: Any, staff: Staff, url: str) -> dict[str, str]:
    """The registry, dibao for two people since 2025 (as welfare's events leave it) and the
    pension roll; person ids by ID number."""
    rows = [
        row(f"{COUNTY}-R1", POOR, "未脱贫"),
        row(f"{COUNTY}-R2", MARGINAL, "边缘户"),
        row(f"{COUNTY}-R3", CONTRIBUTOR, "未脱贫"),
    ]
    resp = await client.post(
        "/v1/registry/imports",
        files={"file": ("r.csv", roster_csv(rows, HEADER_ZH))},
        headers=staff.poverty,
    )
    assert resp.status_code == 201, resp.text
    roll = "证件号码,年度,缴费档次,是否缴费\n" + "".join(
        f"{CONTRIBUTOR},{year},200,是\n" for year in (2025, 2026)
    )
    resp = await client.post(
        "/v1/rolls/pension/imports", files={"file": ("p.csv", roll.encode())}, headers=staff.hrss
    )
    assert resp.status_code == 201, resp.text
    engine = make_engine(url)
    with Session(engine) as s:
        people = {p.id_number: p for p in s.exec(select(Person))}
        for number in (POOR, MARGINAL):
            p = people[number]
            s.add(
                WelfareStatus(
                    person_id=p.id,
                    household_id=p.household_id,
                    dibao=True,
                    dibao_since=date(2025, 1, 1),
                )
            )
        s.commit()
        ids = {number: p.id for number, p in people.items()}
    engine.dispose()
    return ids


def contribution(url: str, person_id: str, year: int) -> MedicalContribution:
    engine = make_engine(url)
    with Session(engine) as s:
        found = s.exec(
            select(MedicalContribution).where(
                MedicalContribution.person_id == person_id, MedicalContribution.year == year
            )
        ).one()
        s.expunge(found)
    engine.dispose()
    return found


def events(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == EVENT)
            .order_by(col(OutboxEvent.seq))
        ).all()
        found = [
            {"key": r.key, "subject": r.headers.get("subject"), "data": json.loads(r.payload)}
            for r in rows
        ]
    engine.dispose()
    return found


async def publish(
    client: Any,
    proposer: dict[str, str],
    approver: dict[str, str],
    path: str,
    value: str,
    effective: str,
) -> dict[str, Any]:
    """Proposed by one officer, published by a second: the decision's answer."""
    items = [figure(path, value, effective, "姚政办发〔2026〕9号 第三条")]
    return await publish_set(
        client, COUNTY, "县政府调整城乡居民参保资助标准", items, proposer, approver
    )


async def listed(client: Any, staff: Staff, publication_id: int) -> list[dict[str, Any]]:
    resp = await client.get(
        ADJUSTMENTS, params={"publication_id": publication_id}, headers=staff.auditor
    )
    assert resp.status_code == 200, resp.text
    return list(resp.json()["items"])


def yuan(*amounts: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(a) for a in amounts)


def used(trace: dict[str, Any], path: str) -> dict[str, Any]:
    return next(p for p in trace["parameters"] if p["path"] == path)


async def test_a_subsidy_published_after_the_fact_funds_the_years_contributions_again_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enrollment_clock, "today", lambda: JUNE)
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    staff = Staff(settings)
    url = settings.database_url
    async with running(build_app(settings)) as client:
        ids = await seed(client, staff, url)
        poor, marginal = ids[POOR], ids[MARGINAL]
        for year in (2025, 2026):
            resp = await client.post(
                "/v1/medical-contributions", params={"year": year}, headers=staff.medical
            )
            assert resp.status_code == 200, resp.text
        # On the shipped 70 yuan: 280 in 2026; the registered poor person pays nothing, the
        # marginal one all but the 70.
        before = contribution(url, poor, 2026)
        assert (before.medical_assistance, before.prefecture_county) == yuan(70, 42)
        assert contribution(url, marginal, 2026).person_pays == Decimal("210.00")

        # June: 100 yuan from January, published by a second officer.
        decided = await publish(client, staff.medical, staff.medical_b, FIXED, "100", "2026-01-01")
        number = decided["id"]
        run = decided["recalculation"]
        assert run["effective_from"] == "2026-01-01"
        assert run["adjustments"] == 1 and run["by_scheme"] == {"medical_contribution": 1}
        assert Decimal(run["back_pay"]) == Decimal("30.00") and Decimal(run["claw_back"]) == 0

        [a] = await listed(client, staff, number)
        assert [a["id"]] == run["adjustment_ids"]
        assert (a["scheme"], a["subject"]) == ("medical_contribution", f"{marginal}/2026")
        assert (a["kind"], a["status"], a["period"]) == ("back_pay", "open", "2026-01-01")
        assert (a["person_id"], a["household_id"]) == (marginal, f"{COUNTY}-R2")
        assert (a["county_code"], a["township_code"]) == (COUNTY, TOWNSHIP)
        assert (Decimal(a["paid_amount"]), Decimal(a["due_amount"])) == yuan(70, 100)
        assert Decimal(a["difference"]) == Decimal("30.00")
        assert used(a["old_trace"], FIXED)["source"] == "shipped"
        assert used(a["new_trace"], FIXED)["source"] == f"publication {number}"
        assert f"publication {number}" in a["sources"]
        [changed] = a["parameters"]
        assert changed["path"] == FIXED
        assert (changed["paid_on"]["value"], changed["paid_on"]["source"]) == ("70", "shipped")
        assert (changed["due_on"]["value"], changed["due_on"]["source"]) == (
            "100",
            f"publication {number}",
        )

        # The stored contributions are funded as now due; the trace cites the publication.
        now = contribution(url, marginal, 2026)
        assert (now.medical_assistance, now.person_pays) == yuan(100, 180)
        assert used(now.trace, FIXED)["source"] == f"publication {number}"
        poor_now = contribution(url, poor, 2026)
        assert (poor_now.medical_assistance, poor_now.prefecture_county) == yuan(100, 12)
        assert (poor_now.province, poor_now.person_pays) == yuan(168, 0)
        # 2025 is read on 1 January 2025, before the figure takes effect.
        for person in (poor, marginal):
            assert contribution(url, person, 2025).medical_assistance == 70

        [event] = events(url)
        assert (event["key"], event["subject"]) == (
            f"{COUNTY}-R2",
            f"medical_contribution/{marginal}/2026",
        )
        assert event["data"]["adjustment_id"] == a["id"]
        assert (event["data"]["kind"], event["data"]["difference"]) == ("back_pay", "30.00")
        assert f"publication {number}" in event["data"]["sources"]

        # Run again: nothing recorded, no event, the rows as they were.
        stamp = contribution(url, poor, 2026).updated_at
        again = await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=staff.medical)
        assert again.status_code == 200, again.text
        assert again.json()["adjustments"] == 0 and again.json()["adjustment_ids"] == []
        assert len(events(url)) == 1 and len(await listed(client, staff, number)) == 1
        assert contribution(url, poor, 2026).updated_at == stamp

        # A figure effective 1 March is not read for 2026 (read on 1 January): nothing changes.
        march = await publish(client, staff.medical, staff.medical_b, FIXED, "80", "2026-03-01")
        assert march["recalculation"]["adjustments"] == 0
        assert contribution(url, marginal, 2026).medical_assistance == 100

        # The pension subsidy base: 30 -> 40 from January; tier 200 earns 40 -> 50.
        raised = await publish(client, staff.hrss, staff.hrss_b, BASE, "40", "2026-01-01")
        assert raised["recalculation"]["by_scheme"] == {"pension_subsidy": 1}
        [p] = await listed(client, staff, raised["id"])
        contributor = ids[CONTRIBUTOR]
        assert (p["subject"], p["kind"]) == (f"{contributor}/2026", "back_pay")
        assert (Decimal(p["paid_amount"]), Decimal(p["due_amount"])) == yuan(40, 50)
        assert used(p["old_trace"], BASE)["source"] == "shipped"
        assert used(p["new_trace"], BASE)["source"] == f"publication {raised['id']}"
        # Cut to 20: the 2026 subsidy (now 50, on the earlier set) is clawed back to 30.
        cut = await publish(client, staff.hrss, staff.hrss_b, BASE, "20", "2026-01-01")
        [c] = await listed(client, staff, cut["id"])
        assert (c["subject"], c["kind"], Decimal(c["difference"])) == (
            f"{contributor}/2026",
            "claw_back",
            Decimal("-20.00"),
        )
        assert used(c["old_trace"], BASE)["source"] == f"publication {raised['id']}"
        assert used(c["new_trace"], BASE)["source"] == f"publication {cut['id']}"
        again = await client.post(f"{PUBLICATIONS}/{cut['id']}/recalculation", headers=staff.hrss)
        assert again.json()["adjustments"] == 0
        assert [e["subject"] for e in events(url)] == [
            f"medical_contribution/{marginal}/2026",
            f"pension_subsidy/{contributor}/2026",
            f"pension_subsidy/{contributor}/2026",
        ]
        # The subsidy as read now is the one due.
        resp = await client.get(
            f"/v1/persons/{CONTRIBUTOR}/pension/subsidy", params={"year": 2026}, headers=staff.hrss
        )
        assert resp.json()["result"]["subsidy"] == "30.00"


async def test_a_set_effective_in_the_future_recalculates_nothing(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enrollment_clock, "today", lambda: JUNE)
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    staff = Staff(settings)
    url = settings.database_url
    async with running(build_app(settings)) as client:
        ids = await seed(client, staff, url)
        resp = await client.post(
            "/v1/medical-contributions", params={"year": 2026}, headers=staff.medical
        )
        assert resp.status_code == 200, resp.text
        decided = await publish(client, staff.medical, staff.medical_b, FIXED, "100", "2027-01-01")
        run = decided["recalculation"]
        assert run["effective_from"] == "2027-01-01"
        assert run["adjustments"] == 0 and run["adjustment_ids"] == []
        assert contribution(url, ids[MARGINAL], 2026).medical_assistance == 70
        listing = await client.get(ADJUSTMENTS, headers=staff.medical)
        assert listing.json() == {"total": 0, "items": []}
        assert events(url) == []
