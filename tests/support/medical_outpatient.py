"""The setup of test_medical_outpatient.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from services.medical.registry.consumers import household_status, upsert_person
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.envelope import Envelope
from shared.events.registry import HouseholdPovertyStatusChanged, PersonRegistered
from shared.ids import make_resident_id
from tests.support.uow import event_uow

POOR = make_resident_id("532325", date(1960, 3, 3), 11, "M")


EXITED = make_resident_id("532325", date(1961, 3, 3), 12, "F")


LATER = make_resident_id("532325", date(1962, 3, 3), 13, "M")  # marginal until 2018-06-01


TOWN = "532325100"


VILLAGE = "532325100201"


# MED-8 is 正安's programme (ZA-GOV §三(二)3): its bills come from 正安.
ZA = "520324"


ZA_POOR = make_resident_id(ZA, date(1964, 3, 3), 15, "M")


ZA_TOWN, ZA_VILLAGE = "520324100", "520324100201"


def at(envelope: Envelope, day: date) -> Envelope:
    return envelope.model_copy(update={"time": datetime(day.year, day.month, day.day, tzinfo=UTC)})


def seed(url: str) -> None:
    """Three registered people; LATER's household goes from marginal to not exited in June."""
    engine = make_engine(url)
    with Session(engine) as s:
        for pid, number, status, household in (
            ("p-poor", POOR, "not_exited", "H1"),
            ("p-exited", EXITED, "exited", "H2"),
            ("p-later", LATER, "marginal", "H3"),
        ):
            data = PersonRegistered(
                person_id=pid, household_id=household, id_number=number, name=f"居民{pid}",
                sex="M", birth_date=date(1960, 3, 3), county_code="532325",
                township_code=TOWN, village_code=VILLAGE, poverty_status=PovertyStatus(status),
            )  # fmt: skip
            env = Envelope.wrap(data, source="/services/enrollment", subject=pid, key=household)
            upsert_person(event_uow(s, at(env, date(2018, 1, 5))), data)
        za = PersonRegistered(
            person_id="p-za", household_id="H9", id_number=ZA_POOR, name="居民p-za", sex="M",
            birth_date=date(1964, 3, 3), county_code=ZA, township_code=ZA_TOWN,
            village_code=ZA_VILLAGE, poverty_status=PovertyStatus.not_exited,
        )  # fmt: skip
        env = Envelope.wrap(za, source="/services/enrollment", subject="p-za", key="H9")
        upsert_person(event_uow(s, at(env, date(2018, 1, 5))), za)
        changed = HouseholdPovertyStatusChanged(
            household_id="H3", county_code="532325", township_code=TOWN, village_code=VILLAGE,
            old_status=PovertyStatus.marginal, new_status=PovertyStatus.not_exited,
            person_ids=["p-later"],
        )  # fmt: skip
        env = Envelope.wrap(changed, source="/services/enrollment", subject="H3", key="H3")
        household_status(event_uow(s, at(env, date(2018, 6, 1))), changed)
        s.commit()
    engine.dispose()


def visit(vid: str, number: str = POOR, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "visit_id": vid,
        "id_number": number,
        "county_code": "532325",
        "township_code": TOWN,
        "facility_type": "township_health_centre",
        "facility_name": "栋川镇卫生院",
        "visit_date": "2017-05-03",
        "fee_self_pay": "10.00",
    }
    body.update(over)
    return body
