"""Queries of job recommendation (EMP-3): vacancies, recommendations, placements, recruitment
fairs, the labourers to whom jobs are recommended, and the read-only figures other parts of the
service use (training coverage, EMP-2; relocated households, EMP-8; the monthly report, EMP-9)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, update
from sqlmodel import Session, col, select

from services.employment.census.models import LabourCensusPerson
from services.employment.jobs.models import (
    JobPlacement,
    JobRecommendation,
    JobVacancy,
    RecruitmentFair,
)
from services.employment.jobs.rules import REGISTERED_POOR, WorkingAge
from services.employment.registry.models import RegistryPerson
from services.employment.repository import AreaRepository, Repository, changed_rows
from shared.repository import Page, counted

CHUNK = 500


class Vacancies(AreaRepository[JobVacancy]):
    """The vacancy database: a vacancy lies in its township, or its county."""

    model = JobVacancy
    division = "county_code"
    absent = "no such vacancy"

    def of_county(self, county: str, status: str | None, township: str | None) -> list[JobVacancy]:
        stmt = select(JobVacancy).where(JobVacancy.county_code == county)
        if status:
            stmt = stmt.where(JobVacancy.status == status)
        if township:
            stmt = stmt.where(JobVacancy.township_code == township)
        return list(self.session.exec(stmt.order_by(col(JobVacancy.id))))

    def outcomes(self, vacancy_id: int | None) -> dict[str, int]:
        """Outcome → recommendations of the vacancy."""
        rows = self.session.exec(
            select(JobRecommendation.outcome, func.count())
            .where(JobRecommendation.vacancy_id == vacancy_id)
            .group_by(col(JobRecommendation.outcome))
        ).all()
        return {outcome: int(n) for outcome, n in rows}


class Recommendations(Repository[JobRecommendation]):
    model = JobRecommendation
    absent = "no such recommendation"

    def listed(
        self,
        person_id: str | None,
        year: int | None,
        township: str | None,
        outcome: str | None,
        *,
        limit: int,
        offset: int,
    ) -> list[JobRecommendation]:
        stmt = self.select(
            person_id=person_id, year=year or None, township_code=township, outcome=outcome
        )
        stmt = stmt.order_by(col(JobRecommendation.id)).offset(offset).limit(limit)
        return list(self.session.exec(stmt))

    def move_outcome(self, rec: JobRecommendation, current: str, values: dict[str, Any]) -> bool:
        """Conditional update: of two racing requests on the same recommendation, one wins
        (the recommendation is reloaded); False for the other."""
        stmt = (
            update(JobRecommendation)
            .where(col(JobRecommendation.id) == rec.id, col(JobRecommendation.outcome) == current)
            .values(**values)
        )
        if changed_rows(self.session, stmt) != 1:
            return False
        self.session.refresh(rec)
        return True


def _running(on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(JobPlacement.start_on) <= on,
        or_(col(JobPlacement.ended_on).is_(None), col(JobPlacement.ended_on) >= on),
    )


class Placements(Repository[JobPlacement]):
    model = JobPlacement
    absent = "no such placement"

    def listed(
        self,
        person_id: str | None,
        township: str | None,
        active_on: date | None,
        *,
        limit: int,
        offset: int,
    ) -> list[JobPlacement]:
        stmt = self.select(person_id=person_id, township_code=township)
        if active_on:
            stmt = stmt.where(*_running(active_on))
        stmt = stmt.order_by(col(JobPlacement.start_on), col(JobPlacement.id))
        return list(self.session.exec(stmt.offset(offset).limit(limit)))

    def newest_of(self, person_id: str, *, limit: int) -> Page[JobPlacement]:
        """The person's placements in the jurisdiction, the latest started first."""
        stmt = select(JobPlacement, counted()).where(JobPlacement.person_id == person_id)
        order = (col(JobPlacement.start_on).desc(), col(JobPlacement.id).desc())
        return self.newest(stmt, *order, limit=limit)

    def end(self, placement: JobPlacement, lost_on: date, reason: str | None) -> bool:
        """The placement ends once (reloaded); False if it had ended already."""
        stmt = (
            update(JobPlacement)
            .where(col(JobPlacement.id) == placement.id, col(JobPlacement.ended_on).is_(None))
            .values(ended_on=lost_on, end_reason=reason)
        )
        if changed_rows(self.session, stmt) != 1:
            return False
        self.session.refresh(placement)
        return True


class Fairs(AreaRepository[RecruitmentFair]):
    """Recruitment fairs, each in its township."""

    model = RecruitmentFair
    division = "township_code"

    def of_year(self, county: str, year: int, township: str | None) -> list[RecruitmentFair]:
        stmt = self.select().where(
            RecruitmentFair.county_code == county,
            col(RecruitmentFair.held_on) >= date(year, 1, 1),
            col(RecruitmentFair.held_on) <= date(year, 12, 31),
        )
        if township:
            stmt = stmt.where(RecruitmentFair.township_code == township)
        stmt = stmt.order_by(col(RecruitmentFair.township_code), col(RecruitmentFair.held_on))
        return list(self.session.exec(stmt))


def job_seekers(
    session: Session,
    county: str,
    on: date,
    age: WorkingAge,
    *,
    scope: str = "",
    township: str | None = None,
) -> list[RegistryPerson]:
    """EMP-3: registered poor people born within `age` and alive on `on` in `county`, within the
    `scope` prefix and `township`, less those the labour census found unable or unwilling to
    work; by township and person id."""
    census = LabourCensusPerson
    not_a_job_seeker = exists().where(
        col(census.person_id) == col(RegistryPerson.person_id),
        or_(
            col(census.work_ability) == "none",
            not_(col(census.wishes_to_work)),
            and_(col(census.closed_on).is_not(None), col(census.closed_on) <= on),
        ),
    )
    stmt = select(RegistryPerson).where(
        RegistryPerson.county_code == county,
        col(RegistryPerson.poverty_status).in_(REGISTERED_POOR),
        col(RegistryPerson.birth_date) > age.born_after,
        col(RegistryPerson.birth_date) <= age.born_on_or_before,
        or_(col(RegistryPerson.deceased_on).is_(None), col(RegistryPerson.deceased_on) > on),
        not_(not_a_job_seeker),
    )
    if scope:
        stmt = stmt.where(col(RegistryPerson.village_code).startswith(scope))
    if township:
        stmt = stmt.where(RegistryPerson.township_code == township)
    stmt = stmt.order_by(col(RegistryPerson.township_code), col(RegistryPerson.person_id))
    return list(session.exec(stmt))


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for person_id in dict.fromkeys(ids):
        batch.append(person_id)
        if len(batch) == CHUNK:
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
            select(col(JobPlacement.person_id), col(JobPlacement.start_on))
            .where(col(JobPlacement.person_id).in_(batch))
            .order_by(col(JobPlacement.person_id), col(JobPlacement.start_on))
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
        .group_by(col(JobRecommendation.person_id))
    ).all()
    return {person_id: int(n) for person_id, n in rows}


def in_work_on(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    """People with a placement running on `on` (started on or before, not ended before)."""
    stmt = select(JobPlacement.person_id).where(*_running(on))
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
        .where(JobPlacement.county_code == county, *_running(on))
        .group_by(col(JobPlacement.township_code))
    ).all()
    return {township: int(n) for township, n in rows}


def recommendations_until(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-3: person id → recommendations made in `on`'s year up to `on` (the month's figure
    must not count recommendations made after the month)."""
    rows = session.exec(
        select(JobRecommendation.person_id, func.count())
        .where(
            JobRecommendation.county_code == county,
            JobRecommendation.year == on.year,
            col(JobRecommendation.recommended_on) <= on,
        )
        .group_by(col(JobRecommendation.person_id))
    ).all()
    return {person_id: int(n) for person_id, n in rows}


def placements_by_location(session: Session, county: str, on: date) -> dict[tuple[str, str], int]:
    """EMP-3: (township, location) → people with a placement running on `on` (the running test
    of `placements_by_township`, split by where the job is)."""
    rows = session.exec(
        select(
            JobPlacement.township_code,
            JobPlacement.location,
            func.count(func.distinct(JobPlacement.person_id)),
        )
        .where(JobPlacement.county_code == county, *_running(on))
        .group_by(col(JobPlacement.township_code), col(JobPlacement.location))
    ).all()
    return {(t, loc): int(n) for t, loc, n in rows}
