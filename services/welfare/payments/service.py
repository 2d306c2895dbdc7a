"""The monthly payment cycle per county (WEL-3, WEL-4, WEL-5):

1. prepared — households whose gradual exit closed leave dibao; every household on dibao in the
   month is rechecked (a living member, in force that month) and its amount taken from the case,
   recomputed by the rules when a parameter in force changed since it was computed (a new
   year's standard), which is recorded on the case and published as dibao_changed; re-issues
   of failed payments waiting in the county join the cycle; the disability subsidies (WEL-4)
   are added per person, month and scheme (`nursing`, `disab_liv`) from the disability
   register, those held for want of an account joining once one is recorded;
2. approved by a second officer, never the preparer — the cycle is then frozen: later changes to
   a household reach the next month's cycle, not this one;
3. paid: the bank file is issued; the bank's failures are recorded per line and a failed line
   may be re-issued once, in the next cycle.

Running a month twice pays once: a cycle is unique per county and month, a line per scheme,
beneficiary, month and attempt. The lines are written with set-based statements, so a county of
200,000 households is prepared in seconds (bench/payments.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.welfare.dibao import service as dibao
from services.welfare.disability import subsidies as disability
from services.welfare.payments import adjustments
from services.welfare.payments.models import PaymentCycle, PaymentLine
from services.welfare.payments.repository import Cycles, Lines
from services.welfare.payments.withholding import withhold
from services.welfare.workflow import Workflow, record_step
from shared.bus.tables import utcnow
from shared.errors import Conflict, Forbidden
from shared.money import ZERO
from shared.roles import Role
from shared.rule_inputs import month_end
from shared.uow import UnitOfWork


class CycleStatus(StrEnum):
    prepared = "prepared"  # 已造册
    approved = "approved"  # 已复核审批 (frozen)
    paid = "paid"  # 已发放 (bank file issued)


COUNTY = frozenset({Role.county_civil})
CYCLE = Workflow[CycleStatus](
    entity="payment_cycle",
    transitions={
        (CycleStatus.prepared, CycleStatus.approved): COUNTY,
        (CycleStatus.approved, CycleStatus.paid): COUNTY,
    },
    labels_zh={
        CycleStatus.prepared: "已造册",
        CycleStatus.approved: "已审批",
        CycleStatus.paid: "已发放",
    },
)


@dataclass
class Prepared:
    cycle: PaymentCycle
    created: bool


def prepare(uow: UnitOfWork, county: str, month: date) -> Prepared:
    principal = uow.principal
    if not principal.has(Role.county_civil):
        raise Forbidden("payment cycles are prepared by county_civil")
    principal.guard(county)
    if month > uow.today().replace(day=1):
        raise Conflict(f"{month:%Y-%m} has not begun; a cycle is prepared in or after its month")
    cycles, lines = Cycles(uow.session, None), Lines(uow.session, None)
    existing = cycles.of_month(county, month)
    if existing is not None:
        return Prepared(existing, False)
    cycle = PaymentCycle(
        county_code=county,
        month=month,
        status=CycleStatus.prepared.value,
        total=ZERO,
        prepared_by=principal.subject,
    )
    if not cycles.add_new(cycle):
        # Prepared at the same moment by another request, which committed first.
        concurrent = cycles.of_month(county, month)
        assert concurrent is not None
        return Prepared(concurrent, False)
    uow.session.flush()
    ended = dibao.expire_gradual_exits(uow, county, month)
    recomputed = dibao.recompute_stale(uow, county, month, month_end(month))
    # Months paid before a county published figures effective back then (WEL-3).
    recalculated = adjustments.recalculate(uow, cycle)
    back_pay_lines = lines.insert_all(recalculated.lines)
    withheld: list[tuple[int, Decimal]] = []
    dibao_lines = lines.insert_all(_dibao_lines(uow, cycle, county, month, withheld))
    for case_id, amount in withheld:
        dibao.withhold_clawback(uow, case_id, amount)
    assert cycle.id is not None
    subsidies = disability.cycle_subsidies(uow, cycle.id, county, month)
    disability_lines = lines.insert_all(subsidies.lines)
    reissues = lines.join_reissues(county, cycle)
    count, total = lines.count_and_total(cycle)
    notes = {
        "dibao_lines": dibao_lines,
        "disability_lines": disability_lines,
        "disability_held_lines": subsidies.held_lines,
        "disability_held_amount": str(subsidies.held_amount),
        "reissued_lines": reissues,
        "adjustments": recalculated.adjustments,
        "back_pay_lines": back_pay_lines,
        "back_pay": str(recalculated.back_pay),
        "claw_back_added": str(recalculated.claw_back),
        "claw_back_withheld": str(sum((a for _, a in withheld), ZERO)),
        "gradual_exits_ended": ended,
        "amounts_recomputed": recomputed,
    }
    cycles.set_totals(cycle, count, total, notes)
    record_step(
        uow.session,
        CYCLE,
        str(cycle.id),
        None,
        CycleStatus.prepared,
        principal,
        Role.county_civil,
        note=f"prepared {count} lines",
        data=notes | {"total": str(total)},
    )
    uow.session.flush()
    uow.session.refresh(cycle)
    return Prepared(cycle, True)


def _dibao_lines(
    uow: UnitOfWork,
    cycle: PaymentCycle,
    county: str,
    month: date,
    withheld: list[tuple[int, Decimal]],
) -> Iterator[dict[str, Any]]:
    """The month's dibao lines; a household owing a claw-back has part of its amount withheld
    (at most the county's share, never below zero), noted in `withheld`."""
    now = utcnow()
    for r in dibao.payable(uow, county, month_end(month)):
        amount, basis = Decimal(r.monthly_amount), f"dibao_case {r.id} v{r.version} (WEL-3)"
        held = withhold(uow, county, month, amount, Decimal(r.clawback_balance))
        if held:
            withheld.append((r.id, held))
            amount -= held
            basis += f"; {held} withheld towards an overpayment"
        yield {
            "cycle_id": cycle.id,
            "county_code": county,
            "township_code": r.township_code,
            "village_code": r.village_code,
            "scheme": "dibao",
            "beneficiary": str(r.id),
            "household_id": r.household_id,
            "month": month,
            "attempt": 1,
            "payee_name": r.payee_name,
            "payee_id_number": r.payee_id_number,
            "bank_name": r.bank_name,
            "bank_account": r.bank_account,
            "amount": amount,
            "basis": basis,
            "status": "due",
            "failure_reason": None,
            "updated_at": now,
        }


def approve(uow: UnitOfWork, cycle: PaymentCycle) -> None:
    """A second officer approves (复核); the preparer never approves their own cycle."""
    principal = uow.principal
    role = CYCLE.check(CycleStatus(cycle.status), CycleStatus.approved, principal)
    if principal.subject == cycle.prepared_by:
        raise Forbidden("the officer who prepared the cycle may not approve it")
    _move(
        uow,
        cycle,
        CycleStatus.approved,
        role,
        approved_by=principal.subject,
        approved_at=utcnow(),
    )


def pay(uow: UnitOfWork, cycle: PaymentCycle) -> None:
    role = CYCLE.check(CycleStatus(cycle.status), CycleStatus.paid, uow.principal)
    Lines(uow.session, None).send_due(cycle)
    _move(uow, cycle, CycleStatus.paid, role, paid_by=uow.principal.subject, paid_at=utcnow())


def _move(uow: UnitOfWork, cycle: PaymentCycle, to: CycleStatus, role: Role, **values: Any) -> None:
    current = CycleStatus(cycle.status)
    if Cycles(uow.session, None).move(cycle, to.value, **values) != 1:
        raise Conflict("the cycle was moved by someone else meanwhile; read it again")
    record_step(uow.session, CYCLE, str(cycle.id), current, to, uow.principal, role)
    uow.session.flush()
    uow.session.refresh(cycle)


def fail(uow: UnitOfWork, line: PaymentLine, reason: str) -> None:
    """The bank returned the payment (账户异常, 户名不符, ...)."""
    if not uow.principal.has(Role.county_civil):
        raise Forbidden("payment failures are recorded by county_civil")
    if line.status != "sent":
        raise Conflict(f"only a sent payment can fail; this one is {line.status}")
    line.status, line.failure_reason, line.updated_at = "failed", reason, utcnow()
    Lines(uow.session, None).add(line, flush=True)


def reissue(uow: UnitOfWork, line: PaymentLine, bank_account: str | None) -> PaymentLine:
    """A failed payment is re-issued once, in the county's next cycle."""
    if not uow.principal.has(Role.county_civil):
        raise Forbidden("re-issues are ordered by county_civil")
    if line.status != "failed":
        raise Conflict(f"only a failed payment can be re-issued; this one is {line.status}")
    if line.attempt > 1:
        raise Conflict("this payment is already a re-issue; a payment is re-issued once")
    lines = Lines(uow.session, None)
    again = lines.reissue_of(line)
    if again is not None:
        raise Conflict(f"already re-issued as payment line {again}")
    new = PaymentLine(
        **line.model_dump(
            exclude={
                "id",
                "cycle_id",
                "attempt",
                "status",
                "failure_reason",
                "updated_at",
                "bank_account",
                "basis",
            }
        ),
        cycle_id=None,
        attempt=2,
        status="waiting_reissue",
        bank_account=bank_account or line.bank_account,
        basis=f"re-issue of payment line {line.id}",
    )
    if not lines.add_new(new):
        # Re-issued at the same moment by another request, which committed first.
        raise Conflict("already re-issued; a payment is re-issued once")
    line.status, line.updated_at = "reissued", utcnow()
    lines.add(line, flush=True)
    return new
