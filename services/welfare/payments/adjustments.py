"""Recalculating months already paid (WEL-3) when a county publishes figures after the fact: the
dibao standard for a year decided in March and applied from January.

At a cycle's preparation, every earlier cycle of the county prepared before a publication whose
figures take effect by that cycle's month is looked at again: each household's amount for the
month is computed under the figures in force now and under those known when the cycle was
prepared (so the adjustment's two traces cite both versions), and what is due now is compared
with what was paid. A difference is recorded once (`PaymentAdjustment`, unique per household,
month and parameter key: a second run finds it and changes nothing); back-pay is paid in this
cycle as its own line (scheme `dibao_bp`, the month corrected); an overpayment adds to the
household's claw-back balance, withheld from later payments at most the county's share a month
(`welfare.dibao.clawback_max_share`), so no payment is ever negative. The members are taken as
recorded now."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from services.welfare.dibao.facts import compute, member_facts
from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.repository import members_of
from services.welfare.dibao.rules import DibaoCategory
from services.welfare.payments.models import PaymentAdjustment, PaymentCycle, PaymentLine
from shared.bus.tables import utcnow
from shared.events.welfare import DibaoRecalculated
from shared.money import ZERO
from shared.policy.loader import PolicySet
from shared.policy.publication.service import PUBLISHED, published_figures
from shared.policy.publication.tables import PolicyPublication
from shared.repository import insert_new
from shared.rule_inputs import month_end
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork

BACK_PAY = "dibao_bp"
SHARE = "welfare.dibao.clawback_max_share"
CENT = Decimal("0.01")


@dataclass
class Recalculated:
    adjustments: int = 0
    back_pay: Decimal = ZERO
    claw_back: Decimal = ZERO
    lines: list[dict[str, Any]] = field(default_factory=list)


def recalculate(uow: UnitOfWork, cycle: PaymentCycle) -> Recalculated:
    out = Recalculated()
    for earlier in _cycles_to_look_at(uow, cycle):
        old_policy = uow.policy.shipped.overlaid(
            published_figures(uow.session, earlier.prepared_at)
        )
        for line in _dibao_lines_of(uow, earlier):
            _household(uow, cycle, earlier, line, old_policy, out)
    return out


def _cycles_to_look_at(uow: UnitOfWork, cycle: PaymentCycle) -> Iterator[PaymentCycle]:
    """Earlier cycles of the county prepared before a publication of the county whose figures
    take effect by the cycle's month. Only publications since the county's last cycle was
    prepared count: that cycle's preparation recalculated for the ones before it."""
    sets = uow.session.exec(
        select(PolicyPublication).where(
            PolicyPublication.county_code == cycle.county_code,
            PolicyPublication.status == PUBLISHED,
        )
    ).all()
    if not sets:
        return
    earlier = uow.session.exec(
        select(PaymentCycle)
        .where(PaymentCycle.county_code == cycle.county_code, PaymentCycle.month < cycle.month)
        .order_by(col(PaymentCycle.month))
    ).all()
    if earlier:
        last = max(_utc(c.prepared_at) for c in earlier)
        sets = [s for s in sets if s.decided_at is not None and _utc(s.decided_at) > last]
    for c in earlier:
        prepared = _utc(c.prepared_at)
        for s in sets:
            first = min(date.fromisoformat(str(i["effective_from"])) for i in s.items)
            if (
                s.decided_at is not None
                and _utc(s.decided_at) > prepared
                and first <= month_end(c.month)
            ):
                yield c
                break


def _dibao_lines_of(uow: UnitOfWork, cycle: PaymentCycle) -> list[PaymentLine]:
    return list(
        uow.session.exec(
            select(PaymentLine)
            .where(
                PaymentLine.cycle_id == cycle.id,
                PaymentLine.scheme == "dibao",
                PaymentLine.attempt == 1,
            )
            .order_by(col(PaymentLine.id))
        ).all()
    )


def _household(
    uow: UnitOfWork,
    cycle: PaymentCycle,
    earlier: PaymentCycle,
    line: PaymentLine,
    old_policy: PolicySet,
    out: Recalculated,
) -> None:
    case = uow.session.get(DibaoCase, int(line.beneficiary))
    if case is None:
        return
    month = earlier.month
    facts = member_facts(case.members, month)
    income, category = Decimal(case.annual_income), DibaoCategory(case.category)
    old = compute(old_policy, case.county_code, month, facts, income, category)
    new = compute(uow.policy, case.county_code, month, facts, income, category)
    if new.policy_key == old.policy_key:
        return  # no figure this household's amount uses has changed for the month
    due = new.benefit.monthly_amount if new.benefit.eligible else ZERO
    settled = uow.session.exec(
        select(func.coalesce(func.sum(PaymentAdjustment.difference), 0)).where(
            PaymentAdjustment.scheme == "dibao",
            PaymentAdjustment.beneficiary == line.beneficiary,
            PaymentAdjustment.month == month,
        )
    ).one()
    difference = due - Decimal(line.amount) - Decimal(settled)
    if difference == 0:
        return
    adjustment = PaymentAdjustment(
        cycle_id=cycle.id or 0,
        county_code=case.county_code,
        township_code=case.township_code,
        village_code=case.village_code,
        household_id=case.household_id,
        scheme="dibao",
        beneficiary=line.beneficiary,
        month=month,
        paid_amount=Decimal(line.amount) + Decimal(settled),
        due_amount=due,
        difference=difference,
        kind="back_pay" if difference > 0 else "claw_back",
        old_key=old.policy_key[:2000],
        new_key=new.policy_key[:2000],
        old_trace=old.trace,
        new_trace=new.trace,
    )
    if not insert_new(uow.session, adjustment):
        return  # found by a run before: recorded once
    out.adjustments += 1
    uow.publish(
        DibaoRecalculated(
            household_id=case.household_id,
            county_code=case.county_code,
            person_ids=[
                m.person_id
                for m in members_of(uow.session, case.id or 0)
                if m.person_id and m.active
            ],
            month=month,
            paid_amount=adjustment.paid_amount,
            due_amount=due,
            difference=difference,
            kind="back_pay" if difference > 0 else "claw_back",
            cycle_month=cycle.month,
            sources=sorted({p.get("source", "shipped") for p in new.trace["parameters"]}),
            illustrative_parameters=illustrative_of(new.trace),
        ),
        key=case.household_id,
        subject=f"dibao_case/{case.id}",
    )
    if difference > 0:
        out.back_pay += difference
        out.lines.append(_back_pay_line(uow, cycle, case, adjustment))
    else:
        out.claw_back -= difference
        uow.session.execute(
            update(DibaoCase)
            .where(col(DibaoCase.id) == case.id)
            .values(clawback_balance=DibaoCase.clawback_balance - difference)
        )


def _back_pay_line(
    uow: UnitOfWork, cycle: PaymentCycle, case: DibaoCase, adjustment: PaymentAdjustment
) -> dict[str, Any]:
    earlier = uow.session.exec(
        select(func.count()).where(
            PaymentLine.scheme == BACK_PAY,
            PaymentLine.beneficiary == str(case.id),
            PaymentLine.month == adjustment.month,
        )
    ).one()
    return {
        "cycle_id": cycle.id,
        "county_code": case.county_code,
        "township_code": case.township_code,
        "village_code": case.village_code,
        "scheme": BACK_PAY,
        "beneficiary": str(case.id),
        "household_id": case.household_id,
        "month": adjustment.month,
        "attempt": int(earlier) + 1,
        "payee_name": case.payee_name,
        "payee_id_number": case.payee_id_number,
        "bank_name": case.bank_name,
        "bank_account": case.bank_account,
        "amount": adjustment.difference,
        "basis": f"back-pay of {adjustment.month:%Y-%m}: adjustment {adjustment.id} (WEL-3)",
        "status": "due",
        "failure_reason": None,
        "updated_at": utcnow(),
    }


def withhold(
    uow: UnitOfWork, county: str, month: date, amount: Decimal, balance: Decimal
) -> Decimal:
    """What to withhold from a month's payment of `amount` towards a claw-back `balance`: at most
    the county's share of it, never more than the balance."""
    if balance <= 0 or amount <= 0:
        return ZERO
    share = uow.params(county, month).ratio(SHARE, Trace())
    return min(balance, (amount * share).quantize(CENT, rounding=ROUND_DOWN))


def _utc(value: Any) -> Any:
    return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value


def changed(old_trace: dict[str, Any], new_trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters whose value or source differs between two traces, with both."""
    old = {p["path"]: p for p in old_trace.get("parameters", [])}
    out = []
    for p in new_trace.get("parameters", []):
        before = old.get(p["path"])
        if before is None or (before["value"], before.get("source")) != (
            p["value"],
            p.get("source"),
        ):
            out.append(
                {
                    "path": p["path"],
                    "paid_on": None if before is None else {
                        "value": before["value"], "source": before.get("source", "shipped"),
                        "effective_from": before["effective_from"],
                    },
                    "due_on": {
                        "value": p["value"], "source": p.get("source", "shipped"),
                        "effective_from": p["effective_from"],
                    },
                }
            )  # fmt: skip
    return out
