"""Who may call each route of the medical service (shared.access): hospitals post stays, bills
and visits and read their own; the medical insurance bureau runs the chain and the campaign;
village, township and poverty-office staff follow people and the top-up forms; auditors read the
county; other systems read through `service`.

ID numbers in full: medical insurance, hospitals (the number is theirs to post), township and
village staff on home visits, `service`; auditors and the poverty office see them masked."""

from __future__ import annotations

from services.medical.access import BILL_POSTERS, BILL_READERS
from services.medical.campaign.service import READERS as CAMPAIGN_READERS
from services.medical.family_doctor.service import READERS as FAMILY_DOCTOR_READERS
from services.medical.family_doctor.service import SIGNERS as FAMILY_DOCTOR_SIGNERS
from services.medical.family_doctor.service import TEAM_WRITERS, VISITORS
from services.medical.plan.routes import READERS as PLAN_READERS
from services.medical.plan.routes import RECORDERS as PLAN_RECORDERS
from services.medical.registry.routes import READERS as PERSON_READERS
from services.medical.stays.service import READERS as STAY_READERS
from services.medical.stays.service import WRITERS as STAY_WRITERS
from services.medical.summary.routes import READERS as SUMMARY_READERS
from shared.access import AccessPolicy, rule
from shared.plan import TARGET_READERS
from shared.policy.publication.access import publication_rules
from shared.roles import Role

# A form's steps are taken by the village, the township and the county bureau (not admin).
FORM_STEPPERS = (Role.village_cadre, Role.township_officer, Role.county_medical)

FULL_IDS = frozenset(
    {
        Role.county_medical,
        Role.hospital,
        Role.township_officer,
        Role.village_cadre,
        Role.service,
    }
)
# Family doctors and the health bureau act on the patients they sign and visit (MED-12).
FAMILY_DOCTOR_IDS = FULL_IDS | {Role.family_doctor, Role.county_health}

POLICY = AccessPolicy(
    service="medical",
    full_ids=FULL_IDS,
    rules={
        # Counties' parameter sets for this service's parameters (four eyes), and the
        # adjustments of the stays a published set settles again (settled by the bureau).
        **publication_rules(Role.county_medical, recalculates=True),
        ("GET", "/v1/persons/{id_number}"): rule(*PERSON_READERS),
        ("POST", "/v1/hospitalizations"): rule(*STAY_WRITERS),
        ("GET", "/v1/hospitalizations/{claim_id}"): rule(*STAY_READERS, note="hospital: own"),
        ("PUT", "/v1/hospitalizations/{claim_id}"): rule(*STAY_WRITERS, note="hospital: own"),
        ("POST", "/v1/hospitalizations/{claim_id}/cancel"): rule(*STAY_WRITERS),
        ("GET", "/v1/hospitalizations/{claim_id}/history"): rule(*STAY_READERS),
        ("POST", "/v1/campaigns"): rule(Role.county_medical),
        ("GET", "/v1/campaigns/{campaign_id}"): rule(*CAMPAIGN_READERS, county_wide=True),
        ("GET", "/v1/campaigns/{campaign_id}/forms"): rule(*CAMPAIGN_READERS, county_wide=True),
        ("GET", "/v1/campaigns/{campaign_id}/forms/export"): rule(
            *CAMPAIGN_READERS, county_wide=True
        ),
        ("GET", "/v1/campaigns/{campaign_id}/forms/{form_id}"): rule(*CAMPAIGN_READERS),
        ("POST", "/v1/campaigns/{campaign_id}/forms/{form_id}/steps"): rule(
            *FORM_STEPPERS, admin=False
        ),
        ("GET", "/v1/persons/{id_number}/medical-summary"): rule(*SUMMARY_READERS),
        ("GET", "/v1/indicators/guarantee"): rule(*SUMMARY_READERS, county_wide=True),
        ("POST", "/v1/outpatient/chronic-bills"): rule(*BILL_POSTERS),
        ("POST", "/v1/outpatient/chronic36-bills"): rule(*BILL_POSTERS),
        ("GET", "/v1/outpatient/bills/{bill_id}"): rule(*BILL_READERS, *BILL_POSTERS),
        ("GET", "/v1/persons/{id_number}/outpatient-summary"): rule(*BILL_READERS),
        ("POST", "/v1/general-diagnosis-fees"): rule(*BILL_POSTERS),
        ("GET", "/v1/general-diagnosis-fees/ledger"): rule(*BILL_READERS, county_wide=True),
        ("GET", "/v1/plan/targets"): rule(*TARGET_READERS, county_wide=True),
        ("POST", "/v1/plan/diagnosis-fee-ledgers"): rule(*PLAN_RECORDERS),
        ("GET", "/v1/plan/diagnosis-fee-ledgers"): rule(*PLAN_READERS, county_wide=True),
        ("GET", "/v1/general-diagnosis-fees/{visit_id}"): rule(*BILL_READERS, *BILL_POSTERS),
        ("POST", "/v1/family-doctor/teams"): rule(*TEAM_WRITERS),
        ("GET", "/v1/family-doctor/teams"): rule(*FAMILY_DOCTOR_READERS),
        ("GET", "/v1/family-doctor/teams/{team_id}"): rule(*FAMILY_DOCTOR_READERS),
        ("POST", "/v1/family-doctor/diagnoses"): rule(
            *FAMILY_DOCTOR_SIGNERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("POST", "/v1/family-doctor/signings"): rule(
            *FAMILY_DOCTOR_SIGNERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("GET", "/v1/family-doctor/signings/{signing_id}"): rule(
            *FAMILY_DOCTOR_READERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("POST", "/v1/family-doctor/signings/{signing_id}/renew"): rule(
            *FAMILY_DOCTOR_SIGNERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("POST", "/v1/family-doctor/signings/{signing_id}/end"): rule(
            *FAMILY_DOCTOR_SIGNERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("POST", "/v1/family-doctor/signings/{signing_id}/visits"): rule(
            *VISITORS, admin=False, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("GET", "/v1/family-doctor/persons/{id_number}/visits"): rule(
            *FAMILY_DOCTOR_READERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("GET", "/v1/family-doctor/signing-rate"): rule(*FAMILY_DOCTOR_READERS),
        ("GET", "/v1/family-doctor/signing-rate/export"): rule(*FAMILY_DOCTOR_READERS),
        ("GET", "/v1/family-doctor/unsigned"): rule(
            *FAMILY_DOCTOR_READERS, full_ids=FAMILY_DOCTOR_IDS
        ),
        ("GET", "/v1/family-doctor/overdue"): rule(
            *FAMILY_DOCTOR_READERS, full_ids=FAMILY_DOCTOR_IDS
        ),
    },
)
