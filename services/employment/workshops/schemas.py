"""Request and response models of workshops (employment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.ids import TownshipCode, VillageCode
from shared.money import Money
from shared.trace import Provenance


class WorkshopIn(BaseModel):
    township_code: TownshipCode
    village_code: VillageCode | None = None
    name: str = Field(min_length=1, max_length=200)
    operator: str = Field(min_length=1, max_length=200, description="经营主体")
    opened_on: date

    @model_validator(mode="after")
    def _village_in_township(self) -> WorkshopIn:
        if self.village_code and not self.village_code.startswith(self.township_code):
            raise ValueError("village_code is not in township_code")
        return self


class WorkshopOut(BaseModel):
    id: int
    rule: str = "EMP-5"
    county_code: str
    township_code: str
    village_code: str | None
    name: str
    operator: str
    opened_on: date
    closed_on: date | None
    workers_now: int


class WorkerIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    start_on: date


class LeaveIn(BaseModel):
    end_on: date


class WorkerOut(BaseModel):
    id: int
    workshop_id: int
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    registered_poor: bool
    start_on: date
    end_on: date | None


class ClaimIn(BaseModel):
    year: int = Field(ge=2000, le=2100)


class WorkerYearOut(BaseModel):
    person_id: str
    year: int = Field(description="calendar year in which the employment year began")
    year_start: date = Field(description="first day of the employment year (就业年度)")
    year_end: date = Field(description="last day: 12 months from year_start")
    amount: Money
    claim_id: int
    workshop_id: int
    paid_at: datetime


class NotEligibleOut(BaseModel):
    person_id: str
    year_start: date | None = Field(description="the employment year begun in the claimed year")
    reason: str


class ClaimOut(Provenance):
    rule: str = "EMP-5"
    workshop_id: int
    year: int
    claim_id: int | None
    amount: Money
    paid: list[WorkerYearOut]
    already_paid: list[WorkerYearOut]
    not_eligible: list[NotEligibleOut]
    trace: dict[str, Any]
