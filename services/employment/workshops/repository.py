"""Queries of poverty workshops (EMP-5): workshops, their rolls and the subsidy payments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from services.employment.repository import AreaRepository, Repository
from services.employment.workshops.models import (
    PovertyWorkshop,
    WorkshopSubsidyClaim,
    WorkshopSubsidyPayment,
    WorkshopWorker,
)
from shared.errors import NotFound
from shared.repository import Page, counted


def _active_on(on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(WorkshopWorker.start_on) <= on,
        or_(col(WorkshopWorker.end_on).is_(None), col(WorkshopWorker.end_on) >= on),
    )


class Workshops(AreaRepository[PovertyWorkshop]):
    """Workshops, each in its village or township; a list shows a township's workshops to
    everyone in the township (the scope's first 9 digits)."""

    model = PovertyWorkshop
    division = "township_code"
    absent = "no such poverty workshop"

    def of_county(self, county: str, township: str | None) -> list[PovertyWorkshop]:
        stmt = select(PovertyWorkshop).where(PovertyWorkshop.county_code == county)
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(
                col(PovertyWorkshop.township_code).startswith(self.principal.scope[:9])
            )
        if township:
            stmt = stmt.where(PovertyWorkshop.township_code == township)
        return list(self.session.exec(stmt.order_by(col(PovertyWorkshop.id))))


class Workers(Repository[WorkshopWorker]):
    """Spells of registered poor people on a workshop's roll, placed in the worker's village."""

    model = WorkshopWorker

    def on_roll(self, workshop_id: int) -> list[WorkshopWorker]:
        stmt = self.select().where(WorkshopWorker.workshop_id == workshop_id)
        return list(self.session.exec(stmt.order_by(col(WorkshopWorker.id))))

    def newest_of(self, person_id: str, *, limit: int) -> Page[WorkshopWorker]:
        """The person's spells on workshop rolls in the jurisdiction, the latest started first."""
        w = WorkshopWorker
        stmt = select(w, counted()).where(w.person_id == person_id)
        return self.newest(stmt, col(w.start_on).desc(), col(w.id).desc(), limit=limit)

    def on_roll_or_404(self, workshop_id: int, worker_id: int) -> WorkshopWorker:
        row = self.session.get(WorkshopWorker, worker_id)
        if row is None or row.workshop_id != workshop_id:
            raise NotFound("no such worker on this workshop's roll")
        if not self.visible(row):
            raise NotFound(self.missing)
        return row

    def count_on(self, workshop_id: int | None, on: date) -> int:
        """Workers on the roll on `on` (whatever the scope)."""
        return len(
            self.session.exec(
                select(WorkshopWorker.person_id).where(
                    WorkshopWorker.workshop_id == workshop_id, *_active_on(on)
                )
            ).all()
        )

    def overlapping(self, workshop_id: int | None, person_id: str, start_on: date) -> int | None:
        """A spell of the person on this roll running on or after `start_on`, if any."""
        return self.session.exec(
            select(WorkshopWorker.id).where(
                WorkshopWorker.workshop_id == workshop_id,
                WorkshopWorker.person_id == person_id,
                or_(col(WorkshopWorker.end_on).is_(None), col(WorkshopWorker.end_on) >= start_on),
            )
        ).first()

    def spells_for_claim(
        self, workshop_id: int | None, year: int, as_of: date
    ) -> Sequence[WorkshopWorker]:
        """Every spell, on any roll, begun by `as_of`, of the people on this roll at some time
        in `year` up to `as_of` (their employment years run from their first hire)."""
        here = self.session.exec(
            select(WorkshopWorker.person_id).where(
                WorkshopWorker.workshop_id == workshop_id,
                col(WorkshopWorker.start_on) <= as_of,
                or_(
                    col(WorkshopWorker.end_on).is_(None),
                    col(WorkshopWorker.end_on) >= date(year, 1, 1),
                ),
            )
        ).all()
        return self.session.exec(
            select(WorkshopWorker).where(
                col(WorkshopWorker.person_id).in_(sorted(set(here))),
                col(WorkshopWorker.start_on) <= as_of,
            )
        ).all()


class Claims(Repository[WorkshopSubsidyClaim]):
    model = WorkshopSubsidyClaim
    division = "county_code"
    county_wide = True

    def discard(self, claim: WorkshopSubsidyClaim) -> None:
        """Delete a claim that paid nothing."""
        self.session.delete(claim)
        self.session.flush()


class Payments(Repository[WorkshopSubsidyPayment]):
    """Subsidy payments per worker-year. They carry no division code: built without a
    principal, and read through their workshop, whose jurisdiction the caller checks."""

    model = WorkshopSubsidyPayment

    def of_workshop(self, workshop_id: int) -> list[WorkshopSubsidyPayment]:
        return list(
            self.session.exec(
                select(WorkshopSubsidyPayment)
                .where(WorkshopSubsidyPayment.workshop_id == workshop_id)
                .order_by(col(WorkshopSubsidyPayment.year), col(WorkshopSubsidyPayment.person_id))
            )
        )

    def of_worker_year(self, person_id: str, year: int) -> WorkshopSubsidyPayment:
        return self.session.exec(
            select(WorkshopSubsidyPayment).where(
                WorkshopSubsidyPayment.person_id == person_id,
                WorkshopSubsidyPayment.year == year,
            )
        ).one()


def recomputable(
    session: Session, county: str, since: date, today: date
) -> list[tuple[WorkshopSubsidyPayment, WorkshopSubsidyClaim, PovertyWorkshop]]:
    """EMP-5: the county's paid worker-years whose claim read its figures on or after `since`
    (its day, rules.claim_day: the claim's date, or 31 December of a year claimed after it
    ended), begun by `today`; by payment."""
    p, c, w = WorkshopSubsidyPayment, WorkshopSubsidyClaim, PovertyWorkshop
    rows = session.exec(
        select(p, c, w)
        .join(c, col(c.id) == col(p.claim_id))
        .join(w, col(w.id) == col(p.workshop_id))
        .where(
            c.county_code == county,
            col(c.claimed_on) >= since,
            col(c.year) >= since.year,
            col(p.year_start) <= today,
        )
        .order_by(col(p.id))
    ).all()
    return [(payment, claim, workshop) for payment, claim, workshop in rows]


def households_on_rolls(
    session: Session, workshop_ids: Iterable[int]
) -> dict[tuple[int, str], str]:
    """(workshop, person) → the household the person is on the workshop's roll with."""
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(WorkshopWorker.workshop_id, WorkshopWorker.person_id, WorkshopWorker.household_id)
        .where(col(WorkshopWorker.workshop_id).in_(ids))
        .order_by(col(WorkshopWorker.start_on))
    ).all()
    return {(workshop, person): household for workshop, person, household in rows}


def workers_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-5, EMP-9: township code (the worker's) → registered poor on a workshop roll on `on`."""
    rows = session.exec(
        select(WorkshopWorker.township_code, func.count(func.distinct(WorkshopWorker.person_id)))
        .where(WorkshopWorker.county_code == county, *_active_on(on))
        .group_by(col(WorkshopWorker.township_code))
    ).all()
    return {t: int(n) for t, n in rows}


def in_workshop(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    stmt = select(WorkshopWorker.person_id).where(*_active_on(on))
    if person_ids is not None:
        stmt = stmt.where(col(WorkshopWorker.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
