"""Recording job recommendation (EMP-3): vacancies, recommendations and their outcomes,
placements and job losses, recruitment fairs. A hire creates the placement; a placement publishes
employment.job_placed once, a job loss employment.job_lost once, keyed by the household id, in
the request's transaction (outbox)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.jobs.models import (
    JobPlacement,
    JobRecommendation,
    JobVacancy,
    RecruitmentFair,
)
from services.employment.jobs.repository import Fairs, Placements, Recommendations, Vacancies
from services.employment.jobs.rules import fair_schedule, quarter_of
from services.employment.jobs.schemas import (
    FINAL,
    CloseIn,
    FairIn,
    FairOut,
    FairReport,
    Location,
    LossIn,
    Outcome,
    OutcomeIn,
    PlacementIn,
    QuarterOut,
    RecommendationIn,
    TownshipFairs,
    VacancyIn,
)
from services.employment.registry.models import RegistryPerson
from shared.bus.tables import utcnow
from shared.errors import Conflict
from shared.events.employment import JobLocation, JobLost, JobPlaced
from shared.trace import Trace
from shared.uow import UnitOfWork


def create_vacancy(uow: UnitOfWork, body: VacancyIn) -> JobVacancy:
    guard_area(uow.principal, body.township_code or body.county_code)
    vacancy = JobVacancy(
        **body.model_dump(exclude={"location"}),
        location=body.location.value,
        created_by=uow.actor,
    )
    return Vacancies(uow.session, uow.principal).add(vacancy, flush=True)


def close_vacancy(uow: UnitOfWork, vacancy_id: int, body: CloseIn) -> JobVacancy:
    vacancies = Vacancies(uow.session, uow.principal)
    vacancy = vacancies.get_or_404(vacancy_id, lock=True)
    if vacancy.status == "closed":
        raise Conflict(f"the vacancy was closed on {vacancy.closed_on}")
    if body.closed_on < vacancy.opened_on:
        raise invalid("closed_on", "before the vacancy opened", body.closed_on.isoformat())
    vacancy.status, vacancy.closed_on = "closed", body.closed_on
    return vacancies.add(vacancy)


def recommend(uow: UnitOfWork, body: RecommendationIn) -> JobRecommendation:
    """EMP-3: recommend an open vacancy to a registered poor labourer (岗位推荐)."""
    vacancy = Vacancies(uow.session, None).find(body.vacancy_id)
    if vacancy is None:
        raise invalid("vacancy_id", "no such vacancy", body.vacancy_id)
    if vacancy.status != "open" or vacancy.opened_on > body.recommended_on:
        raise invalid("vacancy_id", "the vacancy is not open on that day", body.vacancy_id)
    person = registered_person(uow, body.person_id, body.recommended_on, of_working_age=True)
    if person.county_code != vacancy.county_code:
        raise invalid("vacancy_id", "the vacancy is another county's", body.vacancy_id)
    rec = JobRecommendation(
        vacancy_id=body.vacancy_id,
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        recommended_on=body.recommended_on,
        year=body.recommended_on.year,
        note=body.note,
        created_by=uow.actor,
    )
    if not Recommendations(uow.session, uow.principal).add_new(rec):
        raise Conflict("this vacancy was already recommended to this person")
    return rec


def _job_location(value: str) -> JobLocation:
    """A vacancy's or a request's location as the event names it (checked against `Location`)."""
    return Location(value).value


def _place(
    uow: UnitOfWork,
    person: RegistryPerson,
    *,
    employer: str,
    location: JobLocation,
    start_on: date,
    vacancy_id: int | None = None,
    recommendation_id: int | None = None,
    monthly_wage: Decimal | None = None,
) -> JobPlacement:
    placement = JobPlacement(
        id=str(uuid.uuid4()),
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        employer=employer,
        location=location,
        vacancy_id=vacancy_id,
        recommendation_id=recommendation_id,
        monthly_wage=monthly_wage,
        start_on=start_on,
        created_by=uow.actor,
    )
    if not Placements(uow.session, uow.principal).add_new(placement):
        raise Conflict(
            f"a placement of this person starting on {start_on.isoformat()} is already recorded"
        )
    uow.publish(
        JobPlaced(
            person_id=person.person_id,
            household_id=person.household_id,
            county_code=person.county_code,
            placement_id=placement.id,
            placed_on=start_on,
            location=location,
            employer=employer,
        ),
        key=person.household_id,
        subject=f"job_placement/{placement.id}",
    )
    return placement


def set_outcome(uow: UnitOfWork, rec_id: int, body: OutcomeIn) -> JobRecommendation:
    """EMP-3: the outcome of a recommendation; a hire is a placement (job_placed, once)."""
    recommendations = Recommendations(uow.session, uow.principal)
    rec = recommendations.get_or_404(rec_id, lock=True)
    current = Outcome(rec.outcome)
    if current in FINAL:
        raise Conflict(f"the recommendation's outcome is already {current.value}")
    if body.on < rec.recommended_on:
        raise invalid("on", "before the recommendation", body.on.isoformat())
    moved = recommendations.move_outcome(
        rec,
        current.value,
        {"outcome": body.outcome.value, "outcome_on": body.on, "updated_at": utcnow()},
    )
    if not moved:
        raise Conflict("the recommendation's outcome changed meanwhile")
    if body.note:
        rec.note = body.note
    if body.outcome == Outcome.hired:
        start_on = body.start_on or body.on
        person = registered_person(uow, rec.person_id, start_on)
        vacancy = Vacancies(uow.session, None).find(rec.vacancy_id)
        assert vacancy is not None
        placement = _place(
            uow,
            person,
            employer=vacancy.employer,
            location=_job_location(vacancy.location),
            start_on=start_on,
            vacancy_id=vacancy.id,
            recommendation_id=rec.id,
            monthly_wage=vacancy.monthly_wage,
        )
        rec.placement_id = placement.id
    return recommendations.add(rec, flush=True)


def record_placement(uow: UnitOfWork, body: PlacementIn) -> JobPlacement:
    """EMP-3: a placement found otherwise than by a recommendation (own search, 劳务输出)."""
    person = registered_person(uow, body.person_id, body.start_on)
    if body.vacancy_id is not None and Vacancies(uow.session, None).find(body.vacancy_id) is None:
        raise invalid("vacancy_id", "no such vacancy", body.vacancy_id)
    return _place(
        uow,
        person,
        employer=body.employer,
        location=_job_location(body.location),
        start_on=body.start_on,
        vacancy_id=body.vacancy_id,
        monthly_wage=body.monthly_wage,
    )


def record_loss(uow: UnitOfWork, placement_id: str, body: LossIn) -> JobPlacement:
    """EMP-3: the job ended; employment.job_lost is published once."""
    placements = Placements(uow.session, uow.principal)
    placement = placements.get_or_404(placement_id, lock=True)
    if body.lost_on < placement.start_on:
        raise invalid("lost_on", "before the placement started", body.lost_on.isoformat())
    if not placements.end(placement, body.lost_on, body.reason):
        raise Conflict("the placement has already ended")
    uow.publish(
        JobLost(
            person_id=placement.person_id,
            household_id=placement.household_id,
            county_code=placement.county_code,
            placement_id=placement.id,
            lost_on=body.lost_on,
        ),
        key=placement.household_id,
        subject=f"job_placement/{placement.id}",
    )
    return placement


def record_fair(uow: UnitOfWork, body: FairIn) -> RecruitmentFair:
    guard_area(uow.principal, body.township_code)
    fair = RecruitmentFair(
        **body.model_dump(), county_code=body.township_code[:6], created_by=uow.actor
    )
    return Fairs(uow.session, uow.principal).add(fair, flush=True)


def fair_out(f: RecruitmentFair) -> FairOut:
    return FairOut(**f.model_dump(), quarter=quarter_of(f.held_on))


def fair_report(uow: UnitOfWork, county: str, year: int, township: str | None) -> FairReport:
    """EMP-3: the fairs of `year` in scope by township and quarter, against the minimum."""
    fairs = Fairs(uow.session, uow.principal).of_year(county, year, township)
    today = uow.today()
    params = uow.params(county, min(today, date(year, 12, 31)))
    trace = Trace()
    towns: list[TownshipFairs] = []
    minimum = 0
    for code in sorted({f.township_code for f in fairs}):
        mine = [f for f in fairs if f.township_code == code]
        schedule = fair_schedule([f.held_on for f in mine], year, today, params, trace=trace)
        minimum = schedule.minimum
        quarters = []
        for q in schedule.quarters:
            held = [f for f in mine if quarter_of(f.held_on) == q.quarter]
            quarters.append(
                QuarterOut(
                    quarter=q.quarter,
                    fairs=q.fairs,
                    met=q.met,
                    employers=sum(f.employers for f in held),
                    vacancies=sum(f.vacancies for f in held),
                    attendees=sum(f.attendees for f in held),
                    hires=sum(f.hires for f in held),
                )
            )
        towns.append(TownshipFairs(township_code=code, quarters=quarters))
    return FairReport(
        county_code=county,
        year=year,
        minimum_per_quarter=minimum,
        fairs=[fair_out(f) for f in fairs],
        townships=towns,
        trace=trace.out().model_dump(mode="json"),
    )
