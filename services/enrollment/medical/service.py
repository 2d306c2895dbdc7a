"""Computing and recording a person's medical contribution funding (ENR-M2, ENR-M3), for one
person, for a division, and again whenever civil affairs decide on dibao or 特困."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.enrollment.medical.repository import WelfareStatusRepository, record_contribution
from services.enrollment.medical.rules import (
    MedicalContributionFacts,
    MedicalContributionFunding,
    medical_contribution_funding,
)
from services.enrollment.medical.schemas import ContributionOut, FundingTotals
from services.enrollment.registry.models import Household, Person
from services.enrollment.registry.repository import PersonRepository
from services.enrollment.registry.service import find_person
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Forbidden
from shared.trace import Trace, TraceOut, illustrative_of
from shared.uow import UnitOfWork

FUNDS = ("contribution", "medical_assistance", "province", "prefecture_county", "person_pays")


def facts_for(
    uow: UnitOfWork, person: Person, household: Household, year: int
) -> MedicalContributionFacts:
    status = WelfareStatusRepository(uow.session).find(person.id)
    year_end = date(year, 12, 31)
    return MedicalContributionFacts(
        year=year,
        poverty_status=PovertyStatus(household.poverty_status),
        tekun=bool(status and status.tekun and (status.tekun_since or year_end) <= year_end),
        dibao=bool(status and status.dibao and (status.dibao_since or year_end) <= year_end),
        disability_grade=person.disability_grade,
        # The registry does not record work ability; grade 1-2 certificates are taken as unable
        # to work until the labour census (employment service) says otherwise.
        unable_to_work=person.disability_grade in (1, 2),
        low_income_household=bool(status and status.dibao),
        birth_date=person.birth_date,
    )


def compute_and_record(
    uow: UnitOfWork, person: Person, household: Household, year: int
) -> tuple[MedicalContributionFunding, TraceOut]:
    trace = Trace()
    params = uow.params(household.county_code, date(year, 1, 1))
    funding = medical_contribution_funding(facts_for(uow, person, household, year), params, trace)
    out = trace.out()
    values: dict[str, Any] = {
        "person_id": person.id,
        "year": year,
        "contribution": funding.contribution,
        "medical_assistance": funding.medical_assistance,
        "province": funding.province,
        "prefecture_county": funding.prefecture_county,
        "person_pays": funding.person_pays,
        "trace": out.model_dump(mode="json"),
        "updated_at": utcnow(),
    }
    record_contribution(uow.session, values)
    return funding, out


def contribution(uow: UnitOfWork, id_number: str, year: int) -> ContributionOut:
    """Who pays this person's contribution for `year` (recorded as it is read)."""
    person, household = find_person(uow, id_number)
    funding, trace = compute_and_record(uow, person, household, year)
    return ContributionOut(
        person_id=person.id,
        year=year,
        contribution=funding.contribution,
        medical_assistance=funding.medical_assistance,
        province=funding.province,
        prefecture_county=funding.prefecture_county,
        person_pays=funding.person_pays,
        grounds=[str(g) for g in funding.grounds],
        trace=trace,
        illustrative_parameters=illustrative_of(trace),
    )


def compute_division(uow: UnitOfWork, year: int, division: str) -> FundingTotals:
    """Every living registered person's funding for `year` in `division` (default: the caller's
    jurisdiction), recorded, and the totals."""
    division = division or uow.principal.scope
    if not division or not uow.principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    totals = dict.fromkeys(FUNDS, Decimal("0.00"))
    rows = PersonRepository(uow.session, uow.principal).living_in(division)
    illustrative: set[str] = set()
    for person, household in rows:
        funding, trace = compute_and_record(uow, person, household, year)
        illustrative.update(trace.illustrative_parameters)
        for key in totals:
            totals[key] += getattr(funding, key)
    return FundingTotals(
        year=year,
        division=division,
        persons=len(rows),
        illustrative_parameters=sorted(illustrative),
        **totals,
    )


def record_welfare(
    uow: UnitOfWork,
    person_id: str,
    household_id: str,
    *,
    dibao: bool | None = None,
    tekun: bool | None = None,
    effective_from: date,
) -> None:
    """Civil affairs put a person on (or took them off) dibao or 特困 from `effective_from`: the
    read model changes and the person's funding for that year is recomputed (ENR-M3)."""
    statuses = WelfareStatusRepository(uow.session)
    status = statuses.get_or_new(person_id, household_id)
    if dibao is not None:
        status.dibao = dibao
        status.dibao_since = effective_from if dibao else None
    if tekun is not None:
        status.tekun = tekun
        status.tekun_since = effective_from if tekun else None
    status.updated_at = utcnow()
    statuses.save(status)
    found = PersonRepository(uow.session, uow.principal).find(person_id)
    if found is None:
        return  # not in the registry: nothing of ours to fund
    compute_and_record(uow, *found, effective_from.year)
