"""The setup of test_welfare_relief.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement
from sqlmodel import Session, func, select

from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.settings import Settings
from tests.support.app import make_settings

COUNTY = "532325"


TOWN_A, VILLAGE_A = "532325100", "532325100201"


TOWN_B, VILLAGE_B = "532325101", "532325101202"


def id_number_of(i: int, sex: Literal["M", "F"] = "M") -> str:
    return make_resident_id(COUNTY, date(1960 + i, 1, 1 + i), i, sex)


# person_id, household, relation, sex, township, village, status
NOT_EXITED, MARGINAL, EXITED = (
    PovertyStatus.not_exited,
    PovertyStatus.marginal,
    PovertyStatus.exited,
)


PEOPLE: list[tuple[str, str, str, Literal["M", "F"], str, str, PovertyStatus]] = [
    ("p1", "H1", "户主", "M", TOWN_A, VILLAGE_A, NOT_EXITED),
    ("p2", "H1", "配偶", "F", TOWN_A, VILLAGE_A, NOT_EXITED),
    ("p3", "H1", "子女", "M", TOWN_A, VILLAGE_A, NOT_EXITED),
    ("p4", "H2", "户主", "F", TOWN_A, VILLAGE_A, MARGINAL),
    ("p5", "H3", "户主", "M", TOWN_B, VILLAGE_B, EXITED),
    ("p6", "H3", "配偶", "F", TOWN_B, VILLAGE_B, EXITED),
]


NUMBER = {p[0]: id_number_of(i + 1, p[3]) for i, p in enumerate(PEOPLE)}


def seed_registry(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for i, (pid, household, relation, sex, town, village, status) in enumerate(PEOPLE):
            s.add(
                RegistryPerson(
                    person_id=pid,
                    id_number=NUMBER[pid],
                    household_id=household,
                    name=f"居民{i}",
                    sex=sex,
                    birth_date=date(1961 + i, 1, 2 + i),
                    relation=relation,
                    county_code=COUNTY,
                    township_code=town,
                    village_code=village,
                    poverty_status=status,
                    source_event_id="seed",
                )
            )
            s.add(
                RegistryStatusHistory(
                    person_id=pid, status=status, valid_from=date.min, source_event_id="seed"
                )
            )
        s.commit()
    engine.dispose()


def count(url: str, model: type, *where: ColumnElement[bool]) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = int(s.exec(select(func.count()).select_from(model).where(*where)).one())
    engine.dispose()
    return n


def app_settings(db_template: str, **over: object) -> Settings:
    return make_settings("welfare", db_template, **({"bus_enabled": False} | over))


def accident_case(person: str = "p1") -> dict[str, object]:
    """A relief application after a house fire (WEL-6), for `person` of the seeded registry."""
    return {
        "kind": "accident", "id_number": NUMBER[person], "occurred_on": "2018-03-01",
        "assessed_need": "10000.00", "description": "房屋失火",
    }  # fmt: skip
