"""Request and response models of posts (employment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.ids import TownshipCode, VillageCode
from shared.trace import Provenance, illustrative_of


class PostType(StrEnum):
    cleaning = "cleaning"  # 保洁员
    forest = "forest"  # 护林员
    road = "road"  # 护路员
    water = "water"  # 管水员
    security = "security"  # 治安巡逻
    care = "care"  # 养老护理 / 留守关爱
    dedicated = "dedicated"  # 扶贫专岗 (FL-HRSS §三(一)2)
    other = "other"


class PostIn(BaseModel):
    township_code: TownshipCode
    village_code: VillageCode | None = None
    post_type: PostType
    name: str = Field(min_length=1, max_length=200)
    capacity: int = Field(ge=1, le=10_000, description="positions (岗位数)")
    opened_on: date

    @model_validator(mode="after")
    def _village_in_township(self) -> PostIn:
        if self.village_code and not self.village_code.startswith(self.township_code):
            raise ValueError("village_code is not in township_code")
        return self


class PostOut(BaseModel):
    id: int
    rule: str = "EMP-4"
    county_code: str
    township_code: str
    village_code: str | None
    post_type: PostType
    post_type_zh: str
    name: str
    capacity: int
    filled: int
    opened_on: date
    closed_on: date | None


class AssignmentIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    start_on: date


class EndIn(BaseModel):
    end_on: date
    reason: str = Field(min_length=1, max_length=500)


class AssignmentOut(BaseModel):
    id: int
    post_id: int
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    start_on: date
    end_on: date | None
    end_reason: str | None


class TownshipOccupancy(BaseModel):
    township_code: str
    posts: int
    positions: int
    filled: int
    rate: str
    target: str
    met: bool


class OccupancyOut(Provenance):
    rule: str = "EMP-4"
    county_code: str
    on: date
    positions: int
    filled: int
    rate: str
    target: str
    met: bool
    stock_target: int
    stock_target_year: int
    stock_due: bool
    stock_met: bool
    townships: list[TownshipOccupancy]
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> OccupancyOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self
