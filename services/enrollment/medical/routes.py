"""HTTP API of resident medical insurance funding (ENR-M1..M3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.enrollment.medical import service
from services.enrollment.medical.schemas import ContributionOut, FundingTotals
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import ResidentIdNumber
from shared.roles import Role

router = APIRouter(prefix="/v1", tags=["medical insurance funding"])
YearQuery = Annotated[int, Query(ge=2000, le=2100)]


@router.get(
    "/persons/{id_number}/medical-contribution",
    response_model=ContributionOut,
    summary="Who pays this person's resident medical contribution for a year (ENR-M2, ENR-M3)",
)
def get_contribution(id_number: ResidentIdNumber, year: YearQuery, uow: Uow) -> ContributionOut:
    return service.contribution(uow, id_number, year)


@router.post(
    "/medical-contributions",
    response_model=FundingTotals,
    summary="Compute and record every registered person's funding for a year in a division",
)
def compute_division(
    year: YearQuery,
    uow: Uow,
    _officer: Annotated[Principal, Depends(require(Role.county_hrss, Role.county_medical))],
    division: Annotated[str, Query(pattern=r"^(\d{6}(\d{3}){0,2})?$")] = "",
) -> FundingTotals:
    return service.compute_division(uow, year, division)
