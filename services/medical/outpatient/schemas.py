"""Request and response bodies of the outpatient endpoints (MED-6, MED-8)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from shared.ids import CountyCode, ResidentIdNumber
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, illustrative_of

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")
BILL_ID = r"^[A-Za-z0-9._:-]+$"


def _codes(codes: list[str]) -> list[str]:
    for code in codes:
        if not ICD10.match(code):
            raise ValueError(f"diagnosis code {code!r} is not ICD-10 (e.g. E11.9)")
    return codes


class _BillIn(BaseModel):
    bill_id: str = Field(
        min_length=1, max_length=64, pattern=BILL_ID, description="idempotency key"
    )
    id_number: ResidentIdNumber
    county_code: CountyCode = Field(description="county of the patient's insurance")
    bill_date: date = Field(description="结算日期: the registry status and parameters of this day")
    diagnosis_codes: list[str] = Field(min_length=1, max_length=20, description="ICD-10 codes")

    _check_codes = field_validator("diagnosis_codes")(_codes)


class ChronicBillIn(_BillIn):
    """MED-6: an outpatient special chronic disease bill (门诊特殊慢性病)."""

    category: Literal["I", "II"] = Field(description="Ⅰ类 / Ⅱ类")
    hospital_level: int = Field(ge=1, le=3, description="1/2/3 (一级/二级/三级)")
    covered_cost: NonNegativeMoney = Field(description="政策范围内费用 of the bill")


class Chronic36BillIn(_BillIn):
    """MED-8: a bill of one of the 36 chronic diseases (36种慢性病) after basic insurance,
    critical illness and assistance, at a public hospital."""

    hospital_admin_level: Literal["county", "city", "province"] = Field(
        description="县级（含以下）/ 市级 / 省级 public hospital"
    )
    bill_self_pay: NonNegativeMoney = Field(description="self-pay left after the other layers")
    approved_out_of_catalogue: NonNegativeMoney = Field(
        description="part of the self-pay that is out-of-catalogue drug cost approved by the county"
    )

    @model_validator(mode="after")
    def _within(self) -> Chronic36BillIn:
        if self.approved_out_of_catalogue > self.bill_self_pay:
            raise ValueError("approved_out_of_catalogue exceeds bill_self_pay")
        return self


class BillOut(Provenance):
    bill_id: str
    rule: str
    category: str
    id_number: str
    person_id: str | None
    county_code: str
    bill_date: date
    year: int
    poverty_status: str | None
    eligible: bool
    reason: str | None
    amount: Money  # covered cost (MED-6) or self-pay before aid (MED-8)
    paid: Money  # reimbursed (MED-6) or aid (MED-8)
    basic_fund: Money
    commercial_insurer: Money
    self_pay: Money
    ytd_before: Money  # MED-6: paid in the category; MED-8: self-pay, before this bill
    ytd_after: Money
    facts: dict[str, Any]
    trace: dict[str, Any]
    created_at: datetime

    @model_validator(mode="after")
    def _provenance(self) -> BillOut:
        # Read from the stored trace: the decision's figures are the ones it used.
        self.illustrative_parameters = illustrative_of(self.trace)
        return self


class CategoryYear(BaseModel):
    year: int
    category: str
    rule: str
    bills: int
    paid: Money
    basic_fund: Money
    commercial_insurer: Money
    self_pay: Money


class OutpatientSummary(BaseModel):
    id_number: str
    person_id: str | None
    year: int | None
    totals: list[CategoryYear]  # eligible bills only: what the caps are measured against
    bills: list[BillOut]
