"""Queries of the summaries: a person's stays with their current decisions and campaign forms,
and the stays the MED-2 indicator counts. They span the stays, the registry and the campaign."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from services.medical.campaign.models import TopupForm
from services.medical.registry.models import RegistryPerson
from services.medical.registry.repository import PersonRepository
from services.medical.settlement.rules import REGISTERED_POOR
from services.medical.stays.models import HospitalStay, StayDecision
from services.medical.stays.repository import current_stays
from shared.auth import Principal


def person_stays(
    session: Session, id_number: str, year: int | None
) -> Sequence[tuple[HospitalStay, StayDecision]]:
    """A person's stays (by ID number), each with its current decision, by admission."""
    stmt = (
        select(HospitalStay, StayDecision)
        .join(StayDecision, col(StayDecision.claim_id) == col(HospitalStay.claim_id))
        .where(
            col(HospitalStay.id_number) == id_number,
            col(StayDecision.version) == col(HospitalStay.version),
        )
    )
    if year is not None:
        stmt = stmt.where(col(HospitalStay.year) == year)
    return session.exec(
        stmt.order_by(col(HospitalStay.admission), col(HospitalStay.claim_id))
    ).all()


def form_status_by_claim(session: Session, claim_ids: list[str]) -> dict[str, str]:
    """The campaign form's status of each of these stays that has one."""
    rows = session.exec(
        select(TopupForm.claim_id, TopupForm.status).where(col(TopupForm.claim_id).in_(claim_ids))
    ).all()
    return dict(rows)


def guarantee_stays(
    session: Session, principal: Principal | None, county: str, year: int
) -> Sequence[tuple[HospitalStay, StayDecision, RegistryPerson]]:
    """Active stays of the county admitted in the year, of people the registry holds as
    registered poor, in the principal's jurisdiction (by the person's village)."""
    stmt = current_stays().where(
        col(HospitalStay.county_code) == county,
        col(HospitalStay.year) == year,
        col(RegistryPerson.poverty_status).in_([s.value for s in REGISTERED_POOR]),
    )
    # Scoped by the person's village, as the person repository scopes its own rows.
    return session.exec(PersonRepository(session, principal).scoped(stmt)).all()
