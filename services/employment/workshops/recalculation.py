"""Worker-years already paid (EMP-5), recomputed when the county publishes a workshop figure
that takes effect before the day it is published (shared.policy.recalculation).

A claim reads its figures on its day (rules.claim_day), so every worker-year of a claim of that
day or later is recomputed: the same rule, applied to the worker-year as it was paid (a
registered poor worker on this workshop's roll through that employment year), under the figures
in force on the claim's day as now published. What the roll says today does not reopen the
eligibility the claim decided; only the figures are new. Paid is the payment and what earlier
recalculations of it added; the old trace is the claim's (it decided every worker-year of the
claim on the one figure the adjustment names)."""

from __future__ import annotations

from datetime import date

from services.employment.recalculation import regranted
from services.employment.workshops.repository import households_on_rolls, recomputable
from services.employment.workshops.rules import (
    Spell,
    WorkerFacts,
    claim_day,
    workshop_subsidy,
)
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Trace
from shared.uow import UnitOfWork

SCHEME = "workshop_subsidy"


def recalculate_worker_years(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """EMP-5: each paid worker-year of the county whose claim read figures in force from
    `since`, due again under the policy as published; one adjustment per changed amount."""
    county = publication.county_code
    rows = recomputable(uow.session, county, since, uow.today())
    households = households_on_rolls(uow.session, (w.id for _, _, w in rows if w.id is not None))
    out: list[PolicyAdjustment] = []
    for payment, claim, workshop in rows:
        assert payment.id is not None and workshop.id is not None
        as_of = claim_day(claim.year, claim.claimed_on)
        paid_year = WorkerFacts(
            payment.person_id, True, (Spell(payment.year_start, payment.year_end),)
        )
        trace = Trace()
        due = workshop_subsidy(
            [paid_year], payment.year, as_of, uow.params(claim.county_code, as_of), trace=trace
        ).total
        subject = str(payment.id)
        row = regranted(
            uow,
            publication,
            Decided(
                scheme=SCHEME,
                subject=subject,
                county_code=county,
                period=payment.year_start,
                paid=payment.amount,
                due=due,
                old_trace=claim.trace,
                new_trace=trace.out().model_dump(mode="json"),
                person_id=payment.person_id,
                household_id=households.get((workshop.id, payment.person_id)),
                township_code=workshop.township_code,
            ),
        )
        if row is not None:
            out.append(row)
    return out
