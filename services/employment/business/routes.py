"""HTTP API of entrepreneurship (创业扶贫, EMP-6): business starts, the one-off start-up subsidy
(一次性创业补贴, 5,000 after 6 months of stable operation, once per person, FL-HRSS §三(一)5) and
loan applications (创业担保贷款 / 扶贫小额信贷) checked against the caps (FL-HRSS §三(一)4).

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, model_validator
from sqlmodel import col, select

from services.employment import clock
from services.employment.business import service
from services.employment.business.models import BusinessLoanApplication, BusinessStart
from services.employment.jobs.access import COUNTY, RECORDERS, can_read, scoped
from services.employment.rules.business import Borrower, LoanKind
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.money import Money
from shared.trace import Provenance, illustrative_of

router = APIRouter(tags=["entrepreneurship 创业扶贫 (EMP-6)"])

Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
County = Annotated[Principal, Depends(require(*COUNTY))]


class BusinessIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    business_type: Borrower = Field(description="individual / partnership / small_firm")
    name: str = Field(min_length=1, max_length=200)
    trade: str = Field(default="", max_length=200, description="行业")
    in_county: bool = Field(default=True, description="在本县行政区域内")
    first_business: bool = Field(default=True, description="初次创办 (as declared)")
    started_on: date


class CloseIn(BaseModel):
    closed_on: date


class BusinessOut(BaseModel):
    id: str
    rule: str = "EMP-6"
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    business_type: Borrower
    name: str
    trade: str
    in_county: bool
    first_business: bool
    started_on: date
    closed_on: date | None


class SubsidyOut(Provenance):
    id: int
    rule: str = "EMP-6"
    person_id: str
    business_id: str
    amount: Money
    granted_on: date
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> SubsidyOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self


class LoanIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    business_id: str | None = None
    loan_kind: LoanKind = Field(description="guarantee 创业担保贷款 / microcredit 扶贫小额信贷")
    borrower: Borrower = Borrower.individual
    amount: Annotated[Money, Field(gt=0)]
    term_months: int = Field(ge=1, le=600)
    applied_on: date


class DecisionIn(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=500)


class LoanOut(Provenance):
    id: int
    rule: str = "EMP-6"
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    business_id: str | None
    loan_kind: LoanKind
    borrower: Borrower
    amount: Money
    term_months: int
    applied_on: date
    within_caps: bool
    cap: Money
    interest_subsidy_ratio: Decimal
    status: str
    decision_reason: str | None
    decided_on: date | None
    check_trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> LoanOut:
        self.illustrative_parameters = illustrative_of(self.check_trace)
        return self


def _b(b: BusinessStart) -> BusinessOut:
    return BusinessOut.model_validate(b, from_attributes=True)


@router.post(
    "/v1/businesses",
    status_code=201,
    response_model=BusinessOut,
    summary="Record a business started by a registered poor person (创业)",
    description="EMP-6: publishes employment.business_started once (key: household id). A "
    "business is the person's first unless an earlier start is recorded or declared.",
)
def post_business(
    body: BusinessIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> BusinessOut:
    fields = body.model_dump(exclude={"person_id", "business_type"})
    fields["business_type"] = body.business_type.value
    business = service.start(session, runtime.publish_kwargs(), body.person_id, fields, principal)
    return _b(business)


@router.get("/v1/businesses", response_model=list[BusinessOut])
def list_businesses(
    session: DbSession,
    principal: CurrentPrincipal,
    person_id: str | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[BusinessOut]:
    can_read(principal)
    stmt = scoped(select(BusinessStart), col(BusinessStart.village_code), principal)
    if person_id:
        stmt = stmt.where(BusinessStart.person_id == person_id)
    if township:
        stmt = stmt.where(BusinessStart.township_code == township)
    return [_b(b) for b in session.exec(stmt.order_by(BusinessStart.started_on))]


@router.get("/v1/businesses/{business_id}", response_model=BusinessOut)
def get_business(business_id: str, session: DbSession, principal: CurrentPrincipal) -> BusinessOut:
    can_read(principal)
    return _b(service.load_business(session, business_id, principal))


@router.post("/v1/businesses/{business_id}/close", response_model=BusinessOut)
def close_business(
    business_id: str, body: CloseIn, session: DbSession, principal: Recorder
) -> BusinessOut:
    business = service.load_business(session, business_id, principal, lock=True)
    return _b(service.close(session, business, body.closed_on))


@router.post(
    "/v1/businesses/{business_id}/subsidy",
    status_code=201,
    response_model=SubsidyOut,
    summary="Grant the one-off entrepreneurship subsidy (一次性创业补贴)",
    description="EMP-6: employment.entrepreneurship.one_off_subsidy (5,000) once the first "
    "business in the county has run employment.entrepreneurship.stable_months (6); once per "
    "person ever: a repeated or concurrent grant is a 409 naming the grant made. Not "
    "qualifying: 422 with the reasons.",
)
def post_subsidy(
    business_id: str, session: DbSession, runtime: RuntimeDep, principal: County
) -> SubsidyOut:
    business = service.load_business(session, business_id, principal, lock=True)
    grant = service.grant_subsidy(session, runtime.policy, business, clock.today(), principal)
    return SubsidyOut.model_validate(grant, from_attributes=True)


@router.post(
    "/v1/business-loans",
    status_code=201,
    response_model=LoanOut,
    summary="Record a loan application (创业担保贷款 / 扶贫小额信贷) with its cap check",
    description="EMP-6: checked against employment.loans.* (guarantee loans 100,000 / "
    "500,000 / 4,000,000 by borrower, FL-HRSS §三(一)4; microcredit illustrative) with a trace.",
)
def post_loan(
    body: LoanIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> LoanOut:
    fields = body.model_dump()
    fields["loan_kind"], fields["borrower"] = body.loan_kind.value, body.borrower.value
    app = service.apply_for_loan(session, runtime.policy, fields, principal)
    return LoanOut.model_validate(app, from_attributes=True)


@router.get("/v1/business-loans", response_model=list[LoanOut])
def list_loans(
    session: DbSession,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(pattern="^(pending|approved|rejected)$")] = None,
) -> list[LoanOut]:
    can_read(principal)
    stmt = scoped(
        select(BusinessLoanApplication), col(BusinessLoanApplication.village_code), principal
    )
    if status:
        stmt = stmt.where(BusinessLoanApplication.status == status)
    rows = session.exec(stmt.order_by(BusinessLoanApplication.id))  # type: ignore[arg-type]
    return [LoanOut.model_validate(a, from_attributes=True) for a in rows]


@router.get("/v1/business-loans/{loan_id}", response_model=LoanOut)
def get_loan(loan_id: int, session: DbSession, principal: CurrentPrincipal) -> LoanOut:
    can_read(principal)
    return LoanOut.model_validate(
        service.load_loan(session, loan_id, principal), from_attributes=True
    )


@router.post(
    "/v1/business-loans/{loan_id}/decision",
    response_model=LoanOut,
    summary="Approve (within the caps only) or reject with the reason",
)
def post_loan_decision(
    loan_id: int, body: DecisionIn, session: DbSession, principal: County
) -> LoanOut:
    app = service.load_loan(session, loan_id, principal, lock=True)
    app = service.decide_loan(session, app, body.approve, body.reason, clock.today(), principal)
    return LoanOut.model_validate(app, from_attributes=True)
