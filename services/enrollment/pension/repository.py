"""Queries of the resident pension: the roll lines of a person, a county's paid lines of some
years, years paid, the ENR-P6 ledger's people, and the funeral grants paid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from services.enrollment.pension.models import FuneralGrant
from services.enrollment.registry.models import Household, Person
from services.enrollment.registry.repository import PersonRepository
from services.enrollment.rolls.models import PensionRollEntry
from shared.domain import PovertyStatus

REGISTERED_POOR = [s.value for s in PovertyStatus if s.is_registered_poor]


def roll_entry(session: Session, id_number: str, year: int) -> PensionRollEntry | None:
    """The person's line of the pension roll for `year`."""
    return session.exec(
        select(PensionRollEntry).where(
            col(PensionRollEntry.id_number) == id_number, col(PensionRollEntry.year) == year
        )
    ).first()


def roll_lines(session: Session, id_number: str) -> Sequence[PensionRollEntry]:
    """Every line of the pension roll naming the person, any year."""
    return session.exec(
        select(PensionRollEntry).where(col(PensionRollEntry.id_number) == id_number)
    ).all()


def paid_lines_of_years(
    session: Session, county: str, first_year: int, last_year: int
) -> list[tuple[PensionRollEntry, Person, Household]]:
    """The paid lines of the roll for the years `first_year` to `last_year` of the county's
    registered people, with the person and household; by year and ID number."""
    rows = session.exec(
        select(PensionRollEntry, Person, Household)
        .join(Person, col(Person.id_number) == col(PensionRollEntry.id_number))
        .join(Household, col(Household.id) == col(Person.household_id))
        .where(
            col(Household.county_code) == county,
            col(PensionRollEntry.paid),
            col(PensionRollEntry.year) >= first_year,
            col(PensionRollEntry.year) <= last_year,
        )
        .order_by(col(PensionRollEntry.year), col(PensionRollEntry.id_number))
    ).all()
    return [(entry, person, household) for entry, person, household in rows]


def years_paid(session: Session, numbers: list[str]) -> dict[str, tuple[int, bool]]:
    """Per ID number: the years paid on the roll, and whether the person draws the pension."""
    stmt = (
        select(
            PensionRollEntry.id_number,
            func.sum(case((col(PensionRollEntry.paid), 1), else_=0)),
            func.max(case((col(PensionRollEntry.drawing), 1), else_=0)),
        )
        .where(col(PensionRollEntry.id_number).in_(numbers))
        .group_by(col(PensionRollEntry.id_number))
    )
    return {n: (int(paid or 0), bool(drawing)) for n, paid, drawing in session.exec(stmt)}


def ledger_people(
    people: PersonRepository, division: str, born_by: date, offset: int, limit: int
) -> tuple[int, list[tuple[Person, Household]]]:
    """The living registered poor of `division` born by `born_by` (ENR-P6), oldest first."""
    base = people.within(
        select(Person, Household)
        .join(Household, col(Household.id) == col(Person.household_id))
        # ENR-P6 lists 贫困人口 (YA-GOV §三(五)二): registered poor, not marginal households.
        .where(col(Household.poverty_status).in_(REGISTERED_POOR))
        .where(col(Person.deceased_on).is_(None))
        .where(col(Person.birth_date) <= born_by),
        division,
    )
    session = people.session
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(col(Person.birth_date), col(Person.id)).offset(offset).limit(limit)
    ).all()
    return total, [(p, h) for p, h in rows]


class FuneralGrantRepository:
    """Funeral grants paid (ENR-P8), one per person ever (read by the consumer, unscoped)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def paid(self, person_id: str) -> bool:
        return self.of(person_id) is not None

    def of(self, person_id: str) -> FuneralGrant | None:
        return self.session.get(FuneralGrant, person_id)

    def add(self, grant: FuneralGrant) -> None:
        self.session.add(grant)
