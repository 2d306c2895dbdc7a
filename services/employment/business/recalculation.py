"""One-off entrepreneurship subsidies already granted (EMP-6), recomputed when the county
publishes a figure that takes effect before the day it is published
(shared.policy.recalculation).

A grant reads its figures on the day it is made, so every grant of the county from the day the
figure takes effect is decided again by the same rule, on that day, with the facts as the grant
saw them: the business as recorded (a closure after the grant day did not exist then) and the
registry status its trace records. A figure that now makes the grant ineligible (a longer stable
period) makes all of it due back: the claw-back stays open until the county recovers or writes
it off."""

from __future__ import annotations

from datetime import date

from services.employment.business.repository import granted_since
from services.employment.business.rules import EMP_6, BusinessFacts, startup_subsidy
from services.employment.recalculation import decided_figure, regranted
from services.employment.registry.repository import RegistryPeople
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Trace
from shared.uow import UnitOfWork

SCHEME = "business_subsidy"


def recalculate_business_subsidies(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """EMP-6: each one-off entrepreneurship subsidy of the county granted from `since`, due
    again under the policy as published; one adjustment per changed amount."""
    county = publication.county_code
    people = RegistryPeople(uow.session, None)
    out: list[PolicyAdjustment] = []
    for subsidy, business in granted_since(uow.session, county, since, uow.today()):
        assert subsidy.id is not None
        on = subsidy.granted_on
        status = decided_figure(subsidy.trace, EMP_6, "poverty_status")
        if status is None:
            status = people.status_on(subsidy.person_id, on)
        closed = business.closed_on
        facts = BusinessFacts(
            started_on=business.started_on,
            closed_on=closed if closed is not None and closed <= on else None,
            in_county=business.in_county,
            first_business=business.first_business,
            poverty_status=status,
            already_granted=False,
        )
        trace = Trace()
        due = startup_subsidy(facts, on, uow.params(subsidy.county_code, on), trace=trace).amount
        subject = str(subsidy.id)
        row = regranted(
            uow,
            publication,
            Decided(
                scheme=SCHEME,
                subject=subject,
                county_code=county,
                period=on,
                paid=subsidy.amount,
                due=due,
                old_trace=subsidy.trace,
                new_trace=trace.out().model_dump(mode="json"),
                person_id=subsidy.person_id,
                household_id=business.household_id,
                township_code=business.township_code,
            ),
        )
        if row is not None:
            out.append(row)
    return out
