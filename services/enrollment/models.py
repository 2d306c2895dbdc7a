"""Tables owned by the enrollment service, each defined in the sub-domain that owns it; this
module gathers them (and names them for Alembic)."""

from __future__ import annotations

from services.enrollment.education.models import StudentRecord
from services.enrollment.jobs.models import ImportJob
from services.enrollment.medical.models import MedicalContribution, WelfareStatus
from services.enrollment.pension.models import FuneralGrant
from services.enrollment.plan.models import PensionLedgerCopy
from services.enrollment.registry.models import Household, Person
from services.enrollment.rolls.models import MedicalRollEntry, PensionRollEntry
from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES
from shared.idempotency.tables import IDEMPOTENCY_TABLE
from shared.policy.publication.tables import PUBLICATION_TABLE
from shared.policy.recalculation.tables import ADJUSTMENT_TABLE, PolicyAdjustment

__all__ = [
    "AUDIT_LOG",
    "TABLES",
    "FuneralGrant",
    "Household",
    "ImportJob",
    "MedicalContribution",
    "MedicalRollEntry",
    "PensionLedgerCopy",
    "PensionRollEntry",
    "Person",
    "PolicyAdjustment",
    "StudentRecord",
    "WelfareStatus",
]

# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("enrollment")

TABLES: tuple[str, ...] = (
    *BUS_TABLES,
    IDEMPOTENCY_TABLE,
    PUBLICATION_TABLE,
    ADJUSTMENT_TABLE,
    "household",
    "person",
    "import_job",
    "pension_roll",
    "medical_roll",
    "funeral_grant",
    "welfare_status",
    "medical_contribution",
    "education_student",
    "plan_pension_ledger_copy",
    AUDIT_LOG.name,
)
