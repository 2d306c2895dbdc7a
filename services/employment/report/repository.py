"""The queries of the monthly report (EMP-9): the person-level figures per township (EMP-1,
EMP-2, EMP-3), set-based:
the county's people are counted by GROUP BY queries instead of being loaded one by one.

The rules stay the source of truth. Every bound comes from a rule function or parameter (the
working-age birth range of census/rules.py and jobs/rules.py, the 两后生 age, the coverage bases,
the yearly minimum of recommendations); the predicates are those of census/service.py
`census_people` and `labourers` (registered poor on the day by the status history, alive,
surveyed, able to work), training/indicators.py (completed on or before the day) and
jobs/labourers.py `labourers`; the placement outcome after training is the rule's own
`placement_outcome`, run on the trained labourers' dates. tests/integration/
test_employment_report.py checks that this path and the rule path (report/people.py) agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, not_, or_, select, true
from sqlmodel import Session, col

from services.employment.census.models import LabourCensusPerson
from services.employment.census.rules import (
    P_TWO_AFTER_MAX_AGE,
    TWO_AFTER_LEVELS,
    working_age_births,
    years_before,
)
from services.employment.jobs.models import JobPlacement, JobRecommendation
from services.employment.jobs.rules import (
    P_MIN_RECOMMENDATIONS,
    REGISTERED_POOR,
    working_age,
)
from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from services.employment.report.people import People, PeopleArea
from services.employment.training.models import TrainingEnrolment
from services.employment.training.rules import (
    CoverageBases,
    CoverageCounts,
    PlacementOutcome,
    coverage_bases,
    placement_outcome,
    placement_window,
)
from shared.policy import PolicySet
from shared.trace import Params, Trace

R, C, H, E = RegistryPerson, LabourCensusPerson, RegistryStatusHistory, TrainingEnrolment


def _n(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _surveyed(county: str, on: date, town: str, params: Params, trace: Trace) -> Subquery:
    """The census people registered poor and alive on `on`, with what EMP-1/EMP-2 derive, as a
    subquery (one row per person)."""
    ranked = (
        select(
            col(H.person_id),
            col(H.status),
            func.row_number()
            .over(
                partition_by=col(H.person_id), order_by=(col(H.valid_from).desc(), col(H.id).desc())
            )
            .label("rn"),
        )
        .where(col(H.valid_from) <= on)
        .subquery()
    )
    first, last = working_age_births(on, params, trace=trace)
    max_age = int(params.decimal(P_TWO_AFTER_MAX_AGE, trace))
    alive = and_(
        or_(col(R.deceased_on).is_(None), col(R.deceased_on) > on),
        or_(col(C.closed_on).is_(None), col(C.closed_on) > on),
    )
    labourer = and_(
        col(R.birth_date) > first, col(R.birth_date) <= last, col(C.work_ability) != "none"
    )
    two_after = case(
        (col(C.education).is_(None), func.coalesce(col(C.declared_two_after), False)),
        else_=and_(
            col(C.education).in_([e.value for e in TWO_AFTER_LEVELS]),
            not_(col(C.in_school)),
            col(R.birth_date) > years_before(on, max_age + 1),
        ),
    )
    trained = exists().where(
        col(E.person_id) == col(R.person_id),
        col(E.status) == "completed",
        col(E.completed_on) <= on,
    )
    return (
        select(
            col(R.person_id),
            col(R.township_code),
            labourer.label("labourer"),
            two_after.label("two_after"),
            trained.label("trained"),
            col(C.wishes_to_work),
            col(C.wishes_to_train),
        )
        .join(C, col(C.person_id) == col(R.person_id))
        .join(ranked, and_(ranked.c.person_id == col(R.person_id), ranked.c.rn == 1))
        .where(
            col(R.county_code) == county,
            col(C.surveyed_on) <= on,
            col(ranked.c.status).in_(REGISTERED_POOR),
            alive,
            col(R.village_code).startswith(town),
        )
        .subquery()
    )


def by_sql(
    session: Session, county: str, on: date, policy: PolicySet, town: str, trace: Trace
) -> People:
    """EMP-1, EMP-2, EMP-3: the report's person-level figures per township, counted in the
    database."""
    params = Params(policy, county, on)
    bases = coverage_bases(params, trace=trace)
    months = placement_window(params, trace=trace)
    s = _surveyed(county, on, town, params, trace)
    out = _grouped(session, s, bases, trace)
    _placement(session, s, on, months, out)
    minimum = _recommendations(session, county, on, params, town, trace, out)
    return People(out, months, minimum)


def coverage_by_township(
    session: Session, county: str, on: date, policy: PolicySet, town: str
) -> dict[str, CoverageCounts]:
    """EMP-2: the coverage counts per township on `on` (the plan's training.coverage metrics),
    counted as the report counts them."""
    params = Params(policy, county, on)
    trace = Trace()
    bases = coverage_bases(params, trace=trace)
    areas = _grouped(session, _surveyed(county, on, town, params, trace), bases, trace)
    return {code: a.coverage for code, a in areas.items()}


def recommended_by_township(
    session: Session, county: str, on: date, policy: PolicySet, town: str
) -> dict[str, tuple[int, int]]:
    """EMP-3 per township: (labourers with at least one recommendation in `on`'s year by `on`,
    registered poor labourers alive on `on`) — the plan's jobs.recommended metric."""
    params = Params(policy, county, on)
    s = _surveyed(county, on, town, params, Trace())
    offered = exists().where(
        col(JobRecommendation.person_id) == s.c.person_id,
        col(JobRecommendation.county_code) == county,
        col(JobRecommendation.year) == on.year,
        col(JobRecommendation.recommended_on) <= on,
    )
    rows: Sequence[Any] = session.execute(
        select(s.c.township_code, _n(offered), func.count())
        .where(s.c.labourer == True)  # noqa: E712 - a SQL comparison
        .group_by(s.c.township_code)
    ).all()
    return {code: (int(n or 0), int(base)) for code, n, base in rows}


def _grouped(
    session: Session, s: Subquery, bases: CoverageBases, trace: Trace
) -> dict[str, PeopleArea]:
    """EMP-1, EMP-2: labourers, their wishes and the coverage counts per township."""
    lab = s.c.labourer == True  # noqa: E712 - a SQL comparison
    in_base = and_(lab, true() if bases.labourers == "all" else s.c.wishes_to_train)
    wish = or_(s.c.wishes_to_train, s.c.wishes_to_work)
    in_two = and_(s.c.two_after == True, true() if bases.two_after == "all" else wish)  # noqa: E712
    done = s.c.trained == True  # noqa: E712
    # Grouped counts, one row per township: the columns are read by position.
    rows: Sequence[Any] = session.execute(
        select(
            s.c.township_code,
            _n(lab),
            _n(and_(lab, s.c.wishes_to_work)),
            _n(and_(lab, s.c.wishes_to_train)),
            _n(in_base),
            _n(and_(in_base, done)),
            _n(s.c.two_after == True),  # noqa: E712
            _n(in_two),
            _n(and_(in_two, done)),
        ).group_by(s.c.township_code)
    ).all()
    out: dict[str, PeopleArea] = {}
    for code, labourers, work, train, base, trained, two, two_base, two_trained in rows:
        out[code] = PeopleArea(
            labourers=int(labourers or 0),
            willing_to_work=int(work or 0),
            willing_to_train=int(train or 0),
            coverage=CoverageCounts(
                *(
                    int(v or 0)
                    for v in (labourers, train, base, trained, two, two_base, two_trained)
                )
            ),
        )
    trace.step(
        "EMP-1",
        "registered poor labourers on the day",
        labourers=sum(a.labourers for a in out.values()),
    )
    return out


def _placement(
    session: Session, s: Subquery, on: date, months: int, out: dict[str, PeopleArea]
) -> None:
    """EMP-2: each trained labourer's outcome by the rule, from their completions and jobs."""
    rows: Iterable[Any] = session.execute(
        select(s.c.person_id, s.c.township_code, col(E.completed_on), col(JobPlacement.start_on))
        .join(E, col(E.person_id) == s.c.person_id)
        .outerjoin(
            JobPlacement,
            and_(col(JobPlacement.person_id) == s.c.person_id, col(JobPlacement.start_on) <= on),
        )
        .where(s.c.labourer == True, col(E.status) == "completed", col(E.completed_on) <= on)  # noqa: E712
    )
    completions: dict[str, tuple[str, set[date]]] = {}
    jobs: dict[str, set[date]] = {}
    for person_id, township, completed, start in rows:
        completions.setdefault(person_id, (township, set()))[1].add(completed)
        if start is not None:
            jobs.setdefault(person_id, set()).add(start)
    for person_id, (township, dates) in completions.items():
        outcome = placement_outcome(dates, jobs.get(person_id, []), on, months)
        a = out.setdefault(township, PeopleArea())
        if outcome is PlacementOutcome.placed:
            a.placed += 1
        elif outcome is PlacementOutcome.not_placed:
            a.not_placed += 1
        elif outcome is PlacementOutcome.pending:
            a.pending += 1


def _recommendations(
    session: Session,
    county: str,
    on: date,
    params: Params,
    town: str,
    trace: Trace,
    out: dict[str, PeopleArea],
) -> int:
    """EMP-3 per township: the job-seeking labourers of jobs/labourers.py and their
    recommendations this year up to `on`."""
    minimum = params.whole(P_MIN_RECOMMENDATIONS, trace, minimum=1)
    age = working_age(on, params, trace=trace)
    not_a_job_seeker = exists().where(
        col(C.person_id) == col(R.person_id),
        or_(
            col(C.work_ability) == "none",
            not_(col(C.wishes_to_work)),
            and_(col(C.closed_on).is_not(None), col(C.closed_on) <= on),
        ),
    )
    # Each seeker's count by the (person_id, year) index: no plan depends on table statistics.
    made = (
        select(func.count())
        .where(
            col(JobRecommendation.person_id) == col(R.person_id),
            col(JobRecommendation.year) == on.year,
            col(JobRecommendation.county_code) == county,
            col(JobRecommendation.recommended_on) <= on,
        )
        .scalar_subquery()
    )
    seekers = (
        select(col(R.township_code), made.label("n"))
        .where(
            col(R.county_code) == county,
            col(R.poverty_status).in_(REGISTERED_POOR),
            col(R.birth_date) > age.born_after,
            col(R.birth_date) <= age.born_on_or_before,
            or_(col(R.deceased_on).is_(None), col(R.deceased_on) > on),
            not_(not_a_job_seeker),
            col(R.village_code).startswith(town or county),
        )
        .subquery()
    )
    n = seekers.c.n
    rows: Sequence[Any] = session.execute(
        select(
            seekers.c.township_code, func.count(), func.sum(n), _n(n > 0), _n(n < minimum)
        ).group_by(seekers.c.township_code)
    ).all()
    totals = [0, 0, 0, 0]
    for code, people, recs, recommended, below in rows:
        a = out.setdefault(code, PeopleArea())
        a.seekers, a.recommendations = int(people), int(recs or 0)
        a.recommended, a.below_minimum = int(recommended or 0), int(below or 0)
        for i, v in enumerate((a.seekers, a.recommendations, a.recommended, a.below_minimum)):
            totals[i] += v
    trace.step(
        "EMP-3",
        f"at least {minimum} job recommendations per labourer per year",
        year=on.year,
        labourers=totals[0],
        recommended=totals[2],
        below_minimum=totals[3],
    )
    return minimum
