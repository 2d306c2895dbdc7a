"""Request and response bodies of temporary relief (临时救助, WEL-6)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)

from services.welfare import clock
from services.welfare.relief.models import ReliefCase
from services.welfare.relief.procedure import STATUS_ZH, CaseSource, CaseStatus
from services.welfare.relief.rules import ReliefKind
from services.welfare.workflow import StepOut
from shared.ids import CountyCode, ResidentIdNumber, TownshipCode, VillageCode
from shared.money import Money, NonNegativeMoney
from shared.trace import TracedProvenance

KIND_ZH = {
    ReliefKind.accident: "意外事件",
    ReliefKind.disaster: "自然灾害",
    ReliefKind.serious_illness: "重特大疾病",
    ReliefKind.essential_spending: "生活必需支出突增",
    ReliefKind.childbirth: "住院分娩",
    ReliefKind.relocation: "易地扶贫搬迁",
    ReliefKind.high_medical_burden: "医疗自付负担过重",
}


class WindowKind(StrEnum):
    """Kinds a township window opens directly; childbirth, relocation, disasters over many
    households and essential spending have their own endpoints."""

    accident = "accident"
    disaster = "disaster"
    serious_illness = "serious_illness"


Text = Annotated[str, Field(min_length=1, max_length=2000)]
HouseholdId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^\S+$")]


def _month(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        return value.strip() + "-01"
    return value


def _first_day(value: date) -> date:
    if value.day != 1:
        raise ValueError("a month is written YYYY-MM (or its first day, YYYY-MM-01)")
    return value


def _not_future(day: date) -> date:
    if day > clock.today():
        raise ValueError("the date is in the future")
    return day


PastDate = Annotated[date, AfterValidator(_not_future)]
Month = Annotated[
    date, BeforeValidator(_month), AfterValidator(_first_day), AfterValidator(_not_future)
]


class CaseIn(BaseModel):
    """A case opened at the township window (乡镇受理临时救助申请)."""

    kind: WindowKind
    id_number: ResidentIdNumber = Field(description="the person in hardship (GB 11643)")
    occurred_on: PastDate = Field(description="the day of the accident, disaster or diagnosis")
    assessed_need: NonNegativeMoney | None = Field(
        default=None, description="the township's assessment of the need, yuan"
    )
    description: Text
    # Only for a person outside the poverty registry (ZA-GOV §三(三)3: 急难 relief for any
    # household in hardship from an accident, disaster or serious illness, where the county's
    # parameters open it to them).
    name: str | None = Field(default=None, min_length=1, max_length=100)
    village_code: VillageCode | None = None
    persons: int | None = Field(default=None, ge=1, le=50, description="household size")


class DeclaredHousehold(BaseModel):
    household_id: HouseholdId
    assessed_need: NonNegativeMoney


class DeclarationIn(BaseModel):
    """A natural disaster (自然灾害) declared over many households: one case each, all or none."""

    county_code: CountyCode
    township_code: TownshipCode
    occurred_on: PastDate
    description: Text
    households: list[DeclaredHousehold] = Field(min_length=1, max_length=5000)

    @field_validator("township_code")
    @classmethod
    def _in_county(cls, value: str, info: ValidationInfo) -> str:
        county = info.data.get("county_code")
        if county and not value.startswith(county):
            raise ValueError(f"township {value} is not in county {county}")
        return value


class ChildbirthIn(BaseModel):
    """住院分娩 (YA-GOV §三(七)): 400 yuan to the mother for each hospital delivery. A delivery is
    the mother and the birth date: the same delivery reported twice (twins included) pays once."""

    id_number: ResidentIdNumber = Field(description="the mother (孕产妇)")
    birth_date: PastDate = Field(description="day of the delivery (分娩日期)")
    hospital: str = Field(min_length=1, max_length=200)
    hospital_record_number: str | None = Field(
        default=None, min_length=1, max_length=50, description="住院号, kept with the case"
    )


class RelocationIn(BaseModel):
    """易地扶贫搬迁 (ZA-GOV §三(三)3): 1,500 yuan per relocated person, once per person."""

    household_id: HouseholdId
    relocated_on: PastDate
    person_ids: list[str] | None = Field(
        default=None,
        min_length=1,
        description="the members who moved; all living members when omitted",
    )


class SpendingIn(BaseModel):
    """One month of a household's essential spending (月人均生活必需支出) and income."""

    household_id: HouseholdId
    month: Month = Field(description="YYYY-MM")
    essential_spending_per_capita: NonNegativeMoney = Field(
        description="per-capita monthly essential spending: basic living, medical, schooling"
    )
    per_capita_monthly_income: NonNegativeMoney


class DecisionIn(BaseModel):
    decision: CaseStatus = Field(description="approved (批准救助) or rejected (不予救助)")
    amount: NonNegativeMoney | None = Field(
        default=None,
        description="the assessed need to grant (capped by the rule); fixed kinds ignore it",
    )
    reason: str = Field(
        default="", max_length=2000, validate_default=True, description="required when rejecting"
    )

    @field_validator("decision")
    @classmethod
    def _decided(cls, value: CaseStatus) -> CaseStatus:
        if value == CaseStatus.opened:
            raise ValueError("decision must be approved or rejected")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("decision") == CaseStatus.rejected and not value.strip():
            raise ValueError("a rejection needs its reason")
        return value.strip()


class CaseOut(TracedProvenance):
    trace_fields = ("trace", "decision_trace")

    id: int
    rule: str = "WEL-6"
    kind: ReliefKind
    kind_label: str
    source: CaseSource
    status: CaseStatus
    status_label: str
    person_id: str | None
    id_number: str | None
    name: str | None
    household_id: str
    county_code: str
    township_code: str | None
    village_code: str | None
    persons: int
    occurred_on: date
    poverty_status: str | None
    assessed_need: Money | None
    proposed_amount: Money | None
    cap: Money | None
    amount: Money | None
    description: str
    facts: dict[str, Any]
    trace: dict[str, Any]
    decision_trace: dict[str, Any]
    declaration_id: int | None
    window_request_id: int | None
    reject_reason: str | None
    decided_by: str | None
    decided_on: date | None
    opened_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: ReliefCase) -> CaseOut:
        data = case.model_dump()
        data["kind_label"] = KIND_ZH[ReliefKind(case.kind)]
        data["status_label"] = STATUS_ZH[CaseStatus(case.status)]
        for k in ("assessed_need", "proposed_amount", "cap", "amount"):
            if data[k] is not None:
                data[k] = Decimal(data[k]).quantize(Decimal("0.01"))
        return cls.model_validate(data)


class CaseDetail(CaseOut):
    steps: list[StepOut]


class CasePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[CaseOut]


class DeclarationOut(BaseModel):
    id: int
    rule: str = "WEL-6"
    county_code: str
    township_code: str
    occurred_on: date
    households: int
    cases: list[CaseOut]


class RelocationOut(BaseModel):
    case: CaseOut
    skipped_already_relieved: list[str]


class SpendingOut(BaseModel):
    rule: str = "WEL-6"
    household_id: str
    months: list[dict[str, Any]]
    triggered: bool
    run: list[date]
    trace: dict[str, Any]
    case: CaseOut | None
    case_opened: bool
