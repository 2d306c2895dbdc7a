"""The setup of test_welfare_dibao.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
from sqlmodel import Session, select

from services.welfare.registry.models import RegistryPerson
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import token

COUNTY = "532325"


TOWN, VILLAGE = "532325100", "532325100201"


OTHER_TOWN, OTHER_VILLAGE = "532325101", "532325101202"


HEAD = make_resident_id(COUNTY, date(1950, 3, 1), 21, "M")


WIFE = make_resident_id(COUNTY, date(1952, 6, 1), 22, "F")


def seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for pid, number, name, sex, born in (
            ("p-head", HEAD, "张大", "M", date(1950, 3, 1)),
            ("p-wife", WIFE, "李二", "F", date(1952, 6, 1)),
        ):
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=number, household_id="H-1", name=name, sex=sex,
                    birth_date=born, county_code=COUNTY, township_code=TOWN,
                    village_code=VILLAGE, poverty_status=PovertyStatus.not_exited,
                    source_event_id="seed",
                )
            )  # fmt: skip
        s.commit()
    engine.dispose()


def member(number: str, name: str, **over: Any) -> dict[str, Any]:
    return {"id_number": number, "name": name, "work_ability": "none", **over}


def application(**over: Any) -> dict[str, Any]:
    body = {
        "village_code": VILLAGE,
        "applicant_name": "张大",
        "applicant_id_number": HEAD,
        "reason": "年老体弱，无劳动能力",
        "bank_name": "农村信用社",
        "bank_account": "6221000012345678",
        "members": [member(HEAD, "张大"), member(WIFE, "李二", work_ability="partial")],
    }
    body.update(over)
    return body


REVIEW = {
    "members": [
        member(HEAD, "张大", chronic_illness=True),
        member(WIFE, "李二", work_ability="partial", disability_grade=2),
    ],
    "incomes": [
        {"source": "farming", "annual_amount": "1200.00"},
        {"source": "transfer", "annual_amount": "800.00", "id_number": HEAD},
    ],
    "assets": [{"kind": "house", "description": "土木结构住房一处", "value": "20000.00"}],
    "cross_checks": [
        {"department": "车管", "item": "机动车登记", "consistent": True},
        {"department": "不动产", "item": "房产登记", "consistent": True},
    ],
    "assets_within_limits": True,
}


def outbox(url: str, event_type: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.event_type == event_type)).all()
        found = [
            json.loads(r.payload) if isinstance(r.payload, str | bytes) else r.payload for r in rows
        ]
    engine.dispose()
    return found


class Officers:
    def __init__(self, settings: Any) -> None:
        self.cadre = token(settings, Role.village_cadre, scope=VILLAGE, sub="cadre")
        self.town = token(settings, Role.township_officer, scope=TOWN, sub="town")
        self.other_town = token(settings, Role.township_officer, scope=OTHER_TOWN, sub="town2")
        self.county = token(settings, Role.county_civil, scope=COUNTY, sub="county-a")
        self.county_b = token(settings, Role.county_civil, scope=COUNTY, sub="county-b")
        self.auditor = token(settings, Role.auditor, scope=COUNTY, sub="auditor")
        self.hospital = token(settings, Role.hospital, scope=COUNTY, sub="hospital")


async def to_notice(client: httpx.AsyncClient, o: Officers, body: dict, start: str) -> int:
    resp = await client.post("/v1/dibao/applications", json=body, headers=o.cadre)
    assert resp.status_code == 201, resp.text
    app_id = resp.json()["id"]
    steps = [
        ("acceptance", {"accept": True}, o.town),
        ("economic-review", REVIEW, o.town),
        ("decision", {"approve": True}, o.county),
        ("notice", {"start": start}, o.town),
    ]
    for path, payload, who in steps:
        resp = await client.post(
            f"/v1/dibao/applications/{app_id}/{path}", json=payload, headers=who
        )
        assert resp.status_code == 200, (path, resp.text)
    return app_id


async def on_dibao(
    client: httpx.AsyncClient, o: Officers, body: dict, effective: str = "2026-02-10"
) -> int:
    """A household through the procedure (notice from 2 February) and on dibao from `effective`:
    its application's id."""
    app_id = await to_notice(client, o, body, "2026-02-02")
    resp = await client.post(
        f"/v1/dibao/applications/{app_id}/activation",
        json={"effective_from": effective},
        headers=o.county,
    )
    assert resp.status_code == 200, resp.text
    return app_id
