"""Public-welfare posts (扶贫公益岗位): occupancy and the stock target, EMP-4.

Pure functions, as in jobs/rules.py.

Reading of the seeds
--------------------
- EMP-4: CITY-HRSS §三(一)1: 力争到 2020 年岗位保有量不低于470 个,上岗率不低于 80%. 岗位 are
  counted as positions (a post record with capacity 3 is 3 positions); 保有量 is the positions of
  posts open on the day; 上岗率 is positions filled (people on post that day) over positions. The
  470 is the city's figure (CITY-HRSS is no county's plan): it is shipped as the illustrative
  default of every county, flagged in each decision (a county enters its own as an override).
  The stock target is due by the end of 2020 (stock_target_year): before then `due` is false and
  the figure is progress, from then on it is checked.
- EMP-4 occupancy: `met` compares exactly (filled ≥ target × positions); the rate is reported to 4
  places. No positions at all is not met (nothing is occupied).
- FL-HRSS §三(一)2 (扶贫专岗, 293 in the campaign, with post and social-insurance subsidies to the
  employer) is recorded as the post type `dedicated`; the subsidies are paid by the employer side
  and are not computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.employment.jobs.rules import rate
from shared.rule_inputs import count, day
from shared.trace import Params, Trace

EMP_4 = "EMP-4"

P_OCCUPANCY = "employment.posts.occupancy_target"
P_STOCK = "employment.posts.stock_target"
P_STOCK_YEAR = "employment.posts.stock_target_year"


@dataclass(frozen=True)
class PostOccupancy:
    filled: int
    positions: int
    rate: Decimal
    target: Decimal
    met: bool
    trace: Trace = field(repr=False)


def post_occupancy(
    filled: int, positions: int, params: Params, *, trace: Trace | None = None
) -> PostOccupancy:
    """EMP-4: positions filled over positions, against the occupancy target (上岗率 ≥ 80%)."""
    trace = Trace() if trace is None else trace
    filled = count(filled, "filled positions")
    positions = count(positions, "positions")
    if filled > positions:
        raise ValueError(f"filled positions {filled} exceed the positions {positions}")
    target = params.ratio(P_OCCUPANCY, trace)
    met = positions > 0 and Decimal(filled) >= target * positions
    result = PostOccupancy(filled, positions, rate(filled, positions), target, met, trace)
    trace.step(
        EMP_4,
        "public-welfare post occupancy target met"
        if met
        else "public-welfare post occupancy below the target",
        filled=filled,
        positions=positions,
        rate=result.rate,
        target=target,
    )
    return result


@dataclass(frozen=True)
class PostStock:
    positions: int
    target: int
    target_year: int
    due: bool  # the target year has ended on the day measured
    met: bool
    trace: Trace = field(repr=False)


def post_stock(
    positions: int, on: date, params: Params, *, trace: Trace | None = None
) -> PostStock:
    """EMP-4: positions held (保有量) against the stock target due by the end of its year."""
    trace = Trace() if trace is None else trace
    positions = count(positions, "positions")
    on = day(on, "date")
    target = params.whole(P_STOCK, trace)
    year = params.whole(P_STOCK_YEAR, trace, minimum=2000)
    due = on >= date(year, 12, 31)
    met = positions >= target
    trace.step(
        EMP_4,
        f"public-welfare post stock at least {target} by the end of {year}",
        positions=positions,
        target=target,
        due=due,
        met=met,
    )
    return PostStock(positions, target, year, due, met, trace)
