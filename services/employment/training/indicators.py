"""Training indicators per township or village at a date (EMP-2): coverage of the labourers to be
trained and of the 两后生, and the placement rate within the parameter months after training.

Placements come from the jobs sub-domain (`services.employment.jobs.repository.placements_of`,
person id → job start dates, ended jobs included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlmodel import Session

from services.employment.census.service import SurveyedPerson, census_people
from services.employment.jobs.repository import placements_of
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.training.repository import completions_of
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
from shared.uow import UnitOfWork


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
    by: Literal["township", "village"],
    policy: PolicySet,
    area_prefix: str = "",
) -> TrainingIndicators:
    """EMP-2 per township (or village) of `county` on `on`: labourers, willing, base, trained,
    两后生, 两后生 trained, placed / not placed / pending within the window, and the rates.
    Only registered poor people (未脱贫 / 已脱贫 on the date) are counted."""
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


def indicators(
    uow: UnitOfWork, county: str, on: date, by: Literal["township", "village"]
) -> TrainingIndicators:
    """EMP-2 for the caller: a township's or village's officer sees their own area's people."""
    scope = uow.principal.scope
    prefix = scope if len(scope) > 6 else ""
    return training_indicators(uow.session, county, on, by, uow.policy, prefix)


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
