"""Queries of the welfare registry read model (people and households as enrollment's events
describe them). The read model is the county's register: the procedures that read it check the
caller's jurisdiction on their own records, so these reads are unscoped."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.welfare.registry.models import RegistryAccount, RegistryPerson
from shared.auth import Principal
from shared.repository import ScopedRepository

# ID numbers per IN (...) list: well under every database's bound-parameter limit.
ID_CHUNK = 900


class RegistryPeople(ScopedRepository[RegistryPerson]):
    """The read model's people: unscoped unless built with the caller's principal (a person
    named in a request is looked up in the caller's jurisdiction)."""

    model = RegistryPerson
    absent = "no such person in the registry"

    def __init__(self, session: Session, principal: Principal | None = None) -> None:
        super().__init__(session, principal)

    def by_numbers(self, numbers: list[str]) -> dict[str, tuple[str, str]]:
        """id_number -> (person_id, village_code) for the numbers in the read model (unscoped:
        the caller reports the ones outside the jurisdiction)."""
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(numbers), ID_CHUNK):
            chunk = numbers[start : start + ID_CHUNK]
            rows = self.session.exec(
                select(
                    col(RegistryPerson.id_number),
                    col(RegistryPerson.person_id),
                    col(RegistryPerson.village_code),
                ).where(col(RegistryPerson.id_number).in_(chunk))
            )
            found.update({n: (p, v) for n, p, v in rows})
        return found

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


def registry_accounts(session: Session, person_ids: Collection[str]) -> dict[str, RegistryAccount]:
    """The social security card accounts the registry reported, by person id."""
    ids = sorted(person_ids)
    found: dict[str, RegistryAccount] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        for row in session.exec(
            select(RegistryAccount).where(col(RegistryAccount.person_id).in_(chunk))
        ):
            found[row.person_id] = row
    return found
