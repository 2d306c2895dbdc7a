"""Poverty workshops (EMP-5): workers on the roll, the subsidy claim per employment year (12
months from the hire, rules/workshops.py), and the per-township worker counts the monthly report
(EMP-9) uses.

A claim computes every worker's year with the pure rule (rules/workshops.py), then inserts one
payment per eligible worker-year, each in its own savepoint: a worker-year already paid (by an
earlier or a concurrent claim, of this workshop or another) violates the unique (person, year)
and is reported as already paid instead of paid again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.workshops.models import (
    PovertyWorkshop,
    WorkshopSubsidyClaim,
    WorkshopSubsidyPayment,
    WorkshopWorker,
)
from services.employment.workshops.rules import (
    Spell,
    WorkerFacts,
    WorkerYear,
    workshop_subsidy,
)
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.money import yuan
from shared.policy import PolicySet
from shared.trace import Params, Trace


def active_on(on: date) -> tuple:
    return (
        WorkshopWorker.start_on <= on,
        or_(col(WorkshopWorker.end_on).is_(None), col(WorkshopWorker.end_on) >= on),
    )


def load_workshop(
    session: Session, workshop_id: int, principal: Principal, *, lock: bool = False
) -> PovertyWorkshop:
    stmt = select(PovertyWorkshop).where(PovertyWorkshop.id == workshop_id)
    workshop = session.exec(stmt.with_for_update() if lock else stmt).first()
    if workshop is None:
        raise NotFound("no such poverty workshop")
    guard_area(principal, workshop.village_code or workshop.township_code)
    return workshop


def take_on(
    session: Session, workshop: PovertyWorkshop, person_id: str, start_on: date, who: Principal
) -> WorkshopWorker:
    """EMP-5: a registered poor person joins the workshop's roll."""
    if start_on < workshop.opened_on:
        raise invalid("start_on", "before the workshop opened", start_on.isoformat())
    person = registered_person(session, person_id, start_on, who)
    overlapping = session.exec(
        select(WorkshopWorker.id).where(
            WorkshopWorker.workshop_id == workshop.id,
            WorkshopWorker.person_id == person_id,
            or_(col(WorkshopWorker.end_on).is_(None), col(WorkshopWorker.end_on) >= start_on),
        )
    ).first()
    if overlapping is not None:
        raise Conflict("the person is already on this workshop's roll")
    row = WorkshopWorker(
        workshop_id=workshop.id,  # type: ignore[arg-type]
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        start_on=start_on,
        created_by=who.subject,
    )
    session.add(row)
    session.flush()
    return row


def leave(session: Session, row: WorkshopWorker, end_on: date) -> WorkshopWorker:
    if row.end_on is not None:
        raise Conflict(f"the worker left on {row.end_on.isoformat()}")
    if end_on < row.start_on:
        raise invalid("end_on", "before the worker started", end_on.isoformat())
    row.end_on = end_on
    session.add(row)
    return row


@dataclass
class ClaimResult:
    claim: WorkshopSubsidyClaim | None
    paid: list[WorkshopSubsidyPayment] = field(default_factory=list)
    already_paid: list[WorkshopSubsidyPayment] = field(default_factory=list)
    not_eligible: list[WorkerYear] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)


def claim(
    session: Session,
    policy: PolicySet,
    workshop: PovertyWorkshop,
    year: int,
    today: date,
    who: Principal,
) -> ClaimResult:
    """EMP-5: the workshop's subsidy for the employment years of its workers begun in calendar
    `year` up to `today`; pays each eligible worker-year not paid before."""
    if year > today.year:
        raise invalid("year", "a year that has not begun", year)
    as_of = min(today, date(year, 12, 31))
    # The workers on this roll at some time in the year up to the claim day...
    here = session.exec(
        select(WorkshopWorker.person_id).where(
            WorkshopWorker.workshop_id == workshop.id,
            WorkshopWorker.start_on <= as_of,
            or_(
                col(WorkshopWorker.end_on).is_(None), col(WorkshopWorker.end_on) >= date(year, 1, 1)
            ),
        )
    ).all()
    # ... and all their spells on any roll: their employment years run from their first hire.
    rows = session.exec(
        select(WorkshopWorker).where(
            col(WorkshopWorker.person_id).in_(sorted(set(here))),
            WorkshopWorker.start_on <= as_of,
        )
    ).all()
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
        facts, year, as_of, Params(policy, workshop.county_code, as_of), trace=trace
    )
    result = ClaimResult(claim=None, trace=trace)
    eligible = [w for w in decision.workers if w.eligible]
    result.not_eligible = [w for w in decision.workers if not w.eligible]
    if not eligible:
        return result
    record = WorkshopSubsidyClaim(
        workshop_id=workshop.id,  # type: ignore[arg-type]
        county_code=workshop.county_code,
        year=year,
        claimed_on=today,
        amount=yuan(0),
        worker_years_paid=0,
        created_by=who.subject,
    )
    session.add(record)
    session.flush()
    for w in eligible:
        assert w.year_start is not None and w.year_end is not None
        payment = WorkshopSubsidyPayment(
            claim_id=record.id,  # type: ignore[arg-type]
            workshop_id=workshop.id,  # type: ignore[arg-type]
            person_id=w.person_id,
            year=w.year_start.year,
            year_start=w.year_start,
            year_end=w.year_end,
            amount=w.amount,
        )
        try:
            with session.begin_nested():
                session.add(payment)
        except IntegrityError:
            earlier = session.exec(
                select(WorkshopSubsidyPayment).where(
                    WorkshopSubsidyPayment.person_id == w.person_id,
                    WorkshopSubsidyPayment.year == w.year_start.year,
                )
            ).one()
            result.already_paid.append(earlier)
            continue
        result.paid.append(payment)
    trace.step(
        "EMP-5",
        "worker-years paid once: new ones paid, earlier ones reported",
        paid=len(result.paid),
        already_paid=len(result.already_paid),
    )
    if not result.paid:
        session.delete(record)
        session.flush()
        return result
    record.amount = sum((p.amount for p in result.paid), Decimal("0.00"))
    record.worker_years_paid = len(result.paid)
    record.trace = trace.out().model_dump(mode="json")
    session.add(record)
    session.flush()
    result.claim = record
    return result


def workers_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-5, EMP-9: township code (the worker's) → registered poor on a workshop roll on `on`."""
    rows = session.exec(
        select(WorkshopWorker.township_code, func.count(func.distinct(WorkshopWorker.person_id)))
        .where(WorkshopWorker.county_code == county, *active_on(on))
        .group_by(WorkshopWorker.township_code)
    ).all()
    return {t: int(n) for t, n in rows}


def in_workshop(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    stmt = select(WorkshopWorker.person_id).where(*active_on(on))
    if person_ids is not None:
        stmt = stmt.where(col(WorkshopWorker.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
