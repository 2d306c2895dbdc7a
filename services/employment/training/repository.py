"""Queries of training (EMP-2) and the job-seeking subsidy (EMP-7)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.employment.registry.models import RegistryPerson
from services.employment.repository import Repository, changed_rows
from services.employment.training.models import (
    JobSeekingSubsidyGrant,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingProgramme,
)
from shared.auth import Principal
from shared.db import table_of
from shared.errors import NotFound
from shared.repository import Page, counted

ENROLLED, COMPLETED, WITHDRAWN = "enrolled", "completed", "withdrawn"
CHUNK = 900


def covers_programme(principal: Principal | None, programme: TrainingProgramme) -> bool:
    """A programme lies in its county for county-level scopes, and in each township it trains
    for a township's or village's scope."""
    if principal is None or not principal.scope:
        return True
    if len(principal.scope) <= 6:
        return programme.county_code.startswith(principal.scope)
    return any(t.startswith(principal.scope[:9]) for t in programme.townships)


class Programmes(Repository[TrainingProgramme]):
    model = TrainingProgramme
    division = "county_code"
    absent = missing = "no such training programme in your jurisdiction"

    def visible(self, row: TrainingProgramme) -> bool:
        return covers_programme(self.principal, row)

    def listed(self, county: str | None) -> list[TrainingProgramme]:
        """The programmes in the jurisdiction (of `county`), by id."""
        stmt = select(TrainingProgramme).order_by(col(TrainingProgramme.id))
        if county:
            stmt = stmt.where(TrainingProgramme.county_code == county)
        return [p for p in self.session.exec(stmt) if self.visible(p)]

    def enrolment_counts(self, programme_id: int | None) -> dict[str, int]:
        """Enrolment status → enrolments of the programme."""
        rows = self.session.exec(
            select(TrainingEnrolment.status, func.count())
            .where(TrainingEnrolment.programme_id == programme_id)
            .group_by(col(TrainingEnrolment.status))
        ).all()
        return {status: int(n) for status, n in rows}


class Enrolments(Repository[TrainingEnrolment]):
    model = TrainingEnrolment
    absent = "no such enrolment"

    def of_programme(self, programme_id: int) -> list[TrainingEnrolment]:
        stmt = self.select().where(TrainingEnrolment.programme_id == programme_id)
        return list(self.session.exec(stmt.order_by(col(TrainingEnrolment.id))))

    def newest_of(self, person_id: str, *, limit: int) -> Page[TrainingEnrolment]:
        """The person's enrolments in the jurisdiction, the latest first."""
        e = TrainingEnrolment
        stmt = select(e, counted()).where(e.person_id == person_id)
        return self.newest(stmt, col(e.enrolled_on).desc(), col(e.id).desc(), limit=limit)

    def complete(self, enrolment: TrainingEnrolment, values: dict[str, Any]) -> bool:
        """enrolled → completed, once (the enrolment is reloaded either way): False if it was
        not enrolled any more."""
        stmt = (
            update(TrainingEnrolment)
            .where(
                col(TrainingEnrolment.id) == enrolment.id,
                col(TrainingEnrolment.status) == ENROLLED,
            )
            .values(status=COMPLETED, **values)
        )
        moved = changed_rows(self.session, stmt)
        self.session.refresh(enrolment)
        return moved == 1

    def withdraw_person(self, person_id: str, reason: str, at: Any) -> None:
        """Withdraw the person's open enrolments."""
        self.session.execute(
            update(TrainingEnrolment)
            .where(
                col(TrainingEnrolment.person_id) == person_id,
                col(TrainingEnrolment.status) == ENROLLED,
            )
            .values(status=WITHDRAWN, closed_reason=reason, updated_at=at)
        )

    def ledger(
        self, programme_id: int | None, township: str | None
    ) -> list[tuple[TrainingEnrolment, TrainingProgramme, RegistryPerson]]:
        """Enrolments in scope with their programme and person, by programme and village."""
        stmt = (
            select(TrainingEnrolment, TrainingProgramme, RegistryPerson)
            .join(
                TrainingProgramme,
                col(TrainingProgramme.id) == col(TrainingEnrolment.programme_id),
            )
            .join(RegistryPerson, col(RegistryPerson.person_id) == col(TrainingEnrolment.person_id))
        )
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(col(TrainingEnrolment.village_code).startswith(self.principal.scope))
        if programme_id is not None:
            stmt = stmt.where(TrainingEnrolment.programme_id == programme_id)
        if township:
            stmt = stmt.where(TrainingEnrolment.township_code == township)
        stmt = stmt.order_by(
            col(TrainingProgramme.id),
            col(TrainingEnrolment.village_code),
            col(TrainingEnrolment.id),
        )
        return list(self.session.exec(stmt).all())


class Certificates(Repository[TrainingCertificate]):
    """Certificates, in the jurisdiction of their enrolment (the person's village)."""

    model = TrainingCertificate

    def with_enrolment_or_404(
        self, certificate_id: int
    ) -> tuple[TrainingCertificate, TrainingEnrolment]:
        certificate = self.session.get(TrainingCertificate, certificate_id)
        if certificate is None:
            raise NotFound("no such certificate")
        enrolments = Enrolments(self.session, self.principal)
        enrolment = self.session.get(TrainingEnrolment, certificate.enrolment_id)
        assert enrolment is not None
        if not enrolments.visible(enrolment):
            raise NotFound(enrolments.missing)
        return certificate, enrolment

    def newest_of(self, person_id: str, *, limit: int) -> Page[TrainingCertificate]:
        """The person's certificates whose enrolment lies in the jurisdiction, the latest
        issued first."""
        c = TrainingCertificate
        stmt = (
            select(c, counted())
            .join(TrainingEnrolment, col(TrainingEnrolment.id) == col(c.enrolment_id))
            .where(c.person_id == person_id)
        )
        enrolments = Enrolments(self.session, self.principal)
        return enrolments.newest(stmt, col(c.issued_on).desc(), col(c.id).desc(), limit=limit)

    def of_enrolments(
        self, enrolment_ids: Sequence[int | None]
    ) -> dict[int, list[TrainingCertificate]]:
        out: dict[int, list[TrainingCertificate]] = {}
        for start in range(0, len(enrolment_ids), CHUNK):
            rows = self.session.exec(
                select(TrainingCertificate).where(
                    col(TrainingCertificate.enrolment_id).in_(enrolment_ids[start : start + CHUNK])
                )
            )
            for c in rows:
                out.setdefault(c.enrolment_id, []).append(c)
        return out


class Grants(Repository[JobSeekingSubsidyGrant]):
    model = JobSeekingSubsidyGrant

    def of_person(self, person_id: str) -> JobSeekingSubsidyGrant | None:
        return self.session.exec(
            select(JobSeekingSubsidyGrant).where(JobSeekingSubsidyGrant.person_id == person_id)
        ).one_or_none()

    def amounts(self) -> dict[int, Any]:
        """Certificate id → amount granted on it."""
        return {
            g.certificate_id: g.amount for g in self.session.exec(select(JobSeekingSubsidyGrant))
        }

    def insert_once(self, values: dict[str, Any]) -> bool:
        """INSERT .. ON CONFLICT (person) DO NOTHING: True if this call made the grant."""
        table = table_of(JobSeekingSubsidyGrant)
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        new_id = self.session.execute(
            insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["person_id"])
            .returning(table.c.id)
        ).scalar()
        return new_id is not None


def granted_on_certificates_since(
    session: Session, county: str, since: date, today: date
) -> list[tuple[JobSeekingSubsidyGrant, TrainingCertificate, TrainingEnrolment, TrainingProgramme]]:
    """EMP-7: the county's job-seeking subsidies on certificates issued from `since` to `today`
    (the issue day is the one the grant read its figures on), with the certificate, its
    enrolment and programme; by grant."""
    g, c, e, p = JobSeekingSubsidyGrant, TrainingCertificate, TrainingEnrolment, TrainingProgramme
    rows = session.exec(
        select(g, c, e, p)
        .join(c, col(c.id) == col(g.certificate_id))
        .join(e, col(e.id) == col(c.enrolment_id))
        .join(p, col(p.id) == col(e.programme_id))
        .where(
            col(g.village_code).startswith(county),
            col(c.issued_on) >= since,
            col(c.issued_on) <= today,
        )
        .order_by(col(g.id))
    ).all()
    return [(grant, cert, enrolment, programme) for grant, cert, enrolment, programme in rows]


def completions_of(session: Session, person_ids: Iterable[str], on: date) -> dict[str, list[date]]:
    """Completed enrolments (any outcome) on or before `on`, per person."""
    ids = list(person_ids)
    out: dict[str, list[date]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.exec(
            select(col(TrainingEnrolment.person_id), col(TrainingEnrolment.completed_on)).where(
                col(TrainingEnrolment.person_id).in_(ids[start : start + CHUNK]),
                col(TrainingEnrolment.status) == COMPLETED,
                col(TrainingEnrolment.completed_on) <= on,
            )
        )
        for pid, completed in rows:
            assert completed is not None
            out.setdefault(pid, []).append(completed)
    return out
