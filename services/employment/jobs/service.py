"""Queries over placements and recommendations that other parts of the service use: training
coverage (placement after training, EMP-2), the monthly progress report (EMP-9) and the
relocated-household worklist (EMP-8). Read-only; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.employment.jobs.labourers import labourers
from services.employment.jobs.models import JobPlacement, JobRecommendation
from services.employment.jobs.rules import RecommendationCoverage, recommendation_coverage
from services.employment.registry.models import RegistryPerson
from shared.policy import PolicySet
from shared.trace import Params, Trace

_CHUNK = 500


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for person_id in dict.fromkeys(ids):
        batch.append(person_id)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def placements_of(session: Session, person_ids: Iterable[str]) -> dict[str, list[date]]:
    """EMP-3: the start dates of every placement of each person (ended ones included), in date
    order. People without a placement are absent from the answer."""
    out: dict[str, list[date]] = {}
    for batch in _chunks(person_ids):
        rows = session.exec(
            select(JobPlacement.person_id, JobPlacement.start_on)
            .where(col(JobPlacement.person_id).in_(batch))
            .order_by(JobPlacement.person_id, JobPlacement.start_on)
        ).all()
        for person_id, start_on in rows:
            out.setdefault(person_id, []).append(start_on)
    return out


def recommendation_counts(session: Session, county: str, year: int) -> dict[str, int]:
    """EMP-3: person_id → number of vacancies recommended to them in `year` (岗位推荐次数), for the
    people of `county` who had at least one."""
    rows = session.exec(
        select(JobRecommendation.person_id, func.count())
        .where(JobRecommendation.county_code == county, JobRecommendation.year == year)
        .group_by(JobRecommendation.person_id)
    ).all()
    return {person_id: int(n) for person_id, n in rows}


def in_work_on(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    """People with a placement running on `on` (started on or before, not ended before)."""
    stmt = select(JobPlacement.person_id).where(
        JobPlacement.start_on <= on,
        or_(col(JobPlacement.ended_on).is_(None), col(JobPlacement.ended_on) >= on),
    )
    if person_ids is None:
        return set(session.exec(stmt).all())
    found: set[str] = set()
    for batch in _chunks(person_ids):
        found.update(session.exec(stmt.where(col(JobPlacement.person_id).in_(batch))).all())
    return found


def placements_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-3, EMP-9: township code → people with a placement running on `on`."""
    rows = session.exec(
        select(JobPlacement.township_code, func.count(func.distinct(JobPlacement.person_id)))
        .where(
            JobPlacement.county_code == county,
            JobPlacement.start_on <= on,
            or_(col(JobPlacement.ended_on).is_(None), col(JobPlacement.ended_on) >= on),
        )
        .group_by(JobPlacement.township_code)
    ).all()
    return {township: int(n) for township, n in rows}


def recommendations_by_township(session: Session, county: str, year: int) -> dict[str, int]:
    """EMP-3, EMP-9: township code → recommendations made in `year`."""
    rows = session.exec(
        select(JobRecommendation.township_code, func.count())
        .where(JobRecommendation.county_code == county, JobRecommendation.year == year)
        .group_by(JobRecommendation.township_code)
    ).all()
    return {township: int(n) for township, n in rows}


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
    session: Session,
    policy: PolicySet,
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
    people = labourers(session, policy, county, on, scope=scope, township=township, trace=trace)
    counts = recommendation_counts(session, county, year)
    coverage = recommendation_coverage(
        [p.person_id for p in people], counts, year, Params(policy, county, on), trace=trace
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
