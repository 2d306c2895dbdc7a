"""Queries of medical insurance funding: civil affairs' decisions as read here (keyed by person)
and the recorded contributions (one person's, and a county's for years, to recompute them)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from services.enrollment.medical.models import MedicalContribution, WelfareStatus
from services.enrollment.registry.models import Household, Person
from shared.db import upsert


class WelfareStatusRepository:
    """Who is on dibao or 特困 (a read model of welfare's events, not placed in a division: it is
    read for a person already found in the caller's jurisdiction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, person_id: str) -> WelfareStatus | None:
        row: WelfareStatus | None = self.session.get(WelfareStatus, person_id)
        return row

    def get_or_new(self, person_id: str, household_id: str) -> WelfareStatus:
        return self.find(person_id) or WelfareStatus(person_id=person_id, household_id=household_id)

    def save(self, status: WelfareStatus) -> None:
        self.session.add(status)
        self.session.flush()


def record_contribution(session: Session, values: dict[str, Any]) -> None:
    """Insert or replace the person's contribution for the year, in one statement: a read of the
    contribution (which records it) and the consumer applying a civil-affairs decision may record
    the same person and year at the same moment."""
    upsert(session, MedicalContribution, values, key=("person_id", "year"))


def contributions_of_years(
    session: Session, county: str, first_year: int, last_year: int
) -> list[tuple[MedicalContribution, Person, Household]]:
    """The contributions recorded for the county's people for the years `first_year` to
    `last_year`, with the person and household; by year and person."""
    rows = session.exec(
        select(MedicalContribution, Person, Household)
        .join(Person, col(Person.id) == col(MedicalContribution.person_id))
        .join(Household, col(Household.id) == col(Person.household_id))
        .where(
            col(Household.county_code) == county,
            col(MedicalContribution.year) >= first_year,
            col(MedicalContribution.year) <= last_year,
        )
        .order_by(col(MedicalContribution.year), col(MedicalContribution.person_id))
    ).all()
    return [(contribution, person, household) for contribution, person, household in rows]
