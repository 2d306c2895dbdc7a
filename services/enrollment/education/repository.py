"""Queries of the student register, joined with the registry by ID number.

Jurisdiction, in one place (`jurisdiction`, `visible`): a line is placed by its student's
household village when the student is registered; a county-level caller (the education bureau)
also sees every line of its county's register, registered or not. Township and village staff see
registered students of their division only: an unregistered line has no village."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.enrollment.education.models import StudentRecord
from services.enrollment.registry.models import Household, Person
from services.enrollment.registry.repository import chunks
from shared.db import serialize, table_of
from shared.domain import PovertyStatus
from shared.errors import NotFound
from shared.repository import COUNTY_DIGITS, ScopedRepository

S = table_of(StudentRecord)
REGISTERED_POOR = [s.value for s in PovertyStatus if s.is_registered_poor]

# A register line with its student's registry entry (None, None: not in the registry).
Joined = tuple[StudentRecord, Person | None, Household | None]


class StudentRegister(ScopedRepository[StudentRecord]):
    model = StudentRecord
    division = "county_code"
    absent = "no student with that ID number in the register for that school year"

    def jurisdiction(self) -> ColumnElement[bool] | None:
        """The county's own register for a county-level caller, and registered students whose
        household lies in the caller's division (statements join Household, outer)."""
        if self.principal is None or not self.principal.scope:
            return None
        scope = self.principal.scope
        by_household = col(Household.village_code).startswith(scope)
        if len(scope) <= COUNTY_DIGITS:
            return or_(col(StudentRecord.county_code).startswith(scope), by_household)
        return by_household

    def visible_joined(self, row: Joined) -> bool:
        record, _, household = row
        if self.principal is None or not self.principal.scope:
            return True
        scope = self.principal.scope
        if household is not None and household.village_code.startswith(scope):
            return True
        return len(scope) <= COUNTY_DIGITS and record.county_code.startswith(scope)

    def _joined(self) -> Select[StudentRecord, Person | None, Household | None]:
        stmt: Select[StudentRecord, Person | None, Household | None] = (
            select(StudentRecord, Person, Household)
            .outerjoin(Person, col(Person.id_number) == col(StudentRecord.id_number))
            .outerjoin(Household, col(Household.id) == col(Person.household_id))
        )
        return stmt

    def lines(
        self,
        school_year: int,
        *,
        division: str = "",
        school: str = "",
        stage: str = "",
        registered_only: bool = False,
    ) -> list[Joined]:
        """The register's lines of a school year in the jurisdiction, by school, stage and ID
        number; `division` narrows to a county's register or a township's or village's
        registered students."""
        stmt = self.scoped(self._joined()).where(col(StudentRecord.school_year) == school_year)
        if division:
            stmt = stmt.where(_in_division(division))
        if school:
            stmt = stmt.where(col(StudentRecord.school) == school)
        if stage:
            stmt = stmt.where(col(StudentRecord.stage) == stage)
        if registered_only:
            stmt = stmt.where(col(Person.id).is_not(None))
        stmt = stmt.order_by(
            col(StudentRecord.school), col(StudentRecord.stage), col(StudentRecord.id_number)
        )
        return [(r, p, h) for r, p, h in self.session.exec(stmt).all()]

    def student(self, school_year: int, id_number: str) -> Joined:
        """One student's line for the school year (404 outside the jurisdiction)."""
        found = self.session.exec(
            self._joined().where(
                col(StudentRecord.school_year) == school_year,
                col(StudentRecord.id_number) == id_number,
            )
        ).first()
        if found is None:
            raise NotFound(self.absent or self.missing)
        record, person, household = found
        if not self.visible_joined((record, person, household)):
            raise NotFound(self.missing)
        return record, person, household

    # -- an import, in bulk --------------------------------------------------------------------

    def one_import_at_a_time(self) -> None:
        """Register imports run one after the other from here to their commit."""
        serialize(self.session, "enrollment.education.register_import")

    def elsewhere(self, school_year: int, county: str, numbers: list[str]) -> dict[str, str]:
        """Which of these ID numbers another county's register holds for the year, and where."""
        found: dict[str, str] = {}
        for chunk in chunks(numbers):
            rows = self.session.execute(
                select(S.c.id_number, S.c.county_code).where(
                    S.c.school_year == school_year,
                    S.c.county_code != county,
                    S.c.id_number.in_(chunk),
                )
            )
            found.update({row.id_number: row.county_code for row in rows})
        return found

    def replace(self, school_year: int, county: str, values: list[dict[str, Any]]) -> int:
        """The county's register for the year replaced by `values`; how many lines it had."""
        result = self.session.execute(
            delete(S).where(S.c.school_year == school_year, S.c.county_code == county)
        )
        for chunk in chunks(values, 2_000):
            self.session.execute(insert(S), list(chunk))
        return int(getattr(result, "rowcount", 0) or 0)

    def registered(self, numbers: list[str]) -> set[str]:
        """Which of these ID numbers are in the registry."""
        found: set[str] = set()
        people = table_of(Person)
        for chunk in chunks(numbers):
            rows = self.session.execute(
                select(people.c.id_number).where(people.c.id_number.in_(chunk))
            )
            found.update(row.id_number for row in rows)
        return found

    # -- 控辍保学 ---------------------------------------------------------------------------------

    def children_not_in_school(
        self, school_year: int, division: str, born_after: date, born_by: date
    ) -> Sequence[tuple[Person, Household]]:
        """Living members of registered-poor households in `division` (inside the jurisdiction)
        born in the window, whose ID number is in no county's register for the school year."""
        enrolled = select(S.c.id_number).where(S.c.school_year == school_year)
        stmt = (
            select(Person, Household)
            .join(Household, col(Household.id) == col(Person.household_id))
            .where(
                col(Person.deceased_on).is_(None),
                col(Person.birth_date) > born_after,
                col(Person.birth_date) <= born_by,
                col(Household.poverty_status).in_(REGISTERED_POOR),
                col(Household.village_code).startswith(division),
                col(Person.id_number).not_in(enrolled),
            )
        )
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(col(Household.village_code).startswith(self.principal.scope))
        stmt = stmt.order_by(
            col(Household.township_code), col(Household.village_code), col(Person.id_number)
        )
        return [(p, h) for p, h in self.session.exec(stmt).all()]


def _in_division(division: str) -> ColumnElement[bool]:
    """A county's register, or the registered students of a township or village."""
    by_household = col(Household.village_code).startswith(division)
    if len(division) == COUNTY_DIGITS:
        return or_(col(StudentRecord.county_code) == division, by_household)
    return by_household
