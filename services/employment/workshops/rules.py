"""The poverty-workshop subsidy (扶贫车间一次性奖补), EMP-5.

Pure functions, as in jobs/rules.py.

Reading of the seeds
--------------------
- EMP-5: FL-HRSS §三(一)1: 对符合条件的就业扶贫车间每吸纳1名建档立卡农村贫困劳动力，在其就业年度内，
  按年给予就业扶贫车间1000元的一次性奖补. The subsidy is per registered poor worker and per
  employment year (就业年度), paid to the workshop (employment.workshop.subsidy_per_worker_year,
  1,000 in 浮梁, an illustrative default elsewhere).
- 就业年度 is the worker's (其), not the calendar's: the 12 months from the day the worker is
  absorbed (吸纳, the hire date). While the worker stays on a workshop's roll on the anniversary,
  the next employment year begins then. A worker who leaves and is taken on again (here or at
  another workshop) inside a running employment year opens no new one; a worker taken on after
  the running year has ended without being on a roll on its anniversary starts a new year on
  that hire date.
- When due: 吸纳…按年给予 rewards the absorption, so a year is due as soon as it starts (the
  worker is absorbed, or still on the roll on the anniversary), not when it is completed; a
  county official pays the workshop for the year the worker has begun. It is due to the workshop
  whose roll the worker is on on the year's first day.
- 建档立卡: the worker must be registered poor (未脱贫 or 已脱贫) when taken on; 边缘户 are not.
- A worker-year is paid once: a person has at most one employment year starting in a calendar
  year, and the payments table is unique on person and that year, so the first workshop to
  claim it is paid and any other (or a repeated, or a concurrent, claim) is told it was paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from shared.money import yuan
from shared.rule_inputs import add_months, day
from shared.trace import Params, Trace

EMP_5 = "EMP-5"

P_AMOUNT = "employment.workshop.subsidy_per_worker_year"


@dataclass(frozen=True)
class Spell:
    start: date
    end: date | None  # last day on the roll; None while still there
    here: bool = True  # on the claiming workshop's roll (False: another workshop's)

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class WorkerFacts:
    person_id: str
    registered_poor: bool  # 建档立卡 when taken on
    spells: tuple[Spell, ...]  # every spell of the person on any workshop's roll


@dataclass(frozen=True)
class EmploymentYear:
    """One 就业年度 of a worker: 12 months from `start`."""

    start: date
    end: date  # the last day

    @classmethod
    def from_start(cls, start: date) -> EmploymentYear:
        return cls(start, add_months(start, 12) - timedelta(days=1))


@dataclass(frozen=True)
class WorkerYear:
    person_id: str
    year_start: date | None  # the employment year this line is about, None if none began
    year_end: date | None
    eligible: bool
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class WorkshopSubsidy:
    year: int
    per_worker: Decimal
    workers: tuple[WorkerYear, ...]
    total: Decimal
    trace: Trace = field(repr=False)


def claim_day(year: int, claimed_on: date) -> date:
    """EMP-5: the day a claim for calendar `year` is decided on, and its figures read: the
    claim's date, or the year's last day for a year claimed after it ended."""
    return min(claimed_on, date(year, 12, 31))


def employment_years(spells: Sequence[Spell], as_of: date) -> list[EmploymentYear]:
    """The worker's employment years that have begun by `as_of`, over every workshop's roll."""
    ordered = sorted(
        (Spell(day(s.start, "start"), None if s.end is None else day(s.end, "end"), s.here)
         for s in spells),
        key=lambda s: s.start,
    )  # fmt: skip
    ordered = [s for s in ordered if s.end is None or s.end >= s.start]
    years: list[EmploymentYear] = []
    if not ordered:
        return years
    start = ordered[0].start
    while start <= as_of:
        year = EmploymentYear.from_start(start)
        years.append(year)
        anniversary = year.end + timedelta(days=1)
        if any(s.covers(anniversary) for s in ordered):
            start = anniversary
            continue
        # Off every roll on the anniversary: the next hire after the year ended starts a new one.
        later = [s.start for s in ordered if s.start > year.end]
        if not later:
            break
        start = min(later)
    return years


def workshop_subsidy(
    workers: Sequence[WorkerFacts],
    year: int,
    as_of: date,
    params: Params,
    *,
    trace: Trace | None = None,
) -> WorkshopSubsidy:
    """EMP-5: the subsidy due to a workshop for the employment years of its workers that began
    in calendar `year` up to `as_of`, one line per worker."""
    trace = Trace() if trace is None else trace
    as_of = day(as_of, "claim date")
    per_worker = params.amount(P_AMOUNT, trace)
    lines: list[WorkerYear] = []
    for worker in workers:
        begun = [y for y in employment_years(worker.spells, as_of) if y.start.year == year]
        current = begun[-1] if begun else None
        start, end = (current.start, current.end) if current else (None, None)
        if not worker.registered_poor:
            line = WorkerYear(worker.person_id, start, end, False, yuan(0), "not registered poor")
        elif current is None:
            reason = f"no employment year of the worker began in {year} by {as_of.isoformat()}"
            line = WorkerYear(worker.person_id, None, None, False, yuan(0), reason)
        elif not any(s.here and s.covers(current.start) for s in worker.spells):
            reason = (
                f"the employment year from {current.start.isoformat()} began on another "
                "workshop's roll"
            )
            line = WorkerYear(worker.person_id, start, end, False, yuan(0), reason)
        else:
            reason = (
                f"employment year {current.start.isoformat()} to {current.end.isoformat()} "
                "begun on this workshop's roll"
            )
            line = WorkerYear(worker.person_id, start, end, True, per_worker, reason)
        lines.append(line)
    total = sum((w.amount for w in lines), yuan(0))
    trace.step(
        EMP_5,
        f"{per_worker} yuan per registered poor worker and employment year (12 months from the "
        "hire), due when the year begins on the workshop's roll",
        year=year,
        as_of=as_of,
        workers=len(lines),
        eligible=sum(w.eligible for w in lines),
        total=total,
    )
    return WorkshopSubsidy(year, per_worker, tuple(lines), total, trace)
