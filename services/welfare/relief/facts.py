"""What temporary relief reads of the registry read model (never enrollment's database):
people, household members, and the poverty status in force on the day that matters (REG-2)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from services.welfare.registry.consumers import status_on
from services.welfare.registry.models import RegistryPerson

HEAD_RELATIONS = ("户主", "本人", "head", "self")


def person(session: Session, person_id: str) -> RegistryPerson | None:
    return session.get(RegistryPerson, person_id)


def person_by_id_number(session: Session, id_number: str) -> RegistryPerson | None:
    return session.exec(select(RegistryPerson).where(RegistryPerson.id_number == id_number)).first()


def household_members(session: Session, household_id: str, on: date) -> list[RegistryPerson]:
    """Members alive on `on`, head of household first."""
    rows = session.exec(
        select(RegistryPerson)
        .where(RegistryPerson.household_id == household_id)
        .order_by(col(RegistryPerson.person_id))
    ).all()
    alive = [p for p in rows if p.deceased_on is None or p.deceased_on > on]
    return sorted(alive, key=lambda p: (p.relation not in HEAD_RELATIONS, p.person_id))


def person_status(session: Session, person: RegistryPerson, on: date) -> str | None:
    """The registry status of the person on `on` (the relevant date of the case)."""
    return status_on(session, person.person_id, on)


def household_status(session: Session, members: list[RegistryPerson], on: date) -> str | None:
    """A household's status on `on`: its head's, else its first member's with a status."""
    for person in members:
        status = status_on(session, person.person_id, on)
        if status is not None:
            return status
    return None
