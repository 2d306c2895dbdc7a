"""The person-level figures of the monthly report per township (EMP-1, EMP-2, EMP-3), by the
rule path: every person through the census, training and jobs functions and their rules.

This is the reference the set-based path (report/repository.py) is tested against; it is exact but
holds every person in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from sqlmodel import Session

from services.employment.census.service import labourers
from services.employment.jobs.labourers import labourers as job_seekers
from services.employment.jobs.repository import recommendations_until
from services.employment.jobs.rules import recommendation_coverage
from services.employment.training.indicators import training_indicators
from services.employment.training.rules import CoverageCounts
from shared.policy import PolicySet
from shared.trace import Params, Trace


@dataclass
class PeopleArea:
    """One township's person counts; `+` adds two townships."""

    labourers: int = 0  # EMP-1
    willing_to_work: int = 0
    willing_to_train: int = 0
    coverage: CoverageCounts = field(default_factory=CoverageCounts)  # EMP-2
    placed: int = 0
    not_placed: int = 0
    pending: int = 0
    seekers: int = 0  # EMP-3: labourers to whom jobs are recommended
    recommendations: int = 0
    recommended: int = 0
    below_minimum: int = 0

    def __add__(self, other: PeopleArea) -> PeopleArea:
        return PeopleArea(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(PeopleArea))
        )


@dataclass(frozen=True)
class People:
    townships: dict[str, PeopleArea]
    window_months: int
    minimum: int  # recommendations a labourer should have in the year (EMP-3)


def by_rules(
    session: Session, county: str, on: date, policy: PolicySet, town: str, trace: Trace
) -> People:
    """Per township of `county` (within the `town` prefix) on `on`, by the modules' functions."""
    out: dict[str, PeopleArea] = {}
    people = [p for p in labourers(session, county, on, policy) if p.township_code.startswith(town)]
    for p in people:
        a = out.setdefault(p.township_code, PeopleArea())
        a.labourers += 1
        a.willing_to_work += p.wishes_to_work
        a.willing_to_train += p.wishes_to_train
    trace.step("EMP-1", "registered poor labourers on the day", labourers=len(people))

    training = training_indicators(session, county, on, "township", policy, town)
    trace.steps.extend(training.trace.steps)
    trace.parameters.update(training.trace.parameters)
    for t in training.areas:
        a = out.setdefault(t.code, PeopleArea())
        a.coverage, a.placed, a.not_placed, a.pending = t.counts, t.placed, t.not_placed, t.pending

    params = Params(policy, county, on)
    seekers = job_seekers(session, policy, county, on, scope=town or county, trace=trace)
    counts = recommendations_until(session, county, on)
    ids: dict[str, list[str]] = {}
    for s in seekers:
        ids.setdefault(s.township_code, []).append(s.person_id)
    quiet = Trace()
    minimum = 0
    for code, members in ids.items():
        c = recommendation_coverage(members, counts, on.year, params, trace=quiet)
        a = out.setdefault(code, PeopleArea())
        a.seekers, a.recommended, a.below_minimum = c.labourers, c.recommended, len(c.below)
        a.recommendations = sum(counts.get(i, 0) for i in members)
        minimum = c.minimum
    total = recommendation_coverage(
        [s.person_id for s in seekers], counts, on.year, params, trace=trace
    )
    return People(out, training.window_months, minimum or total.minimum)
