"""Request and response models of pension (enrollment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, TracedProvenance


class RuleResult(Provenance):
    rule: str
    person_id: str | None = None
    result: dict[str, Any]


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
    result: dict[str, Any]


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
    resident_account_balance: Money = Decimal("0.00")
