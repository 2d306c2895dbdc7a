"""Who may call each route of the enrollment service (shared.access): the registry is the poverty
office's, the pension and medical rolls HR & social security's; townships keep their people's
records; auditors read the county; other systems read through `service`.

ID numbers in full: the officers who enroll and register people (poverty office, HR & social
security, medical insurance, township and village staff) and `service`; auditors and civil
affairs see them masked."""

from __future__ import annotations

from services.enrollment.education.routes import REGISTER_IMPORTERS
from services.enrollment.plan.routes import READERS as PLAN_READERS
from services.enrollment.plan.routes import RECORDERS as PLAN_RECORDERS
from services.enrollment.reconciliation.service import READERS as RECONCILIATION_READERS
from services.enrollment.registry.routes import REGISTRY_CLERKS, REGISTRY_WRITERS
from shared.access import COUNTY_OFFICERS, LOCAL, AccessPolicy, rule
from shared.plan import TARGET_READERS
from shared.policy.publication.access import publication_rules
from shared.roles import Role

# Read a registered person: every department, the township and village, auditors, systems.
PERSON_READERS = (COUNTY_OFFICERS, LOCAL, Role.auditor, Role.service)
PENSION_READERS = (Role.county_hrss, Role.county_poverty, LOCAL, Role.auditor, Role.service)
ROLL_IMPORTERS = (Role.county_hrss, Role.county_medical, Role.county_poverty)
# Education aid: the education bureau, the poverty office, townships and villages (their own
# students), the disabled persons' federation (责任部门 of ZA-GOV §三(一)3), auditors, systems.
EDUCATION_READERS = (
    Role.county_education,
    Role.county_poverty,
    Role.county_disability,
    LOCAL,
    Role.auditor,
    Role.service,
)

POLICY = AccessPolicy(
    service="enrollment",
    full_ids=frozenset(
        {
            Role.county_poverty,
            Role.county_hrss,
            Role.county_medical,
            Role.county_education,
            Role.township_officer,
            Role.village_cadre,
            Role.service,
        }
    ),
    rules={
        # Counties' parameter sets for this service's parameters (four eyes), and the
        # adjustments of the contribution subsidies a published set recomputes.
        **publication_rules(
            Role.county_hrss, Role.county_medical, Role.county_education, recalculates=True
        ),
        ("POST", "/v1/registry/imports"): rule(*REGISTRY_WRITERS),
        ("GET", "/v1/plan/targets"): rule(*TARGET_READERS, county_wide=True),
        ("POST", "/v1/plan/pension-ledger-copies"): rule(*PLAN_RECORDERS),
        ("GET", "/v1/plan/pension-ledger-copies"): rule(*PLAN_READERS, county_wide=True),
        ("GET", "/v1/persons/{id_number}"): rule(*PERSON_READERS),
        ("GET", "/v1/registry/missing"): rule(*PERSON_READERS),
        ("POST", "/v1/persons/{id_number}/death"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/persons/{id_number}/disability"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/households/{household_id}/members"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/households/{household_id}/head"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/persons/{id_number}/move"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/households/{household_id}/split"): rule(*REGISTRY_CLERKS),
        ("POST", "/v1/rolls/{scheme}/imports"): rule(*ROLL_IMPORTERS),
        ("GET", "/v1/reconciliation/{scheme}"): rule(*RECONCILIATION_READERS),
        ("GET", "/v1/reconciliation/{scheme}/gaps"): rule(*RECONCILIATION_READERS),
        ("GET", "/v1/reconciliation/{scheme}/export"): rule(*RECONCILIATION_READERS),
        ("GET", "/v1/persons/{id_number}/medical-contribution"): rule(*PERSON_READERS),
        ("POST", "/v1/medical-contributions"): rule(Role.county_hrss, Role.county_medical),
        ("GET", "/v1/persons/{id_number}/pension/subsidy"): rule(*PENSION_READERS),
        ("GET", "/v1/persons/{id_number}/pension/early-subsidy"): rule(*PENSION_READERS),
        ("GET", "/v1/persons/{id_number}/pension/funeral-grant"): rule(*PENSION_READERS),
        ("GET", "/v1/pension/ledger"): rule(*PENSION_READERS),
        # Calculators: nothing personal in or out, no jurisdiction.
        ("POST", "/v1/pension/benefit"): rule(
            Role.county_hrss, Role.township_officer, Role.service, scoped=False
        ),
        ("POST", "/v1/pension/transfer-in"): rule(
            Role.county_hrss, Role.township_officer, Role.service, scoped=False
        ),
        ("POST", "/v1/education/registers/imports"): rule(*REGISTER_IMPORTERS),
        ("GET", "/v1/education/students"): rule(*EDUCATION_READERS),
        ("GET", "/v1/education/students/export"): rule(*EDUCATION_READERS),
        ("GET", "/v1/education/students/{id_number}"): rule(*EDUCATION_READERS),
        ("GET", "/v1/education/out-of-school"): rule(*EDUCATION_READERS),
        ("GET", "/v1/education/coverage"): rule(*EDUCATION_READERS),
        # An import job: the officers who start imports, and auditors.
        ("GET", "/v1/jobs/{job_id}"): rule(
            *REGISTRY_WRITERS, *ROLL_IMPORTERS, *REGISTER_IMPORTERS, Role.auditor
        ),
    },
)
