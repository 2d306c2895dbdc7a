"""Queries of the labour census (EMP-1): census records read with their registry person, whose
village places them in a jurisdiction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from services.employment.census.models import LabourCensusImport, LabourCensusPerson
from services.employment.registry.models import RegistryPerson
from services.employment.registry.repository import RegistryPeople
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.db import table_of
from shared.repository import insert_new

CHUNK = 900
Surveyed = tuple[RegistryPerson, LabourCensusPerson]
SelectOfTwo = Select[RegistryPerson, LabourCensusPerson]


class Census:
    """The census of the people in `principal`'s jurisdiction (None: everyone)."""

    def __init__(self, session: Session, principal: Principal | None) -> None:
        self.session = session
        self.people = RegistryPeople(session, principal)

    def record_of(self, person_id: str) -> LabourCensusPerson | None:
        return self.session.get(LabourCensusPerson, person_id)

    def _surveyed(self, township: str | None, village: str | None) -> SelectOfTwo:
        stmt = (
            select(RegistryPerson, LabourCensusPerson)
            .join(
                LabourCensusPerson,
                col(LabourCensusPerson.person_id) == col(RegistryPerson.person_id),
            )
            .where(*self.people.in_scope())
        )
        if township:
            stmt = stmt.where(RegistryPerson.township_code == township)
        if village:
            stmt = stmt.where(RegistryPerson.village_code == village)
        return stmt

    def page(
        self, township: str | None, village: str | None, *, limit: int, offset: int
    ) -> tuple[int, list[Surveyed]]:
        """How many surveyed people there are in scope, and one page of them by village."""
        stmt = self._surveyed(township, village)
        total = self.session.exec(select(func.count()).select_from(stmt.subquery())).one()
        ordered = stmt.order_by(col(RegistryPerson.village_code), col(RegistryPerson.person_id))
        rows = self.session.exec(ordered.offset(offset).limit(limit)).all()
        return int(total), list(rows)

    def for_export(self, township: str | None, village: str | None) -> list[Surveyed]:
        stmt = self._surveyed(township, village).order_by(
            col(RegistryPerson.village_code),
            col(RegistryPerson.household_id),
            col(RegistryPerson.person_id),
        )
        return list(self.session.exec(stmt).all())

    def not_surveyed(
        self, born_after: date, born_until: date, township: str | None, village: str | None
    ) -> Sequence[RegistryPerson]:
        """Registered people in scope, alive, born in (`born_after`, `born_until`], without a
        census record; by village, household and person."""
        stmt = (
            select(RegistryPerson)
            .outerjoin(
                LabourCensusPerson,
                col(LabourCensusPerson.person_id) == col(RegistryPerson.person_id),
            )
            .where(
                col(LabourCensusPerson.person_id).is_(None),
                col(RegistryPerson.deceased_on).is_(None),
                col(RegistryPerson.birth_date) > born_after,
                col(RegistryPerson.birth_date) <= born_until,
                *self.people.in_scope(),
            )
        )
        if township:
            stmt = stmt.where(RegistryPerson.township_code == township)
        if village:
            stmt = stmt.where(RegistryPerson.village_code == village)
        stmt = stmt.order_by(
            col(RegistryPerson.village_code),
            col(RegistryPerson.household_id),
            col(RegistryPerson.person_id),
        )
        return self.session.exec(stmt).all()

    def existing(self, person_ids: list[str]) -> set[str]:
        """Those of `person_ids` with a census record."""
        found: set[str] = set()
        for start in range(0, len(person_ids), CHUNK):
            found.update(
                self.session.exec(
                    select(LabourCensusPerson.person_id).where(
                        col(LabourCensusPerson.person_id).in_(person_ids[start : start + CHUNK])
                    )
                ).all()
            )
        return found

    def add_import(self, record: LabourCensusImport) -> LabourCensusImport:
        self.session.add(record)
        self.session.flush()
        return record

    def add_new(self, record: LabourCensusPerson) -> bool:
        """Insert a person's first record: False if one was written meanwhile."""
        return insert_new(self.session, record)

    def save(self, record: LabourCensusPerson) -> LabourCensusPerson:
        self.session.add(record)
        self.session.flush()
        return record

    def upsert_many(self, rows: list[dict[str, Any]]) -> None:
        """One INSERT ... ON CONFLICT DO UPDATE for many rows; a re-survey reopens nothing
        closed."""
        table = table_of(LabourCensusPerson)
        pg = self.session.get_bind().dialect.name == "postgresql"
        stmt = (pg_insert if pg else sqlite_insert)(table)
        keep = ("person_id", "created_at")
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id"],
            set_={c: stmt.excluded[c] for c in rows[0] if c not in keep},
        )
        self.session.execute(stmt, rows)

    def close(self, person_id: str, closed_on: date, reason: str) -> None:
        """Close the person's open census record (if any)."""
        self.session.execute(
            update(LabourCensusPerson)
            .where(
                col(LabourCensusPerson.person_id) == person_id,
                col(LabourCensusPerson.closed_on).is_(None),
            )
            .values(closed_on=closed_on, closed_reason=reason, updated_at=utcnow())
        )


def surveyed_in_county(session: Session, county: str, on: date) -> list[Surveyed]:
    """Every person of `county` with a census record surveyed on or before `on`, by village."""
    stmt = (
        select(RegistryPerson, LabourCensusPerson)
        .join(
            LabourCensusPerson, col(LabourCensusPerson.person_id) == col(RegistryPerson.person_id)
        )
        .where(RegistryPerson.county_code == county, col(LabourCensusPerson.surveyed_on) <= on)
        .order_by(col(RegistryPerson.village_code), col(RegistryPerson.person_id))
    )
    return list(session.exec(stmt).all())
