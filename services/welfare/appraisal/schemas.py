"""Response models of the appraisal indicators (考核指标, IND-1 .. IND-4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shared.trace import TracedProvenance


class StandardOut(BaseModel):
    """IND-1 低保标准."""

    annual: Decimal = Field(description="yuan per person per year")
    monthly: Decimal = Field(description="yuan per person per month (annual / 12)")
    floor_annual: Decimal | None = Field(description="the county's published floor, if any")
    meets_floor: bool | None


class AccuracyOut(BaseModel):
    """IND-2 对象准确率."""

    households: int = Field(description="households on dibao on the date")
    flagged: int | None = Field(description="of them questioned by the cross-check (open)")
    value: Decimal | None = Field(description="share passing; null without a cross-check run")


class TopUpOut(BaseModel):
    """IND-3 补差水平."""

    per_person_monthly: Decimal | None = Field(description="yuan per person covered and month")
    share_of_standard: Decimal | None = Field(description="over the monthly standard")


class CategoryOut(BaseModel):
    """IND-4 分类施保, one category."""

    households: int
    persons: int
    share: Decimal | None = Field(description="of the households on dibao")


class AreaOut(BaseModel):
    code: str = Field(description="township code (or the county's, for the total)")
    households: int
    persons: int
    accuracy: AccuracyOut
    topup: TopUpOut
    categories: dict[str, CategoryOut] = Field(description="A, B, C (WEL-2)")


class RunOut(BaseModel):
    id: int
    on: date


class IndicatorsOut(TracedProvenance):
    county_code: str
    on: date
    definitions: dict[str, str] = Field(description="each indicator's definition, by rule ID")
    standard: StandardOut
    crosscheck_run: RunOut | None = Field(description="the cross-check IND-2 is taken from")
    townships: list[AreaOut]
    total: AreaOut = Field(description="the county (a township officer: their township)")
    trace: dict[str, Any]
