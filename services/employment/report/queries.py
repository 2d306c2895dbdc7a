"""Read-only queries of the monthly report over the jobs tables that jobs/service.py does not
answer in the form the report needs: recommendations up to a day (not the whole year), and
running placements split by where the job is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.employment.jobs.models import JobPlacement, JobRecommendation


def recommendations_until(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-3: person id → recommendations made in `on`'s year up to `on` (the month's figure
    must not count recommendations made after the month)."""
    rows = session.exec(
        select(JobRecommendation.person_id, func.count())
        .where(
            JobRecommendation.county_code == county,
            JobRecommendation.year == on.year,
            JobRecommendation.recommended_on <= on,
        )
        .group_by(JobRecommendation.person_id)
    ).all()
    return {person_id: int(n) for person_id, n in rows}


def placements_by_location(session: Session, county: str, on: date) -> dict[tuple[str, str], int]:
    """EMP-3: (township, location) → people with a placement running on `on` (the running test
    of jobs/service.py `placements_by_township`, split by where the job is)."""
    rows = session.exec(
        select(
            JobPlacement.township_code,
            JobPlacement.location,
            func.count(func.distinct(JobPlacement.person_id)),
        )
        .where(
            JobPlacement.county_code == county,
            JobPlacement.start_on <= on,
            or_(col(JobPlacement.ended_on).is_(None), col(JobPlacement.ended_on) >= on),
        )
        .group_by(JobPlacement.township_code, JobPlacement.location)
    ).all()
    return {(t, loc): int(n) for t, loc, n in rows}
