"""The monthly payment cycle per county (WEL-3, WEL-5):

1. prepared — households whose gradual exit closed leave dibao; every household on dibao in the
   month is rechecked (a living member, in force that month) and its amount taken from the case,
   recomputed by the rules when a parameter in force changed since it was computed (a new
   year's standard), which is recorded on the case and published as dibao_changed; re-issues
   of failed payments waiting in the county join the cycle;
2. approved by a second officer, never the preparer — the cycle is then frozen: later changes to
   a household reach the next month's cycle, not this one;
3. paid: the bank file is issued; the bank's failures are recorded per line and a failed line
   may be re-issued once, in the next cycle.

Running a month twice pays once: a cycle is unique per county and month, a line per scheme,
beneficiary, month and attempt. The lines are written with set-based statements, so a county of
200,000 households is prepared in seconds (bench/payments.py)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlmodel import Session

from services.welfare.dibao import cases
from services.welfare.dibao.facts import compute, current_key, member_facts
from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.rules import DibaoCategory
from services.welfare.payments.models import PaymentCycle, PaymentLine
from services.welfare.workflow import Workflow, record_step
from shared.auth import Principal, Role
from shared.bus.tables import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.money import ZERO
from shared.policy import PolicySet

C = DibaoCase.__table__  # type: ignore[attr-defined]
L = PaymentLine.__table__  # type: ignore[attr-defined]
CHUNK = 5000


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


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def load(
    session: Session, cycle_id: int, principal: Principal, *, lock: bool = False
) -> PaymentCycle:
    stmt = select(PaymentCycle).where(PaymentCycle.id == cycle_id)  # type: ignore[arg-type]
    if lock:
        stmt = stmt.with_for_update()
    cycle = session.execute(stmt).scalar()
    if cycle is None:
        raise NotFound("no such payment cycle")
    # The county's cycle: the townships and villages inside it read it too (their lines only).
    if not principal.scope.startswith(cycle.county_code):
        principal.guard(cycle.county_code)
    return cycle


@dataclass
class Prepared:
    cycle: PaymentCycle
    created: bool


def prepare(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    county: str,
    month: date,
    principal: Principal,
    today: date,
) -> Prepared:
    if not principal.has(Role.county_civil):
        raise Forbidden("payment cycles are prepared by county_civil")
    principal.guard(county)
    if month > today.replace(day=1):
        raise Conflict(f"{month:%Y-%m} has not begun; a cycle is prepared in or after its month")
    existing = session.execute(
        select(PaymentCycle).where(PaymentCycle.county_code == county, PaymentCycle.month == month)  # type: ignore[arg-type]
    ).scalar()
    if existing is not None:
        return Prepared(existing, False)
    cycle = PaymentCycle(
        county_code=county,
        month=month,
        status=CycleStatus.prepared.value,
        total=ZERO,
        prepared_by=principal.subject,
    )
    session.add(cycle)
    session.flush()
    ended = cases.expire_gradual_exits(session, policy, publish_kwargs, county, month, principal)
    recomputed = _recompute_changed(session, policy, publish_kwargs, county, month, principal)
    dibao_lines = _insert_dibao_lines(session, cycle, county, month)
    reissues = session.execute(
        update(PaymentLine)
        .where(
            PaymentLine.county_code == county,  # type: ignore[arg-type]
            PaymentLine.status == "waiting_reissue",  # type: ignore[arg-type]
            PaymentLine.cycle_id.is_(None),  # type: ignore[union-attr]
        )
        .values(cycle_id=cycle.id, status="due", updated_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(L.c.amount), 0)).where(L.c.cycle_id == cycle.id)
    ).one()
    notes = {
        "dibao_lines": dibao_lines,
        "reissued_lines": reissues,
        "gradual_exits_ended": ended,
        "amounts_recomputed": recomputed,
    }
    session.execute(
        update(PaymentCycle)
        .where(PaymentCycle.id == cycle.id)  # type: ignore[arg-type]
        .values(lines=count, total=Decimal(total), notes=notes)
    )
    record_step(
        session,
        CYCLE,
        str(cycle.id),
        None,
        CycleStatus.prepared,
        principal,
        Role.county_civil,
        note=f"prepared {count} lines",
        data=notes | {"total": str(Decimal(total))},
    )
    session.flush()
    session.refresh(cycle)
    return Prepared(cycle, True)


def _on_dibao_in(county: str, month: date) -> Any:
    return and_(
        C.c.county_code == county,
        C.c.status.in_(cases.ON_DIBAO),
        C.c.effective_from <= month_end(month),
    )


def _recompute_changed(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    county: str,
    month: date,
    principal: Principal,
) -> int:
    """Households whose amount was computed on parameters no longer in force are recomputed
    (e.g. the new year's standard, WEL-3); the others keep their amount."""
    keys = session.execute(
        select(C.c.policy_key).where(_on_dibao_in(county, month)).distinct()
    ).scalars()
    stale = [k for k in keys if current_key(policy, county, month, k) != k]
    changed = 0
    for key in stale:
        ids = session.execute(
            select(C.c.id).where(_on_dibao_in(county, month), C.c.policy_key == key)
        ).scalars()
        for case_id in list(ids):
            case = session.get(DibaoCase, case_id, with_for_update=True)
            assert case is not None
            computed = compute(
                policy,
                county,
                month,
                member_facts(case.members, month),
                Decimal(case.annual_income),
                DibaoCategory(case.category),
            )
            if not computed.benefit.eligible:
                cases.end_case(
                    session,
                    publish_kwargs,
                    case,
                    month,
                    f"no longer below the standard: {computed.benefit.reason}",
                    principal,
                    Role.county_civil,
                )
            else:
                cases.change_case(
                    session,
                    policy,
                    publish_kwargs,
                    case,
                    month,
                    members=case.members,
                    annual_income=Decimal(case.annual_income),
                    category=DibaoCategory(case.category),
                    outcome="recompute",
                    reason="parameters in force changed (WEL-3): amount recomputed",
                    principal=principal,
                    role=Role.county_civil,
                    review_date=None,
                )
            changed += 1
    return changed


def _insert_dibao_lines(session: Session, cycle: PaymentCycle, county: str, month: date) -> int:
    rows = session.execute(
        select(
            C.c.id,
            C.c.household_id,
            C.c.township_code,
            C.c.village_code,
            C.c.payee_name,
            C.c.payee_id_number,
            C.c.bank_name,
            C.c.bank_account,
            C.c.monthly_amount,
            C.c.version,
        )
        .where(_on_dibao_in(county, month), C.c.monthly_amount > 0)
        .order_by(C.c.id)
    )
    now = utcnow()

    def values() -> Iterator[dict[str, Any]]:
        for r in rows:
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
                "amount": r.monthly_amount,
                "basis": f"dibao_case {r.id} v{r.version} (WEL-3)",
                "status": "due",
                "failure_reason": None,
                "updated_at": now,
            }

    return _insert_chunks(session, values())


def _insert_chunks(session: Session, values: Iterator[dict[str, Any]]) -> int:
    n, chunk = 0, []
    for v in values:
        chunk.append(v)
        if len(chunk) >= CHUNK:
            session.execute(insert(L), chunk)
            n, chunk = n + len(chunk), []
    if chunk:
        session.execute(insert(L), chunk)
        n += len(chunk)
    return n


def approve(session: Session, cycle: PaymentCycle, principal: Principal) -> None:
    """A second officer approves (复核); the preparer never approves their own cycle."""
    role = CYCLE.check(CycleStatus(cycle.status), CycleStatus.approved, principal)
    if principal.subject == cycle.prepared_by:
        raise Forbidden("the officer who prepared the cycle may not approve it")
    _move(
        session,
        cycle,
        CycleStatus.approved,
        principal,
        role,
        approved_by=principal.subject,
        approved_at=utcnow(),
    )


def pay(session: Session, cycle: PaymentCycle, principal: Principal) -> None:
    role = CYCLE.check(CycleStatus(cycle.status), CycleStatus.paid, principal)
    session.execute(
        update(PaymentLine)
        .where(PaymentLine.cycle_id == cycle.id, PaymentLine.status == "due")  # type: ignore[arg-type]
        .values(status="sent", updated_at=utcnow())
    )
    _move(
        session,
        cycle,
        CycleStatus.paid,
        principal,
        role,
        paid_by=principal.subject,
        paid_at=utcnow(),
    )


def _move(
    session: Session,
    cycle: PaymentCycle,
    to: CycleStatus,
    principal: Principal,
    role: Role,
    **values: Any,
) -> None:
    current = CycleStatus(cycle.status)
    moved = session.execute(
        update(PaymentCycle)
        .where(PaymentCycle.id == cycle.id, PaymentCycle.status == current.value)  # type: ignore[arg-type]
        .values(status=to.value, updated_at=utcnow(), **values)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the cycle was moved by someone else meanwhile; read it again")
    record_step(session, CYCLE, str(cycle.id), current, to, principal, role)
    session.flush()
    session.refresh(cycle)


def load_line(session: Session, line_id: int, principal: Principal) -> PaymentLine:
    line = session.execute(
        select(PaymentLine).where(PaymentLine.id == line_id).with_for_update()  # type: ignore[arg-type]
    ).scalar()
    if line is None:
        raise NotFound("no such payment line")
    principal.guard(line.village_code)
    return line


def fail(session: Session, line: PaymentLine, reason: str, principal: Principal) -> None:
    """The bank returned the payment (账户异常, 户名不符, ...)."""
    if not principal.has(Role.county_civil):
        raise Forbidden("payment failures are recorded by county_civil")
    if line.status != "sent":
        raise Conflict(f"only a sent payment can fail; this one is {line.status}")
    line.status, line.failure_reason, line.updated_at = "failed", reason, utcnow()
    session.add(line)
    session.flush()


def reissue(
    session: Session, line: PaymentLine, principal: Principal, bank_account: str | None
) -> PaymentLine:
    """A failed payment is re-issued once, in the county's next cycle."""
    if not principal.has(Role.county_civil):
        raise Forbidden("re-issues are ordered by county_civil")
    if line.status != "failed":
        raise Conflict(f"only a failed payment can be re-issued; this one is {line.status}")
    if line.attempt > 1:
        raise Conflict("this payment is already a re-issue; a payment is re-issued once")
    again = session.execute(
        select(PaymentLine.id).where(  # type: ignore[call-overload]
            PaymentLine.scheme == line.scheme,
            PaymentLine.beneficiary == line.beneficiary,
            PaymentLine.month == line.month,
            PaymentLine.attempt == 2,
        )
    ).scalar()
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
    session.add(new)
    line.status, line.updated_at = "reissued", utcnow()
    session.add(line)
    session.flush()
    return new
