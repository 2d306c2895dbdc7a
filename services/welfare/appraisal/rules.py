"""The appraisal indicators of the dibao (考核指标, YA-GOV §四(六)): pure functions of counts and
parameters, each with its definition written down, since the seed only names them
(将低保标准、对象准确率、补差水平、分类施保 … 纳入评价办法、指标体系和评价标准).

Definitions (the readings, also in shared/policy/rules/indicators.yaml)
----------------------------------------------------------------------
- IND-1 dibao standard (低保标准): the county's rural dibao standard in force on the date, per
  person per year and per month (standard / 12), and whether it reaches the floor the county
  committed to (WEL-3, ZA-GOV §三(三)2) where it published one. It is the county's figure: every
  township shows the same.
- IND-2 recipient accuracy (对象准确率): the share of households on dibao on the date that pass
  the county's latest cross-check with the poverty registry (WEL-8) run on or before the date:
  a household fails while one of its members has an open finding questioning its dibao
  (已脱贫仍享受低保, `exited_due_review`); a finding closed by review (kept or ended) no longer
  counts against it. 两无 people missing from dibao are coverage, not accuracy, and are not in
  this share. No run on or before the date: no value.
- IND-3 top-up level (补差水平): the dibao paid per person covered and month — the monthly amounts
  in force of the households on dibao on the date, over the people they cover — and that figure
  as a share of the monthly standard (how far the top-up lifts a person towards the line).
- IND-4 category shares (分类施保): the shares of households on dibao in category A, B and C
  (WEL-2) on the date, with the people they cover.

A township with no household on dibao has no ratio (None), never a made-up 0 or 100%.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.welfare.dibao.rules import P_STANDARD, P_STANDARD_FLOOR, DibaoCategory
from services.welfare.parameters import amount_param, optional_amount_param
from shared.money import ZERO, yuan
from shared.trace import Params, Trace

IND_1 = "IND-1"
IND_2 = "IND-2"
IND_3 = "IND-3"
IND_4 = "IND-4"

MONTHS = Decimal(12)
RATIO_PLACES = Decimal("0.0001")

DEFINITIONS = {
    IND_1: "低保标准: the county's rural dibao standard in force on the date, per person per "
    "year and per month, and whether it reaches the county's published floor (WEL-3).",
    IND_2: "对象准确率: households on dibao on the date that pass the latest cross-check with "
    "the poverty registry on or before the date (no open exited_due_review finding on a "
    "member, WEL-8), over all households on dibao.",
    IND_3: "补差水平: dibao paid per person covered and month (monthly amounts in force over the "
    "people covered), and that figure as a share of the monthly standard.",
    IND_4: "分类施保: shares of households on dibao in category A, B and C (WEL-2), with the "
    "people they cover.",
}


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole to four places, None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES)


@dataclass(frozen=True)
class Standard:
    annual: Decimal
    monthly: Decimal
    floor_annual: Decimal | None
    meets_floor: bool | None  # None: the county published no floor


def dibao_standard(params: Params, trace: Trace) -> Standard:
    """IND-1: the county's dibao standard on the date and its floor (WEL-3)."""
    annual = yuan(amount_param(params, P_STANDARD, trace))
    floor = optional_amount_param(params, P_STANDARD_FLOOR, trace)
    floor = None if floor is None else yuan(floor)
    meets = None if floor is None else annual >= floor
    monthly = yuan(annual / MONTHS)
    trace.step(
        IND_1,
        "the county's dibao standard in force, against its floor where one is published",
        standard_annual=annual,
        standard_monthly=monthly,
        standard_floor_annual=floor,
        meets_floor=meets,
    )
    return Standard(annual, monthly, floor, meets)


@dataclass(frozen=True)
class AreaCounts:
    """What the indicators of one area (a township or the county) are computed from."""

    households: dict[DibaoCategory, int]  # on dibao on the date, per category
    persons: dict[DibaoCategory, int]  # people those households cover, per category
    monthly_total: Decimal  # their monthly amounts in force
    flagged_households: int | None  # with an open exited_due_review finding; None: no run

    @property
    def household_total(self) -> int:
        return sum(self.households.values())

    @property
    def person_total(self) -> int:
        return sum(self.persons.values())


@dataclass(frozen=True)
class Accuracy:
    checked: int
    flagged: int | None
    value: Decimal | None


def recipient_accuracy(counts: AreaCounts, trace: Trace, *, area: str) -> Accuracy:
    """IND-2: households on dibao passing the latest cross-check, over all on dibao."""
    total = counts.household_total
    if counts.flagged_households is None:
        trace.step(IND_2, "no cross-check run on or before the date: no value", area=area)
        return Accuracy(total, None, None)
    passing = total - counts.flagged_households
    value = ratio(passing, total)
    trace.step(
        IND_2,
        "households passing the cross-check over households on dibao",
        area=area,
        households=total,
        flagged=counts.flagged_households,
        accuracy=value,
    )
    return Accuracy(total, counts.flagged_households, value)


@dataclass(frozen=True)
class TopUp:
    per_person_monthly: Decimal | None
    share_of_standard: Decimal | None


def topup_level(counts: AreaCounts, standard: Standard, trace: Trace, *, area: str) -> TopUp:
    """IND-3: dibao per person covered and month, and its share of the monthly standard."""
    persons = counts.person_total
    if not persons:
        trace.step(IND_3, "nobody on dibao: no value", area=area)
        return TopUp(None, None)
    per_person = yuan(counts.monthly_total / persons)
    share = ratio(counts.monthly_total / persons, standard.monthly) if standard.monthly else None
    trace.step(
        IND_3,
        "monthly amounts in force over the people covered, and over the monthly standard",
        area=area,
        monthly_total=yuan(counts.monthly_total),
        persons=persons,
        per_person_monthly=per_person,
        share_of_standard=share,
    )
    return TopUp(per_person, share)


@dataclass(frozen=True)
class CategoryShares:
    households: dict[DibaoCategory, int]
    persons: dict[DibaoCategory, int]
    shares: dict[DibaoCategory, Decimal | None] = field(default_factory=dict)


def category_shares(counts: AreaCounts, trace: Trace, *, area: str) -> CategoryShares:
    """IND-4: the shares of households on dibao per category (WEL-2)."""
    total = counts.household_total
    shares = {c: ratio(counts.households.get(c, 0), total) for c in DibaoCategory}
    trace.step(
        IND_4,
        "households per category over households on dibao",
        area=area,
        **{f"households_{c.value}": counts.households.get(c, 0) for c in DibaoCategory},
        **{f"share_{c.value}": shares[c] for c in DibaoCategory},
    )
    return CategoryShares(
        {c: counts.households.get(c, 0) for c in DibaoCategory},
        {c: counts.persons.get(c, 0) for c in DibaoCategory},
        shares,
    )


def empty_counts(flagged: int | None) -> AreaCounts:
    return AreaCounts({}, {}, ZERO, flagged)


def add_counts(a: AreaCounts, b: AreaCounts) -> AreaCounts:
    """The counts of two areas together (the county total of its townships)."""
    flagged = (
        None
        if a.flagged_households is None and b.flagged_households is None
        else (a.flagged_households or 0) + (b.flagged_households or 0)
    )
    return AreaCounts(
        {c: a.households.get(c, 0) + b.households.get(c, 0) for c in DibaoCategory},
        {c: a.persons.get(c, 0) + b.persons.get(c, 0) for c in DibaoCategory},
        a.monthly_total + b.monthly_total,
        flagged,
    )
