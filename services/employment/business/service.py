"""Entrepreneurship (EMP-6): recording business starts (employment.business_started, once per
business), granting the one-off start-up subsidy once per person ever, and loan applications
checked against the caps; per-township counts for the monthly report (EMP-9).

The subsidy row is unique per person: a repeated or concurrent grant for the same person hits the
constraint inside a savepoint and answers 409 naming the grant already made."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.employment.business.models import (
    BusinessLoanApplication,
    BusinessStart,
    BusinessSubsidy,
)
from services.employment.business.repository import Businesses, Loans, Subsidies
from services.employment.business.rules import (
    Borrower,
    BusinessFacts,
    LoanKind,
    loan_check,
    startup_subsidy,
)
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.registry.repository import RegistryPeople
from shared.errors import Conflict, FieldError, InvalidInput
from shared.events.employment import BusinessStarted
from shared.trace import Trace
from shared.uow import UnitOfWork


def start(uow: UnitOfWork, person_id: str, fields: dict[str, Any]) -> BusinessStart:
    """EMP-6: a registered poor person started a business; published once."""
    started_on: date = fields["started_on"]
    person = registered_person(uow, person_id, started_on)
    businesses = Businesses(uow.session, uow.principal)
    earlier = businesses.earlier_start(person_id, started_on)
    business = BusinessStart(
        id=str(uuid.uuid4()),
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        created_by=uow.actor,
        **{**fields, "first_business": fields.get("first_business", True) and earlier is None},
    )
    if not businesses.add_new(business):
        raise Conflict("this business start is already recorded")
    uow.publish(
        BusinessStarted(
            person_id=person.person_id,
            household_id=person.household_id,
            county_code=person.county_code,
            business_id=business.id,
            started_on=started_on,
        ),
        key=person.household_id,
        subject=f"business/{business.id}",
    )
    return business


def close(uow: UnitOfWork, business_id: str, closed_on: date) -> BusinessStart:
    businesses = Businesses(uow.session, uow.principal)
    business = businesses.get_or_404(business_id, lock=True)
    if business.closed_on is not None:
        raise Conflict(f"the business closed on {business.closed_on.isoformat()}")
    if closed_on < business.started_on:
        raise invalid("closed_on", "before the business started", closed_on.isoformat())
    business.closed_on = closed_on
    businesses.add(business)
    return business


def _status_on(uow: UnitOfWork, person_id: str, on: date) -> str | None:
    people = RegistryPeople(uow.session, None)
    status = people.status_on(person_id, on)
    if status is None:
        person = people.find(person_id)
        status = person.poverty_status if person is not None else None
    return status


def grant_subsidy(uow: UnitOfWork, business_id: str) -> BusinessSubsidy:
    """EMP-6: the one-off start-up subsidy, once per person ever (409 when granted before)."""
    business = Businesses(uow.session, uow.principal).get_or_404(business_id, lock=True)
    on = uow.today()
    subsidies = Subsidies(uow.session, None)
    before = subsidies.of_person(business.person_id)
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
        poverty_status=_status_on(uow, business.person_id, on),
        already_granted=False,
    )
    trace = Trace()
    decision = startup_subsidy(facts, on, uow.params(business.county_code, on), trace=trace)
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
        granted_by=uow.actor,
    )
    if not subsidies.add_new(grant):
        raise Conflict(
            "the one-off entrepreneurship subsidy was granted to this person meanwhile; it is "
            "granted once (EMP-6)"
        )
    return grant


def apply_for_loan(uow: UnitOfWork, fields: dict[str, Any]) -> BusinessLoanApplication:
    """EMP-6: record a loan application with its check against the caps."""
    on: date = fields["applied_on"]
    person = registered_person(uow, fields["person_id"], on)
    business_id = fields.get("business_id")
    if business_id is not None:
        business = Businesses(uow.session, None).find(business_id)
        if business is None or business.person_id != person.person_id:
            raise invalid("business_id", "no such business of this person", business_id)
    trace = Trace()
    check = loan_check(
        LoanKind(fields["loan_kind"]),
        Borrower(fields["borrower"]),
        fields["amount"],
        fields["term_months"],
        uow.params(person.county_code, on),
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
        created_by=uow.actor,
    )
    return Loans(uow.session, uow.principal).add(app, flush=True)


def decide_loan(
    uow: UnitOfWork, loan_id: int, approve: bool, reason: str | None
) -> BusinessLoanApplication:
    """EMP-6: approve (only within the caps) or reject with the reason; decided once."""
    loans = Loans(uow.session, uow.principal)
    app = loans.get_or_404(loan_id, lock=True)
    on = uow.today()
    if approve and not app.within_caps:
        steps = app.check_trace.get("steps", [])
        why = steps[-1]["text"] if steps else "outside the caps"
        raise Conflict(f"the application is outside the caps and cannot be approved: {why}")
    if not approve and not (reason or "").strip():
        raise invalid("reason", "a rejection needs its reason")
    if on < app.applied_on:
        raise invalid("decided_on", "before the application", on.isoformat())
    status = "approved" if approve else "rejected"
    decided = loans.decide(
        app,
        {
            "status": status,
            "decision_reason": reason or ("within the caps (EMP-6)" if approve else None),
            "decided_on": on,
            "decided_by": uow.actor,
        },
    )
    if not decided:
        raise Conflict(f"the application was already decided ({app.status})")
    return app
