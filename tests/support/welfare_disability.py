"""The setup of test_welfare_disability.py: 正安 (520324) people, the registry events that bring
them to welfare (applied with the welfare service's own subscription handlers, without a
broker) and the officers who act."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any, Literal

import httpx
from sqlmodel import Session

from services.welfare.consumers import SUBSCRIPTIONS
from shared.clock import CHINA
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonRegistered
from shared.ids import make_resident_id
from shared.policy import PolicySet
from shared.roles import Role
from shared.settings import Settings
from shared.uow import Publisher, UnitOfWork
from tests.support.app import token

COUNTY = "520324"
TOWN, VILLAGE = "520324100", "520324100201"
OTHER_TOWN, OTHER_VILLAGE = "520324101", "520324101202"
POLICY = PolicySet.load(Settings().policy_dir)


def number(i: int, born: date | None = None, sex: Literal["M", "F"] = "M") -> str:
    return make_resident_id(COUNTY, born or date(1950 + i, 1, 1), 30 + i, sex)


def registered(
    pid: str,
    i: int,
    grade: int | None,
    *,
    born: date | None = None,
    village: str = VILLAGE,
    status: PovertyStatus = PovertyStatus.not_exited,
) -> PersonRegistered:
    return PersonRegistered(
        person_id=pid, household_id=f"H-{pid}", id_number=number(i, born), name=f"残疾人{i}",
        sex="M", birth_date=born or date(1950 + i, 1, 1), disability_grade=grade,
        county_code=COUNTY, township_code=village[:9], village_code=village,
        poverty_status=status,
    )  # fmt: skip


def deliver(url: str, data: EventData, on: date, key: str = "H") -> None:
    """Apply `data` as the welfare service's consumer would, as an event of day `on`."""
    envelope = Envelope.wrap(data, source="/services/enrollment", subject=key, key=key)
    envelope = envelope.model_copy(update={"time": datetime.combine(on, time(12), tzinfo=CHINA)})
    sub = next(s for s in SUBSCRIPTIONS if data.event_type in s.handlers)
    engine = make_engine(url)
    with Session(engine) as session:
        uow = UnitOfWork.for_event(
            session, envelope, group=sub.group, policy=POLICY, publisher=Publisher("welfare")
        )
        sub.handlers[data.event_type](uow, data)
        session.commit()
    engine.dispose()


class Officers:
    def __init__(self, settings: Any) -> None:
        self.civil = token(settings, Role.county_civil, scope=COUNTY, sub="civil-a")
        self.civil_b = token(settings, Role.county_civil, scope=COUNTY, sub="civil-b")
        self.cdpf = token(settings, Role.county_disability, scope=COUNTY, sub="cdpf-a")
        self.cdpf_b = token(settings, Role.county_disability, scope=COUNTY, sub="cdpf-b")
        self.town = token(settings, Role.township_officer, scope=TOWN, sub="town")
        self.other_town = token(settings, Role.township_officer, scope=OTHER_TOWN, sub="town2")
        self.cadre = token(settings, Role.village_cadre, scope=VILLAGE, sub="cadre")
        self.auditor = token(settings, Role.auditor, scope=COUNTY, sub="auditor")


def account(i: int) -> dict[str, str]:
    return {
        "payee_name": f"残疾人{i}",
        "payee_id_number": number(i),
        "bank_name": "正安县农村信用社",
        "bank_account": f"62210000{i:08d}",
    }


async def paid_cycle(client: httpx.AsyncClient, o: Officers, month: str) -> dict[str, Any]:
    """Prepare, approve (another officer) and pay the county's cycle of `month`."""
    resp = await client.post(
        "/v1/payment-cycles", json={"county_code": COUNTY, "month": month}, headers=o.civil
    )
    assert resp.status_code == 201, resp.text
    cycle: dict[str, Any] = resp.json()
    url = f"/v1/payment-cycles/{cycle['id']}"
    assert (await client.post(f"{url}/approval", headers=o.civil_b)).status_code == 200
    assert (await client.post(f"{url}/payment", headers=o.civil)).status_code == 200
    return cycle


async def bank_rows(client: httpx.AsyncClient, o: Officers, cycle_id: int) -> list[list[str]]:
    resp = await client.get(f"/v1/payment-cycles/{cycle_id}/bank-file", headers=o.civil)
    assert resp.status_code == 200, resp.text
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))[1:]


MatrixCall = tuple[dict[str, str], dict[str, str], Any]  # path params, query, JSON body


async def matrix_calls(
    client: httpx.AsyncClient, town: dict[str, str], village: str, person_id: str
) -> dict[tuple[str, str], MatrixCall]:
    """The access matrix's records of disability support in `village` (seeded by the township
    officer `town`): an enrolled person and a rehabilitation case of the registry's
    `person_id`; the calls of every disability route."""
    born = date(1961, 5, 5)
    person = {
        "id_number": make_resident_id(village[:6], born, 71, "F"),
        "name": "矩阵残疾人",
        "village_code": village,
        "grade": 2,
        "certificate_no": "53232519610505",
    }
    resp = await client.post("/v1/disability/persons", json=person, headers=town)
    assert resp.status_code == 201, resp.text
    enrolled = {"disabled_person_id": str(resp.json()["id"])}
    case_body = {"kind": "device", "person_id": person_id, "request": "轮椅"}
    resp = await client.post("/v1/disability/rehab-cases", json=case_body, headers=town)
    assert resp.status_code == 201, resp.text
    case = {"case_id": str(resp.json()["id"])}
    second = {**person, "id_number": make_resident_id(village[:6], born, 73, "F")}
    return {
        ("POST", "/v1/disability/persons"): ({}, {}, second),
        ("GET", "/v1/disability/persons"): ({}, {}, None),
        ("GET", "/v1/disability/persons/{disabled_person_id}"): (enrolled, {}, None),
        ("PUT", "/v1/disability/persons/{disabled_person_id}/account"): (
            enrolled,
            {},
            {
                "payee_name": "矩阵残疾人",
                "payee_id_number": person["id_number"],
                "bank_name": "农村信用社",
                "bank_account": "622100001234567",
            },
        ),
        ("POST", "/v1/disability/persons/{disabled_person_id}/clawback-write-off"): (
            enrolled,
            {},
            {"reason": "县民政局决定核销"},
        ),
        ("GET", "/v1/disability/subsidies"): ({}, {}, None),
        ("POST", "/v1/disability/rehab-cases"): ({}, {}, case_body),
        ("GET", "/v1/disability/rehab-cases"): ({}, {}, None),
        ("GET", "/v1/disability/rehab-cases/{case_id}"): (case, {}, None),
        ("POST", "/v1/disability/rehab-cases/{case_id}/decision"): (
            case,
            {},
            {"approve": True},
        ),
        ("POST", "/v1/disability/rehab-cases/{case_id}/grants"): (
            case,
            {},
            {"kind": "device", "on": "2026-03-01", "item": "轮椅一台"},
        ),
        ("GET", "/v1/disability/rehab-grants.xlsx"): ({}, {}, None),
    }
