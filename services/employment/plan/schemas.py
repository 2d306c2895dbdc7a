"""Request and response models of the employment targets (PLAN-1, PLAN-2) and of the
business-leader training (致富带头人培训) records."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from shared.ids import CountyCode, TownshipCode
from shared.plan.schemas import TargetOut, TargetsOut, TownshipProgressOut

__all__ = [
    "EmploymentIn",
    "LeaderSessionIn",
    "LeaderSessionOut",
    "TargetOut",
    "TargetsOut",
    "TownshipProgressOut",
    "TraineeIn",
    "TraineeOut",
]


class TraineeIn(BaseModel):
    """A trainee: a registered person by `person_id` (name and township from the registry), or
    anyone else by `name` and `township_code`."""

    person_id: str | None = Field(default=None, min_length=1, max_length=36)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    township_code: TownshipCode | None = None

    @model_validator(mode="after")
    def _who(self) -> TraineeIn:
        if self.person_id is None and (self.name is None or self.township_code is None):
            raise ValueError("give person_id, or name and township_code")
        return self


class LeaderSessionIn(BaseModel):
    county_code: CountyCode
    name: str = Field(
        min_length=1, max_length=200, description="e.g. 2018年第1期东西部致富带头人培训"
    )
    provider: str = Field(default="", max_length=200)
    starts_on: date
    ends_on: date
    trainees: list[TraineeIn] = Field(min_length=1, max_length=1000)


class TraineeOut(BaseModel):
    id: int
    session_id: int
    township_code: str
    name: str
    person_id: str | None
    poor: bool
    employed_on: date | None
    employer: str | None


class LeaderSessionOut(BaseModel):
    id: int
    county_code: str
    name: str
    provider: str
    starts_on: date
    ends_on: date
    trainees: list[TraineeOut]


class EmploymentIn(BaseModel):
    employed_on: date
    employer: str = Field(min_length=1, max_length=200)
