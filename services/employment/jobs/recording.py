"""Recording job recommendation (EMP-3): vacancies, recommendations and their outcomes,
placements and job losses, recruitment fairs. A hire creates the placement; a placement publishes
employment.job_placed once, a job loss employment.job_lost once, keyed by the household id, in
the request's transaction (outbox)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.jobs.models import (
    JobPlacement,
    JobRecommendation,
    JobVacancy,
    RecruitmentFair,
)
from services.employment.jobs.schemas import (
    FINAL,
    CloseIn,
    FairIn,
    LossIn,
    Outcome,
    OutcomeIn,
    PlacementIn,
    RecommendationIn,
    VacancyIn,
)
from shared.auth import Principal
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, NotFound
from shared.events.employment import JobLost, JobPlaced
from shared.policy import PolicySet


def create_vacancy(session: Session, body: VacancyIn, principal: Principal) -> JobVacancy:
    guard_area(principal, body.township_code or body.county_code)
    vacancy = JobVacancy(
        **body.model_dump(exclude={"location"}),
        location=body.location.value,
        created_by=principal.subject,
    )
    session.add(vacancy)
    session.flush()
    return vacancy


def load_vacancy(
    session: Session, vacancy_id: int, principal: Principal, *, lock: bool = False
) -> JobVacancy:
    stmt = select(JobVacancy).where(JobVacancy.id == vacancy_id)
    vacancy = session.exec(stmt.with_for_update() if lock else stmt).first()
    if vacancy is None:
        raise NotFound("no such vacancy")
    guard_area(principal, vacancy.township_code or vacancy.county_code)
    return vacancy


def close_vacancy(session: Session, vacancy: JobVacancy, body: CloseIn) -> JobVacancy:
    if vacancy.status == "closed":
        raise Conflict(f"the vacancy was closed on {vacancy.closed_on}")
    if body.closed_on < vacancy.opened_on:
        raise invalid("closed_on", "before the vacancy opened", body.closed_on.isoformat())
    vacancy.status, vacancy.closed_on = "closed", body.closed_on
    session.add(vacancy)
    return vacancy


def recommend(
    session: Session, policy: PolicySet, body: RecommendationIn, principal: Principal
) -> JobRecommendation:
    """EMP-3: recommend an open vacancy to a registered poor labourer (岗位推荐)."""
    vacancy = session.get(JobVacancy, body.vacancy_id)
    if vacancy is None:
        raise invalid("vacancy_id", "no such vacancy", body.vacancy_id)
    if vacancy.status != "open" or vacancy.opened_on > body.recommended_on:
        raise invalid("vacancy_id", "the vacancy is not open on that day", body.vacancy_id)
    person = registered_person(
        session, body.person_id, body.recommended_on, principal, policy=policy
    )
    if person.county_code != vacancy.county_code:
        raise invalid("vacancy_id", "the vacancy is another county's", body.vacancy_id)
    rec = JobRecommendation(
        vacancy_id=vacancy.id,  # type: ignore[arg-type]
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        recommended_on=body.recommended_on,
        year=body.recommended_on.year,
        note=body.note,
        created_by=principal.subject,
    )
    try:
        with session.begin_nested():
            session.add(rec)
    except IntegrityError:
        raise Conflict("this vacancy was already recommended to this person") from None
    return rec


def load_recommendation(
    session: Session, rec_id: int, principal: Principal, *, lock: bool = False
) -> JobRecommendation:
    stmt = select(JobRecommendation).where(JobRecommendation.id == rec_id)
    rec = session.exec(stmt.with_for_update() if lock else stmt).first()
    if rec is None:
        raise NotFound("no such recommendation")
    principal.guard(rec.village_code)
    return rec


def _place(
    session: Session,
    publish_kwargs: dict[str, Any],
    principal: Principal,
    person: Any,
    *,
    employer: str,
    location: str,
    start_on: date,
    vacancy_id: int | None = None,
    recommendation_id: int | None = None,
    monthly_wage: Any = None,
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
        created_by=principal.subject,
    )
    try:
        with session.begin_nested():
            session.add(placement)
    except IntegrityError:
        raise Conflict(
            f"a placement of this person starting on {start_on.isoformat()} is already recorded"
        ) from None
    publish(
        session,
        JobPlaced(
            person_id=person.person_id,
            household_id=person.household_id,
            county_code=person.county_code,
            placement_id=placement.id,
            placed_on=start_on,
            location=location,  # type: ignore[arg-type]
            employer=employer,
        ),
        key=person.household_id,
        subject=f"job_placement/{placement.id}",
        **publish_kwargs,
    )
    return placement


def set_outcome(
    session: Session,
    publish_kwargs: dict[str, Any],
    rec: JobRecommendation,
    body: OutcomeIn,
    principal: Principal,
) -> JobRecommendation:
    """EMP-3: the outcome of a recommendation; a hire is a placement (job_placed, once)."""
    current = Outcome(rec.outcome)
    if current in FINAL:
        raise Conflict(f"the recommendation's outcome is already {current.value}")
    if body.on < rec.recommended_on:
        raise invalid("on", "before the recommendation", body.on.isoformat())
    # Conditional update: of two racing requests on the same recommendation, one wins.
    moved = session.execute(
        update(JobRecommendation)
        .where(col(JobRecommendation.id) == rec.id, JobRecommendation.outcome == current.value)
        .values(outcome=body.outcome.value, outcome_on=body.on, updated_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if moved != 1:
        raise Conflict("the recommendation's outcome changed meanwhile")
    session.refresh(rec)
    if body.note:
        rec.note = body.note
    if body.outcome == Outcome.hired:
        start_on = body.start_on or body.on
        person = registered_person(session, rec.person_id, start_on, principal)
        vacancy = session.get(JobVacancy, rec.vacancy_id)
        assert vacancy is not None
        placement = _place(
            session,
            publish_kwargs,
            principal,
            person,
            employer=vacancy.employer,
            location=vacancy.location,
            start_on=start_on,
            vacancy_id=vacancy.id,
            recommendation_id=rec.id,
            monthly_wage=vacancy.monthly_wage,
        )
        rec.placement_id = placement.id
    session.add(rec)
    session.flush()
    return rec


def record_placement(
    session: Session,
    publish_kwargs: dict[str, Any],
    body: PlacementIn,
    principal: Principal,
) -> JobPlacement:
    """EMP-3: a placement found otherwise than by a recommendation (own search, 劳务输出)."""
    person = registered_person(session, body.person_id, body.start_on, principal)
    if body.vacancy_id is not None and session.get(JobVacancy, body.vacancy_id) is None:
        raise invalid("vacancy_id", "no such vacancy", body.vacancy_id)
    return _place(
        session,
        publish_kwargs,
        principal,
        person,
        employer=body.employer,
        location=body.location.value,
        start_on=body.start_on,
        vacancy_id=body.vacancy_id,
        monthly_wage=body.monthly_wage,
    )


def load_placement(
    session: Session, placement_id: str, principal: Principal, *, lock: bool = False
) -> JobPlacement:
    stmt = select(JobPlacement).where(JobPlacement.id == placement_id)
    placement = session.exec(stmt.with_for_update() if lock else stmt).first()
    if placement is None:
        raise NotFound("no such placement")
    principal.guard(placement.village_code)
    return placement


def record_loss(
    session: Session,
    publish_kwargs: dict[str, Any],
    placement: JobPlacement,
    body: LossIn,
) -> JobPlacement:
    """EMP-3: the job ended; employment.job_lost is published once."""
    if body.lost_on < placement.start_on:
        raise invalid("lost_on", "before the placement started", body.lost_on.isoformat())
    moved = session.execute(
        update(JobPlacement)
        .where(col(JobPlacement.id) == placement.id, col(JobPlacement.ended_on).is_(None))
        .values(ended_on=body.lost_on, end_reason=body.reason)
    ).rowcount  # type: ignore[attr-defined]
    if moved != 1:
        raise Conflict("the placement has already ended")
    session.refresh(placement)
    publish(
        session,
        JobLost(
            person_id=placement.person_id,
            household_id=placement.household_id,
            county_code=placement.county_code,
            placement_id=placement.id,
            lost_on=body.lost_on,
        ),
        key=placement.household_id,
        subject=f"job_placement/{placement.id}",
        **publish_kwargs,
    )
    return placement


def record_fair(session: Session, body: FairIn, principal: Principal) -> RecruitmentFair:
    guard_area(principal, body.township_code)
    fair = RecruitmentFair(
        **body.model_dump(), county_code=body.township_code[:6], created_by=principal.subject
    )
    session.add(fair)
    session.flush()
    return fair
