"""A person's in-patient stays and yearly totals, and the county's MED-2 indicator: the share of
compliant stays of the registered poor at or above the guaranteed ratio, per township."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from services.medical.campaign.rules import FormStatus
from services.medical.registry.service import find_person
from services.medical.settlement.rules import REGISTERED_POOR, TARGET_RATIO
from services.medical.stays.repository import StayTables
from services.medical.summary.repository import (
    form_status_by_claim,
    guarantee_stays,
    person_stays,
)
from services.medical.summary.schemas import (
    GuaranteeIndicator,
    GuaranteeLine,
    MedicalSummary,
    StayLine,
    Totals,
    YearToDateOut,
)
from shared.errors import NotFound
from shared.policy import ParameterNotFound
from shared.uow import UnitOfWork

AMOUNTS = ("total_cost", "basic", "critical_illness", "assistance", "topup", "annual_cap")


def medical_summary(uow: UnitOfWork, id_number: str, year: int | None) -> MedicalSummary:
    """A person's stays, each layer, top-ups and year-to-date self-pay. A person in the registry
    is read in their village's jurisdiction; one not in it only by county-level users of the
    stays' county."""
    principal = uow.principal
    person = find_person(uow, id_number)
    rows = person_stays(uow.session, id_number, year)
    # Not in the registry: only county-level users of the stays' county see them.
    if person is None and (not rows or not all(principal.covers(s.county_code) for s, _ in rows)):
        raise NotFound("no such person in your jurisdiction")
    forms = form_status_by_claim(uow.session, [s.claim_id for s, _ in rows])
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
            campaign_form_status=FormStatus(forms[s.claim_id]) if s.claim_id in forms else None,
        )
        for s, d in rows
    ]
    active = [line for line in lines if line.status == "active"]
    totals = Totals(
        stays=len(active),
        self_pay=sum((line.self_pay for line in active), Decimal("0.00")),
        **{k: sum((getattr(line, k) for line in active), Decimal("0.00")) for k in AMOUNTS},
    )
    years = StayTables(uow.session).person_years(id_number, year)
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


def guarantee_indicator(uow: UnitOfWork, county: str, year: int) -> GuaranteeIndicator:
    """Compliant stays of the registered poor at or above the target ratio, per township of the
    registry today; users below county level see their part only."""
    counted: dict[str, int] = defaultdict(int)
    reached: dict[str, int] = defaultdict(int)
    for stay, decision, person in guarantee_stays(uow.session, uow.principal, county, year):
        if not decision.facts.get("referral_compliant"):
            continue
        try:
            target = uow.policy.value(TARGET_RATIO, county, stay.admission)
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
