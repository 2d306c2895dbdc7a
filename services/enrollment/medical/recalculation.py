"""Resident medical contributions already recorded (ENR-M2, ENR-M3), recomputed when the county
publishes a figure that takes effect before the day it is published
(shared.policy.recalculation).

The rule reads its figures on 1 January of the contribution year, so the years recomputed are
those whose 1 January is on or after the set's first effective date and not after today
(services/enrollment/recalculation.py): a figure effective 2026-01-01 published in March 2026
changes the 2026 contributions; one effective 2025-07-01 changes none of 2025's, only later
years'. Each recorded contribution of the county's people for those years is decided again with
today's facts under the policy without this set and with it; where the set changes its funding,
the row is recorded again as now due (`compute_and_record`, which replaces it in place), and
where the public funding (contribution less what the person pays) differs from what the stored
row funded, one adjustment cites both traces: positive, back-pay (public funds owe more of the
contribution: a person who paid a share paid too much of it); negative, a claw-back. A shift
between funds alone (a higher fixed subsidy for a registered poor person, who pays nothing either
way) is recorded on the row, with no adjustment. A second run finds the row as now due and
changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.enrollment.medical.models import MedicalContribution
from services.enrollment.medical.repository import contributions_of_years
from services.enrollment.medical.rules import (
    MedicalContributionFunding,
    medical_contribution_funding,
)
from services.enrollment.medical.service import FUNDS, compute_and_record, facts_for
from services.enrollment.recalculation import adjust, touches, years_read
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided, policy_without
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Params
from shared.uow import UnitOfWork

SCHEME = "medical_contribution"
# Every figure the rule reads is under this prefix.
PREFIX = "enrollment.medical."


def recalculate_medical_contributions(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """ENR-M2, ENR-M3: the county's recorded contributions of the years the set is read for,
    funded again under the policy as published; one adjustment per changed public funding."""
    years = years_read(since, uow.today())
    if not years or not touches(publication, PREFIX):
        return []
    before = policy_without(uow, publication)
    county = publication.county_code
    out: list[PolicyAdjustment] = []
    for row, person, household in contributions_of_years(
        uow.session, county, years.start, years.stop - 1
    ):
        on = date(row.year, 1, 1)
        facts = facts_for(uow, person, household, row.year)
        due = medical_contribution_funding(facts, uow.params(household.county_code, on))
        without = medical_contribution_funding(facts, Params(before, household.county_code, on))
        if _amounts(without) == _amounts(due):
            continue  # this set does not change the person's funding
        if _amounts(row) == _amounts(due):
            continue  # recorded as now due already (a second run, or read since)
        # The row is replaced in place: what it funded and its trace are kept first.
        paid, old_trace = _public(row), dict(row.trace)
        funding, trace = compute_and_record(uow, person, household, row.year)
        adjustment = adjust(
            uow,
            publication,
            Decided(
                scheme=SCHEME,
                subject=f"{person.id}/{row.year}",
                county_code=county,
                period=on,
                paid=paid,
                due=_public(funding),
                old_trace=old_trace,
                new_trace=trace.model_dump(mode="json"),
                person_id=person.id,
                household_id=household.id,
                township_code=household.township_code,
            ),
        )
        if adjustment is not None:
            out.append(adjustment)
    return out


def _amounts(funding: MedicalContributionFunding | MedicalContribution) -> tuple[Decimal, ...]:
    return tuple(Decimal(getattr(funding, name)) for name in FUNDS)


def _public(funding: MedicalContributionFunding | MedicalContribution) -> Decimal:
    """What public funds (province, prefecture/county, medical assistance) pay of it."""
    return Decimal(funding.contribution) - Decimal(funding.person_pays)
