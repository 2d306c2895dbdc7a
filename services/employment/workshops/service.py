"""Poverty workshops (EMP-5): workers on the roll, the subsidy claim per employment year (12
months from the hire, rules/workshops.py).

A claim computes every worker's year with the pure rule (rules/workshops.py), then inserts one
payment per eligible worker-year, each in its own savepoint: a worker-year already paid (by an
earlier or a concurrent claim, of this workshop or another) violates the unique (person, year)
and is reported as already paid instead of paid again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.workshops.models import (
    PovertyWorkshop,
    WorkshopSubsidyClaim,
    WorkshopSubsidyPayment,
    WorkshopWorker,
)
from services.employment.workshops.repository import Claims, Payments, Workers, Workshops
from services.employment.workshops.rules import (
    Spell,
    WorkerFacts,
    WorkerYear,
    claim_day,
    workshop_subsidy,
)
from services.employment.workshops.schemas import WorkshopIn
from shared.errors import Conflict
from shared.money import yuan
from shared.trace import Trace
from shared.uow import UnitOfWork


def create_workshop(uow: UnitOfWork, body: WorkshopIn) -> PovertyWorkshop:
    guard_area(uow.principal, body.village_code or body.township_code)
    workshop = PovertyWorkshop(
        **body.model_dump(), county_code=body.township_code[:6], created_by=uow.actor
    )
    return Workshops(uow.session, uow.principal).add(workshop, flush=True)


def take_on(uow: UnitOfWork, workshop_id: int, person_id: str, start_on: date) -> WorkshopWorker:
    """EMP-5: a registered poor person joins the workshop's roll."""
    workshop = Workshops(uow.session, uow.principal).get_or_404(workshop_id, lock=True)
    if start_on < workshop.opened_on:
        raise invalid("start_on", "before the workshop opened", start_on.isoformat())
    person = registered_person(uow, person_id, start_on)
    workers = Workers(uow.session, uow.principal)
    if workers.overlapping(workshop.id, person_id, start_on) is not None:
        raise Conflict("the person is already on this workshop's roll")
    row = WorkshopWorker(
        workshop_id=workshop_id,
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        start_on=start_on,
        created_by=uow.actor,
    )
    return workers.add(row, flush=True)


def workers_of(uow: UnitOfWork, workshop_id: int) -> list[WorkshopWorker]:
    """The workshop's roll in the caller's jurisdiction (404 if the workshop is not)."""
    Workshops(uow.session, uow.principal).get_or_404(workshop_id)
    return Workers(uow.session, uow.principal).on_roll(workshop_id)


def leave(uow: UnitOfWork, workshop_id: int, worker_id: int, end_on: date) -> WorkshopWorker:
    Workshops(uow.session, uow.principal).get_or_404(workshop_id, lock=True)
    workers = Workers(uow.session, uow.principal)
    row = workers.on_roll_or_404(workshop_id, worker_id)
    if row.end_on is not None:
        raise Conflict(f"the worker left on {row.end_on.isoformat()}")
    if end_on < row.start_on:
        raise invalid("end_on", "before the worker started", end_on.isoformat())
    row.end_on = end_on
    return workers.add(row)


def payments_of(uow: UnitOfWork, workshop_id: int) -> list[WorkshopSubsidyPayment]:
    """The worker-years paid to the workshop (404 if it is outside the caller's jurisdiction)."""
    Workshops(uow.session, uow.principal).get_or_404(workshop_id)
    return Payments(uow.session, None).of_workshop(workshop_id)


@dataclass
class ClaimResult:
    claim: WorkshopSubsidyClaim | None
    paid: list[WorkshopSubsidyPayment] = field(default_factory=list)
    already_paid: list[WorkshopSubsidyPayment] = field(default_factory=list)
    not_eligible: list[WorkerYear] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)


def claim(uow: UnitOfWork, workshop_id: int, year: int) -> ClaimResult:
    """EMP-5: the workshop's subsidy for the employment years of its workers begun in calendar
    `year` up to today; pays each eligible worker-year not paid before."""
    workshop = Workshops(uow.session, uow.principal).get_or_404(workshop_id, lock=True)
    today = uow.today()
    if year > today.year:
        raise invalid("year", "a year that has not begun", year)
    as_of = claim_day(year, today)
    # The workers on this roll at some time in the year up to the claim day, and all their
    # spells on any roll: their employment years run from their first hire.
    rows = Workers(uow.session, None).spells_for_claim(workshop.id, year, as_of)
    spells: dict[str, list[Spell]] = {}
    poor: dict[str, bool] = {}
    for r in rows:
        is_here = r.workshop_id == workshop.id
        spells.setdefault(r.person_id, []).append(Spell(r.start_on, r.end_on, is_here))
        if is_here:
            poor[r.person_id] = poor.get(r.person_id, False) or r.registered_poor
    facts = [WorkerFacts(p, poor[p], tuple(s)) for p, s in sorted(spells.items())]
    trace = Trace()
    decision = workshop_subsidy(
        facts, year, as_of, uow.params(workshop.county_code, as_of), trace=trace
    )
    result = ClaimResult(claim=None, trace=trace)
    eligible = [w for w in decision.workers if w.eligible]
    result.not_eligible = [w for w in decision.workers if not w.eligible]
    if not eligible:
        return result
    claims = Claims(uow.session, None)
    payments = Payments(uow.session, None)
    record = claims.add(
        WorkshopSubsidyClaim(
            workshop_id=workshop_id,
            county_code=workshop.county_code,
            year=year,
            claimed_on=today,
            amount=yuan(0),
            worker_years_paid=0,
            created_by=uow.actor,
        ),
        flush=True,
    )
    assert record.id is not None
    for w in eligible:
        assert w.year_start is not None and w.year_end is not None
        payment = WorkshopSubsidyPayment(
            claim_id=record.id,
            workshop_id=workshop_id,
            person_id=w.person_id,
            year=w.year_start.year,
            year_start=w.year_start,
            year_end=w.year_end,
            amount=w.amount,
        )
        if not payments.add_new(payment):
            result.already_paid.append(payments.of_worker_year(w.person_id, w.year_start.year))
            continue
        result.paid.append(payment)
    trace.step(
        "EMP-5",
        "worker-years paid once: new ones paid, earlier ones reported",
        paid=len(result.paid),
        already_paid=len(result.already_paid),
    )
    if not result.paid:
        claims.discard(record)
        return result
    record.amount = sum((p.amount for p in result.paid), Decimal("0.00"))
    record.worker_years_paid = len(result.paid)
    record.trace = trace.out().model_dump(mode="json")
    claims.add(record, flush=True)
    result.claim = record
    return result
