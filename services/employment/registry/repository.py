"""Queries of the registry read model (people, households, their status over time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from services.employment.registry.consumers import PROJECTION
from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from services.employment.repository import Repository

CHUNK = 900


class RegistryPeople(Repository[RegistryPerson]):
    """Registered people, placed in their village."""

    model = RegistryPerson
    absent = "no such person in the registry"

    def in_scope(self) -> list[ColumnElement[bool]]:
        """The jurisdiction as WHERE clauses, for a query joining people to other tables."""
        if self.principal is None or not self.principal.scope:
            return []
        return [col(RegistryPerson.village_code).startswith(self.principal.scope)]

    def status_on(self, person_id: str, on: date) -> str | None:
        """REG-2: the registry status in force on `on` (None if not registered then)."""
        return PROJECTION.status_on(self.session, person_id, on)

    def by_id_number(self, id_number: str) -> RegistryPerson | None:
        """The person with this ID number, whatever the jurisdiction (the caller guards it)."""
        return self.session.exec(
            select(RegistryPerson).where(RegistryPerson.id_number == id_number)
        ).first()

    def first_of_household(self, household_id: str) -> RegistryPerson | None:
        """A member of the household (the first found), whatever the jurisdiction."""
        return self.session.exec(
            select(RegistryPerson).where(RegistryPerson.household_id == household_id)
        ).first()

    def member_ids(self, household_id: str) -> list[str]:
        return list(
            self.session.exec(
                select(RegistryPerson.person_id).where(RegistryPerson.household_id == household_id)
            ).all()
        )

    def members_of(self, household_ids: Iterable[str]) -> Sequence[RegistryPerson]:
        return self.session.exec(
            select(RegistryPerson).where(col(RegistryPerson.household_id).in_(list(household_ids)))
        ).all()

    def by_id_numbers(self, numbers: list[str]) -> dict[str, RegistryPerson]:
        """ID number → person, for the numbers found in the registry."""
        found: dict[str, RegistryPerson] = {}
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            rows = self.session.exec(
                select(RegistryPerson).where(col(RegistryPerson.id_number).in_(chunk))
            )
            found.update({p.id_number: p for p in rows})
        return found


def statuses_on(session: Session, person_ids: Iterable[str], on: date) -> dict[str, str]:
    """REG-2: each person's registry status in force on `on` (absent: not registered then)."""
    ids = list(person_ids)
    out: dict[str, tuple[date, int, str]] = {}
    h = RegistryStatusHistory
    for start in range(0, len(ids), CHUNK):
        rows = session.exec(
            select(col(h.person_id), col(h.valid_from), col(h.id), col(h.status)).where(
                col(h.person_id).in_(ids[start : start + CHUNK]),
                h.valid_from <= on,
            )
        )
        for pid, valid_from, hid, status in rows:
            key = (valid_from, hid or 0, status)
            if pid not in out or key[:2] > out[pid][:2]:
                out[pid] = key
    return {pid: v[2] for pid, v in out.items()}
