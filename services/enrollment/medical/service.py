"""Computing and recording a person's medical contribution funding (ENR-M2, ENR-M3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from services.enrollment.medical.rules import (
    MedicalContributionFacts,
    MedicalContributionFunding,
    medical_contribution_funding,
)
from services.enrollment.models import Household, MedicalContribution, Person, WelfareStatus
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.domain import PovertyStatus
from shared.policy import PolicySet
from shared.trace import Params, Trace, TraceOut


def facts_for(
    session: Session, person: Person, household: Household, year: int
) -> MedicalContributionFacts:
    status = session.get(WelfareStatus, person.id)
    year_end = date(year, 12, 31)
    return MedicalContributionFacts(
        year=year,
        poverty_status=PovertyStatus(household.poverty_status),
        tekun=bool(status and status.tekun and (status.tekun_since or year_end) <= year_end),
        dibao=bool(status and status.dibao and (status.dibao_since or year_end) <= year_end),
        disability_grade=person.disability_grade,
        # The registry does not record work ability; grade 1-2 certificates are taken as unable
        # to work until the labour census (employment service) says otherwise.
        unable_to_work=person.disability_grade in (1, 2),
        low_income_household=bool(status and status.dibao),
        birth_date=person.birth_date,
    )


def compute_and_record(
    session: Session, policy: PolicySet, person: Person, household: Household, year: int
) -> tuple[MedicalContributionFunding, TraceOut]:
    trace = Trace()
    params = Params(policy, household.county_code, date(year, 1, 1))
    funding = medical_contribution_funding(
        facts_for(session, person, household, year), params, trace
    )
    out = trace.out()
    values: dict[str, Any] = {
        "person_id": person.id,
        "year": year,
        "contribution": funding.contribution,
        "medical_assistance": funding.medical_assistance,
        "province": funding.province,
        "prefecture_county": funding.prefecture_county,
        "person_pays": funding.person_pays,
        "trace": out.model_dump(mode="json"),
        "updated_at": utcnow(),
    }
    # One statement: a read of the contribution (which records it) and the consumer applying a
    # civil-affairs decision may record the same person and year at the same moment.
    upsert(session, MedicalContribution, values, key=("person_id", "year"))
    return funding, out
