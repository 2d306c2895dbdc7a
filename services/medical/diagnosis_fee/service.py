"""The shell around MED-9: a visit's self-paid general diagnosis fee (一般诊疗费) at a township
health centre (乡镇卫生院) or village clinic (村卫生室) is refunded in full to the registered poor
(by the registry status on the visit date). The visit id is the idempotency key; visits of the
clean-up period (清理期间, 2017-01-01..10-31 in YA-HRSS §二(二)2) are marked for the ledger
(台账) with its deadline."""

from __future__ import annotations

import hashlib
from datetime import date

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from services.medical.models import DiagnosisFeeVisit
from services.medical.outpatient.rules import (
    MED_9,
    P_GDF_RATIO,
    GeneralFeeVisit,
    general_diagnosis_fee_refund,
)
from services.medical.registry.lookup import standing_on
from shared.errors import Conflict, FieldError, InvalidInput
from shared.ids import CountyCode, ResidentIdNumber, TownshipCode
from shared.money import NonNegativeMoney
from shared.policy import ParameterNotFound, PolicySet
from shared.trace import Params, Trace


class VisitIn(BaseModel):
    visit_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$", description="idempotency key"
    )
    id_number: ResidentIdNumber
    county_code: CountyCode
    township_code: TownshipCode = Field(description="the facility's township (ledger per township)")
    facility_type: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z_]+$",
        description="township_health_centre (乡镇卫生院), village_clinic (村卫生室) or another",
    )
    facility_name: str = Field(min_length=1, max_length=120)
    visit_date: date
    fee_self_pay: NonNegativeMoney = Field(description="一般诊疗费个人自付部分")

    @model_validator(mode="after")
    def _township_in_county(self) -> VisitIn:
        if not self.township_code.startswith(self.county_code):
            raise ValueError(
                f"township_code {self.township_code} is not in county {self.county_code}"
            )
        return self


def _digest(body: VisitIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


class DiagnosisFeeService:
    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy

    def record(self, session: Session, body: VisitIn, by: str) -> tuple[DiagnosisFeeVisit, bool]:
        digest = _digest(body)
        existing = session.get(DiagnosisFeeVisit, body.visit_id, populate_existing=True)
        if existing is not None:
            if existing.facts_hash == digest and existing.submitted_by == by:
                return existing, False
            raise Conflict("this visit id is already recorded with other facts")
        params = Params(self.policy, body.county_code, body.visit_date)
        try:
            params.policy.resolve(P_GDF_RATIO, params.county, params.on)
        except ParameterNotFound as exc:
            raise InvalidInput(
                f"{MED_9} is not in force on the visit date",
                errors=[FieldError(field="body.visit_date", reason=str(exc))],
            ) from exc
        standing = standing_on(session, body.id_number, body.visit_date)
        trace = Trace()
        refusal = standing.refusal(MED_9, body.visit_date)
        if refusal is not None:
            trace.step(MED_9, refusal, visit_date=body.visit_date)
        result = general_diagnosis_fee_refund(
            GeneralFeeVisit(
                body.visit_date, body.facility_type, standing.registered_poor, body.fee_self_pay
            ),
            params,
            trace=trace,
        )
        visit = DiagnosisFeeVisit(
            visit_id=body.visit_id,
            submitted_by=by,
            id_number=body.id_number,
            person_id=standing.person.person_id if standing.person else None,
            county_code=body.county_code,
            township_code=body.township_code,
            facility_type=body.facility_type,
            facility_name=body.facility_name,
            visit_date=body.visit_date,
            fee_self_pay=body.fee_self_pay,
            facts_hash=digest,
            poverty_status=standing.status,
            refund=result.refund,
            reason=refusal or result.reason,
            in_cleanup_window=result.in_cleanup_window,
            ledger_deadline=result.ledger_deadline,
            trace=trace.out().model_dump(mode="json"),
        )
        session.add(visit)
        session.flush()
        return visit, True
