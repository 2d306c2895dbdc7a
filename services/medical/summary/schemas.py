"""Request and response models of summary (medical), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from services.medical.campaign.rules import FormStatus
from shared.money import Money


class StayLine(BaseModel):
    claim_id: str
    version: int
    status: str
    admission: date
    discharge: date
    referral_compliant: bool
    total_cost: Money
    basic: Money
    critical_illness: Money
    assistance: Money
    topup: Money
    annual_cap: Money
    self_pay: Money
    ratio_after: Decimal
    campaign_form_status: FormStatus | None


class Totals(BaseModel):
    stays: int
    total_cost: Money
    basic: Money
    critical_illness: Money
    assistance: Money
    topup: Money
    annual_cap: Money
    self_pay: Money


class YearToDateOut(BaseModel):
    year: int
    self_pay: Money
    compliant_self_pay: Money  # MED-3: what the annual cap is measured against
    topup_paid: Money
    annual_cap_paid: Money
    basic_paid: Money
    critical_illness_paid: Money
    assistance_paid: Money


class MedicalSummary(BaseModel):
    id_number: str
    person_id: str | None
    name: str | None
    registered_poor: bool
    year: int | None
    stays: list[StayLine]
    totals: Totals  # active stays only; cancelled ones are listed but count for nothing
    year_to_date: list[YearToDateOut]


class GuaranteeLine(BaseModel):
    division: str
    compliant_stays: int
    at_or_above_target: int
    share: Decimal | None  # None when there is no compliant stay


class GuaranteeIndicator(BaseModel):
    rule: str = "MED-2"
    county: str
    year: int
    total: GuaranteeLine
    townships: list[GuaranteeLine]
