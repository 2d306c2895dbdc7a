"""Request and response models of business (employment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from services.employment.business.rules import Borrower, LoanKind
from shared.money import Money
from shared.trace import Provenance, illustrative_of


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
