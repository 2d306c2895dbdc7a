"""Policy that changes after the fact (WEL-3): a county raises its dibao standard in April,
effective January. The simulation shows the cost first; after approval, the April cycle pays
every household's February-March difference as back-pay lines, once, each adjustment's traces
citing the figures the month was paid on and those it is due on. Lowering the standard later
leaves claw-back balances, withheld from later payments at most the county's share a month,
never below zero."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, select

from services.welfare import clock as welfare_clock
from services.welfare.dibao.models import DibaoCase
from services.welfare.disability.models import DisabledPerson
from services.welfare.main import build_app
from shared.db import make_engine
from tests.support.app import make_settings, running
from tests.support.policy import figure, publish_set
from tests.support.welfare_dibao import (
    COUNTY,
    WIFE,
    Officers,
    application,
    on_dibao,
    outbox,
    seed,
)

pytestmark = pytest.mark.integration

STANDARD = "welfare.dibao.rural_standard"


def _balance(url: str, case_id: int) -> Decimal:
    engine = make_engine(url)
    with Session(engine) as s:
        case = s.exec(select(DibaoCase).where(DibaoCase.id == case_id)).one()
        value = Decimal(case.clawback_balance)
    engine.dispose()
    return value


async def _cycle(
    client: Any,
    o: Officers,
    monkeypatch: pytest.MonkeyPatch,
    month: str,
    schemes: tuple[str, ...] = ("dibao", "dibao_bp"),
) -> tuple[str, list[dict[str, Any]]]:
    """The month's cycle prepared on the 20th, approved and paid: its URL and lines of
    `schemes`."""
    year, m = (int(x) for x in month.split("-"))
    monkeypatch.setattr(welfare_clock, "today", lambda: date(year, m, 20))
    resp = await client.post(
        "/v1/payment-cycles", json={"county_code": COUNTY, "month": month}, headers=o.county
    )
    assert resp.status_code == 201, resp.text
    url = f"/v1/payment-cycles/{resp.json()['id']}"
    assert (await client.post(f"{url}/approval", headers=o.county_b)).status_code == 200
    assert (await client.post(f"{url}/payment", headers=o.county)).status_code == 200
    lines = (await client.get(f"{url}/lines", headers=o.county)).json()["items"]
    return url, [line for line in lines if line["scheme"] in schemes]


async def _publish(client: Any, o: Officers, value: str, effective: str) -> int:
    items = [figure(STANDARD, value, effective, "姚政办发〔2026〕3号 第二条")]
    decided = await publish_set(
        client, COUNTY, "县政府调整农村低保标准", items, o.county, o.county_b
    )
    return int(decided["id"])


async def test_a_raise_after_the_fact_is_back_paid_once_and_a_cut_clawed_back(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 2, 12))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        await on_dibao(client, o, application())
        _, feb = await _cycle(client, o, monkeypatch, "2026-02")
        _, mar = await _cycle(client, o, monkeypatch, "2026-03")
        [feb_line], [mar_line] = feb, mar
        case_id = int(feb_line["beneficiary"])
        paid = Decimal(feb_line["amount"])

        # April: the standard rises from 3,500 to 4,200, effective January.
        raised = await _publish(client, o, "4200", "2026-01-01")
        april_url, april = await _cycle(client, o, monkeypatch, "2026-04")
        by_scheme: dict[str, list[dict[str, Any]]] = {}
        for line in april:
            by_scheme.setdefault(line["scheme"], []).append(line)
        [april_line] = by_scheme["dibao"]
        new_monthly = Decimal(april_line["amount"])
        gain = new_monthly - paid
        # Two members, per-capita income 1,000: 700 / 12 more a member and month.
        assert gain in (Decimal("116.66"), Decimal("116.67"))
        back_pay = sorted(by_scheme["dibao_bp"], key=lambda line: line["month"])
        assert [(b["month"], Decimal(b["amount"])) for b in back_pay] == [
            ("2026-02-01", gain),
            ("2026-03-01", gain),
        ]
        assert Decimal(mar_line["amount"]) == paid
        adjustments = [
            a
            for a in (await client.get(f"{april_url}/adjustments", headers=o.auditor)).json()
            if a["scheme"] == "dibao"
        ]
        assert [a["kind"] for a in adjustments] == ["back_pay", "back_pay"]
        [changed] = adjustments[0]["changed"]
        assert changed["path"] == STANDARD
        assert (changed["paid_on"]["value"], changed["paid_on"]["source"]) == ("3500", "shipped")
        assert (changed["due_on"]["value"], changed["due_on"]["source"]) == (
            "4200",
            f"publication {raised}",
        )

        # May: nothing is paid back twice.
        _, may = await _cycle(client, o, monkeypatch, "2026-05")
        assert [line["scheme"] for line in may] == ["dibao"]
        assert Decimal(may[0]["amount"]) == new_monthly

        # June: the standard is cut to 3,000 from February: February to May were overpaid.
        await _publish(client, o, "3000", "2026-02-01")
        june_url, june = await _cycle(client, o, monkeypatch, "2026-06")
        clawed = [
            a
            for a in (await client.get(f"{june_url}/adjustments", headers=o.county)).json()
            if a["scheme"] == "dibao"
        ]
        assert [a["kind"] for a in clawed] == ["claw_back"] * 4
        owed = -sum(Decimal(a["difference"]) for a in clawed)
        [june_line] = june
        assert "withheld towards an overpayment" in june_line["basis"]
        balance = _balance(settings.database_url, case_id)
        withheld = owed - balance
        assert Decimal(0) < withheld <= owed
        # At most the county's share (illustrative 30%) of June's amount, never below zero.
        due_june = Decimal(june_line["amount"]) + withheld
        assert withheld == min(
            owed, (due_june * Decimal("0.3")).quantize(Decimal("0.01"), "ROUND_DOWN")
        )
        assert Decimal(june_line["amount"]) >= 0
        for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11"):
            _, lines = await _cycle(client, o, monkeypatch, month)
            assert all(Decimal(line["amount"]) >= 0 for line in lines)
        assert _balance(settings.database_url, case_id) >= 0

        # December: raised again to 3,500 from June. Each month from June is due the same, what
        # the figure changes (what was withheld from its line stays withheld); it first settles
        # what the household still owes of the overpayment, the rest is paid.
        owed_before = _balance(settings.database_url, case_id)
        await _publish(client, o, "3500", "2026-06-01")
        december_url, december = await _cycle(client, o, monkeypatch, "2026-12")
        again = [
            a
            for a in (await client.get(f"{december_url}/adjustments", headers=o.county)).json()
            if a["scheme"] == "dibao"
        ]
        assert sorted(a["month"] for a in again) == [f"2026-{m:02d}-01" for m in range(6, 12)]
        assert len({a["difference"] for a in again}) == 1
        # Two members, 500 a year more each: 83.33 or 83.34 a month.
        assert Decimal(again[0]["difference"]) in (Decimal("83.33"), Decimal("83.34"))
        back_paid = sum(
            (Decimal(line["amount"]) for line in december if line["scheme"] == "dibao_bp"),
            Decimal(0),
        )
        set_off = sum((Decimal(a["difference"]) for a in again), Decimal(0)) - back_paid
        assert Decimal(0) < set_off <= owed_before
        [month_line] = [line for line in december if line["scheme"] == "dibao"]
        withheld_now = (
            Decimal(month_line["basis"].split("; ")[1].split(" ")[0])
            if "withheld" in month_line["basis"]
            else Decimal(0)
        )
        assert _balance(settings.database_url, case_id) == owed_before - set_off - withheld_now


async def test_the_county_writes_off_what_is_left_of_a_claw_back(db_template: str) -> None:
    """A county decision (核销): the balance goes to zero, the decision with its reason and amount
    is a step of the household's record; with nothing owed it is a 409; only civil affairs."""
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        await on_dibao(client, o, application())
        cases = (await client.get("/v1/dibao/cases", headers=o.county)).json()
        case_id = int((cases["items"] if isinstance(cases, dict) else cases)[0]["id"])
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            case = s.exec(select(DibaoCase).where(DibaoCase.id == case_id)).one()
            case.clawback_balance = Decimal("321.50")
            s.add(case)
            s.commit()
        engine.dispose()
        url = f"/v1/dibao/cases/{case_id}/clawback-write-off"
        refused = await client.post(url, json={"reason": "乡镇核销"}, headers=o.town)
        assert refused.status_code == 403
        resp = await client.post(url, json={"reason": "县民政局决定核销"}, headers=o.county)
        assert resp.status_code == 200, resp.text
        assert resp.json()["clawback_balance"] == "0.00"
        assert _balance(settings.database_url, case_id) == 0
        steps = (await client.get(f"/v1/dibao/cases/{case_id}/steps", headers=o.auditor)).json()
        items = steps["items"] if isinstance(steps, dict) else steps
        assert any(
            s.get("note") == "县民政局决定核销"
            and (s.get("data") or {}).get("clawback_written_off") == "321.50"
            for s in items
        ), items
        again = await client.post(url, json={"reason": "再次核销"}, headers=o.county)
        assert again.status_code == 409


DISABILITY = ("nursing", "disab_liv", "nursing_bp", "living_bp")


def _disabled(url: str) -> DisabledPerson:
    engine = make_engine(url)
    with Session(engine) as s:
        person = s.exec(select(DisabledPerson).where(DisabledPerson.id_number == WIFE)).one()
        s.expunge(person)
    engine.dispose()
    return person


async def test_disability_subsidies_paid_are_recalculated_with_the_dibao_standard(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WEL-4's living subsidy is a share of the dibao standard: raised after the fact, the
    months paid get back-pay lines of their own (`living_bp`) once, the nursing subsidy (no
    figure of it changed) none; cut after the fact, the person owes a balance withheld from later
    subsidies at most the county's share, never below zero, and the county may write it off."""
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 2, 12))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        # The review records the wife's grade 2 (REVIEW): she is paid both subsidies.
        await on_dibao(client, o, application())
        paid: list[dict[str, Any]] = []
        for month in ("2026-02", "2026-03"):
            paid += (await _cycle(client, o, monkeypatch, month, DISABILITY))[1]
        living = [line for line in paid if line["scheme"] == "disab_liv"]
        assert living, paid
        assert all(line["scheme"] in ("nursing", "disab_liv") for line in paid)

        raised = await _publish(client, o, "4200", "2026-01-01")
        _, april = await _cycle(client, o, monkeypatch, "2026-04", DISABILITY)
        back_pay = sorted(
            (line for line in april if line["scheme"].endswith("_bp")), key=lambda x: x["month"]
        )
        assert [line["scheme"] for line in back_pay] == ["living_bp"] * len(living)
        [april_living] = [line for line in april if line["scheme"] == "disab_liv"]
        for old, extra in zip(sorted(living, key=lambda x: x["month"]), back_pay, strict=True):
            assert extra["month"] == old["month"]
            assert Decimal(extra["amount"]) == Decimal(april_living["amount"]) - Decimal(
                old["amount"]
            )
            assert extra["beneficiary"] == old["beneficiary"]
        events = outbox(settings.database_url, "welfare.disability_subsidy_recalculated")
        assert len(events) == len(living)
        assert {e["kind"] for e in events} == {"back_pay"}
        assert all(e["sources"] == [f"publication {raised}", "shipped"] for e in events)

        # May: nothing is paid back twice.
        _, may = await _cycle(client, o, monkeypatch, "2026-05", DISABILITY)
        assert not [line for line in may if line["scheme"].endswith("_bp")]

        # June: cut to 3,000 from February: February to May overpaid, recovered from June on.
        await _publish(client, o, "3000", "2026-02-01")
        _, june = await _cycle(client, o, monkeypatch, "2026-06", DISABILITY)
        assert not [line for line in june if line["scheme"].endswith("_bp")]
        person = _disabled(settings.database_url)
        assert Decimal(person.clawback_balance) > 0
        held = [line for line in june if "withheld towards an overpayment" in line["basis"]]
        assert held and all(Decimal(line["amount"]) >= 0 for line in june)
        claws = [
            e
            for e in outbox(settings.database_url, "welfare.disability_subsidy_recalculated")
            if e["kind"] == "claw_back"
        ]
        assert sorted(e["month"] for e in claws) == [
            "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"
        ]  # fmt: skip
        owed = -sum(Decimal(e["difference"]) for e in claws)
        withheld = owed - Decimal(person.clawback_balance)
        assert withheld == sum(Decimal(line["basis"].split("; ")[1].split(" ")[0]) for line in held)
        assert Decimal(0) < withheld <= owed

        url = f"/v1/disability/persons/{person.id}/clawback-write-off"
        refused = await client.post(url, json={"reason": "县残联核销"}, headers=o.town)
        assert refused.status_code == 403
        resp = await client.post(url, json={"reason": "县民政局决定核销"}, headers=o.county)
        assert resp.status_code == 200, resp.text
        assert resp.json()["clawback_balance"] == "0.00"
        again = await client.post(url, json={"reason": "再次核销"}, headers=o.county)
        assert again.status_code == 409
