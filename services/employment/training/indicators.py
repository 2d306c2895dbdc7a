"""Training indicators per township or village at a date (EMP-2): coverage of the labourers to be
trained and of the 两后生, and the placement rate within the parameter months after training.

Placements come from the jobs sub-domain (`services.employment.jobs.service.placements_of`,
person id → job start dates, ended jobs included)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlmodel import Session

from services.employment.census.service import SurveyedPerson, census_people, default_policy
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.jobs.service import placements_of
from services.employment.training.models import TrainingEnrolment
from services.employment.training.rules import (
    CoverageCounts,
    PersonCoverageFacts,
    PlacementOutcome,
    count_person,
    coverage,
    coverage_bases,
    placement_outcome,
    placement_rate,
    placement_window,
)
from shared.policy import PolicySet
from shared.trace import Params, Trace


def completions_of(session: Session, person_ids: Iterable[str], on: date) -> dict[str, list[date]]:
    """Completed enrolments (any outcome) on or before `on`, per person."""
    ids = list(person_ids)
    out: dict[str, list[date]] = {}
    for start in range(0, len(ids), 900):
        rows = session.execute(
            select(TrainingEnrolment.person_id, TrainingEnrolment.completed_on).where(
                TrainingEnrolment.person_id.in_(ids[start : start + 900]),  # type: ignore[attr-defined]
                TrainingEnrolment.status == "completed",  # type: ignore[arg-type]
                TrainingEnrolment.completed_on <= on,  # type: ignore[operator]
            )
        )
        for pid, completed in rows:
            out.setdefault(pid, []).append(completed)
    return out


@dataclass
class AreaCounts:
    code: str
    coverage: CoverageCounts = field(default_factory=CoverageCounts)
    outcomes: list[PlacementOutcome | None] = field(default_factory=list)


@dataclass(frozen=True)
class AreaResult:
    code: str
    counts: CoverageCounts
    training_rate: Any
    two_after_rate: Any
    placed: int
    not_placed: int
    pending: int
    placement_rate: Any


@dataclass(frozen=True)
class TrainingIndicators:
    county: str
    on: date
    by: str
    window_months: int
    total: AreaResult
    areas: list[AreaResult]
    trace: Trace


def training_indicators(
    session: Session,
    county: str,
    on: date,
    by: Literal["township", "village"] = "township",
    policy: PolicySet | None = None,
    area_prefix: str = "",
) -> TrainingIndicators:
    """EMP-2 per township (or village) of `county` on `on`: labourers, willing, base, trained,
    两后生, 两后生 trained, placed / not placed / pending within the window, and the rates.
    Only registered poor people (未脱贫 / 已脱贫 on the date) are counted."""
    policy = policy or default_policy()
    params = Params(policy, county, on)
    trace = Trace()
    bases = coverage_bases(params, trace=trace)
    months = placement_window(params, trace=trace)
    people: list[SurveyedPerson] = [
        p
        for p in census_people(session, county, on, policy)
        if p.poverty_status in REGISTERED_POOR
        and p.alive
        and p.village_code.startswith(area_prefix)
    ]
    ids = [p.person_id for p in people]
    completions = completions_of(session, ids, on)
    placements = placements_of(session, ids) if ids else {}
    areas: dict[str, AreaCounts] = {}
    total = AreaCounts(county)
    for p in people:
        code = p.township_code if by == "township" else p.village_code
        area = areas.setdefault(code, AreaCounts(code))
        done = completions.get(p.person_id, [])
        facts = PersonCoverageFacts(
            labourer=p.labourer,
            wishes_to_train=p.wishes_to_train,
            wishes_to_work=p.wishes_to_work,
            two_after=p.two_after,
            trained=bool(done),
        )
        counted = count_person(facts, bases)
        outcome = (
            placement_outcome(done, placements.get(p.person_id, []), on, months)
            if p.labourer
            else None
        )
        for target in (area, total):
            target.coverage = target.coverage + counted
            target.outcomes.append(outcome)
    results = [_result(a, params) for _, a in sorted(areas.items())]
    total_result = _result(total, params, trace)
    return TrainingIndicators(county, on, by, months, total_result, results, trace)


def _result(area: AreaCounts, params: Params, trace: Trace | None = None) -> AreaResult:
    cov = coverage(area.coverage, params, trace=trace)
    place = placement_rate(area.outcomes, params, trace=trace)
    return AreaResult(
        area.code,
        area.coverage,
        cov.training_rate,
        cov.two_after_rate,
        place.placed,
        place.not_placed,
        place.pending,
        place.rate,
    )
