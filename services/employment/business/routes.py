"""HTTP API of entrepreneurship (创业扶贫, EMP-6): business starts, the one-off start-up subsidy
(一次性创业补贴, 5,000 after 6 months of stable operation, once per person, FL-HRSS §三(一)5) and
loan applications (创业担保贷款 / 扶贫小额信贷) checked against the caps (FL-HRSS §三(一)4).

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.employment.business import service
from services.employment.business.models import BusinessStart
from services.employment.business.repository import Businesses, Loans
from services.employment.business.schemas import (
    BusinessIn,
    BusinessOut,
    CloseIn,
    DecisionIn,
    LoanIn,
    LoanOut,
    SubsidyOut,
)
from services.employment.jobs.access import COUNTY, RECORDERS, can_read
from shared.app import Uow
from shared.auth import Principal, require

router = APIRouter(tags=["entrepreneurship 创业扶贫 (EMP-6)"])

Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
County = Annotated[Principal, Depends(require(*COUNTY))]


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
def post_business(body: BusinessIn, uow: Uow, _: Recorder) -> BusinessOut:
    fields = body.model_dump(exclude={"person_id", "business_type"})
    fields["business_type"] = body.business_type.value
    return _b(service.start(uow, body.person_id, fields))


@router.get("/v1/businesses", response_model=list[BusinessOut])
def list_businesses(
    uow: Uow,
    person_id: str | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[BusinessOut]:
    can_read(uow.principal)
    return [_b(b) for b in Businesses(uow.session, uow.principal).listed(person_id, township)]


@router.get("/v1/businesses/{business_id}", response_model=BusinessOut)
def get_business(business_id: str, uow: Uow) -> BusinessOut:
    can_read(uow.principal)
    return _b(Businesses(uow.session, uow.principal).get_or_404(business_id))


@router.post("/v1/businesses/{business_id}/close", response_model=BusinessOut)
def close_business(business_id: str, body: CloseIn, uow: Uow, _: Recorder) -> BusinessOut:
    return _b(service.close(uow, business_id, body.closed_on))


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
def post_subsidy(business_id: str, uow: Uow, _: County) -> SubsidyOut:
    grant = service.grant_subsidy(uow, business_id)
    return SubsidyOut.model_validate(grant, from_attributes=True)


@router.post(
    "/v1/business-loans",
    status_code=201,
    response_model=LoanOut,
    summary="Record a loan application (创业担保贷款 / 扶贫小额信贷) with its cap check",
    description="EMP-6: checked against employment.loans.* (guarantee loans 100,000 / "
    "500,000 / 4,000,000 by borrower, FL-HRSS §三(一)4; microcredit illustrative) with a trace.",
)
def post_loan(body: LoanIn, uow: Uow, _: Recorder) -> LoanOut:
    fields = body.model_dump()
    fields["loan_kind"], fields["borrower"] = body.loan_kind.value, body.borrower.value
    app = service.apply_for_loan(uow, fields)
    return LoanOut.model_validate(app, from_attributes=True)


@router.get("/v1/business-loans", response_model=list[LoanOut])
def list_loans(
    uow: Uow,
    status: Annotated[str | None, Query(pattern="^(pending|approved|rejected)$")] = None,
) -> list[LoanOut]:
    can_read(uow.principal)
    rows = Loans(uow.session, uow.principal).listed(status)
    return [LoanOut.model_validate(a, from_attributes=True) for a in rows]


@router.get("/v1/business-loans/{loan_id}", response_model=LoanOut)
def get_loan(loan_id: int, uow: Uow) -> LoanOut:
    can_read(uow.principal)
    loan = Loans(uow.session, uow.principal).get_or_404(loan_id)
    return LoanOut.model_validate(loan, from_attributes=True)


@router.post(
    "/v1/business-loans/{loan_id}/decision",
    response_model=LoanOut,
    summary="Approve (within the caps only) or reject with the reason",
)
def post_loan_decision(loan_id: int, body: DecisionIn, uow: Uow, _: County) -> LoanOut:
    app = service.decide_loan(uow, loan_id, body.approve, body.reason)
    return LoanOut.model_validate(app, from_attributes=True)
