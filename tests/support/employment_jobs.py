"""The setup of test_employment_jobs.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlmodel import Session, select

from services.employment.registry.models import RegistryPerson
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import token

COUNTY = "532325"


TOWN, VILLAGE = "532325100", "532325100201"


OTHER_TOWN, OTHER_VILLAGE = "532325101", "532325101202"


# person_id, household, village, born, status
PEOPLE: tuple[tuple[str, str, str, date, str], ...] = (
    ("p1", "H-1", VILLAGE, date(1980, 5, 1), "not_exited"),
    ("p2", "H-1", VILLAGE, date(1985, 6, 1), "exited"),
    ("p3", "H-2", OTHER_VILLAGE, date(1990, 7, 1), "not_exited"),
    ("old", "H-3", VILLAGE, date(1940, 1, 1), "not_exited"),
    ("child", "H-3", VILLAGE, date(2010, 1, 1), "not_exited"),
    ("edge", "H-4", VILLAGE, date(1982, 1, 1), "marginal"),
    ("unable", "H-5", VILLAGE, date(1975, 1, 1), "not_exited"),
)


def seed(url: str, people: tuple = PEOPLE) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for n, (pid, household, village, born, status) in enumerate(people, start=1):
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=make_resident_id(COUNTY, born, n, "M"),
                    household_id=household, name=f"人{n}", sex="M", birth_date=born,
                    county_code=COUNTY, township_code=village[:9], village_code=village,
                    poverty_status=status, source_event_id="seed",
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()


def outbox(url: str, event_type: str) -> list[tuple[str | None, dict[str, Any]]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.event_type == event_type)).all()
        found = [(r.key, json.loads(r.payload)) for r in rows]
    engine.dispose()
    return found


def count_rows(url: str, model: Any) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = len(s.exec(select(model)).all())
    engine.dispose()
    return n


class Officers:
    def __init__(self, settings: Any) -> None:
        self.county = token(settings, Role.county_hrss, scope=COUNTY, sub="hrss")
        self.town = token(settings, Role.township_officer, scope=TOWN, sub="town")
        self.other_town = token(settings, Role.township_officer, scope=OTHER_TOWN, sub="town2")
        self.cadre = token(settings, Role.village_cadre, scope=VILLAGE, sub="cadre")
        self.auditor = token(settings, Role.auditor, scope=COUNTY, sub="auditor")
        self.poverty = token(settings, Role.county_poverty, scope=COUNTY, sub="fupin")
        self.hospital = token(settings, Role.hospital, scope=COUNTY, sub="hospital")
