"""A person's registry record and status on a given day, for rules that apply to the registered
poor only (REG-2: exited people keep the policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.medical.access import guard
from services.medical.registry.models import RegistryPerson
from services.medical.registry.repository import PersonRepository
from services.medical.settlement.rules import REGISTERED_POOR
from shared.domain import PovertyStatus
from shared.errors import NotFound
from shared.uow import UnitOfWork

STATUS_ZH = {
    PovertyStatus.not_exited.value: "未脱贫",
    PovertyStatus.exited.value: "已脱贫",
    PovertyStatus.marginal.value: "边缘户",
}


@dataclass(frozen=True)
class Standing:
    person: RegistryPerson | None
    status: str | None  # on the day asked; None: not in the registry

    @property
    def registered_poor(self) -> bool:
        """建档立卡贫困人口 on that day, not exited or exited."""
        return self.status in REGISTERED_POOR

    def refusal(self, rule: str, day: date) -> str | None:
        """Why `rule` does not apply, or None when the person is registered poor on `day`."""
        if self.registered_poor:
            return None
        if self.person is None:
            return f"not in the poverty registry (建档立卡): {rule} is for registered poor only"
        label = STATUS_ZH.get(str(self.status), str(self.status))
        return (
            f"registry status on {day.isoformat()} is {self.status} ({label}): {rule} is for "
            "registered poor only (not exited or exited)"
        )


def standing_on(uow: UnitOfWork, id_number: str, day: date) -> Standing:
    """The person (by ID number) and their registry status on `day`; the current status when
    no history reaches back that far."""
    people = PersonRepository(uow.session, None)
    person = people.by_id_number(id_number)
    if person is None:
        return Standing(None, None)
    status = people.status_on(person.person_id, day) or str(person.poverty_status)
    return Standing(person, status)


def find_person(uow: UnitOfWork, id_number: str) -> RegistryPerson | None:
    """The person with this ID number, or None when the registry has no such person; one
    outside the caller's jurisdiction is reported as missing (404)."""
    person = PersonRepository(uow.session, None).by_id_number(id_number)
    if person is not None:
        guard(PersonRepository(uow.session, uow.principal), person)
    return person


def get_person(uow: UnitOfWork, id_number: str) -> RegistryPerson:
    person = find_person(uow, id_number)
    if person is None:
        raise NotFound("no registered person with that ID number")
    return person
