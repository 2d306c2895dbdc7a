"""HTTP API of resident medical insurance funding (ENR-M1..M3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import select

from services.enrollment.medical.schemas import ContributionOut, FundingTotals
from services.enrollment.medical.service import compute_and_record
from services.enrollment.models import Household, Person
from services.enrollment.registry import operations as ops
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import Forbidden
from shared.ids import ResidentIdNumber
from shared.trace import illustrative_of

router = APIRouter(prefix="/v1", tags=["medical insurance funding"])
YearQuery = Annotated[int, Query(ge=2000, le=2100)]


@router.get(
    "/persons/{id_number}/medical-contribution",
    response_model=ContributionOut,
    summary="Who pays this person's resident medical contribution for a year (ENR-M2, ENR-M3)",
)
def get_contribution(
    id_number: ResidentIdNumber,
    year: YearQuery,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ContributionOut:
    person, household = ops.find_person(session, id_number, principal)
    funding, trace = compute_and_record(session, runtime.policy, person, household, year)
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


@router.post(
    "/medical-contributions",
    response_model=FundingTotals,
    summary="Compute and record every registered person's funding for a year in a division",
)
def compute_division(
    year: YearQuery,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_hrss, Role.county_medical))],
    division: Annotated[str, Query(pattern=r"^\d{6}(\d{3}){0,2}$")] = "",
) -> FundingTotals:
    division = division or principal.scope
    if not division or not principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    totals = dict.fromkeys(
        ("contribution", "medical_assistance", "province", "prefecture_county", "person_pays"),
        Decimal("0.00"),
    )
    rows = session.exec(
        select(Person, Household)
        .join(Household, Household.id == Person.household_id)  # type: ignore[arg-type]
        .where(Household.village_code.startswith(division))  # type: ignore[attr-defined]
        .where(Person.deceased_on.is_(None))  # type: ignore[union-attr]
    ).all()
    illustrative: set[str] = set()
    for person, household in rows:
        funding, trace = compute_and_record(session, runtime.policy, person, household, year)
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
