"""Response models of every service's `GET /v1/plan/targets` (PLAN-1, PLAN-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shared.trace import Provenance, TracedProvenance, illustrative_of


class TownshipProgressOut(BaseModel):
    township_code: str
    count: int
    base: int | None
    value: Decimal | None
    value_at_due: Decimal | None = None
    status: str | None = Field(
        default=None, description="the township's own verdict where the target binds each township"
    )
    late: bool = False


class TargetOut(TracedProvenance):
    id: str
    rule: str
    title_zh: str
    title_en: str
    citation: str
    quote: str
    service: str
    metric: str
    unit: str = Field(description="count | ratio | done")
    target: Decimal
    period_start: date | None
    due: date
    last_on_time_day: date
    applies_to: str = Field(description="county | each_township")
    responsible: list[str] = Field(description='["each"] or township codes')
    lead: str
    on: date
    count: int
    base: int | None
    value: Decimal | None
    value_at_due: Decimal | None
    status: str = Field(description="met | not_due | late | met_late | no_base (PLAN-1)")
    status_zh: str
    late: bool
    late_townships: list[str]
    townships: list[TownshipProgressOut]
    trace: dict[str, Any]


class TargetsOut(Provenance):
    county_code: str
    on: date
    service: str
    township: str | None = Field(default=None, description="the reader's township, if limited")
    targets: list[TargetOut]

    def model_post_init(self, context: Any) -> None:
        if not self.illustrative_parameters:
            self.illustrative_parameters = illustrative_of(*(t.trace for t in self.targets))
