"""The poverty-workshop subsidy (扶贫车间一次性奖补), EMP-5.

Pure functions, as in rules/jobs.py.

Reading of the seeds
--------------------
- EMP-5: FL-HRSS §三(一)1: 每吸纳1名建档立卡农村贫困劳动力，在其就业年度内，按年给予就业扶贫车间
  1000元的一次性奖补. The subsidy is per registered poor worker and per year, paid to the
  workshop (employment.workshop.subsidy_per_worker_year). The seed does not say when a year counts
  as an employment year: here a worker's year counts when the worker was on the workshop's roll on
  at least one day of each of N calendar months of it, N = employment.workshop.min_months_per_year
  (6, illustrative). Only months up to the day of the claim count, so a year can be claimed once N
  months have passed.
- 建档立卡: the worker must be registered poor (未脱贫 or 已脱贫) when taken on; 边缘户 are not.
- A worker-year is paid once: a person's year is subsidised to one workshop only, the first that
  claims it (the payments table is unique on person and year). A worker who moves between
  workshops in a year counts at each only with the months spent there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.employment.rules.jobs import day, whole_param
from shared.money import yuan
from shared.trace import Params, Trace

EMP_5 = "EMP-5"

P_AMOUNT = "employment.workshop.subsidy_per_worker_year"
P_MONTHS = "employment.workshop.min_months_per_year"


@dataclass(frozen=True)
class Spell:
    start: date
    end: date | None  # last day on the roll; None while still there


@dataclass(frozen=True)
class WorkerFacts:
    person_id: str
    registered_poor: bool  # 建档立卡 when taken on
    spells: tuple[Spell, ...]


@dataclass(frozen=True)
class WorkerYear:
    person_id: str
    months: int
    eligible: bool
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class WorkshopSubsidy:
    year: int
    min_months: int
    per_worker: Decimal
    workers: tuple[WorkerYear, ...]
    total: Decimal
    trace: Trace = field(repr=False)


def employed_months(spells: Sequence[Spell], year: int, as_of: date) -> int:
    """Calendar months of `year`, up to `as_of`, with at least one day on the roll."""
    months: set[int] = set()
    for spell in spells:
        start = day(spell.start, "start")
        end = as_of if spell.end is None else min(day(spell.end, "end"), as_of)
        if end < start:
            continue
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        if last < first:
            continue
        months.update(range(first.month, last.month + 1))
    return len(months)


def workshop_subsidy(
    workers: Sequence[WorkerFacts],
    year: int,
    as_of: date,
    params: Params,
    *,
    trace: Trace | None = None,
) -> WorkshopSubsidy:
    """EMP-5: the subsidy due to a workshop for `year`, worker by worker."""
    trace = Trace() if trace is None else trace
    as_of = day(as_of, "claim date")
    per_worker = yuan(params.decimal(P_AMOUNT, trace))
    if per_worker < 0:
        raise ValueError(f"parameter {P_AMOUNT} must not be negative")
    min_months = whole_param(params, P_MONTHS, trace, minimum=1)
    lines: list[WorkerYear] = []
    for worker in workers:
        months = employed_months(worker.spells, year, as_of)
        if not worker.registered_poor:
            line = WorkerYear(worker.person_id, months, False, yuan(0), "not registered poor")
        elif months < min_months:
            reason = f"{months} month(s) on the roll in {year}, fewer than {min_months}"
            line = WorkerYear(worker.person_id, months, False, yuan(0), reason)
        else:
            reason = f"employment year {year}: {months} month(s) on the roll"
            line = WorkerYear(worker.person_id, months, True, per_worker, reason)
        lines.append(line)
    total = sum((w.amount for w in lines), yuan(0))
    trace.step(
        EMP_5,
        f"{per_worker} yuan per registered poor worker and employment year "
        f"(at least {min_months} months on the roll)",
        year=year,
        as_of=as_of,
        workers=len(lines),
        eligible=sum(w.eligible for w in lines),
        total=total,
    )
    return WorkshopSubsidy(year, min_months, per_worker, tuple(lines), total, trace)
