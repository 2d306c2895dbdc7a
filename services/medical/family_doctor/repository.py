"""Queries of family-doctor signing (MED-12): teams (placed by their division), the chronic
diagnoses seen, the chronic-patient register (registered people with a chronic diagnosis, placed
by their village), signings and follow-up visits (placed by the patient's village)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, delete, func, or_
from sqlmodel import col, select

from services.medical.family_doctor.models import (
    ChronicDiagnosis,
    FamilyDoctorSigning,
    FamilyDoctorTeam,
    FollowUpVisit,
)
from services.medical.registry.models import RegistryPerson
from shared.repository import ScopedRepository, insert_new


class TeamRepository(ScopedRepository[FamilyDoctorTeam]):
    """Teams, each in the jurisdiction of the division it covers."""

    model = FamilyDoctorTeam
    division = "division_code"
    missing = "no such family-doctor team in your jurisdiction"

    def listed(self, county: str | None, level: str | None) -> Sequence[FamilyDoctorTeam]:
        stmt = self.select(county_code=county, level=level)
        ordered = stmt.order_by(col(FamilyDoctorTeam.division_code), col(FamilyDoctorTeam.id))
        return self.all(ordered)


class DiagnosisRepository(ScopedRepository[ChronicDiagnosis]):
    """Chronic diagnoses as recorded; written by the records' own units of work."""

    model = ChronicDiagnosis
    division = "county_code"
    county_wide = True

    def replace(self, source: str, ref: str, rows: Sequence[ChronicDiagnosis]) -> None:
        """The diagnoses of one record (a stay, a bill, a visit) become `rows`."""
        self.session.execute(
            delete(ChronicDiagnosis).where(
                col(ChronicDiagnosis.source) == source, col(ChronicDiagnosis.source_ref) == ref
            )
        )
        for row in rows:
            # A row there already was written by a concurrent replacement of the same record
            # (the same diagnosis posted twice at once): it stands.
            insert_new(self.session, row)

    def of_person(self, person_id: str) -> Sequence[ChronicDiagnosis]:
        return self.session.exec(
            select(ChronicDiagnosis)
            .where(col(ChronicDiagnosis.person_id) == person_id)
            .order_by(col(ChronicDiagnosis.seen_on), col(ChronicDiagnosis.id))
        ).all()


class RegisterRepository(ScopedRepository[RegistryPerson]):
    """The chronic-patient register: registered people with at least one chronic diagnosis,
    each in the jurisdiction of their village."""

    model = RegistryPerson

    def patients(
        self, county: str, township: str | None = None, village: str | None = None
    ) -> Sequence[tuple[RegistryPerson, str]]:
        """(person, disease) of every chronic diagnosis of the county's registered people in the
        jurisdiction (of one township or village if named)."""
        stmt = (
            select(RegistryPerson, ChronicDiagnosis.disease)
            .join(ChronicDiagnosis, col(ChronicDiagnosis.person_id) == RegistryPerson.person_id)
            .where(col(RegistryPerson.county_code) == county)
            .distinct()
            .order_by(
                col(RegistryPerson.township_code),
                col(RegistryPerson.village_code),
                col(RegistryPerson.person_id),
                col(ChronicDiagnosis.disease),
            )
        )
        if township:
            stmt = stmt.where(col(RegistryPerson.township_code) == township)
        if village:
            stmt = stmt.where(col(RegistryPerson.village_code) == village)
        rows: Sequence[tuple[RegistryPerson, str]] = self.session.exec(self.scoped(stmt)).all()
        return rows


def in_force(on: date) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a signing in force on `on`."""
    return [
        col(FamilyDoctorSigning.starts) <= on,
        col(FamilyDoctorSigning.ends) >= on,
        or_(col(FamilyDoctorSigning.ended_on).is_(None), col(FamilyDoctorSigning.ended_on) >= on),
    ]


class SigningRepository(ScopedRepository[FamilyDoctorSigning]):
    """Signings, each in the jurisdiction of the patient's village."""

    model = FamilyDoctorSigning
    missing = "no such signing in your jurisdiction"
    reload = True

    def active_of(self, person_id: str) -> FamilyDoctorSigning | None:
        return self.session.exec(
            select(FamilyDoctorSigning).where(
                col(FamilyDoctorSigning.active_person_id) == person_id
            )
        ).first()

    def in_force_for(self, person_ids: Sequence[str], on: date) -> dict[str, FamilyDoctorSigning]:
        """person id -> the signing in force on `on` (unscoped: the caller chose the people)."""
        if not person_ids:
            return {}
        rows = self.session.exec(
            select(FamilyDoctorSigning).where(
                col(FamilyDoctorSigning.person_id).in_(person_ids), *in_force(on)
            )
        ).all()
        return {r.person_id: r for r in rows}

    def in_force_in(self, county: str, on: date) -> Sequence[FamilyDoctorSigning]:
        """The county's signings in force on `on` in the jurisdiction, by village."""
        stmt = (
            select(FamilyDoctorSigning)
            .where(col(FamilyDoctorSigning.county_code) == county, *in_force(on))
            .order_by(col(FamilyDoctorSigning.village_code), col(FamilyDoctorSigning.id))
        )
        return self.all(stmt)

    def history_of(self, person_id: str) -> Sequence[FamilyDoctorSigning]:
        return self.all(
            select(FamilyDoctorSigning)
            .where(col(FamilyDoctorSigning.person_id) == person_id)
            .order_by(col(FamilyDoctorSigning.starts), col(FamilyDoctorSigning.id))
        )


class VisitRepository(ScopedRepository[FollowUpVisit]):
    """Follow-up visits, each in the jurisdiction of the patient's village."""

    model = FollowUpVisit

    def of_person(self, person_id: str) -> Sequence[FollowUpVisit]:
        return self.all(
            select(FollowUpVisit)
            .where(col(FollowUpVisit.person_id) == person_id)
            .order_by(col(FollowUpVisit.visit_date), col(FollowUpVisit.id))
        )

    def last_home_visits(self, person_ids: Sequence[str], on: date) -> dict[str, date]:
        """person id -> the day of the last home visit (入户) on or before `on`."""
        if not person_ids:
            return {}
        rows = self.session.exec(
            select(FollowUpVisit.person_id, func.max(FollowUpVisit.visit_date))
            .where(
                col(FollowUpVisit.person_id).in_(person_ids),
                col(FollowUpVisit.place) == "home",
                col(FollowUpVisit.visit_date) <= on,
            )
            .group_by(col(FollowUpVisit.person_id))
        ).all()
        return {pid: day for pid, day in rows if day is not None}
