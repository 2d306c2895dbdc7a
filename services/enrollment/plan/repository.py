"""Every query of the enrollment targets (PLAN-1, PLAN-2), in the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from services.enrollment.plan.models import PensionLedgerCopy
from services.enrollment.registry.models import Household
from shared.domain import PovertyStatus
from shared.repository import ScopedRepository

REGISTERED_POOR = [s.value for s in PovertyStatus if s.is_registered_poor]


class LedgerCopies(ScopedRepository[PensionLedgerCopy]):
    """Ledger copies, placed by their township."""

    model = PensionLedgerCopy
    division = "township_code"

    def listed(self, county: str, year: int) -> Sequence[PensionLedgerCopy]:
        return self.session.exec(
            self.select(county_code=county, year=year).order_by(
                col(PensionLedgerCopy.township_code), col(PensionLedgerCopy.id)
            )
        ).all()

    def handed_by(self, county: str, year: int, on: date) -> Sequence[PensionLedgerCopy]:
        """The copies of `year` handed over on or before `on`."""
        return self.session.exec(
            self.select(county_code=county, year=year).where(col(PensionLedgerCopy.handed_on) <= on)
        ).all()


class Villages(ScopedRepository[Household]):
    """Villages with registered poor households (each keeps a copy of the ledger)."""

    model = Household

    def by_township(self, county: str) -> dict[str, set[str]]:
        rows = self.session.exec(
            self.scoped(
                select(col(Household.township_code), col(Household.village_code))
                .where(
                    col(Household.county_code) == county,
                    col(Household.poverty_status).in_(REGISTERED_POOR),
                )
                .group_by(col(Household.township_code), col(Household.village_code))
            )
        ).all()
        out: dict[str, set[str]] = {}
        for township, village in rows:
            out.setdefault(township, set()).add(village)
        return out

    def has_village(self, township: str, village: str) -> bool:
        n = self.session.exec(
            select(func.count())
            .select_from(Household)
            .where(col(Household.township_code) == township, col(Household.village_code) == village)
        ).one()
        return bool(n)
