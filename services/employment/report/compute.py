"""The monthly progress report (EMP-9, FL-HRSS §四(四)) computed from the other parts of the
service, each with its own rules: the labour census (EMP-1), training coverage and placement
after training (EMP-2), job recommendations and placements (EMP-3), public-welfare posts (EMP-4),
poverty workshops (EMP-5), entrepreneurship (EMP-6) and relocated households (EMP-8).

Nothing here decides who counts: each figure comes from its module's function (or, for the
person counts, from the set-based path report/repository.py that is tested against them) and
each rate and target from its rule function (rules/*.py). This module gathers them per
township, limits them to the reader's township, and adds the county total."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Literal

from sqlmodel import Session

from services.employment.business.repository import businesses_by_township
from services.employment.jobs.repository import placements_by_location, placements_by_township
from services.employment.posts.rules import PostOccupancy, post_occupancy
from services.employment.posts.service import occupancy_by_township
from services.employment.relocation.service import without_work_by_township
from services.employment.report.figures import Area, Compare, Figure, MonthlyReport, judged
from services.employment.report.people import PeopleArea, by_rules
from services.employment.report.repository import by_sql
from services.employment.training.rules import PlacementOutcome, coverage, placement_rate
from services.employment.workshops.repository import workers_by_township
from shared.policy import PolicySet
from shared.trace import Params, Trace

EMP_9 = "EMP-9"
LOCATIONS = ("local", "province", "other_province")


def month_end(month: str) -> date:
    """The last day of a `YYYY-MM` month."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def _outcomes(a: PeopleArea) -> Iterable[PlacementOutcome]:
    yield from [PlacementOutcome.placed] * a.placed
    yield from [PlacementOutcome.not_placed] * a.not_placed
    yield from [PlacementOutcome.pending] * a.pending


def _people(a: PeopleArea, params: Params, trace: Trace) -> dict[str, Figure]:
    """EMP-1..3 (EMP-1, EMP-2, EMP-3) figures of one area; targets and whether they are met from
    the coverage and placement-rate rules; EMP-3: every labourer at least the minimum a year, so
    nobody below."""
    counts = a.coverage
    cov = coverage(counts, params, trace=trace)
    place = placement_rate(_outcomes(a), params, trace=trace)
    return {
        "labourers": Figure(a.labourers),
        "willing_to_work": Figure(a.willing_to_work),
        "willing_to_train": Figure(a.willing_to_train),
        "training_base": Figure(counts.base),
        "trained": Figure(counts.trained),
        "training_rate": Figure(cov.training_rate, cov.training_target, cov.training_met),
        "two_after": Figure(counts.two_after),
        "two_after_base": Figure(counts.two_after_base),
        "two_after_trained": Figure(counts.two_after_trained),
        "two_after_rate": Figure(cov.two_after_rate, cov.two_after_target, cov.two_after_met),
        "placed_after_training": Figure(a.placed),
        "not_placed_after_training": Figure(a.not_placed),
        "pending_after_training": Figure(a.pending),
        "placement_rate": Figure(place.rate, place.target, place.met),
        "recommendation_labourers": Figure(a.seekers),
        "recommendations": Figure(a.recommendations),
        "recommended": Figure(a.recommended),
        "below_minimum": judged(a.below_minimum, 0, Compare.at_most),
    }


def _posts(o: PostOccupancy) -> dict[str, Figure]:
    return {
        "post_positions": Figure(o.positions),
        "post_filled": Figure(o.filled),
        "post_occupancy": Figure(o.rate, o.target, o.met),
    }


def monthly_report(
    session: Session,
    county: str,
    month: str,
    *,
    today: date,
    policy: PolicySet,
    scope: str = "",
    path: Literal["sql", "rules"] = "sql",
) -> MonthlyReport:
    """EMP-9: the month's figures per township of `county` and for the county, as of the
    month's last day (or `today` while the month runs). `scope` (a principal's division prefix
    longer than the county) limits the report to that township; the total is then its own.
    `path` "rules" counts people one by one through the modules' functions (the reference),
    "sql" by grouped queries (the default; same figures)."""
    on = min(month_end(month), today)
    params = Params(policy, county, on)
    town = scope[:9] if len(scope) > 6 else ""
    trace = Trace()
    trace.step(EMP_9, "monthly progress report per township", month=month, on=on, scope=town)
    people = (by_sql if path == "sql" else by_rules)(session, county, on, policy, town, trace)

    in_work = placements_by_township(session, county, on)  # EMP-3
    located = placements_by_location(session, county, on)
    posts = {  # EMP-4
        t.township_code: t
        for t in occupancy_by_township(session, params, county, on, scope=town or county)
    }
    workshops = workers_by_township(session, county, on)  # EMP-5
    businesses = businesses_by_township(session, county, on)  # EMP-6
    without_work = without_work_by_township(session, county, on)  # EMP-8

    codes = sorted(
        code
        for code in {
            *people.townships,
            *in_work,
            *(t for t, _ in located),
            *posts,
            *workshops,
            *businesses,
            *without_work,
        }
        if code.startswith(town)
    )
    quiet = Trace()  # per-township rule steps stay out of the report's trace
    areas: list[Area] = []
    total_people = PeopleArea()
    for code in codes:
        a = people.townships.get(code, PeopleArea())
        total_people = total_people + a
        occupancy = posts[code].occupancy if code in posts else post_occupancy(0, 0, params)
        figures = {
            **_people(a, params, quiet),
            "in_work": Figure(in_work.get(code, 0)),
            **{f"placed_{loc}": Figure(located.get((code, loc), 0)) for loc in LOCATIONS},
            **_posts(occupancy),
            "workshop_workers": Figure(workshops.get(code, 0)),
            "businesses": Figure(businesses.get(code, 0)),
            "relocated_without_work": judged(without_work.get(code, 0), 0, Compare.at_most),
        }
        areas.append(Area(code, figures))
    total = _total(areas, total_people, params, trace, county)
    trace.step(
        EMP_9,
        "figures gathered per township with their targets",
        townships=len(areas),
        targets_met=sum(f.met is True for f in total.figures.values()),
        targets_missed=sum(f.met is False for f in total.figures.values()),
    )
    return MonthlyReport(
        county, month, on, town, on.year, people.window_months, areas, total, trace
    )


def _total(
    areas: list[Area], people: PeopleArea, params: Params, trace: Trace, county: str
) -> Area:
    def add(key: str) -> int:
        return sum(int(a.value(key) or 0) for a in areas)

    occupancy = post_occupancy(add("post_filled"), add("post_positions"), params, trace=trace)
    figures = {
        **_people(people, params, trace),
        "in_work": Figure(add("in_work")),
        **{f"placed_{loc}": Figure(add(f"placed_{loc}")) for loc in LOCATIONS},
        **_posts(occupancy),
        "workshop_workers": Figure(add("workshop_workers")),
        "businesses": Figure(add("businesses")),
        "relocated_without_work": judged(add("relocated_without_work"), 0, Compare.at_most),
    }
    trace.step(
        "EMP-8",
        "relocated households with no member in work (一户一就业)",
        households=figures["relocated_without_work"].value,
    )
    return Area(county, figures)
