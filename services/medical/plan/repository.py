"""Every query of the medical targets (PLAN-1, PLAN-2), in the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from services.medical.diagnosis_fee.models import DiagnosisFeeVisit
from services.medical.plan.models import DiagnosisFeeLedgerReport
from services.medical.registry.models import RegistryPerson
from shared.repository import ScopedRepository


class LedgerReports(ScopedRepository[DiagnosisFeeLedgerReport]):
    """Ledger reports, placed by their township."""

    model = DiagnosisFeeLedgerReport
    division = "township_code"

    def listed(self, county: str) -> Sequence[DiagnosisFeeLedgerReport]:
        return self.session.exec(
            self.select(county_code=county).order_by(
                col(DiagnosisFeeLedgerReport.township_code), col(DiagnosisFeeLedgerReport.id)
            )
        ).all()

    def reported_by(self, county: str, start: date | None, on: date) -> set[str]:
        """Townships whose ledger of a period starting on or after `start` was reported by `on`."""
        stmt = select(col(DiagnosisFeeLedgerReport.township_code)).where(
            col(DiagnosisFeeLedgerReport.county_code) == county,
            col(DiagnosisFeeLedgerReport.reported_on) <= on,
        )
        if start is not None:
            stmt = stmt.where(col(DiagnosisFeeLedgerReport.period_from) >= start)
        return set(self.session.exec(self.scoped(stmt)).all())


class CleanupVisits(ScopedRepository[DiagnosisFeeVisit]):
    """Visits of the clean-up, placed by the facility's township."""

    model = DiagnosisFeeVisit
    division = "township_code"

    def ledger_of(self, township: str, first: date, last: date) -> tuple[int, Decimal]:
        """Visits in the clean-up window of the township's facilities and their refunds."""
        n, total = self.session.exec(
            select(func.count(), func.coalesce(func.sum(DiagnosisFeeVisit.refund), 0)).where(
                col(DiagnosisFeeVisit.township_code) == township,
                col(DiagnosisFeeVisit.in_cleanup_window).is_(True),
                col(DiagnosisFeeVisit.visit_date) >= first,
                col(DiagnosisFeeVisit.visit_date) <= last,
            )
        ).one()
        return int(n), Decimal(total)

    def townships(self, county: str, first: date | None) -> set[str]:
        """Townships whose facilities have clean-up visits (from `first`)."""
        stmt = select(col(DiagnosisFeeVisit.township_code)).where(
            col(DiagnosisFeeVisit.county_code) == county,
            col(DiagnosisFeeVisit.in_cleanup_window).is_(True),
        )
        if first is not None:
            stmt = stmt.where(col(DiagnosisFeeVisit.visit_date) >= first)
        return set(self.session.exec(self.scoped(stmt.distinct())).all())


class RegistryTownships(ScopedRepository[RegistryPerson]):
    """Townships with registered people (each has health centres that keep the ledger)."""

    model = RegistryPerson

    def of_county(self, county: str) -> set[str]:
        stmt = select(col(RegistryPerson.township_code)).where(
            col(RegistryPerson.county_code) == county
        )
        return set(self.session.exec(self.scoped(stmt.distinct())).all())
