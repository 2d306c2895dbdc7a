"""The setup of the family-doctor signing tests (MED-12): people of 正安 in two townships, stays
and bills that carry their diagnoses, and the bodies of the family-doctor routes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from services.medical.registry.consumers import person_deceased, person_moved, upsert_person
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.envelope import Envelope
from shared.events.registry import PersonDeceased, PersonMoved, PersonRegistered
from shared.ids import make_resident_id
from tests.support.uow import event_uow

ZA = "520324"
TOWN_A, VILLAGE_A = "520324100", "520324100201"
TOWN_B, VILLAGE_B = "520324200", "520324200301"

# Township A: a not-exited and an exited patient, and a marginal one (not 建档立卡).
A1 = make_resident_id(ZA, date(1958, 1, 1), 21, "M")
A2 = make_resident_id(ZA, date(1959, 2, 2), 22, "F")
MARGINAL = make_resident_id(ZA, date(1960, 3, 3), 23, "M")
# Township B: one patient from a stay, one whose diagnosis a doctor records at a visit.
B1 = make_resident_id(ZA, date(1961, 4, 4), 24, "F")
B2 = make_resident_id(ZA, date(1962, 5, 5), 25, "M")

PEOPLE = (
    ("fd-a1", A1, PovertyStatus.not_exited, TOWN_A, VILLAGE_A),
    ("fd-a2", A2, PovertyStatus.exited, TOWN_A, VILLAGE_A),
    ("fd-m", MARGINAL, PovertyStatus.marginal, TOWN_A, VILLAGE_A),
    ("fd-b1", B1, PovertyStatus.not_exited, TOWN_B, VILLAGE_B),
    ("fd-b2", B2, PovertyStatus.not_exited, TOWN_B, VILLAGE_B),
)


def _at(envelope: Envelope, day: date) -> Envelope:
    return envelope.model_copy(update={"time": datetime(day.year, day.month, day.day, tzinfo=UTC)})


def seed(url: str) -> None:
    """The five people of 正安 in the medical registry read model, registered on 2018-01-05."""
    engine = make_engine(url)
    with Session(engine) as s:
        for pid, number, status, town, village in PEOPLE:
            data = PersonRegistered(
                person_id=pid, household_id=f"H-{pid}", id_number=number, name=f"居民{pid}",
                sex="M", birth_date=date(1958, 1, 1), county_code=ZA, township_code=town,
                village_code=village, poverty_status=status,
            )  # fmt: skip
            env = Envelope.wrap(data, source="/services/enrollment", subject=pid, key=f"H-{pid}")
            upsert_person(event_uow(s, _at(env, date(2018, 1, 5))), data)
        s.commit()
    engine.dispose()


def die(url: str, person_id: str, number: str, village: str, day: date) -> None:
    """A death in the registry (person.deceased), applied as the registry subscription does."""
    engine = make_engine(url)
    with Session(engine) as s:
        data = PersonDeceased(
            person_id=person_id, household_id=f"H-{person_id}", id_number=number,
            county_code=ZA, village_code=village, deceased_on=day,
        )  # fmt: skip
        env = Envelope.wrap(data, source="/services/enrollment", subject=person_id, key="H")
        person_deceased(event_uow(s, _at(env, day)), data)
        s.commit()
    engine.dispose()


def move(url: str, person_id: str, town: str, village: str, day: date) -> None:
    """A move in the registry (person.moved), applied as the registry subscription does."""
    engine = make_engine(url)
    with Session(engine) as s:
        data = PersonMoved(
            person_id=person_id, from_household_id=f"H-{person_id}", to_household_id="H-new",
            county_code=ZA, township_code=town, village_code=village,
            poverty_status=PovertyStatus.not_exited,
        )  # fmt: skip
        env = Envelope.wrap(data, source="/services/enrollment", subject=person_id, key="H-new")
        person_moved(event_uow(s, _at(env, day)), data)
        s.commit()
    engine.dispose()


def stay(claim: str, number: str, codes: list[str], **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "claim_id": claim,
        "id_number": number,
        "county_code": ZA,
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2018-03-01",
        "discharge": "2018-03-08",
        "referral_compliant": True,
        "total_cost": "5000.00",
        "covered_cost": "4500.00",
        "diagnosis_codes": codes,
    }
    body.update(over)
    return body


def chronic36_bill(bill: str, number: str, codes: list[str]) -> dict[str, object]:
    return {
        "bill_id": bill,
        "id_number": number,
        "county_code": ZA,
        "bill_date": "2018-03-20",
        "hospital_admin_level": "county",
        "bill_self_pay": "800.00",
        "approved_out_of_catalogue": "500.00",
        "diagnosis_codes": codes,
    }


def team(name: str, level: str, division: str, *subjects: str) -> dict[str, object]:
    return {
        "name": name,
        "level": level,
        "division_code": division,
        "members": [{"subject": s, "name": f"医生{s}"} for s in subjects],
    }
