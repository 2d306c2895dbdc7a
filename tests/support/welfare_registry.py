"""Registered people put straight into the welfare service's registry read model, and a
household's exit from poverty, as enrollment's events would have left them (the tests of the
cross-check and of the appraisal indicators use them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col

from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import parse_resident_id


@dataclass(frozen=True)
class Registered:
    person_id: str
    household_id: str
    village_code: str
    name: str
    id_number: str
    deceased_on: date | None = None


def seed_registered(url: str, people: Iterable[Registered]) -> None:
    """Each person registered, not exited, from the start of time."""
    engine = make_engine(url)
    with Session(engine) as s:
        for p in people:
            resident = parse_resident_id(p.id_number)
            s.add(
                RegistryPerson(
                    person_id=p.person_id,
                    id_number=p.id_number,
                    household_id=p.household_id,
                    name=p.name,
                    sex=resident.sex,
                    birth_date=resident.birth_date,
                    county_code=p.village_code[:6],
                    township_code=p.village_code[:9],
                    village_code=p.village_code,
                    poverty_status=PovertyStatus.not_exited,
                    deceased_on=p.deceased_on,
                    source_event_id="seed",
                )
            )
            s.add(
                RegistryStatusHistory(
                    person_id=p.person_id,
                    status=PovertyStatus.not_exited,
                    valid_from=date.min,
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()


def exit_household(url: str, household: str, person_ids: Iterable[str], since: date) -> None:
    """The household exited poverty on `since` (REG-2): its people and their histories."""
    engine = make_engine(url)
    with Session(engine) as s:
        s.execute(
            update(RegistryPerson)
            .where(col(RegistryPerson.household_id) == household)
            .values(poverty_status=PovertyStatus.exited, status_since=since)
        )
        for pid in person_ids:
            s.add(
                RegistryStatusHistory(
                    person_id=pid,
                    status=PovertyStatus.exited,
                    valid_from=since,
                    source_event_id="exit",
                )
            )
        s.commit()
    engine.dispose()
