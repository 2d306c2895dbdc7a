"""Queries of the general diagnosis fee visits (MED-9): one visit (placed by its county; a
facility sees what it posted) and the ledger lines of a county or township and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select

from services.medical.access import PostedRecords
from services.medical.diagnosis_fee.models import DiagnosisFeeVisit
from services.medical.registry.models import RegistryPerson

LedgerRow = tuple[DiagnosisFeeVisit, str | None]


class VisitRepository(PostedRecords[DiagnosisFeeVisit]):
    model = DiagnosisFeeVisit
    missing = "no visit with that id"

    def fresh(self, visit_id: str) -> DiagnosisFeeVisit | None:
        """The visit as committed now, wherever it lies (the idempotency check of a post)."""
        visit: DiagnosisFeeVisit | None = self.session.get(
            DiagnosisFeeVisit, visit_id, populate_existing=True
        )
        return visit

    def ledger(
        self, county: str, township: str | None, start: date | None, end: date | None
    ) -> Sequence[LedgerRow]:
        """Refunded visits of the county (of one township if named) in the period, each with the
        registry's name of the patient, by township, visit date and visit id. The ledger is kept
        per township of the facility: a caller below county level sees the visits of the
        facilities of their own township (a village officer: of the village's township)."""
        stmt = (
            select(DiagnosisFeeVisit, RegistryPerson.name)
            .join(
                RegistryPerson,
                col(RegistryPerson.id_number) == col(DiagnosisFeeVisit.id_number),
                isouter=True,
            )
            .where(col(DiagnosisFeeVisit.county_code) == county, col(DiagnosisFeeVisit.refund) > 0)
        )
        if township:
            stmt = stmt.where(col(DiagnosisFeeVisit.township_code) == township)
        scope = self.principal.scope if self.principal is not None else ""
        if len(scope) > 6:
            stmt = stmt.where(col(DiagnosisFeeVisit.township_code).startswith(scope[:9]))
        if start:
            stmt = stmt.where(col(DiagnosisFeeVisit.visit_date) >= start)
        if end:
            stmt = stmt.where(col(DiagnosisFeeVisit.visit_date) <= end)
        order = (
            col(DiagnosisFeeVisit.township_code),
            col(DiagnosisFeeVisit.visit_date),
            col(DiagnosisFeeVisit.visit_id),
        )
        return self.session.exec(stmt.order_by(*order)).all()
