"""Job recommendation coverage (EMP-3, EMP-9): the labourers of a county, their
recommendations in a year, those below the yearly minimum, and the figures per township."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.employment.jobs.labourers import labourers
from services.employment.jobs.repository import recommendation_counts
from services.employment.jobs.rules import RecommendationCoverage, recommendation_coverage
from services.employment.registry.models import RegistryPerson
from shared.trace import Trace
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class TownshipRecommendations:
    township_code: str
    labourers: int
    recommendations: int  # made in the year to these labourers
    recommended: int  # labourers with at least one
    below_minimum: int  # labourers with fewer than the yearly minimum (3)


@dataclass(frozen=True)
class CoverageReport:
    coverage: RecommendationCoverage
    people: dict[str, RegistryPerson]  # the labourers counted, by person id
    counts: dict[str, int]
    townships: list[TownshipRecommendations]


def coverage_report(
    uow: UnitOfWork,
    county: str,
    year: int,
    on: date,
    *,
    scope: str = "",
    township: str | None = None,
    trace: Trace | None = None,
) -> CoverageReport:
    """EMP-3, EMP-9: the labourers of `county` on `on` (jobs/labourers.py), their
    recommendations in `year`, those below the yearly minimum, and the figures per township."""
    people = labourers(
        uow.session, uow.policy, county, on, scope=scope, township=township, trace=trace
    )
    counts = recommendation_counts(uow.session, county, year)
    coverage = recommendation_coverage(
        [p.person_id for p in people], counts, year, uow.params(county, on), trace=trace
    )
    towns: dict[str, list[int]] = {}
    for p in people:
        n = counts.get(p.person_id, 0)
        t = towns.setdefault(p.township_code, [0, 0, 0, 0])
        t[0] += 1
        t[1] += n
        t[2] += n > 0
        t[3] += n < coverage.minimum
    return CoverageReport(
        coverage=coverage,
        people={p.person_id: p for p in people},
        counts=counts,
        townships=[TownshipRecommendations(code, *t) for code, t in sorted(towns.items())],
    )
