"""Seeding shared by the plan-target tests (PLAN-1, PLAN-2): registered people of 正安 (520324)
in the employment read model, and the day a service's clock shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from services.employment.registry.models import RegistryPerson
from services.enrollment.registry.models import Household
from services.medical.registry.models import RegistryPerson as MedicalPerson
from shared import clock as shared_clock
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id

ZA = "520324"
ZA_TOWN_A, ZA_VILLAGE_A = "520324100", "520324100201"
ZA_TOWN_B, ZA_VILLAGE_B = "520324101", "520324101202"


def seed_employment_people(url: str, people: list[tuple[str, str, str]]) -> None:
    """(person_id, village, poverty status) into employment's registry read model of 正安."""
    engine = make_engine(url)
    with Session(engine) as s:
        for n, (pid, village, status) in enumerate(people, start=1):
            born = date(1980, 1, n)
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=make_resident_id(ZA, born, n, "M"),
                    household_id=f"H-{pid}", name=f"学员{n}", sex="M", birth_date=born,
                    county_code=ZA, township_code=village[:9], village_code=village,
                    poverty_status=PovertyStatus(status), source_event_id="seed",
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()


def set_day(monkeypatch: pytest.MonkeyPatch, service_clock: object, day: date) -> None:
    """The service's today, and the instant its records are stamped with, on `day`."""
    monkeypatch.setattr(service_clock, "today", lambda: day)
    instant = datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)
    monkeypatch.setattr(shared_clock, "now", lambda: instant)


def seed_households(url: str, villages: list[str], status: str = "not_exited") -> None:
    """A registered household in each village (enrollment's registry)."""
    engine = make_engine(url)
    with Session(engine) as s:
        for n, village in enumerate(villages, start=1):
            s.add(
                Household(
                    id=f"HH-{n}", county_code=village[:6], township_code=village[:9],
                    village_code=village, poverty_status=PovertyStatus(status),
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()


def seed_medical_people(url: str, villages: list[str]) -> None:
    """A registered person in each village (medical's registry read model)."""
    engine = make_engine(url)
    with Session(engine) as s:
        for n, village in enumerate(villages, start=1):
            born = date(1970, 1, n)
            s.add(
                MedicalPerson(
                    person_id=f"m{n}", id_number=make_resident_id(village[:6], born, n, "F"),
                    household_id=f"HH-{n}", name=f"病人{n}", sex="F", birth_date=born,
                    county_code=village[:6], township_code=village[:9], village_code=village,
                    poverty_status=PovertyStatus.not_exited, source_event_id="seed",
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()
