"""Queries of the welfare registry read model (people and households as enrollment's events
describe them). The read model is the county's register: the procedures that read it check the
caller's jurisdiction on their own records, so these reads are unscoped."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.welfare.registry.models import RegistryPerson
from shared.repository import ScopedRepository


class RegistryPeople(ScopedRepository[RegistryPerson]):
    model = RegistryPerson

    def __init__(self, session: Session) -> None:
        super().__init__(session, None)

    def by_id_number(self, id_number: str) -> RegistryPerson | None:
        return self.session.exec(
            select(RegistryPerson).where(RegistryPerson.id_number == id_number)
        ).first()

    def household_known(self, household_id: str) -> bool:
        return (
            self.session.exec(
                select(RegistryPerson.household_id).where(
                    RegistryPerson.household_id == household_id
                )
            ).first()
            is not None
        )

    def household_of(self, id_number: str) -> str | None:
        """The registered household of the person with this ID number, if any."""
        return self.session.exec(
            select(RegistryPerson.household_id).where(RegistryPerson.id_number == id_number)
        ).first()

    def person_ids(self, id_numbers: Collection[str]) -> dict[str, str]:
        """Registry person id by ID number, for those of `id_numbers` the registry knows."""
        rows = self.session.exec(
            select(RegistryPerson.id_number, RegistryPerson.person_id).where(
                col(RegistryPerson.id_number).in_(list(id_numbers))
            )
        ).all()
        return dict(rows)

    def any_with_status(self, id_numbers: Collection[str], statuses: Collection[str]) -> bool:
        """Whether any of the people holds one of the poverty `statuses`."""
        found = self.session.exec(
            select(func.count())
            .select_from(RegistryPerson)
            .where(
                col(RegistryPerson.id_number).in_(list(id_numbers)),
                col(RegistryPerson.poverty_status).in_(list(statuses)),
            )
        ).one()
        return bool(found)
