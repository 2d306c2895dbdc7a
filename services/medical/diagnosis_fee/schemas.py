"""Request and response models of diagnosis_fee (medical), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.ids import CountyCode, ResidentIdNumber, TownshipCode
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, illustrative_of


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


class VisitOut(Provenance):
    visit_id: str
    rule: str = "MED-9"
    id_number: str
    person_id: str | None
    county_code: str
    township_code: str
    facility_type: str
    facility_name: str
    visit_date: date
    fee_self_pay: Money
    poverty_status: str | None
    refund: Money
    reason: str | None
    in_cleanup_window: bool
    ledger_deadline: date | None
    trace: dict[str, Any]
    created_at: datetime

    @model_validator(mode="after")
    def _provenance(self) -> VisitOut:
        # Read from the stored trace: the decision's figures are the ones it used.
        self.illustrative_parameters = illustrative_of(self.trace)
        return self


class LedgerLine(BaseModel):
    visit_id: str
    township_code: str
    id_number: str
    name: str | None
    facility_type: str
    facility_name: str
    visit_date: date
    fee_self_pay: Money
    refund: Money
    in_cleanup_window: bool
    ledger_deadline: date | None


class Ledger(BaseModel):
    rule: str = "MED-9"
    county: str
    township: str | None
    period_start: date | None
    period_end: date | None
    visits: int
    refund: Money
    cleanup_visits: int  # visits of the clean-up period, due in the ledger by their deadline
    cleanup_refund: Money
    lines: list[LedgerLine]
