"""A person's in-patient stays and yearly totals, for the officers who follow the household, and
the county's MED-2 indicator: the share of compliant stays of the registered poor at or above
the guaranteed ratio, per township."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.medical.summary.schemas import GuaranteeIndicator, MedicalSummary
from services.medical.summary.service import guarantee_indicator as indicator_of
from services.medical.summary.service import medical_summary as summary_of
from shared.app import Uow
from shared.auth import Principal
from shared.errors import Forbidden
from shared.ids import CountyCode, ResidentIdNumber
from shared.repository import in_jurisdiction
from shared.roles import Role

persons = APIRouter(prefix="/v1/persons", tags=["persons"])
indicators = APIRouter(prefix="/v1/indicators", tags=["indicators"])

# Hospitals see the stays they sent, through /v1/hospitalizations; a person's whole record is
# for the officers responsible for the household.
READERS = (
    Role.county_medical,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)
YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="admission year")]


def _reader(principal: Principal, what: str) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden(f"your role may not read {what}")


@persons.get(
    "/{id_number}/medical-summary",
    response_model=MedicalSummary,
    summary="A person's stays, each layer, top-ups and year-to-date self-pay",
)
def medical_summary(
    id_number: ResidentIdNumber, uow: Uow, year: YearQuery = None
) -> MedicalSummary:
    _reader(uow.principal, "a person's medical record")
    return summary_of(uow, id_number, year)


@indicators.get(
    "/guarantee",
    response_model=GuaranteeIndicator,
    summary="Share of compliant stays of the registered poor at or above the guaranteed ratio",
    description=(
        "Active stays admitted in the year, of people the registry holds as registered poor "
        "(not exited or exited), whose latest decision follows the referral rules; reached when "
        "the actual ratio (ratio_after, all layers and top-ups) is at or above "
        "medical.guarantee.target_ratio for the admission date. Per township of the registry "
        "today; users below county level see their part only."
    ),
)
def guarantee_indicator(
    county: Annotated[CountyCode, Query(description="6-digit county code")],
    year: Annotated[int, Query(ge=2000, le=2100)],
    uow: Uow,
) -> GuaranteeIndicator:
    _reader(uow.principal, "the indicators")
    if not in_jurisdiction(uow.principal, county, county_wide=True):
        raise Forbidden(f"county {county} is outside your jurisdiction")
    return indicator_of(uow, county, year)
