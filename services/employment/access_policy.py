"""Who may call each route of the employment service (shared.access): HR & social security runs
it with the townships and villages; the poverty office and auditors read; other systems read
jobs, posts, workshops and businesses through `service`.

ID numbers: the service keys people by person id; where a number appears, `service` sees it in
full and everyone else masked, except the labour census, whose takers (village, township, HR &
social security) export it with full numbers and import it back."""

from __future__ import annotations

from services.employment.census.routes import READERS as CENSUS_READERS
from services.employment.census.routes import WRITERS as CENSUS_WRITERS
from services.employment.jobs.access import COUNTY, ORGANISERS, READERS, RECORDERS
from services.employment.plan.routes import READERS as PLAN_READERS
from services.employment.report.routes import READERS as REPORT_READERS
from services.employment.training.routes import READERS as TRAINING_READERS
from shared.access import AccessPolicy, rule
from shared.plan import TARGET_READERS
from shared.policy.publication.access import publication_rules
from shared.roles import Role

TRAINING_OFFICERS = (Role.county_hrss, Role.township_officer)
CENSUS_FULL_IDS = (*CENSUS_WRITERS, Role.service)

POLICY = AccessPolicy(
    service="employment",
    full_ids=frozenset({Role.service}),
    rules={
        # Counties' parameter sets for this service's parameters (four eyes), and the
        # adjustments of subsidies recomputed on publication.
        **publication_rules(Role.county_hrss, recalculates=True),
        ("GET", "/v1/persons/{id_number}"): rule(*READERS),
        ("POST", "/v1/census/imports"): rule(*CENSUS_WRITERS, full_ids=CENSUS_FULL_IDS),
        ("GET", "/v1/census/persons"): rule(*CENSUS_READERS, full_ids=CENSUS_FULL_IDS),
        ("GET", "/v1/census/persons/{person_id}"): rule(*CENSUS_READERS, full_ids=CENSUS_FULL_IDS),
        ("PUT", "/v1/census/persons/{person_id}"): rule(*CENSUS_WRITERS, full_ids=CENSUS_FULL_IDS),
        ("PATCH", "/v1/census/persons/{person_id}"): rule(
            *CENSUS_WRITERS, full_ids=CENSUS_FULL_IDS
        ),
        ("GET", "/v1/census/not-surveyed"): rule(*CENSUS_READERS, full_ids=CENSUS_FULL_IDS),
        ("GET", "/v1/census/export"): rule(*CENSUS_READERS, full_ids=CENSUS_FULL_IDS),
        ("GET", "/v1/training/assignments"): rule(*TRAINING_READERS),
        ("POST", "/v1/training/programmes"): rule(Role.county_hrss),
        ("GET", "/v1/training/programmes"): rule(*TRAINING_READERS, county_wide=True),
        ("GET", "/v1/training/programmes/{programme_id}"): rule(
            *TRAINING_READERS, county_wide=True
        ),
        ("POST", "/v1/training/programmes/{programme_id}/enrolments"): rule(
            *RECORDERS, county_wide=True
        ),
        ("GET", "/v1/training/programmes/{programme_id}/enrolments"): rule(
            *TRAINING_READERS, county_wide=True
        ),
        ("POST", "/v1/training/enrolments/{enrolment_id}/completion"): rule(*TRAINING_OFFICERS),
        ("POST", "/v1/training/enrolments/{enrolment_id}/certificates"): rule(*TRAINING_OFFICERS),
        ("POST", "/v1/training/certificates/{certificate_id}/job-seeking-subsidy"): rule(
            Role.county_hrss
        ),
        ("GET", "/v1/training/indicators"): rule(*TRAINING_READERS, county_wide=True),
        ("GET", "/v1/training/ledger"): rule(*TRAINING_READERS),
        ("POST", "/v1/jobs/vacancies"): rule(*ORGANISERS),
        ("GET", "/v1/jobs/vacancies"): rule(*READERS),
        ("GET", "/v1/jobs/vacancies/{vacancy_id}"): rule(*READERS, county_wide=True),
        ("POST", "/v1/jobs/vacancies/{vacancy_id}/close"): rule(*ORGANISERS, county_wide=True),
        ("POST", "/v1/jobs/recommendations"): rule(*RECORDERS),
        ("GET", "/v1/jobs/recommendations"): rule(*READERS),
        ("GET", "/v1/jobs/recommendations/{rec_id}"): rule(*READERS),
        ("POST", "/v1/jobs/recommendations/{rec_id}/outcome"): rule(*RECORDERS),
        ("GET", "/v1/jobs/recommendation-coverage"): rule(*READERS, county_wide=True),
        ("POST", "/v1/jobs/placements"): rule(*RECORDERS),
        ("GET", "/v1/jobs/placements"): rule(*READERS),
        ("GET", "/v1/jobs/placements/{placement_id}"): rule(*READERS),
        ("POST", "/v1/jobs/placements/{placement_id}/loss"): rule(*RECORDERS),
        ("POST", "/v1/jobs/fairs"): rule(*ORGANISERS),
        ("GET", "/v1/jobs/fairs"): rule(*READERS),
        ("POST", "/v1/posts"): rule(*ORGANISERS),
        ("GET", "/v1/posts"): rule(*READERS),
        ("GET", "/v1/posts/occupancy"): rule(*READERS, county_wide=True),
        ("GET", "/v1/posts/{post_id}"): rule(*READERS),
        ("POST", "/v1/posts/{post_id}/assignments"): rule(*RECORDERS),
        ("GET", "/v1/posts/{post_id}/assignments"): rule(*READERS),
        ("POST", "/v1/posts/{post_id}/assignments/{assignment_id}/end"): rule(*RECORDERS),
        ("POST", "/v1/workshops"): rule(*ORGANISERS),
        ("GET", "/v1/workshops"): rule(*READERS),
        ("GET", "/v1/workshops/{workshop_id}"): rule(*READERS),
        ("POST", "/v1/workshops/{workshop_id}/workers"): rule(*RECORDERS),
        ("GET", "/v1/workshops/{workshop_id}/workers"): rule(*READERS),
        ("POST", "/v1/workshops/{workshop_id}/workers/{worker_id}/leave"): rule(*RECORDERS),
        ("POST", "/v1/workshops/{workshop_id}/subsidy-claims"): rule(*COUNTY),
        ("GET", "/v1/workshops/{workshop_id}/subsidy-payments"): rule(*READERS),
        ("POST", "/v1/businesses"): rule(*RECORDERS),
        ("GET", "/v1/businesses"): rule(*READERS),
        ("GET", "/v1/businesses/{business_id}"): rule(*READERS),
        ("POST", "/v1/businesses/{business_id}/close"): rule(*RECORDERS),
        ("POST", "/v1/businesses/{business_id}/subsidy"): rule(*COUNTY),
        ("POST", "/v1/business-loans"): rule(*RECORDERS),
        ("GET", "/v1/business-loans"): rule(*READERS),
        ("GET", "/v1/business-loans/{loan_id}"): rule(*READERS),
        ("POST", "/v1/business-loans/{loan_id}/decision"): rule(*COUNTY),
        ("POST", "/v1/relocated-households"): rule(*ORGANISERS),
        ("POST", "/v1/relocated-households/imports"): rule(*ORGANISERS),
        ("GET", "/v1/relocated-households/without-work"): rule(*READERS),
        ("GET", "/v1/reports/monthly"): rule(*REPORT_READERS, county_wide=True),
        ("GET", "/v1/plan/targets"): rule(*TARGET_READERS, county_wide=True),
        ("POST", "/v1/plan/leader-sessions"): rule(Role.county_hrss),
        ("GET", "/v1/plan/leader-sessions"): rule(*PLAN_READERS, county_wide=True),
        ("POST", "/v1/plan/leader-trainees/{trainee_id}/employment"): rule(
            Role.county_hrss, Role.township_officer
        ),
    },
)
