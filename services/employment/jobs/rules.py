"""Job recommendation (岗位推荐) and recruitment fairs (招聘会), EMP-3; shared checks of the
employment rules (EMP-3 .. EMP-6).

Pure functions: facts and `Params` in, a frozen result with a `Trace` out. No database, clock or
I/O. Every figure is a policy parameter read through `Params` (employment.yaml,
employment_jobs.yaml), so the trace names each parameter used; every step names its rule ID.

Reading of the seeds
--------------------
- EMP-3, offers: CITY-HRSS §三(一)3 asks that each poor person with ability and need to work be
  offered a job 3 times or more (每人至少提供就业岗位 3 次以上), without a period; ZA-GOV §三(四)5
  says 每年至少向农村贫困劳动力推荐就业岗位3次. The seed with the period wins: at least 3
  recommendations per person per calendar year (employment.recommendations.min_per_year). A
  recommendation counts in the year it was made, whatever its outcome. YA-HRSS §三 asks for 100%
  recommended (100%推荐就业岗位) by 2017-11-20: the same list, with a minimum of 1, shows it.
- EMP-3, labourers: the seeds say 贫困劳动力 without an age band; working age is the census's
  parameter (employment.labour.working_age.min/.max, 16 to the 60th birthday, illustrative).
  A labourer is a registered poor person (未脱贫 or 已脱贫, REG-2; 边缘户 are not 建档立卡) of
  working age, alive. CITY-HRSS §三(一)3 offers jobs to those 有劳动能力、有就业需求: a person whom
  the labour census (EMP-1) found without ability to work, or not wishing to work, is left out;
  a person not yet surveyed is kept.
- EMP-3, fairs: CITY-HRSS §三(一)3 wants at least one fair per quarter in each town where the poor
  are concentrated; ZA-GOV §三(四)4 one on-site fair per quarter. FL-HRSS §三(一)3 asks for 3 or
  more 春风行动 fairs in its Feb–Apr campaign, a campaign target, not a standing rule. A quarter
  is a calendar quarter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from shared.domain import PovertyStatus
from shared.rule_inputs import count, day
from shared.trace import Params, Trace

EMP_3 = "EMP-3"

P_AGE_FROM = "employment.labour.working_age.min"  # the census's bounds (rules/census.py)
P_AGE_UNTIL = "employment.labour.working_age.max"
P_MIN_RECOMMENDATIONS = "employment.recommendations.min_per_year"
P_FAIRS = "employment.fairs.min_per_quarter"

RATE_PLACES = Decimal("0.0001")

# 建档立卡 (REG-2): 未脱贫 and 已脱贫 (脱贫不脱政策), never 边缘户. No employment rule's seed
# sentence names 贫困边缘户, so every status test of the service (EMP-1 .. EMP-8) uses this.
REGISTERED_POOR = tuple(s.value for s in PovertyStatus if s.is_registered_poor)


# --- checks shared by the employment rules --------------------------------------------------------


def rate(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def years_before(on: date, years: int) -> date:
    """The same day `years` earlier (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- EMP-3 working age ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingAge:
    """Born in (born_after, born_on_or_before] ⇔ of working age on `on`."""

    age_from: int
    age_until: int
    born_after: date
    born_on_or_before: date
    trace: Trace = field(repr=False)

    def holds(self, birth: date) -> bool:
        return self.born_after < birth <= self.born_on_or_before


def working_age(on: date, params: Params, *, trace: Trace | None = None) -> WorkingAge:
    """EMP-3: the birth dates of people of working age on `on` (from the `from` birthday until
    the day before the `until` birthday)."""
    trace = Trace() if trace is None else trace
    on = day(on, "date")
    low = params.whole(P_AGE_FROM, trace)
    high = params.whole(P_AGE_UNTIL, trace, minimum=low + 1)
    result = WorkingAge(low, high, years_before(on, high), years_before(on, low), trace)
    trace.step(
        EMP_3,
        "labourers: registered poor of working age",
        on=on,
        age_from=low,
        age_until=high,
        born_after=result.born_after,
        born_on_or_before=result.born_on_or_before,
    )
    return result


# --- EMP-3 recommendations per person and year ---------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    person_id: str
    recommendations: int
    missing: int


@dataclass(frozen=True)
class RecommendationCoverage:
    year: int
    minimum: int
    labourers: int
    recommended: int  # labourers with at least one recommendation
    at_minimum: int  # labourers with at least `minimum`
    coverage_rate: Decimal  # recommended / labourers
    below: tuple[Shortfall, ...]  # labourers under the minimum, fewest first
    trace: Trace = field(repr=False)


def recommendation_coverage(
    labourers: Sequence[str],
    counts: Mapping[str, int],
    year: int,
    params: Params,
    *,
    trace: Trace | None = None,
) -> RecommendationCoverage:
    """EMP-3: which labourers have had fewer than the yearly minimum of recommendations."""
    trace = Trace() if trace is None else trace
    minimum = params.whole(P_MIN_RECOMMENDATIONS, trace, minimum=1)
    people = list(dict.fromkeys(labourers))
    below: list[Shortfall] = []
    recommended = 0
    for person_id in people:
        n = count(counts.get(person_id, 0), f"recommendations of {person_id}")
        recommended += n > 0
        if n < minimum:
            below.append(Shortfall(person_id, n, minimum - n))
    below.sort(key=lambda s: (s.recommendations, s.person_id))
    result = RecommendationCoverage(
        year=year,
        minimum=minimum,
        labourers=len(people),
        recommended=recommended,
        at_minimum=len(people) - len(below),
        coverage_rate=rate(recommended, len(people)),
        below=tuple(below),
        trace=trace,
    )
    trace.step(
        EMP_3,
        f"at least {minimum} job recommendations per labourer per year",
        year=year,
        labourers=result.labourers,
        recommended=recommended,
        below_minimum=len(below),
        coverage_rate=result.coverage_rate,
    )
    return result


# --- EMP-3 recruitment fairs per quarter ---------------------------------------------------------


def quarter_of(on: date) -> int:
    return (on.month - 1) // 3 + 1


@dataclass(frozen=True)
class QuarterFairs:
    quarter: int
    fairs: int
    met: bool


@dataclass(frozen=True)
class FairSchedule:
    year: int
    minimum: int
    quarters: tuple[QuarterFairs, ...]  # the quarters of `year` begun by `on`
    trace: Trace = field(repr=False)


def fair_schedule(
    held_on: Sequence[date], year: int, on: date, params: Params, *, trace: Trace | None = None
) -> FairSchedule:
    """EMP-3: a township's fairs per quarter of `year` against the minimum, for the quarters
    that have ended or begun by `on`."""
    trace = Trace() if trace is None else trace
    on = day(on, "date")
    minimum = params.whole(P_FAIRS, trace)
    last = 0 if on.year < year else 4 if on.year > year else quarter_of(on)
    per = {q: 0 for q in range(1, last + 1)}
    for held in held_on:
        held = day(held, "fair date")
        if held.year == year and quarter_of(held) in per:
            per[quarter_of(held)] += 1
    quarters = tuple(QuarterFairs(q, n, n >= minimum) for q, n in per.items())
    trace.step(
        EMP_3,
        f"at least {minimum} recruitment fair(s) per quarter",
        year=year,
        quarters=len(quarters),
        quarters_met=sum(q.met for q in quarters),
    )
    return FairSchedule(year, minimum, quarters, trace)
