"""Job-seeking subsidies already granted (EMP-7), recomputed when the county publishes a figure
that takes effect before the day it is published (shared.policy.recalculation).

A grant reads its figures on the certificate's issue day, so every grant on a certificate issued
from the day the figure takes effect is decided again by the same rule, on that day, with the
facts as the grant saw them: the certificate, its training, and the registry status and labour
ability its trace records (a grant was made, so they held then). Only numbers can be published,
so what changes is the amount."""

from __future__ import annotations

from datetime import date

from services.employment.recalculation import decided_figure, regranted
from services.employment.registry.repository import RegistryPeople
from services.employment.training.repository import COMPLETED, granted_on_certificates_since
from services.employment.training.rules import (
    EMP_7,
    CertificateKind,
    JobSeekingFacts,
    job_seeking_subsidy,
)
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Trace
from shared.uow import UnitOfWork

SCHEME = "job_seeking_subsidy"


def recalculate_job_seeking_subsidies(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """EMP-7: each job-seeking subsidy of the county on a certificate issued from `since`, due
    again under the policy as published; one adjustment per changed amount."""
    county = publication.county_code
    people = RegistryPeople(uow.session, None)
    out: list[PolicyAdjustment] = []
    rows = granted_on_certificates_since(uow.session, county, since, uow.today())
    for grant, certificate, enrolment, programme in rows:
        assert grant.id is not None
        on = certificate.issued_on
        status = decided_figure(grant.trace, EMP_7, "poverty_status")
        if status is None:
            status = people.status_on(grant.person_id, on)
        completed = enrolment.status == COMPLETED
        facts = JobSeekingFacts(
            certificate_kind=CertificateKind(certificate.kind),
            issued_on=on,
            poverty_status=status,
            labourer=decided_figure(grant.trace, EMP_7, "labourer") != "False",
            training_started_on=programme.starts_on,
            training_completed_on=enrolment.completed_on if completed else None,
        )
        trace = Trace()
        due = job_seeking_subsidy(facts, uow.params(county, on), trace=trace).amount
        subject = str(grant.id)
        row = regranted(
            uow,
            publication,
            Decided(
                scheme=SCHEME,
                subject=subject,
                county_code=county,
                period=on,
                paid=grant.amount,
                due=due,
                old_trace=grant.trace,
                new_trace=trace.out().model_dump(mode="json"),
                person_id=grant.person_id,
                household_id=grant.household_id,
                township_code=grant.village_code[:9],
            ),
        )
        if row is not None:
            out.append(row)
    return out
