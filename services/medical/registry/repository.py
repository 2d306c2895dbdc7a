"""Queries of the registry read model: people (placed by their village) and their status over
time (REG-2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, Table, bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import col, select

from services.medical.registry.models import RegistryPerson, RegistryStatusHistory
from shared.bus.tables import utcnow
from shared.db import upsert, upsert_many
from shared.events.envelope import Envelope
from shared.registry_projection import RegistryProjection
from shared.repository import ScopedRepository

# The status history is kept as every service's registry read model keeps it.
HISTORY = RegistryProjection(RegistryPerson, RegistryStatusHistory)
PEOPLE: Table = RegistryPerson.metadata.tables["registry_person"]
# Built once: every settled stay asks it (executed with parameters).
SETTLING_FACTS = core_select(
    PEOPLE.c.person_id, PEOPLE.c.household_id, PEOPLE.c.township_code, PEOPLE.c.poverty_status
).where(PEOPLE.c.id_number == bindparam("id_number"))


class PersonRepository(ScopedRepository[RegistryPerson]):
    """Registered people, each in the jurisdiction of their village."""

    model = RegistryPerson

    def by_id_number(self, id_number: str) -> RegistryPerson | None:
        return self.first(select(RegistryPerson).where(col(RegistryPerson.id_number) == id_number))

    def household_of(self, person_id: str) -> str | None:
        person = self.find(person_id)
        return person.household_id if person is not None else None

    def settling_facts(self, id_number: str) -> Row[Any] | None:
        """person_id, household_id, township_code and poverty_status of a person (the hot path
        of a stay: one prepared select, no ORM object)."""
        return self.session.execute(SETTLING_FACTS, {"id_number": id_number}).first()

    def status_on(self, person_id: str, day: date) -> str | None:
        """The registry status in force on `day` (None if no history reaches back that far)."""
        return HISTORY.status_on(self.session, person_id, day)

    # -- the read model's writes (registry events) -------------------------------------------
    def record_status(self, envelope: Envelope, person_id: str, status: str) -> None:
        HISTORY.record_status(self.session, envelope, person_id, status)

    def record_statuses(self, entries: list[tuple[Envelope, str, str]]) -> None:
        HISTORY.record_statuses(self.session, entries)

    def upsert_many(self, rows: list[dict[str, Any]]) -> None:
        """`upsert` of many people in one statement, as if one by one in order."""
        upsert_many(
            self.session, RegistryPerson, rows, key=("person_id",), insert_only=("registered_at",)
        )

    def upsert(self, values: dict[str, Any]) -> None:
        """Insert or replace a person's row (the registration time is kept from the first)."""
        upsert(
            self.session, RegistryPerson, values, key=("person_id",), insert_only=("registered_at",)
        )

    def set_household_status(self, household_id: str, status: str) -> None:
        self._update(PEOPLE.c.household_id == household_id, poverty_status=status)

    def move(self, person_id: str, **values: Any) -> None:
        self._update(PEOPLE.c.person_id == person_id, **values)

    def record_death(self, person_id: str, died_on: date) -> None:
        self._update(PEOPLE.c.person_id == person_id, deceased_on=died_on)

    def set_household(self, person_ids: Sequence[str], household_id: str) -> None:
        self._update(PEOPLE.c.person_id.in_(person_ids), household_id=household_id)

    def _update(self, where: Any, **values: Any) -> None:
        self.session.execute(update(PEOPLE).where(where).values(**values, updated_at=utcnow()))
