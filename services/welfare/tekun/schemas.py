"""Request and response models of tekun (welfare), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.welfare.tekun.models import TekunCase
from services.welfare.tekun.procedure import END_REASON_ZH, TEKUN_WORKFLOW, EndReason, TekunStatus
from services.welfare.tekun.rules import SelfCare
from services.welfare.workflow import StepOut
from shared.ids import CountyCode, TownshipCode
from shared.money import Money
from shared.trace import TracedProvenance


class ApplicationIn(BaseModel):
    person_id: str = Field(max_length=36)
    self_care: SelfCare = Field(
        description="生活自理能力: full 全自理, partial 半自理, none 全护理"
    )
    assessed_on: date
    note: str = Field(default="", max_length=500)


class DirectIn(ApplicationIn):
    basis: str = Field(
        min_length=1, max_length=1000, description="认定依据, e.g. the 五保 certificate number"
    )
    effective_from: date = Field(description="support in force from this day")


class StepIn(BaseModel):
    to: TekunStatus = Field(description="township_reviewed, certified or rejected")
    note: str = Field(default="", max_length=500)
    effective_from: date | None = Field(
        default=None, description="for `certified`: support in force from (default today)"
    )


class AssessmentIn(BaseModel):
    self_care: SelfCare
    assessed_on: date
    note: str = Field(default="", max_length=500)


class EndIn(BaseModel):
    reason: EndReason = Field(description="deceased 死亡, no_longer_eligible, moved_away")
    effective_from: date = Field(description="first day no longer supported")
    note: str = Field(default="", max_length=500)


class AssessmentOut(TracedProvenance):
    id: int
    self_care: str
    assessed_on: date
    applies_from: date | None
    monthly_basic: Money | None
    care_monthly: Money | None
    monthly_amount: Money | None
    note: str
    assessed_by: str
    trace: dict[str, Any]


class PlacementOut(BaseModel):
    id: int
    home_id: int
    case_id: int
    person_id: str
    moved_in: date
    moved_out: date | None
    out_reason: str | None


class CaseOut(TracedProvenance):
    id: int
    rule: str = "WEL-5"
    person_id: str
    household_id: str
    county_code: str
    township_code: str
    village_code: str
    route: str
    status: TekunStatus
    status_label: str
    basis: str
    self_care: str | None
    monthly_amount: Money | None
    support_mode: str
    effective_from: date | None
    ended_on: date | None
    end_reason: str | None
    end_reason_label: str | None
    trace: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: TekunCase) -> CaseOut:
        data = case.model_dump()
        data["status_label"] = TEKUN_WORKFLOW.labels_zh[TekunStatus(case.status)]
        data["end_reason_label"] = (
            END_REASON_ZH[EndReason(case.end_reason)] if case.end_reason else None
        )
        return cls.model_validate(data)


class CaseDetail(CaseOut):
    steps: list[StepOut]
    assessments: list[AssessmentOut]
    placements: list[PlacementOut]


class CasePage(BaseModel):
    total: int
    items: list[CaseOut]


class HomeIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    county_code: CountyCode
    township_code: TownshipCode
    beds: int = Field(ge=1, le=10_000)


class OccupancyOut(TracedProvenance):
    rule: str = "WEL-5"
    on: date
    occupied: int
    beds: int
    rate: Decimal
    target: Decimal | None = Field(description="入住率 target in force; null before the first")
    target_from: date | None
    met: bool | None
    trace: dict[str, Any]


class HomeOut(BaseModel):
    id: int
    name: str
    county_code: str
    township_code: str
    beds: int
    residents: list[PlacementOut]


class PlacementIn(BaseModel):
    case_id: int
    moved_in: date


class MoveOutIn(BaseModel):
    moved_out: date = Field(description="first day no longer living in the home")
    reason: str = Field(min_length=1, max_length=200)


class HomeOccupancy(OccupancyOut):
    home_id: int
    name: str
    township_code: str


class CountyOccupancy(BaseModel):
    county_code: str
    on: date
    homes: list[HomeOccupancy]
    total: OccupancyOut
