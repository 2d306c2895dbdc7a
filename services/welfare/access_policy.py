"""Who may call each route of the welfare service (shared.access): civil affairs decides and pays;
townships accept and review; villages submit; the poverty office and auditors read; the one
window's requests are answered by the department they are referred to; other systems read and
end cases through `service`.

ID numbers in full: civil affairs, township and village staff (they act on the person) and
`service`; auditors, the poverty office and the other departments see them masked. The bank file
keeps full numbers (the bank needs them) and only civil affairs reads it. A person's page
(`/v1/persons/{id_number}`) shows them in full to the disability federation too, which acts on
the people of its register."""

from __future__ import annotations

from services.welfare.appraisal.routes import READERS as APPRAISAL_READERS
from services.welfare.complaints.service import ANSWERERS as COMPLAINT_ANSWERERS
from services.welfare.complaints.service import READERS as COMPLAINT_READERS
from services.welfare.complaints.service import RECORDERS as COMPLAINT_RECORDERS
from services.welfare.crosscheck.routes import FACT_WRITERS
from services.welfare.crosscheck.routes import READERS as CROSSCHECK_READERS
from services.welfare.dibao.procedure import READERS as DIBAO_READERS
from services.welfare.dibao.procedure import SUBMITTERS
from services.welfare.disability.routes import ACTORS as DISABILITY_ACTORS
from services.welfare.disability.routes import READERS as DISABILITY_READERS
from services.welfare.payments.routes import READERS as PAYMENT_READERS
from services.welfare.registry.routes import READERS as PERSON_READERS
from services.welfare.relief.procedure import OPENERS
from services.welfare.relief.procedure import READERS as RELIEF_READERS
from services.welfare.simulation.routes import RUNNERS as SIMULATION_RUNNERS
from services.welfare.tekun.routes import READERS as TEKUN_READERS
from services.welfare.window.procedure import ANSWERERS as WINDOW_ANSWERERS
from services.welfare.window.procedure import READERS as WINDOW_READERS
from services.welfare.window.procedure import WINDOW
from shared.access import PUBLIC, AccessPolicy, rule
from shared.plan import TARGET_READERS
from shared.policy.publication.access import publication_rules
from shared.roles import Role

TOWNSHIP = Role.township_officer
CIVIL = Role.county_civil
# Workflow steps name the officers who take them; admin takes none (services.welfare.workflow).
TEKUN_STEPPERS = (Role.township_officer, Role.county_civil, Role.service)

# Disability support (WEL-4, WEL-10..12): the township and the 县残联 enrol, record accounts and
# apply; the 县残联 decides; the people who act on the person see ID numbers in full.
_DIS = "/v1/disability"
_DIS_READ = rule(*DISABILITY_READERS, full_ids=DISABILITY_ACTORS)
_DIS_ACT = rule(TOWNSHIP, Role.county_disability, admin=False, full_ids=DISABILITY_ACTORS)
DISABILITY_RULES = {
    ("POST", f"{_DIS}/persons"): _DIS_ACT,
    ("GET", f"{_DIS}/persons"): _DIS_READ,
    ("GET", f"{_DIS}/persons/{{disabled_person_id}}"): _DIS_READ,
    ("PUT", f"{_DIS}/persons/{{disabled_person_id}}/account"): _DIS_ACT,
    # Civil affairs pays the subsidies and decides to write off what it cannot recover.
    ("POST", f"{_DIS}/persons/{{disabled_person_id}}/clawback-write-off"): rule(
        CIVIL, admin=False, full_ids=DISABILITY_ACTORS
    ),
    ("GET", f"{_DIS}/subsidies"): _DIS_READ,
    ("POST", f"{_DIS}/rehab-cases"): _DIS_ACT,
    ("GET", f"{_DIS}/rehab-cases"): _DIS_READ,
    ("GET", f"{_DIS}/rehab-cases/{{case_id}}"): _DIS_READ,
    ("POST", f"{_DIS}/rehab-cases/{{case_id}}/decision"): rule(
        Role.county_disability, admin=False, full_ids=DISABILITY_ACTORS
    ),
    ("POST", f"{_DIS}/rehab-cases/{{case_id}}/grants"): _DIS_ACT,
    ("GET", f"{_DIS}/rehab-grants.xlsx"): _DIS_READ,
}

FULL_IDS = frozenset({Role.county_civil, Role.township_officer, Role.village_cadre, Role.service})

POLICY = AccessPolicy(
    service="welfare",
    full_ids=FULL_IDS,
    rules={
        # Counties' parameter sets for this service's parameters (four eyes).
        **publication_rules(Role.county_civil),
        # What a proposed change would do, before it is approved (nothing is written).
        ("POST", "/v1/simulations"): rule(*SIMULATION_RUNNERS, county_wide=True),
        # A person and the records about them, each kind to the roles that read it on its own.
        ("GET", "/v1/persons/{id_number}"): rule(
            *PERSON_READERS, full_ids=FULL_IDS | set(DISABILITY_ACTORS)
        ),
        ("POST", "/v1/dibao/applications"): rule(*SUBMITTERS),
        ("GET", "/v1/dibao/applications"): rule(*DIBAO_READERS),
        ("GET", "/v1/dibao/applications/{application_id}"): rule(*DIBAO_READERS),
        ("POST", "/v1/dibao/applications/{application_id}/acceptance"): rule(TOWNSHIP, admin=False),
        ("POST", "/v1/dibao/applications/{application_id}/economic-review"): rule(
            TOWNSHIP, admin=False
        ),
        ("POST", "/v1/dibao/applications/{application_id}/decision"): rule(CIVIL, admin=False),
        ("POST", "/v1/dibao/applications/{application_id}/notice"): rule(TOWNSHIP, admin=False),
        ("POST", "/v1/dibao/applications/{application_id}/objections"): rule(
            Role.village_cadre, TOWNSHIP, CIVIL
        ),
        (
            "POST",
            "/v1/dibao/applications/{application_id}/objections/{objection_id}/resolution",
        ): rule(TOWNSHIP, CIVIL),
        ("POST", "/v1/dibao/applications/{application_id}/activation"): rule(CIVIL, admin=False),
        ("GET", "/v1/dibao/notices"): rule(*DIBAO_READERS),
        ("GET", "/v1/dibao/cases"): rule(*DIBAO_READERS),
        ("GET", "/v1/dibao/cases/{case_id}"): rule(*DIBAO_READERS),
        ("GET", "/v1/dibao/cases/{case_id}/steps"): rule(*DIBAO_READERS),
        ("POST", "/v1/dibao/cases/{case_id}/reviews"): rule(TOWNSHIP, CIVIL, admin=False),
        ("POST", "/v1/dibao/cases/{case_id}/clawback-write-off"): rule(CIVIL, admin=False),
        ("GET", "/v1/dibao/reviews/overdue"): rule(*DIBAO_READERS),
        ("POST", "/v1/payment-cycles"): rule(CIVIL, admin=False),
        ("GET", "/v1/payment-cycles"): rule(*PAYMENT_READERS, county_wide=True),
        ("GET", "/v1/payment-cycles/{cycle_id}"): rule(*PAYMENT_READERS, county_wide=True),
        ("POST", "/v1/payment-cycles/{cycle_id}/approval"): rule(CIVIL, admin=False),
        ("POST", "/v1/payment-cycles/{cycle_id}/payment"): rule(CIVIL, admin=False),
        ("GET", "/v1/payment-cycles/{cycle_id}/bank-file"): rule(
            CIVIL, full_ids=[CIVIL], note="the bank needs full numbers: civil affairs only"
        ),
        ("GET", "/v1/payment-cycles/{cycle_id}/summary"): rule(*PAYMENT_READERS, county_wide=True),
        ("GET", "/v1/payment-cycles/{cycle_id}/lines"): rule(*PAYMENT_READERS, county_wide=True),
        ("POST", "/v1/payment-cycles/{cycle_id}/bank-returns"): rule(CIVIL, admin=False),
        ("GET", "/v1/payment-cycles/{cycle_id}/adjustments"): rule(
            *PAYMENT_READERS, county_wide=True
        ),
        ("GET", "/v1/payment-cycles/{cycle_id}/reconciliation"): rule(
            *PAYMENT_READERS, county_wide=True
        ),
        ("POST", "/v1/payment-lines/{line_id}/failure"): rule(CIVIL, admin=False),
        ("POST", "/v1/payment-lines/{line_id}/reissue"): rule(CIVIL, admin=False),
        ("POST", "/v1/tekun/cases"): rule(*WINDOW),
        ("POST", "/v1/tekun/certifications"): rule(CIVIL),
        ("GET", "/v1/tekun/cases"): rule(*TEKUN_READERS),
        ("GET", "/v1/plan/targets"): rule(*TARGET_READERS, county_wide=True),
        ("GET", "/v1/tekun/cases/{case_id}"): rule(*TEKUN_READERS),
        ("POST", "/v1/tekun/cases/{case_id}/steps"): rule(*TEKUN_STEPPERS, admin=False),
        ("POST", "/v1/tekun/cases/{case_id}/assessments"): rule(CIVIL, TOWNSHIP),
        ("POST", "/v1/tekun/cases/{case_id}/end"): rule(CIVIL, admin=False),
        ("POST", "/v1/tekun/care-homes"): rule(CIVIL),
        ("GET", "/v1/tekun/care-homes/{home_id}"): rule(*TEKUN_READERS),
        ("POST", "/v1/tekun/care-homes/{home_id}/placements"): rule(CIVIL, TOWNSHIP),
        ("POST", "/v1/tekun/placements/{placement_id}/move-out"): rule(CIVIL, TOWNSHIP),
        ("GET", "/v1/tekun/care-homes/{home_id}/occupancy"): rule(*TEKUN_READERS),
        ("GET", "/v1/tekun/occupancy"): rule(*TEKUN_READERS, county_wide=True),
        ("GET", "/v1/appraisal/indicators"): rule(*APPRAISAL_READERS, county_wide=True),
        ("POST", "/v1/crosscheck/facts/imports"): rule(*FACT_WRITERS),
        ("PUT", "/v1/crosscheck/facts/{person_id}"): rule(*FACT_WRITERS),
        ("GET", "/v1/crosscheck/facts/{person_id}"): rule(*CROSSCHECK_READERS),
        ("POST", "/v1/crosscheck/runs"): rule(CIVIL),
        ("GET", "/v1/crosscheck/runs"): rule(*CROSSCHECK_READERS, county_wide=True),
        ("GET", "/v1/crosscheck/runs/{run_id}"): rule(*CROSSCHECK_READERS, county_wide=True),
        ("GET", "/v1/crosscheck/runs/{run_id}/worklist"): rule(
            *CROSSCHECK_READERS, county_wide=True
        ),
        ("GET", "/v1/crosscheck/runs/{run_id}/worklist.xlsx"): rule(
            *CROSSCHECK_READERS, county_wide=True
        ),
        ("POST", "/v1/crosscheck/findings/{finding_id}/close"): rule(TOWNSHIP, CIVIL),
        ("POST", "/v1/relief/cases"): rule(*OPENERS),
        ("POST", "/v1/relief/declarations"): rule(TOWNSHIP, CIVIL),
        ("POST", "/v1/relief/childbirths"): rule(*OPENERS),
        ("POST", "/v1/relief/relocations"): rule(*OPENERS),
        ("PUT", "/v1/relief/spending"): rule(*OPENERS, CIVIL),
        ("GET", "/v1/relief/cases"): rule(*RELIEF_READERS),
        ("GET", "/v1/relief/cases/{case_id}"): rule(*RELIEF_READERS),
        ("POST", "/v1/relief/cases/{case_id}/decision"): rule(CIVIL, admin=False),
        ("POST", "/v1/window/requests"): rule(*WINDOW, admin=False),
        ("GET", "/v1/window/requests"): rule(*WINDOW_READERS),
        ("GET", "/v1/window/referrals/overdue"): rule(*WINDOW_READERS),
        ("GET", "/v1/window/requests/{request_no}"): rule(*WINDOW_READERS),
        ("POST", "/v1/window/requests/{request_no}/steps"): rule(*WINDOW_ANSWERERS, admin=False),
        # The applicant follows the request by its number: no token, no name, number masked.
        ("GET", "/v1/window/track/{request_no}"): PUBLIC,
        ("POST", "/v1/complaints"): rule(*COMPLAINT_RECORDERS),
        ("POST", "/v1/complaints/{complaint_id}/answer"): rule(*COMPLAINT_ANSWERERS, admin=False),
        ("GET", "/v1/complaints"): rule(*COMPLAINT_READERS),
        ("GET", "/v1/complaints/{complaint_id}"): rule(*COMPLAINT_READERS),
        **DISABILITY_RULES,
    },
)
