"""Recalculating months already paid (WEL-3, WEL-4) when a county publishes figures after the
fact: the dibao standard for a year decided in March and applied from January, which also sets
the living subsidy of the disabled in hardship.

At a cycle's preparation, every earlier cycle of the county prepared before a publication whose
figures take effect by that cycle's month is looked at again: each household's amount for the
month is computed under the figures in force now and under those known when the cycle was
prepared (so the adjustment's two traces cite both versions), both on the same facts: the
difference is what the figures alone change (less what earlier adjustments of the month
settled), so a member who left since or a claw-back withheld from the month's line is not taken
for a change of figures. A difference is recorded once (`PaymentAdjustment`, unique per household,
month and parameter key: a second run finds it and changes nothing); back-pay is paid in this
cycle as its own line (scheme `dibao_bp`, the month corrected); an overpayment adds to the
household's claw-back balance, withheld from later payments at most the county's share a month
(`welfare.dibao.clawback_max_share`), so no payment is ever negative. The members are taken as
recorded now (the case keeps no history of them): a household whose members changed since the
month gets the figures' change on its members of now.

The disability subsidies (WEL-4) paid for those months are recomputed the same way, from the
ledger row's own facts (the grade, the hardship and dibao category it was computed on): back-pay
is a line of the person's scheme (`nursing_bp`, `living_bp`), an overpayment the person's
claw-back balance, withheld from their later subsidy lines at most `welfare.disability.
clawback_max_share` a month. Months still held for want of an account are not yet paid and are
not recalculated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from services.welfare.dibao.facts import compute, member_facts
from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.repository import members_of
from services.welfare.dibao.rules import DibaoCategory
from services.welfare.disability.models import DisabilitySubsidy, DisabledPerson
from services.welfare.disability.repository import Subsidies
from services.welfare.disability.rules import Scheme, month_subsidy, paid_facts
from services.welfare.disability.subsidies import payees
from services.welfare.payments.models import PaymentAdjustment, PaymentCycle, PaymentLine
from shared.bus.tables import utcnow
from shared.events.welfare import DibaoRecalculated, DisabilitySubsidyRecalculated
from shared.money import ZERO
from shared.policy.loader import PolicySet
from shared.policy.publication.service import PUBLISHED, published_figures
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import changed, trace_sources
from shared.repository import insert_new
from shared.rule_inputs import month_end
from shared.trace import Params, illustrative_of
from shared.uow import UnitOfWork

BACK_PAY = "dibao_bp"
# The line of a disability scheme's back-pay (a line's scheme has at most 10 characters).
DISABILITY_BACK_PAY = {Scheme.nursing.value: "nursing_bp", Scheme.living.value: "living_bp"}


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
        for row in Subsidies(uow.session, None).paid_of_month(cycle.county_code, earlier.month):
            _disabled(uow, cycle, row, old_policy, out)
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
    before = old.benefit.monthly_amount if old.benefit.eligible else ZERO
    settled = _settled(uow, "dibao", line.beneficiary, month)
    # What the figures alone change, both ways on the same facts: a member who has left since,
    # or a claw-back withheld from the month's line, is not taken for a change of figures.
    difference = due - before - settled
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
        paid_amount=before + settled,
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
            sources=trace_sources(new.trace),
            illustrative_parameters=illustrative_of(new.trace),
        ),
        key=case.household_id,
        subject=f"dibao_case/{case.id}",
    )
    if difference > 0:
        left = _set_off(uow, DibaoCase, case.id or 0, difference)
        if left > 0:
            out.back_pay += left
            out.lines.append(_back_pay_line(uow, cycle, case, adjustment, left))
    else:
        out.claw_back -= difference
        uow.session.execute(
            update(DibaoCase)
            .where(col(DibaoCase.id) == case.id)
            .values(clawback_balance=DibaoCase.clawback_balance - difference)
        )


def _set_off(
    uow: UnitOfWork, model: type[DibaoCase] | type[DisabledPerson], key: int, amount: Decimal
) -> Decimal:
    """Back-pay first settles what is still owed of an overpayment (a figure cut, then raised
    again before it was recovered): the part left to pay."""
    balance = Decimal(
        uow.session.exec(select(col(model.clawback_balance)).where(col(model.id) == key)).one()
    )
    offset = min(balance, amount) if balance > 0 else ZERO
    if offset:
        uow.session.execute(
            update(model)
            .where(col(model.id) == key)
            .values(clawback_balance=model.clawback_balance - offset)
        )
    return amount - offset


def _back_pay_line(
    uow: UnitOfWork,
    cycle: PaymentCycle,
    case: DibaoCase,
    adjustment: PaymentAdjustment,
    amount: Decimal,
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
        "amount": amount,
        "basis": f"back-pay of {adjustment.month:%Y-%m}: adjustment {adjustment.id} (WEL-3)",
        "status": "due",
        "failure_reason": None,
        "updated_at": utcnow(),
    }


def _disabled(
    uow: UnitOfWork,
    cycle: PaymentCycle,
    row: DisabilitySubsidy,
    old_policy: PolicySet,
    out: Recalculated,
) -> None:
    """A month's disability subsidy under the figures in force now, on the facts it was paid on
    (the grade that decided the month, the hardship and the dibao category)."""
    person = uow.session.get(DisabledPerson, row.disabled_person_id)
    if person is None:
        return
    facts = paid_facts(row.month, row.grade, row.hardship, row.trace)
    old = month_subsidy(facts, Params(old_policy, row.county_code, row.month))
    new = month_subsidy(facts, uow.params(row.county_code, row.month))
    old_trace = old.trace.out().model_dump(mode="json")
    new_trace = new.trace.out().model_dump(mode="json")
    if not changed(old_trace, new_trace):
        return  # no figure this subsidy uses has changed for the month
    due = new.nursing if row.scheme == Scheme.nursing.value else new.living
    beneficiary = str(row.disabled_person_id)
    settled = _settled(uow, row.scheme, beneficiary, row.month)
    difference = due - Decimal(row.amount) - settled
    if difference == 0:
        return
    adjustment = PaymentAdjustment(
        cycle_id=cycle.id or 0,
        county_code=row.county_code,
        township_code=row.township_code,
        village_code=row.village_code,
        household_id=person.household_id or "-",
        scheme=row.scheme,
        beneficiary=beneficiary,
        month=row.month,
        paid_amount=Decimal(row.amount) + settled,
        due_amount=due,
        difference=difference,
        kind="back_pay" if difference > 0 else "claw_back",
        old_key=_key(old_trace),
        new_key=_key(new_trace),
        old_trace=old_trace,
        new_trace=new_trace,
    )
    if not insert_new(uow.session, adjustment):
        return  # found by a run before: recorded once
    out.adjustments += 1
    uow.publish(
        DisabilitySubsidyRecalculated(
            disabled_person_id=row.disabled_person_id,
            person_id=person.person_id,
            household_id=person.household_id or None,
            county_code=row.county_code,
            scheme="nursing" if row.scheme == Scheme.nursing.value else "disab_liv",
            month=row.month,
            paid_amount=adjustment.paid_amount,
            due_amount=due,
            difference=difference,
            kind="back_pay" if difference > 0 else "claw_back",
            cycle_month=cycle.month,
            sources=trace_sources(new_trace),
            illustrative_parameters=illustrative_of(new_trace),
        ),
        key=person.household_id or person.id_number,
        subject=f"disabled_person/{row.disabled_person_id}",
    )
    if difference > 0:
        left = _set_off(uow, DisabledPerson, person.id or 0, difference)
        if left > 0:
            out.back_pay += left
            out.lines.append(_disability_back_pay_line(uow, cycle, row, person, adjustment, left))
    else:
        out.claw_back -= difference
        uow.session.execute(
            update(DisabledPerson)
            .where(col(DisabledPerson.id) == person.id)
            .values(clawback_balance=DisabledPerson.clawback_balance - difference)
        )


def _key(trace: dict[str, Any]) -> str:
    """The parameters a computation used, with their versions: what makes it unique."""
    used = sorted(
        f"{p['path']}={p['value']}@{p['effective_from']}/{p.get('source', 'shipped')}"
        for p in trace.get("parameters", [])
    )
    return ";".join(used)[:2000]


def _settled(uow: UnitOfWork, scheme: str, beneficiary: str, month: date) -> Decimal:
    """What adjustments of a month paid before added (or took back)."""
    total = uow.session.exec(
        select(func.coalesce(func.sum(PaymentAdjustment.difference), 0)).where(
            PaymentAdjustment.scheme == scheme,
            PaymentAdjustment.beneficiary == beneficiary,
            PaymentAdjustment.month == month,
        )
    ).one()
    return Decimal(total)


def _disability_back_pay_line(
    uow: UnitOfWork,
    cycle: PaymentCycle,
    row: DisabilitySubsidy,
    person: DisabledPerson,
    adjustment: PaymentAdjustment,
    amount: Decimal,
) -> dict[str, Any]:
    """Paid into the person's account as recorded now (WEL-4's payee)."""
    assert person.id is not None
    payee = payees(uow, {person.id: person}).get(person.id)
    scheme = DISABILITY_BACK_PAY[row.scheme]
    earlier = uow.session.exec(
        select(func.count()).where(
            PaymentLine.scheme == scheme,
            PaymentLine.beneficiary == (person.person_id or person.id_number),
            PaymentLine.month == row.month,
        )
    ).one()
    return {
        "cycle_id": cycle.id,
        "county_code": row.county_code,
        "township_code": row.township_code,
        "village_code": row.village_code,
        "scheme": scheme,
        "beneficiary": person.person_id or person.id_number,
        "household_id": person.household_id or "-",
        "month": row.month,
        "attempt": int(earlier) + 1,
        "payee_name": payee.payee_name if payee else person.name,
        "payee_id_number": payee.payee_id_number if payee else person.id_number,
        "bank_name": payee.bank_name if payee else "",
        "bank_account": payee.bank_account if payee else "",
        "amount": amount,
        "basis": f"back-pay of {row.month:%Y-%m}: adjustment {adjustment.id} (WEL-4)",
        "status": "due",
        "failure_reason": None,
        "updated_at": utcnow(),
    }


def _utc(value: Any) -> Any:
    return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value
