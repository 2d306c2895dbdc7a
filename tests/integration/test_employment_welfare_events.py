"""Civil affairs' decisions reach the employment service by event, on a real broker: a person on
低保 or 特困 is shown as such in the labour census (priority for recommendations and posts);
a dibao change that drops a member, and the end of dibao, are followed; redelivery changes
nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.employment.main import build_app
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.registry import PersonRegistered
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.bus import produce_raw

pytestmark = pytest.mark.integration

COUNTY, TOWN, VILLAGE = "532325", "532325100", "532325100201"


def kafka(data: EventData, key: str) -> tuple:
    return Envelope.wrap(data, source="/services/test", subject=key, key=key).to_kafka()


def person(pid: str, seq: int, household: str) -> PersonRegistered:
    born = date(1980, 1, 1 + seq)
    return PersonRegistered(
        person_id=pid, household_id=household, id_number=make_resident_id(COUNTY, born, seq, "M"),
        name=f"居民{seq}", sex="M", birth_date=born, county_code=COUNTY, township_code=TOWN,
        village_code=VILLAGE, poverty_status=PovertyStatus.not_exited,
    )  # fmt: skip


async def test_welfare_standing_in_the_census(
    db_template: str, broker: str, topic_prefix: str
) -> None:
    settings = make_settings(
        "employment", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    officer = token(settings, Role.county_hrss)
    census = {"work_ability": "full", "wishes_to_work": True, "wishes_to_train": True}
    async with running(build_app(settings)) as client:
        people = [person("p-a", 1, "H-1"), person("p-b", 2, "H-1"), person("p-c", 3, "H-2")]
        await produce_raw(
            broker, topic_prefix + "enrollment.events", [kafka(p, p.household_id) for p in people]
        )

        async def surveyed() -> bool:
            for p in people:
                r = await client.put(
                    f"/v1/census/persons/{p.person_id}", json=census, headers=officer
                )
                if r.status_code != 200:
                    return False
            return True

        for _ in range(200):
            if await surveyed():
                break
            await asyncio_sleep()
        else:
            raise AssertionError("the registry events never reached the employment service")
        granted = DibaoGranted(
            household_id="H-1", county_code=COUNTY, person_ids=["p-a", "p-b"], category="B",
            monthly_amount=Decimal("300.00"), effective_from=date(2026, 2, 1),
        )  # fmt: skip
        tekun = TekunCertified(
            person_id="p-c", household_id="H-2", county_code=COUNTY,
            effective_from=date(2026, 1, 1),
        )  # fmt: skip
        message = kafka(granted, "H-1")
        await produce_raw(
            broker,
            topic_prefix + "welfare.events",
            [message, kafka(tekun, "H-2"), message],
        )

        async def flags(pid: str) -> tuple[bool, bool]:
            body = (await client.get(f"/v1/census/persons/{pid}", headers=officer)).json()
            return body["on_dibao"], body["on_tekun"]

        async def until(pid: str, expected: tuple[bool, bool]) -> None:
            for _ in range(400):
                if await flags(pid) == expected:
                    return
                await asyncio_sleep()
            raise AssertionError(f"{pid} never reached {expected}: {await flags(pid)}")

        await until("p-a", (True, False))
        await until("p-b", (True, False))
        await until("p-c", (False, True))

        changed = DibaoChanged(
            household_id="H-1", county_code=COUNTY, person_ids=["p-a"], category="B",
            monthly_amount=Decimal("200.00"), effective_from=date(2026, 3, 1),
        )  # fmt: skip
        await produce_raw(broker, topic_prefix + "welfare.events", [kafka(changed, "H-1")])
        await until("p-b", (False, False))
        assert await flags("p-a") == (True, False)
        ended = DibaoEnded(
            household_id="H-1", county_code=COUNTY, person_ids=["p-a"],
            effective_from=date(2026, 4, 1), reason="收入超过标准",
        )  # fmt: skip
        await produce_raw(broker, topic_prefix + "welfare.events", [kafka(ended, "H-1")])
        await until("p-a", (False, False))


async def asyncio_sleep() -> None:
    import asyncio

    await asyncio.sleep(0.1)
