"""The simulation's request and answer."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from shared.ids import CountyCode
from shared.policy.publication.routes import FigureIn


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise ValueError("must be a month as YYYY-MM")
    return value


class SimulationIn(BaseModel):
    county_code: CountyCode
    from_month: str = Field(description="First month simulated, YYYY-MM", examples=["2026-01"])
    to_month: str = Field(description="Last month simulated, YYYY-MM (24 months at most)")
    items: list[FigureIn] = Field(
        default_factory=list, max_length=50, description="The proposed figures"
    )
    publication_id: int | None = Field(
        default=None, description="Or a proposed parameter set (/v1/policy/publications)"
    )

    _months = field_validator("from_month", "to_month")(_month)

    @model_validator(mode="after")
    def _one_change(self) -> SimulationIn:
        if bool(self.items) == (self.publication_id is not None):
            raise ValueError("give the proposed figures in `items` or a `publication_id`, one")
        return self

    @property
    def months(self) -> list[date]:
        first = date.fromisoformat(self.from_month + "-01")
        last = date.fromisoformat(self.to_month + "-01")
        out = []
        while first <= last:
            out.append(first)
            first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return out


class ChangedFigure(BaseModel):
    path: str
    effective_from: date
    value_now: Any = Field(description="In force on that date now (null: none)")
    value_proposed: Decimal


class MonthCost(BaseModel):
    month: str
    households: int = Field(description="Households on dibao paid in the month")
    current_total: Decimal
    proposed_total: Decimal
    difference: Decimal


class TownshipEffect(BaseModel):
    township_code: str
    township_name: str | None
    households_affected: int
    people_affected: int
    difference_total: Decimal = Field(description="Over the whole period")


class FundCost(BaseModel):
    fund: str
    current_total: Decimal
    proposed_total: Decimal
    difference: Decimal
    note: str


class HouseholdEffect(BaseModel):
    case_id: int
    household_id: str
    township_code: str
    people: int
    current_monthly: Decimal = Field(description="In the last month simulated")
    proposed_monthly: Decimal
    difference_total: Decimal = Field(description="Over the whole period")


class SampleTrace(BaseModel):
    case_id: int
    month: str
    current: dict[str, Any]
    proposed: dict[str, Any]


class SimulationOut(BaseModel):
    county_code: str
    from_month: str
    to_month: str
    changed: list[ChangedFigure]
    households_on_dibao: int
    households_affected: int
    people_affected: int
    households_not_computed: int = Field(
        description="Households whose amount the rules refuse to compute under the proposal "
        "(e.g. a standard below the county's floor): the reason is in `not_computed_reasons`"
    )
    not_computed_reasons: list[str]
    monthly: list[MonthCost]
    by_township: list[TownshipEffect]
    funds: list[FundCost]
    disabled_people: int = Field(
        description="Disabled people paid a subsidy (WEL-4) in the county's last cycle"
    )
    disabled_people_affected: int = Field(
        description="Of them, those whose subsidy the proposal changes in some month"
    )
    winners: list[HouseholdEffect] = Field(description="Largest gains first (100 at most)")
    losers: list[HouseholdEffect] = Field(description="Largest losses first (100 at most)")
    sample_traces: list[SampleTrace]
    seconds: float = Field(description="How long the simulation took")
