"""Request and response models of disability support (残疾人保障, WEL-4, WEL-10, WEL-11,
WEL-12), as the routes parse and answer them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from services.welfare.disability.rules import Hardship, RehabKind
from shared.ids import ResidentIdNumber, VillageCode
from shared.money import ZERO, Money, NonNegativeMoney
from shared.trace import TracedProvenance


class AccountIn(BaseModel):
    """A payee account (惠民惠农“一卡通”) of a disabled person."""

    payee_name: str = Field(min_length=1, max_length=100, description="户名")
    payee_id_number: ResidentIdNumber = Field(description="account holder's ID number")
    bank_name: str = Field(min_length=2, max_length=100, description="开户银行")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="银行账号, 12-30 digits")


class PersonIn(BaseModel):
    """A disabled person outside the registry, enrolled by the township or the 县残联."""

    id_number: ResidentIdNumber
    name: str = Field(min_length=1, max_length=100)
    village_code: VillageCode
    grade: int | None = Field(default=None, ge=1, le=4, description="残疾等级 on the certificate")
    certificate_no: str | None = Field(default=None, min_length=4, max_length=40)
    hardship: Hardship = Field(
        default=Hardship.none,
        description="困难: none, dibao or tekun (特困) as certified outside welfare's own cases; "
        "welfare's dibao and 特困 records win where they exist",
    )
    dibao_category: Literal["A", "B", "C"] | None = None
    diagnosis: str | None = Field(default=None, min_length=2, max_length=200)

    @model_validator(mode="after")
    def _category(self) -> PersonIn:
        if self.hardship is Hardship.dibao and self.dibao_category is None:
            raise ValueError("dibao_category is required when hardship is dibao")
        if self.hardship is not Hardship.dibao and self.dibao_category is not None:
            raise ValueError("dibao_category is given only when hardship is dibao")
        if (self.grade is None) != (self.certificate_no is None):
            raise ValueError("a grade comes with its certificate_no (残疾证号), and back")
        return self


class EnrolIn(PersonIn):
    grade: int = Field(ge=1, le=4, description="残疾等级 on the certificate")
    certificate_no: str = Field(min_length=4, max_length=40, description="残疾证号")
    account: AccountIn | None = None


class GradeOut(BaseModel):
    grade: int | None
    valid_from: date
    source: str


class AccountOut(BaseModel):
    payee_name: str
    bank_name: str
    bank_account: str  # masked but the last 4 digits
    source: str
    recorded_by: str


class SubsidyOut(TracedProvenance):
    id: int
    disabled_person_id: int
    scheme: str
    month: date
    amount: Money
    grade: int
    hardship: str
    village_code: str
    basis: str
    status: str
    cycle_id: int | None
    trace: dict[str, Any]


class PersonOut(BaseModel):
    id: int
    person_id: str | None
    id_number: str
    name: str
    birth_date: date
    household_id: str
    township_code: str
    village_code: str
    source: str
    grade: int | None
    certificate_no: str | None
    hardship: str
    dibao_category: str | None
    deceased_on: date | None
    clawback_balance: Money = Field(
        default=ZERO,
        description="Overpaid subsidy not yet recovered (追回余额), withheld from later months",
    )


class PersonDetail(PersonOut):
    rule: str = "WEL-4"
    grades: list[GradeOut]
    account: AccountOut | None
    subsidies: list[SubsidyOut]
    illustrative_parameters: list[str] = []


class PersonPage(BaseModel):
    total: int
    items: list[PersonOut]


class VillageTotal(BaseModel):
    village_code: str
    scheme: str
    status: str
    lines: int
    amount: Money


class LedgerPage(BaseModel):
    total: int
    totals: list[VillageTotal]
    items: list[SubsidyOut]


# --- rehabilitation cases -----------------------------------------------------------------


class RehabIn(BaseModel):
    """A rehabilitation assistance application for a person of the registry (`person_id`), of
    the disability register (`disabled_person_id`) or newly recorded (`person`)."""

    kind: RehabKind
    person_id: str | None = Field(default=None, min_length=1, max_length=36)
    disabled_person_id: int | None = Field(default=None, ge=1)
    person: PersonIn | None = None
    request: str = Field(min_length=2, max_length=500, description="what is asked for")
    diagnosis: str | None = Field(
        default=None, min_length=2, max_length=200, description="诊断 (WEL-10, WEL-12)"
    )
    stay_from: date | None = Field(default=None, description="WEL-10 in hospital: admitted on")
    stay_to: date | None = Field(default=None, description="discharged on, if already")

    @model_validator(mode="after")
    def _one_person(self) -> RehabIn:
        given = [x for x in (self.person_id, self.disabled_person_id, self.person) if x]
        if len(given) != 1:
            raise ValueError("name the person once: person_id, disabled_person_id or person")
        if self.kind is RehabKind.mental_hospital and self.stay_from is None:
            raise ValueError("stay_from is required for a hospital stay")
        if self.kind is not RehabKind.mental_hospital and (self.stay_from or self.stay_to):
            raise ValueError("stay_from and stay_to are for a hospital stay only")
        if self.stay_from and self.stay_to and self.stay_to < self.stay_from:
            raise ValueError("stay_to is before stay_from")
        return self


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=500)


GrantKind = Literal["hospital_month", "drugs", "device", "adaptation", "sessions"]
GRANTS_OF: dict[RehabKind, tuple[str, ...]] = {
    RehabKind.mental_hospital: ("hospital_month",),
    RehabKind.mental_home: ("drugs",),
    RehabKind.device: ("device",),
    RehabKind.adaptation: ("adaptation",),
    RehabKind.child_rehab: ("sessions",),
}


class GrantIn(BaseModel):
    """What was granted on an approved case: a month of a hospital stay (with the month's bill
    if lower than the help), drugs issued (their value), a device, an adaptation, sessions."""

    kind: GrantKind
    on: date
    month: str | None = Field(default=None, description="hospital_month: YYYY-MM")
    amount: NonNegativeMoney | None = Field(
        default=None, description="drugs: value issued; hospital_month: the month's bill"
    )
    quantity: int | None = Field(default=None, ge=1, le=1000, description="sessions given")
    item: str = Field(default="", max_length=200, description="the device, the work done")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("must be a month as YYYY-MM")
        return value

    @model_validator(mode="after")
    def _fields(self) -> GrantIn:
        if self.kind == "hospital_month" and self.month is None:
            raise ValueError("month is required for hospital_month")
        if self.kind != "hospital_month" and self.month is not None:
            raise ValueError("month is for hospital_month only")
        if self.kind == "drugs" and (self.amount is None or self.amount <= 0):
            raise ValueError("amount (the drugs' value, above 0) is required for drugs")
        if self.kind == "sessions" and self.quantity is None:
            raise ValueError("quantity is required for sessions")
        if self.kind in ("device", "adaptation") and len(self.item.strip()) < 2:
            raise ValueError("item (the device issued, the work done) is required")
        return self

    @property
    def first_day(self) -> date | None:
        if self.month is None:
            return None
        year, month = self.month.split("-")
        return date(int(year), int(month), 1)


class GrantOut(TracedProvenance):
    id: int
    case_id: int
    kind: str
    on: date
    month: date | None
    amount: Money | None
    quantity: int | None
    item: str
    recorded_by: str
    trace: dict[str, Any]


class RehabOut(TracedProvenance):
    trace_fields = ("trace",)

    id: int
    disabled_person_id: int
    kind: str
    rule: str
    township_code: str
    village_code: str
    request: str
    stay_from: date | None
    stay_to: date | None
    status: str
    applied_on: date
    applied_by: str
    decided_on: date | None
    decided_by: str | None
    decision_note: str | None
    eligible: bool | None
    reasons: list[str]
    trace: dict[str, Any]


class RehabDetail(RehabOut):
    grants: list[GrantOut]
    granted_amount: Money = Decimal("0.00")


class RehabPage(BaseModel):
    total: int
    items: list[RehabOut]
