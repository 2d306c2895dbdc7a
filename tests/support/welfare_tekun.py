"""The setup of test_welfare_tekun.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.welfare.registry.models import RegistryPerson
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id

COUNTY = "520324"


TOWN_A, VILLAGE_A = "520324100", "520324100201"


def number(i: int) -> str:
    return make_resident_id(COUNTY, date(1940 + i, 1, 1), 10 + i, "M")


def seed(url: str, people: list[tuple[str, str, str, str]]) -> None:
    """(person_id, household_id, township, village) into the registry read model."""
    engine = make_engine(url)
    with Session(engine) as s:
        for i, (pid, household, town, village) in enumerate(people):
            s.add(
                RegistryPerson(
                    person_id=pid,
                    id_number=number(i),
                    household_id=household,
                    name=f"老人{i}",
                    sex="M",
                    birth_date=date(1940 + i, 1, 1),
                    county_code=COUNTY,
                    township_code=town,
                    village_code=village,
                    poverty_status=PovertyStatus.not_exited,
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()
