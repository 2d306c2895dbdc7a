"""Request and response bodies of job recommendation (EMP-3)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.ids import CountyCode, TownshipCode
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, illustrative_of


class Location(StrEnum):
    local = "local"  # 县内
    province = "province"  # 省内县外
    other_province = "other_province"  # 省外 (劳务输出)


class Outcome(StrEnum):
    pending = "pending"  # 待反馈
    interviewed = "interviewed"  # 已面试
    hired = "hired"  # 已录用
    declined = "declined"  # 未录用 / 本人放弃
    no_response = "no_response"  # 无回应


OUTCOME_ZH = {
    Outcome.pending: "待反馈",
    Outcome.interviewed: "已面试",
    Outcome.hired: "已录用",
    Outcome.declined: "未录用或放弃",
    Outcome.no_response: "无回应",
}
FINAL = (Outcome.hired, Outcome.declined, Outcome.no_response)


class VacancyIn(BaseModel):
    county_code: CountyCode
    township_code: TownshipCode | None = None
    employer: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200, description="岗位名称")
    location: Location
    address: str = Field(default="", max_length=200)
    monthly_wage: NonNegativeMoney = Field(description="月工资, yuan")
    skills: list[str] = Field(default_factory=list, max_length=20)
    positions: int = Field(ge=1, le=100_000, description="招聘人数")
    opened_on: date

    @model_validator(mode="after")
    def _township_in_county(self) -> VacancyIn:
        if self.township_code and not self.township_code.startswith(self.county_code):
            raise ValueError("township_code is not in county_code")
        return self


class VacancyOut(BaseModel):
    id: int
    county_code: str
    township_code: str | None
    employer: str
    title: str
    location: str
    address: str
    monthly_wage: Money
    skills: list[str]
    positions: int
    status: str
    opened_on: date
    closed_on: date | None
    recommended: int = 0
    hired: int = 0


class CloseIn(BaseModel):
    closed_on: date


class RecommendationIn(BaseModel):
    vacancy_id: int
    person_id: str = Field(min_length=1, max_length=36)
    recommended_on: date
    note: str = Field(default="", max_length=500)


class OutcomeIn(BaseModel):
    outcome: Outcome
    on: date = Field(description="the day the outcome was learnt")
    start_on: date | None = Field(
        default=None, description="first working day when hired (default: `on`)"
    )
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _not_pending(self) -> OutcomeIn:
        if self.outcome == Outcome.pending:
            raise ValueError("an outcome cannot be set back to pending")
        if self.start_on is not None and self.outcome != Outcome.hired:
            raise ValueError("start_on is for a hire only")
        return self


class RecommendationOut(BaseModel):
    id: int
    rule: str = "EMP-3"
    vacancy_id: int
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    recommended_on: date
    year: int
    outcome: Outcome
    outcome_zh: str
    outcome_on: date | None
    note: str
    placement_id: str | None
    created_by: str
    created_at: datetime


class PlacementIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    employer: str = Field(min_length=1, max_length=200)
    location: Location
    start_on: date
    vacancy_id: int | None = None
    monthly_wage: NonNegativeMoney | None = None


class LossIn(BaseModel):
    lost_on: date
    reason: str = Field(min_length=1, max_length=500)


class PlacementOut(BaseModel):
    id: str
    rule: str = "EMP-3"
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    employer: str
    location: Location
    vacancy_id: int | None
    recommendation_id: int | None
    monthly_wage: Money | None
    start_on: date
    ended_on: date | None
    end_reason: str | None


class Shortfall(BaseModel):
    person_id: str
    name: str
    household_id: str
    township_code: str
    village_code: str
    recommendations: int
    missing: int


class TownshipCoverage(BaseModel):
    township_code: str
    labourers: int
    recommendations: int
    recommended: int
    below_minimum: int


class CoverageOut(Provenance):
    rule: str = "EMP-3"
    county_code: str
    year: int
    on: date
    minimum: int
    labourers: int
    recommended: int
    coverage_rate: str
    below_minimum: int
    townships: list[TownshipCoverage]
    people: list[Shortfall]
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> CoverageOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self


class FairIn(BaseModel):
    township_code: TownshipCode
    name: str = Field(min_length=1, max_length=200, description="e.g. 春风行动专场招聘会")
    held_on: date
    employers: int = Field(ge=0)
    vacancies: int = Field(ge=0, description="岗位数")
    attendees: int = Field(ge=0, description="进场求职人数")
    hires: int = Field(ge=0, description="达成就业意向人数")

    @model_validator(mode="after")
    def _hires(self) -> FairIn:
        if self.hires > self.attendees:
            raise ValueError("hires exceed attendees")
        return self


class FairOut(BaseModel):
    id: int
    rule: str = "EMP-3"
    county_code: str
    township_code: str
    name: str
    held_on: date
    quarter: int
    employers: int
    vacancies: int
    attendees: int
    hires: int


class QuarterOut(BaseModel):
    quarter: int
    fairs: int
    employers: int
    vacancies: int
    attendees: int
    hires: int
    met: bool


class TownshipFairs(BaseModel):
    township_code: str
    quarters: list[QuarterOut]


class FairReport(Provenance):
    rule: str = "EMP-3"
    county_code: str
    year: int
    minimum_per_quarter: int
    fairs: list[FairOut]
    townships: list[TownshipFairs]
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> FairReport:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self
