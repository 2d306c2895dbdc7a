"""Tables owned by the medical service: each is defined in the sub-domain that owns it and
imported here, so that Alembic (and `shared.migrations`) sees them all."""

from __future__ import annotations

from services.medical.campaign.models import TopupCampaign, TopupForm, TopupFormStep
from services.medical.diagnosis_fee.models import DiagnosisFeeVisit
from services.medical.family_doctor.models import (
    ChronicDiagnosis,
    FamilyDoctorSigning,
    FamilyDoctorTeam,
    FollowUpVisit,
)
from services.medical.outpatient.models import OutpatientBill, OutpatientYear
from services.medical.plan.models import DiagnosisFeeLedgerReport
from services.medical.registry.models import RegistryPerson, RegistryStatusHistory
from services.medical.stays.models import HospitalStay, PersonYear, StayAdjustment, StayDecision
from services.medical.welfare.models import WelfareFlagHistory, WelfareFlags
from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES
from shared.idempotency.tables import IDEMPOTENCY_TABLE
from shared.policy.publication.tables import PUBLICATION_TABLE
from shared.policy.recalculation.tables import ADJUSTMENT_TABLE, PolicyAdjustment

__all__ = [
    "AUDIT_LOG",
    "TABLES",
    "ChronicDiagnosis",
    "DiagnosisFeeLedgerReport",
    "DiagnosisFeeVisit",
    "FamilyDoctorSigning",
    "FamilyDoctorTeam",
    "FollowUpVisit",
    "HospitalStay",
    "OutpatientBill",
    "OutpatientYear",
    "PersonYear",
    "PolicyAdjustment",
    "RegistryPerson",
    "RegistryStatusHistory",
    "StayAdjustment",
    "StayDecision",
    "TopupCampaign",
    "TopupForm",
    "TopupFormStep",
    "WelfareFlagHistory",
    "WelfareFlags",
]

# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("medical")

TABLES = (
    *BUS_TABLES,
    IDEMPOTENCY_TABLE,
    PUBLICATION_TABLE,
    ADJUSTMENT_TABLE,
    AUDIT_LOG.name,
    "registry_person",
    "registry_status_history",
    "welfare_flags",
    "welfare_flag_history",
    "outpatient_bill",
    "outpatient_year",
    "diagnosis_fee_visit",
    "plan_diagnosis_fee_ledger_report",
    "hospital_stay",
    "stay_decision",
    "stay_adjustment",
    "person_year",
    "topup_campaign",
    "topup_form",
    "topup_form_step",
    "family_doctor_team",
    "chronic_diagnosis",
    "family_doctor_signing",
    "follow_up_visit",
)
