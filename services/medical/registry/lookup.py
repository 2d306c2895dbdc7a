"""A person's registry record and status on a given day, for rules that apply to the registered
poor only (REG-2: exited people keep the policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from services.medical.models import RegistryPerson
from services.medical.registry.consumers import status_on
from services.medical.settlement.rules import REGISTERED_POOR
from shared.domain import PovertyStatus

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


def standing_on(session: Session, id_number: str, day: date) -> Standing:
    """The person (by ID number) and their registry status on `day`; the current status when
    no history reaches back that far."""
    person = session.exec(
        select(RegistryPerson).where(RegistryPerson.id_number == id_number)
    ).first()
    if person is None:
        return Standing(None, None)
    status = status_on(session, person.person_id, day) or str(person.poverty_status)
    return Standing(person, status)
