"""Queries of relocated households (EMP-8)."""

from __future__ import annotations

from sqlmodel import col, select

from services.employment.relocation.models import RelocatedHousehold
from services.employment.repository import Repository


class RelocatedHouseholds(Repository[RelocatedHousehold]):
    model = RelocatedHousehold

    def of_county(self, county: str, township: str | None) -> list[RelocatedHousehold]:
        """The county's relocated households in scope (and `township`), by village."""
        stmt = self.scoped(
            select(RelocatedHousehold).where(RelocatedHousehold.county_code == county)
        )
        if township:
            stmt = stmt.where(RelocatedHousehold.township_code == township)
        return list(self.session.exec(stmt.order_by(col(RelocatedHousehold.village_code))))
