"""The setup of test_employment_census.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id

COUNTY = "532325"


TOWN, VILLAGE = "532325104", "532325104201"  # 弥兴镇 (illustrative code)


OTHER_TOWN, OTHER_VILLAGE = "532325100", "532325100202"  # 栋川镇


TODAY = date(2018, 3, 1)


ADULT = make_resident_id(COUNTY, date(1980, 5, 1), 31, "M")


YOUTH = make_resident_id(COUNTY, date(2000, 7, 1), 32, "F")  # 17, junior high: 两后生


ELDER = make_resident_id(COUNTY, date(1945, 1, 1), 33, "M")  # 73: not of working age


LATE = make_resident_id(COUNTY, date(1990, 2, 2), 34, "F")  # not yet surveyed


AWAY = make_resident_id(COUNTY, date(1985, 9, 9), 35, "M")  # other township


PEOPLE = (
    ("p-adult", ADULT, "H-1", "王大", "M", date(1980, 5, 1), VILLAGE),
    ("p-youth", YOUTH, "H-1", "王小", "F", date(2000, 7, 1), VILLAGE),
    ("p-elder", ELDER, "H-1", "王老", "M", date(1945, 1, 1), VILLAGE),
    ("p-late", LATE, "H-2", "李四", "F", date(1990, 2, 2), VILLAGE),
    ("p-away", AWAY, "H-3", "赵五", "M", date(1985, 9, 9), OTHER_VILLAGE),
)


def seed(
    url: str, people: tuple = PEOPLE, status: PovertyStatus = PovertyStatus.not_exited
) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for pid, number, household, name, sex, born, village in people:
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=number, household_id=household, name=name, sex=sex,
                    birth_date=born, county_code=COUNTY, township_code=village[:9],
                    village_code=village, poverty_status=status, source_event_id="seed",
                )
            )  # fmt: skip
            s.add(
                RegistryStatusHistory(
                    person_id=pid, status=status, valid_from=date.min, source_event_id="seed"
                )
            )
        s.commit()
    engine.dispose()


HEADER = "证件号码,劳动能力,就业意愿,培训意愿,技能,文化程度,是否在读,务工地点,就业单位\n"
