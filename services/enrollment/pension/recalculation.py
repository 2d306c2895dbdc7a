"""Resident pension contribution subsidies already decided (ENR-P3, ENR-P4, ENR-P5),
recomputed when the county publishes a figure that takes effect before the day it is published
(shared.policy.recalculation).

The subsidy is not stored: it is what the rule gives for a paid line of the pension roll (its
tier) and the person as registered, with the figures read on 1 January of the year. So the years
recomputed are those whose 1 January is on or after the set's first effective date and not after
today (services/enrollment/recalculation.py): a figure effective 2026-01-01 published in March
2026 changes 2026; one effective 2025-07-01 changes nothing of 2025, only later years. Each paid
line of the county's people for those years is decided by the rule `service.subsidy` applies
(ENR-P1 eligibility, then ENR-P3) under the policy without this set (what was paid) and with it
(what is due). The amount compared is what public funds put into the person's account for the
year: the subsidies (参保补贴, 缴费补助) and the tier paid on their behalf (代缴, 兜底), i.e. the
account credit less what the person pays. Each difference is one adjustment citing both traces; a
second run of the same publication finds it and records nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.enrollment.pension import rules
from services.enrollment.pension.repository import paid_lines_of_years
from services.enrollment.recalculation import adjust, touches, years_read
from services.enrollment.registry.models import Household, Person
from services.enrollment.rolls.models import PensionRollEntry
from shared.domain import PovertyStatus
from shared.money import ZERO
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided, policy_without
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Params, Trace
from shared.uow import UnitOfWork

SCHEME = "pension_subsidy"
# Every figure the eligibility and subsidy rules read is under this prefix.
PREFIX = "enrollment.pension."


def recalculate_pension_subsidies(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """ENR-P3: the contribution subsidies of the county's paid roll lines of the years the set is
    read for, due again under the policy as published; one adjustment per changed amount."""
    years = years_read(since, uow.today())
    if not years or not touches(publication, PREFIX):
        return []
    before = policy_without(uow, publication)
    county = publication.county_code
    out: list[PolicyAdjustment] = []
    for entry, person, household in paid_lines_of_years(
        uow.session, county, years.start, years.stop - 1
    ):
        on = date(entry.year, 1, 1)
        old_trace, new_trace = Trace(), Trace()
        paid = _public_credit(
            entry, person, household, Params(before, household.county_code, on), old_trace
        )
        due = _public_credit(
            entry, person, household, uow.params(household.county_code, on), new_trace
        )
        if paid is None or due is None:
            continue  # a line the rules refuse: no subsidy was decided on it
        adjustment = adjust(
            uow,
            publication,
            Decided(
                scheme=SCHEME,
                subject=f"{person.id}/{entry.year}",
                county_code=county,
                period=on,
                paid=paid,
                due=due,
                old_trace=old_trace.out().model_dump(mode="json"),
                new_trace=new_trace.out().model_dump(mode="json"),
                person_id=person.id,
                household_id=household.id,
                township_code=household.township_code,
            ),
        )
        if adjustment is not None:
            out.append(adjustment)
    return out


def _public_credit(
    entry: PensionRollEntry, person: Person, household: Household, params: Params, trace: Trace
) -> Decimal | None:
    """ENR-P1, ENR-P3: what public funds put into the person's account for the year of `entry`
    (nothing when not eligible); None for a line the rules refuse (a tier not allowed)."""
    try:
        eligibility = rules.pension_eligibility(
            rules.EligibilityFacts(
                birth_date=person.birth_date,
                full_time_student=person.student,
                employee_pension_covered=person.employee_pension,
            ),
            date(entry.year, 12, 31),
            params,
            trace=trace,
        )
        if not eligibility.eligible:
            return ZERO
        result = rules.contribution_subsidy(
            rules.ContributionFacts(
                tier=entry.tier,
                disability_grade=person.disability_grade,
                poverty_status=PovertyStatus(household.poverty_status),
            ),
            params,
            trace=trace,
        )
    except ValueError:
        return None
    return result.account_credit - result.person_pays
