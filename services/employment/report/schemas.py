"""Request and response models of report (employment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.trace import Provenance, illustrative_of


class FigureOut(BaseModel):
    value: int | Decimal | None
    target: int | Decimal | None
    met: bool | None
    rule: str
    zh: str


class AreaOut(BaseModel):
    code: str
    figures: dict[str, FigureOut]


class ReportTargetOut(BaseModel):
    """A target of the county plan on the report's day (PLAN-1), measured by `service`."""

    id: str
    service: str
    rule: str
    title_zh: str
    citation: str
    lead: str
    unit: str
    target: Decimal
    due: date
    value: Decimal | None
    value_at_due: Decimal | None
    status: str
    status_zh: str
    late: bool
    late_townships: list[str]


class MonthlyReportOut(Provenance):
    county_code: str
    month: str
    on: date
    township: str | None  # the reader's township when the report is limited to it
    recommendation_year: int
    placement_window_months: int
    townships: list[AreaOut]
    total: AreaOut
    trace: dict[str, Any]
    targets: list[ReportTargetOut] = Field(default_factory=list)
    targets_unavailable: dict[str, str] = Field(
        default_factory=dict,
        description="services whose targets could not be read for this report, and why",
    )

    @model_validator(mode="after")
    def _provenance(self) -> MonthlyReportOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self
