"""Queries of entrepreneurship (EMP-6): business starts, the one-off subsidy, loan applications."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import Session, col, select

from services.employment.business.models import (
    BusinessLoanApplication,
    BusinessStart,
    BusinessSubsidy,
)
from services.employment.repository import Repository, changed_rows
from shared.repository import Page, counted


class Businesses(Repository[BusinessStart]):
    model = BusinessStart
    absent = "no such business"

    def listed(self, person_id: str | None, township: str | None) -> list[BusinessStart]:
        stmt = self.select(person_id=person_id, township_code=township)
        return list(self.session.exec(stmt.order_by(col(BusinessStart.started_on))))

    def newest_of(self, person_id: str, *, limit: int) -> Page[BusinessStart]:
        """The businesses the person started, in the jurisdiction, the latest first."""
        b = BusinessStart
        stmt = select(b, counted()).where(b.person_id == person_id)
        return self.newest(stmt, col(b.started_on).desc(), col(b.id).desc(), limit=limit)

    def earlier_start(self, person_id: str, started_on: date) -> str | None:
        """A business of the person started before `started_on`, if any (whatever the scope)."""
        return self.session.exec(
            select(BusinessStart.id).where(
                BusinessStart.person_id == person_id, BusinessStart.started_on < started_on
            )
        ).first()


class Subsidies(Repository[BusinessSubsidy]):
    model = BusinessSubsidy
    division = "county_code"
    county_wide = True

    def of_person(self, person_id: str) -> BusinessSubsidy | None:
        return self.session.exec(
            select(BusinessSubsidy).where(BusinessSubsidy.person_id == person_id)
        ).first()


def granted_since(
    session: Session, county: str, since: date, today: date
) -> list[tuple[BusinessSubsidy, BusinessStart]]:
    """EMP-6: the county's one-off subsidies granted from `since` to `today`, with their
    business; by grant."""
    rows = session.exec(
        select(BusinessSubsidy, BusinessStart)
        .join(BusinessStart, col(BusinessStart.id) == col(BusinessSubsidy.business_id))
        .where(
            BusinessSubsidy.county_code == county,
            col(BusinessSubsidy.granted_on) >= since,
            col(BusinessSubsidy.granted_on) <= today,
        )
        .order_by(col(BusinessSubsidy.id))
    ).all()
    return [(subsidy, business) for subsidy, business in rows]


class Loans(Repository[BusinessLoanApplication]):
    model = BusinessLoanApplication
    absent = "no such loan application"

    def listed(self, status: str | None) -> list[BusinessLoanApplication]:
        stmt = self.select(status=status)
        return list(self.session.exec(stmt.order_by(col(BusinessLoanApplication.id))))

    def decide(self, app: BusinessLoanApplication, values: dict[str, Any]) -> bool:
        """Move a pending application to its decision (and reload it); False if it was decided
        meanwhile."""
        stmt = (
            update(BusinessLoanApplication)
            .where(
                col(BusinessLoanApplication.id) == app.id,
                col(BusinessLoanApplication.status) == "pending",
            )
            .values(**values)
        )
        if changed_rows(self.session, stmt) != 1:
            return False
        self.session.refresh(app)
        return True


def _running(on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(BusinessStart.started_on) <= on,
        or_(col(BusinessStart.closed_on).is_(None), col(BusinessStart.closed_on) >= on),
    )


def businesses_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-6, EMP-9: township code → businesses of registered poor people running on `on`."""
    rows = session.exec(
        select(BusinessStart.township_code, func.count())
        .where(BusinessStart.county_code == county, *_running(on))
        .group_by(col(BusinessStart.township_code))
    ).all()
    return {t: int(n) for t, n in rows}


def running_business(
    session: Session, on: date, person_ids: Iterable[str] | None = None
) -> set[str]:
    stmt = select(BusinessStart.person_id).where(*_running(on))
    if person_ids is not None:
        stmt = stmt.where(col(BusinessStart.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
