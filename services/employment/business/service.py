"""Entrepreneurship (EMP-6): recording business starts (employment.business_started, once per
business), granting the one-off start-up subsidy once per person ever, and loan applications
checked against the caps; per-township counts for the monthly report (EMP-9).

The subsidy row is unique per person: a repeated or concurrent grant for the same person hits the
constraint inside a savepoint and answers 409 naming the grant already made."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.employment.business.models import (
    BusinessLoanApplication,
    BusinessStart,
    BusinessSubsidy,
)
from services.employment.business.rules import (
    Borrower,
    BusinessFacts,
    LoanKind,
    loan_check,
    startup_subsidy,
)
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.registry.consumers import PROJECTION
from services.employment.registry.models import RegistryPerson
from shared.auth import Principal
from shared.bus.outbox import publish
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.events.employment import BusinessStarted
from shared.policy import PolicySet
from shared.trace import Params, Trace


def start(
    session: Session,
    publish_kwargs: dict[str, Any],
    person_id: str,
    fields: dict[str, Any],
    principal: Principal,
) -> BusinessStart:
    """EMP-6: a registered poor person started a business; published once."""
    started_on: date = fields["started_on"]
    person = registered_person(session, person_id, started_on, principal)
    earlier = session.exec(
        select(BusinessStart.id).where(
            BusinessStart.person_id == person_id, BusinessStart.started_on < started_on
        )
    ).first()
    business = BusinessStart(
        id=str(uuid.uuid4()),
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        created_by=principal.subject,
        **{**fields, "first_business": fields.get("first_business", True) and earlier is None},
    )
    try:
        with session.begin_nested():
            session.add(business)
    except IntegrityError:
        raise Conflict("this business start is already recorded") from None
    publish(
        session,
        BusinessStarted(
            person_id=person.person_id,
            household_id=person.household_id,
            county_code=person.county_code,
            business_id=business.id,
            started_on=started_on,
        ),
        key=person.household_id,
        subject=f"business/{business.id}",
        **publish_kwargs,
    )
    return business


def load_business(
    session: Session, business_id: str, principal: Principal, *, lock: bool = False
) -> BusinessStart:
    stmt = select(BusinessStart).where(BusinessStart.id == business_id)
    business = session.exec(stmt.with_for_update() if lock else stmt).first()
    if business is None:
        raise NotFound("no such business")
    principal.guard(business.village_code)
    return business


def close(session: Session, business: BusinessStart, closed_on: date) -> BusinessStart:
    if business.closed_on is not None:
        raise Conflict(f"the business closed on {business.closed_on.isoformat()}")
    if closed_on < business.started_on:
        raise invalid("closed_on", "before the business started", closed_on.isoformat())
    business.closed_on = closed_on
    session.add(business)
    return business


def subsidy_of(session: Session, person_id: str) -> BusinessSubsidy | None:
    return session.exec(
        select(BusinessSubsidy).where(BusinessSubsidy.person_id == person_id)
    ).first()


def _status_on(session: Session, person_id: str, on: date) -> str | None:
    status = PROJECTION.status_on(session, person_id, on)
    if status is None:
        person = session.get(RegistryPerson, person_id)
        status = person.poverty_status if person is not None else None
    return status


def grant_subsidy(
    session: Session, policy: PolicySet, business: BusinessStart, on: date, who: Principal
) -> BusinessSubsidy:
    """EMP-6: the one-off start-up subsidy, once per person ever (409 when granted before)."""
    before = subsidy_of(session, business.person_id)
    if before is not None:
        raise Conflict(
            f"the one-off entrepreneurship subsidy was granted to this person on "
            f"{before.granted_on.isoformat()} (subsidy {before.id}); it is granted once (EMP-6)"
        )
    facts = BusinessFacts(
        started_on=business.started_on,
        closed_on=business.closed_on,
        in_county=business.in_county,
        first_business=business.first_business,
        poverty_status=_status_on(session, business.person_id, on),
        already_granted=False,
    )
    trace = Trace()
    decision = startup_subsidy(facts, on, Params(policy, business.county_code, on), trace=trace)
    if not decision.eligible:
        raise InvalidInput(
            "the business does not qualify for the one-off entrepreneurship subsidy (EMP-6)",
            errors=[
                FieldError(field="business_id", reason=r, value=business.id)
                for r in decision.reasons
            ],
        )
    grant = BusinessSubsidy(
        person_id=business.person_id,
        business_id=business.id,
        county_code=business.county_code,
        amount=decision.amount,
        granted_on=on,
        trace=trace.out().model_dump(mode="json"),
        granted_by=who.subject,
    )
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:
        raise Conflict(
            "the one-off entrepreneurship subsidy was granted to this person meanwhile; it is "
            "granted once (EMP-6)"
        ) from None
    return grant


def apply_for_loan(
    session: Session, policy: PolicySet, fields: dict[str, Any], principal: Principal
) -> BusinessLoanApplication:
    """EMP-6: record a loan application with its check against the caps."""
    on: date = fields["applied_on"]
    person = registered_person(session, fields["person_id"], on, principal)
    business_id = fields.get("business_id")
    if business_id is not None:
        business = session.get(BusinessStart, business_id)
        if business is None or business.person_id != person.person_id:
            raise invalid("business_id", "no such business of this person", business_id)
    trace = Trace()
    check = loan_check(
        LoanKind(fields["loan_kind"]),
        Borrower(fields["borrower"]),
        fields["amount"],
        fields["term_months"],
        Params(policy, person.county_code, on),
        trace=trace,
    )
    app = BusinessLoanApplication(
        **fields,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        within_caps=check.within_caps,
        cap=check.cap,
        interest_subsidy_ratio=check.interest_subsidy_ratio,
        check_trace=trace.out().model_dump(mode="json"),
        created_by=principal.subject,
    )
    session.add(app)
    session.flush()
    return app


def load_loan(
    session: Session, loan_id: int, principal: Principal, *, lock: bool = False
) -> BusinessLoanApplication:
    stmt = select(BusinessLoanApplication).where(BusinessLoanApplication.id == loan_id)
    app = session.exec(stmt.with_for_update() if lock else stmt).first()
    if app is None:
        raise NotFound("no such loan application")
    principal.guard(app.village_code)
    return app


def decide_loan(
    session: Session,
    app: BusinessLoanApplication,
    approve: bool,
    reason: str | None,
    on: date,
    who: Principal,
) -> BusinessLoanApplication:
    """EMP-6: approve (only within the caps) or reject with the reason; decided once."""
    if approve and not app.within_caps:
        steps = app.check_trace.get("steps", [])
        why = steps[-1]["text"] if steps else "outside the caps"
        raise Conflict(f"the application is outside the caps and cannot be approved: {why}")
    if not approve and not (reason or "").strip():
        raise invalid("reason", "a rejection needs its reason")
    if on < app.applied_on:
        raise invalid("decided_on", "before the application", on.isoformat())
    status = "approved" if approve else "rejected"
    moved = session.execute(
        update(BusinessLoanApplication)
        .where(
            col(BusinessLoanApplication.id) == app.id, BusinessLoanApplication.status == "pending"
        )
        .values(
            status=status,
            decision_reason=reason or ("within the caps (EMP-6)" if approve else None),
            decided_on=on,
            decided_by=who.subject,
        )
    ).rowcount  # type: ignore[attr-defined]
    if moved != 1:
        raise Conflict(f"the application was already decided ({app.status})")
    session.refresh(app)
    return app


def _running(on: date) -> tuple:
    return (
        BusinessStart.started_on <= on,
        or_(col(BusinessStart.closed_on).is_(None), col(BusinessStart.closed_on) >= on),
    )


def businesses_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-6, EMP-9: township code → businesses of registered poor people running on `on`."""
    rows = session.exec(
        select(BusinessStart.township_code, func.count())
        .where(BusinessStart.county_code == county, *_running(on))
        .group_by(BusinessStart.township_code)
    ).all()
    return {t: int(n) for t, n in rows}


def running_business(
    session: Session, on: date, person_ids: Iterable[str] | None = None
) -> set[str]:
    stmt = select(BusinessStart.person_id).where(*_running(on))
    if person_ids is not None:
        stmt = stmt.where(col(BusinessStart.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
