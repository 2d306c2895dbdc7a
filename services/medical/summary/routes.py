"""A person's in-patient stays and yearly totals, for the officers who follow the household, and
the county's MED-2 indicator: the share of compliant stays of the registered poor at or above
the guaranteed ratio, per township."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import select

from services.medical.campaign.service import current_stays
from services.medical.models import (
    HospitalStay,
    PersonYear,
    RegistryPerson,
    StayDecision,
    TopupForm,
)
from services.medical.settlement.rules import REGISTERED_POOR, TARGET_RATIO
from services.medical.summary.schemas import (
    GuaranteeIndicator,
    GuaranteeLine,
    MedicalSummary,
    StayLine,
    Totals,
    YearToDateOut,
)
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role
from shared.errors import Forbidden, NotFound
from shared.ids import CountyCode, ResidentIdNumber
from shared.policy import ParameterNotFound

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


AMOUNTS = ("total_cost", "basic", "critical_illness", "assistance", "topup", "annual_cap")


@persons.get(
    "/{id_number}/medical-summary",
    response_model=MedicalSummary,
    summary="A person's stays, each layer, top-ups and year-to-date self-pay",
)
def medical_summary(
    id_number: ResidentIdNumber,
    session: DbSession,
    principal: CurrentPrincipal,
    year: YearQuery = None,
) -> MedicalSummary:
    _reader(principal, "a person's medical record")
    person = session.exec(
        select(RegistryPerson).where(RegistryPerson.id_number == id_number)
    ).first()
    stmt = (
        select(HospitalStay, StayDecision)
        .join(StayDecision, StayDecision.claim_id == HospitalStay.claim_id)  # type: ignore[arg-type]
        .where(HospitalStay.id_number == id_number, StayDecision.version == HospitalStay.version)
    )
    if year is not None:
        stmt = stmt.where(HospitalStay.year == year)
    rows = session.exec(stmt.order_by(HospitalStay.admission, HospitalStay.claim_id)).all()  # type: ignore[arg-type]
    if person is not None:
        principal.guard(person.village_code)
    else:
        # Not in the registry: only county-level users of the stays' county see them.
        if not rows or not all(principal.covers(s.county_code) for s, _ in rows):
            raise NotFound("no such person in your jurisdiction")
    forms = dict(
        session.exec(
            select(TopupForm.claim_id, TopupForm.status).where(
                TopupForm.claim_id.in_([s.claim_id for s, _ in rows])  # type: ignore[attr-defined]
            )
        ).all()
    )
    lines = [
        StayLine(
            claim_id=s.claim_id,
            version=d.version,
            status=s.status,
            admission=s.admission,
            discharge=date.fromisoformat(d.facts["discharge"]),
            referral_compliant=bool(d.facts.get("referral_compliant")),
            total_cost=d.total_cost,
            basic=d.basic,
            critical_illness=d.critical_illness,
            assistance=d.assistance,
            topup=d.topup,
            annual_cap=d.annual_cap,
            self_pay=d.self_pay,
            ratio_after=d.ratio_after,
            campaign_form_status=forms.get(s.claim_id),
        )
        for s, d in rows
    ]
    active = [line for line in lines if line.status == "active"]
    totals = Totals(
        stays=len(active),
        self_pay=sum((line.self_pay for line in active), Decimal("0.00")),
        **{k: sum((getattr(line, k) for line in active), Decimal("0.00")) for k in AMOUNTS},
    )
    ytd_stmt = select(PersonYear).where(PersonYear.id_number == id_number)
    if year is not None:
        ytd_stmt = ytd_stmt.where(PersonYear.year == year)
    years = session.exec(ytd_stmt.order_by(PersonYear.year)).all()  # type: ignore[arg-type]
    return MedicalSummary(
        id_number=id_number,
        person_id=person.person_id if person else None,
        name=person.name if person else None,
        registered_poor=bool(person and person.poverty_status in REGISTERED_POOR),
        year=year,
        stays=lines,
        totals=totals,
        year_to_date=[YearToDateOut.model_validate(y, from_attributes=True) for y in years],
    )


def _line(division: str, counted: int, reached: int) -> GuaranteeLine:
    share = (Decimal(reached) / Decimal(counted)).quantize(Decimal("0.0001")) if counted else None
    return GuaranteeLine(
        division=division, compliant_stays=counted, at_or_above_target=reached, share=share
    )


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
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> GuaranteeIndicator:
    _reader(principal, "the indicators")
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise Forbidden(f"county {county} is outside your jurisdiction")
    stmt = current_stays(session).where(
        HospitalStay.county_code == county,
        HospitalStay.year == year,
        RegistryPerson.poverty_status.in_([s.value for s in REGISTERED_POOR]),  # type: ignore[attr-defined]
    )
    if principal.scope:
        stmt = stmt.where(RegistryPerson.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    counted: dict[str, int] = defaultdict(int)
    reached: dict[str, int] = defaultdict(int)
    for stay, decision, person in session.exec(stmt).all():
        if not decision.facts.get("referral_compliant"):
            continue
        try:
            target = runtime.policy.value(TARGET_RATIO, county, stay.admission)
        except ParameterNotFound:
            continue  # before any guarantee: nothing to measure against
        counted[person.township_code] += 1
        if Decimal(decision.ratio_after) >= Decimal(target):
            reached[person.township_code] += 1
    townships = [_line(t, counted[t], reached[t]) for t in sorted(counted)]
    return GuaranteeIndicator(
        county=county,
        year=year,
        total=_line(county, sum(counted.values()), sum(reached.values())),
        townships=townships,
    )
