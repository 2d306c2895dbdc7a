"""The figures of the monthly progress report (月度工作进展, EMP-9, FL-HRSS §四(四)): what each
one is, its Chinese name, the rule it comes from and how its target is compared.

A figure is a value with its target and whether the target is met; figures without a target
(counts that explain a rate) carry None for both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum

from shared.trace import Trace


class Kind(Enum):
    count = "count"
    rate = "rate"  # a ratio in [0, 1], 4 places


class Compare(StrEnum):
    at_least = ">="
    at_most = "<="


@dataclass(frozen=True)
class Spec:
    key: str
    zh: str  # the column header of the XLSX
    rule: str
    kind: Kind = Kind.count
    compare: Compare | None = None  # how the value is held against its target


SPECS: tuple[Spec, ...] = (
    Spec("labourers", "劳动力人数", "EMP-1"),
    Spec("willing_to_work", "有就业意愿人数", "EMP-1"),
    Spec("willing_to_train", "有培训意愿人数", "EMP-1"),
    Spec("training_base", "应培训人数", "EMP-2"),
    Spec("trained", "已培训人数", "EMP-2"),
    Spec("training_rate", "培训覆盖率", "EMP-2", Kind.rate, Compare.at_least),
    Spec("two_after", "两后生人数", "EMP-2"),
    Spec("two_after_base", "两后生应培训人数", "EMP-2"),
    Spec("two_after_trained", "两后生已培训人数", "EMP-2"),
    Spec("two_after_rate", "两后生培训覆盖率", "EMP-2", Kind.rate, Compare.at_least),
    Spec("placed_after_training", "培训后已就业人数", "EMP-2"),
    Spec("not_placed_after_training", "培训后未就业人数", "EMP-2"),
    Spec("pending_after_training", "培训后待观察人数", "EMP-2"),
    Spec("placement_rate", "培训后就业率", "EMP-2", Kind.rate, Compare.at_least),
    Spec("recommendation_labourers", "推荐岗位对象人数", "EMP-3"),
    Spec("recommendations", "本年推荐岗位次数", "EMP-3"),
    Spec("recommended", "本年已推荐人数", "EMP-3"),
    Spec("below_minimum", "推荐不足3次人数", "EMP-3", Kind.count, Compare.at_most),
    Spec("in_work", "在岗就业人数", "EMP-3"),
    Spec("placed_local", "县内就业人数", "EMP-3"),
    Spec("placed_province", "省内县外就业人数", "EMP-3"),
    Spec("placed_other_province", "省外就业人数", "EMP-3"),
    Spec("post_positions", "公益岗位数", "EMP-4"),
    Spec("post_filled", "公益岗位在岗人数", "EMP-4"),
    Spec("post_occupancy", "公益岗位上岗率", "EMP-4", Kind.rate, Compare.at_least),
    Spec("workshop_workers", "扶贫车间就业人数", "EMP-5"),
    Spec("businesses", "自主创业（在营）户数", "EMP-6"),
    Spec("relocated_without_work", "搬迁户无就业户数", "EMP-8", Kind.count, Compare.at_most),
)
SPEC_BY_KEY = {s.key: s for s in SPECS}


@dataclass(frozen=True)
class Figure:
    value: int | Decimal | None  # None: a rate with nothing to measure
    target: int | Decimal | None = None
    met: bool | None = None  # None: no target, or nothing to measure


def judged(value: int | Decimal | None, target: int | Decimal, compare: Compare) -> Figure:
    """A figure against its target; a missing value is not judged."""
    if value is None:
        return Figure(None, target, None)
    met = value >= target if compare is Compare.at_least else value <= target
    return Figure(value, target, met)


@dataclass(frozen=True)
class Area:
    code: str  # township code, or the county code for the total
    figures: dict[str, Figure]

    def value(self, key: str) -> int | Decimal | None:
        return self.figures[key].value


@dataclass(frozen=True)
class MonthlyReport:
    county: str
    month: str  # YYYY-MM
    on: date  # the day the figures are taken (the month's last day, or today in this month)
    scope: str  # the township the report is limited to, "" for the whole county
    year: int  # the year of the recommendations counted
    placement_window_months: int
    townships: list[Area]
    total: Area
    trace: Trace = field(repr=False)
