"""Request and response models of relocation (employment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class HouseholdIn(BaseModel):
    household_id: str = Field(min_length=1, max_length=40)
    site: str = Field(default="", max_length=200, description="安置点")
    relocated_on: date | None = None


class HouseholdsIn(BaseModel):
    items: list[HouseholdIn] = Field(min_length=1, max_length=10_000)


class UpsertOut(BaseModel):
    created: int
    updated: int


class WithoutWorkRow(BaseModel):
    household_id: str
    township_code: str
    village_code: str
    site: str
    members: int
    registered_poor: int


class WithoutWorkOut(BaseModel):
    rule: str = "EMP-8"
    county_code: str
    on: date
    households: int
    items: list[WithoutWorkRow]
