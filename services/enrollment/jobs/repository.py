"""Queries of import jobs: a job is seen by those whose jurisdiction covers the scope it was
started in, and by whoever started it."""

from __future__ import annotations

from services.enrollment.jobs.models import ImportJob
from shared.repository import ScopedRepository


class ImportJobRepository(ScopedRepository[ImportJob]):
    model = ImportJob
    division = "scope"
    missing = "no such import job"

    def visible(self, row: ImportJob) -> bool:
        mine = self.principal is not None and row.requested_by == self.principal.subject
        return mine or super().visible(row)
