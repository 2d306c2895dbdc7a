"""Every query of the employment targets (PLAN-1, PLAN-2): per township, in the caller's
jurisdiction (a township officer's own township; the county's for a county reader)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from services.employment.jobs.models import JobPlacement, RecruitmentFair
from services.employment.plan.models import LeaderSession, LeaderTrainee
from services.employment.registry.models import RegistryPerson
from services.employment.training.models import TrainingEnrolment
from services.employment.training.repository import COMPLETED
from shared.repository import ScopedRepository


class Completions(ScopedRepository[TrainingEnrolment]):
    """Completed training, placed by the trainee's township when enrolled."""

    model = TrainingEnrolment
    division = "township_code"

    def first_completion(
        self, county: str, start: date | None, on: date
    ) -> dict[str, tuple[str, date]]:
        """person id → (township, first completion day) of the people who completed a training
        between `start` and `on`."""
        stmt = select(
            col(TrainingEnrolment.person_id),
            col(TrainingEnrolment.township_code),
            func.min(TrainingEnrolment.completed_on),
        ).where(
            col(TrainingEnrolment.county_code) == county,
            col(TrainingEnrolment.status) == COMPLETED,
            col(TrainingEnrolment.completed_on) <= on,
        )
        if start is not None:
            stmt = stmt.where(col(TrainingEnrolment.completed_on) >= start)
        stmt = stmt.group_by(col(TrainingEnrolment.person_id), col(TrainingEnrolment.township_code))
        out: dict[str, tuple[str, date]] = {}
        for person_id, township, first in self.session.exec(self.scoped(stmt)).all():
            if first is not None and (person_id not in out or first < out[person_id][1]):
                out[person_id] = (township, first)
        return out

    def placement_starts(self, person_ids: Sequence[str], on: date) -> dict[str, list[date]]:
        """person id → start days of their placements on or before `on`."""
        out: dict[str, list[date]] = defaultdict(list)
        ids = list(person_ids)
        for i in range(0, len(ids), 500):
            rows = self.session.exec(
                select(col(JobPlacement.person_id), col(JobPlacement.start_on)).where(
                    col(JobPlacement.person_id).in_(ids[i : i + 500]),
                    col(JobPlacement.start_on) <= on,
                )
            ).all()
            for person_id, start in rows:
                out[person_id].append(start)
        return out


class Fairs(ScopedRepository[RecruitmentFair]):
    model = RecruitmentFair
    division = "township_code"

    def per_township(self, county: str, start: date | None, on: date) -> dict[str, int]:
        stmt = select(col(RecruitmentFair.township_code), func.count()).where(
            col(RecruitmentFair.county_code) == county, col(RecruitmentFair.held_on) <= on
        )
        if start is not None:
            stmt = stmt.where(col(RecruitmentFair.held_on) >= start)
        rows = self.session.exec(self.scoped(stmt.group_by(col(RecruitmentFair.township_code))))
        return {township: int(n) for township, n in rows.all()}


class LeaderSessions(ScopedRepository[LeaderSession]):
    model = LeaderSession
    division = "county_code"
    county_wide = True

    def of_county(self, county: str) -> Sequence[LeaderSession]:
        return self.session.exec(
            self.select(county_code=county).order_by(col(LeaderSession.starts_on))
        ).all()

    def held(self, county: str, start: date | None, on: date) -> int:
        """Sessions of the county ended between `start` and `on`."""
        stmt = (
            select(func.count())
            .select_from(LeaderSession)
            .where(col(LeaderSession.county_code) == county, col(LeaderSession.ends_on) <= on)
        )
        if start is not None:
            stmt = stmt.where(col(LeaderSession.starts_on) >= start)
        return int(self.session.exec(self.scoped(stmt)).one())


class LeaderTrainees(ScopedRepository[LeaderTrainee]):
    model = LeaderTrainee
    division = "township_code"

    def of_session(self, session_id: int) -> Sequence[LeaderTrainee]:
        return self.session.exec(
            self.select(session_id=session_id).order_by(col(LeaderTrainee.id))
        ).all()

    def trained(
        self, county: str, start: date | None, on: date
    ) -> Sequence[tuple[str, bool, date | None]]:
        """(township, poor, employed_on) of each trainee of the sessions ended between `start`
        and `on`."""
        stmt = (
            select(
                col(LeaderTrainee.township_code),
                col(LeaderTrainee.poor),
                col(LeaderTrainee.employed_on),
            )
            .join(LeaderSession, col(LeaderSession.id) == col(LeaderTrainee.session_id))
            .where(col(LeaderTrainee.county_code) == county, col(LeaderSession.ends_on) <= on)
        )
        if start is not None:
            stmt = stmt.where(col(LeaderSession.starts_on) >= start)
        return [(t, bool(p), e) for t, p, e in self.session.exec(self.scoped(stmt)).all()]


class Registry(ScopedRepository[RegistryPerson]):
    """The registry read model's people, placed by their village."""

    model = RegistryPerson

    def person(self, person_id: str) -> RegistryPerson | None:
        return self.find(person_id)
