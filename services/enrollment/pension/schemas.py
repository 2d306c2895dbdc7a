"""Request and response models of pension (enrollment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.enrollment.pension.rules import LedgerCategory
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, TracedProvenance, TraceOut


class Decision(BaseModel):
    """A rule's result: its amounts as plain fields, explained by its trace."""

    trace: TraceOut


class EligibilityOut(Decision):
    """ENR-P1: whether the person may join the resident pension in the year."""

    eligible: bool
    age: int
    reason: str | None = Field(description="why not eligible; null when eligible")


class ContributionOut(Decision):
    """ENR-P3, ENR-P4, ENR-P5: the year's contribution and who pays it (yuan)."""

    chosen_tier: Decimal = Field(description="缴费档次, yuan/year")
    contribution: Decimal = Field(description="contributed for the year")
    tier_subsidy: Decimal = Field(description="参保补贴, capped (ENR-P3)")
    disability_subsidy: Decimal = Field(description="缴费补助 of certified grade 3-4 (ENR-P4)")
    subsidy: Decimal = Field(description="government subsidy: the two above")
    paid_on_behalf: Decimal = Field(description="代缴: grade 1-2 (ENR-P4) or county 兜底 (ENR-P5)")
    person_pays: Decimal
    account_credit: Decimal = Field(description="into the individual account for the year")
    subsidy_deducted: bool


class EarlySubsidyOut(Decision):
    """ENR-P4: the 55-60 subsidy of the certified severely disabled."""

    entitled: bool
    reason: str | None
    monthly_amount: Decimal = Field(description="equal to the basic pension; 0 when not entitled")
    first_month: date | None
    last_month: date | None
    months_remaining: int


class LedgerRowOut(Decision):
    """ENR-P6: a person's standing on the ledger and the one-off back payment (一次性补缴)."""

    category: LedgerCategory
    age: int
    years_due: int
    years_missing: int
    lump_sum: Decimal


class BenefitOut(Decision):
    """ENR-P7: the monthly pension (yuan/month)."""

    basic_pension: Decimal = Field(description="基础养老金")
    long_contribution_extra: Decimal = Field(description="长缴多得")
    account_pension: Decimal = Field(description="个人账户养老金")
    monthly_total: Decimal


class TransferOut(Decision):
    """ENR-P9: a transfer in from the employee pension."""

    allowed: bool
    reason: str | None
    merged_account_balance: Decimal | None
    merged_contribution_months: int | None
    merged_contribution_years: int | None


class RuleResult(Provenance):
    """A decision of `rule` for a person (or for the facts posted), its amounts in `result`."""

    rule: str
    person_id: str | None = None


class SubsidyResult(RuleResult):
    """ENR-P1 when the person may not join in the year, otherwise ENR-P3."""

    result: ContributionOut | EligibilityOut


class EarlySubsidyResult(RuleResult):
    result: EarlySubsidyOut


class BenefitResult(RuleResult):
    result: BenefitOut


class TransferResult(RuleResult):
    result: TransferOut


class FuneralGrantOut(TracedProvenance):
    """The funeral grant (丧葬补助金, ENR-P8) paid on a person's death, once ever."""

    person_id: str
    id_number: str
    amount: Money
    deceased_on: date
    paid_at: datetime
    trace: dict[str, Any]


class LedgerEntry(Provenance):
    person_id: str
    name: str
    id_number: str
    township_code: str
    village_code: str
    birth_date: date
    result: LedgerRowOut


class LedgerPage(BaseModel):
    division: str
    on: date
    total: int
    offset: int
    limit: int
    items: list[LedgerEntry]


class BenefitIn(BaseModel):
    county_code: str = Field(pattern=r"^\d{6}$")
    on: date
    contribution_years: int = Field(ge=0, le=80)
    account_balance: NonNegativeMoney


class TransferIn(BaseModel):
    county_code: str = Field(pattern=r"^\d{6}$")
    on: date
    employee_contribution_months: int = Field(ge=0, le=1000)
    employee_account_balance: NonNegativeMoney
    resident_contribution_years: int = Field(default=0, ge=0, le=80)
    resident_account_balance: NonNegativeMoney = Decimal("0.00")
