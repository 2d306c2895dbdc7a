"""Events that change dibao households, on a real broker (WEL-8): registry people arrive by
person.registered; a job found by a member schedules a review and opens the gradual-exit window;
a death recomputes the household (delivered twice, applied once); the household leaves dibao
when its gradual exit closes, at the next payment cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

import pytest
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.dibao.models import DibaoCase, DibaoReview
from services.welfare.main import build_app
from shared.bus.tables import ProcessedEvent
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.events.catalogue import EventData
from shared.events.employment import JobPlaced
from shared.events.envelope import Envelope
from shared.events.registry import PersonDeceased, PersonRegistered
from shared.roles import Role
from tests.support.app import make_settings, running
from tests.support.bus import produce_raw, wait_until
from tests.support.welfare_dibao import (
    COUNTY,
    HEAD,
    TOWN,
    VILLAGE,
    WIFE,
    Officers,
    application,
    on_dibao,
    outbox,
)

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 5)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def registered(
    pid: str, number: str, name: str, sex: Literal["M", "F"], born: date
) -> PersonRegistered:
    return PersonRegistered(
        person_id=pid, household_id="H-1", id_number=number, name=name, sex=sex,
        birth_date=born, county_code=COUNTY, township_code=TOWN, village_code=VILLAGE,
        poverty_status=PovertyStatus.not_exited,
    )  # fmt: skip


def kafka(data: EventData, key: str = "H-1") -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    return Envelope.wrap(data, source="/services/test", subject=key, key=key).to_kafka()


def case_row(url: str) -> DibaoCase:
    engine = make_engine(url)
    with Session(engine) as s:
        case = s.exec(select(DibaoCase)).one()
    engine.dispose()
    return case


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = len(s.exec(select(model)).all())
    engine.dispose()
    return n


async def test_job_death_and_gradual_exit(db_template: str, broker: str, topic_prefix: str) -> None:
    settings = make_settings(
        "welfare", db_template, kafka_bootstrap_servers=broker, topic_prefix=topic_prefix
    )
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        people = [
            registered("p-head", HEAD, "张大", "M", date(1950, 3, 1)),
            registered("p-wife", WIFE, "李二", "F", date(1952, 6, 1)),
        ]
        await produce_raw(broker, topic_prefix + "enrollment.events", [kafka(p) for p in people])
        await wait_until(lambda: count(url, ProcessedEvent) >= 2, timeout=40)

        await on_dibao(client, o, application())
        case = case_row(url)
        first_amount = case.monthly_amount
        assert case.next_review_due > date(2026, 3, 1)

        # The wife finds work on 1 March: review due now, gradual exit for the parameter months.
        job = JobPlaced(
            person_id="p-wife", household_id="H-1", county_code=COUNTY, placement_id="J1",
            placed_on=date(2026, 3, 1), location="local",
        )  # fmt: skip
        await produce_raw(broker, topic_prefix + "employment.events", [kafka(job)])
        await wait_until(lambda: case_row(url).gradual_exit_until is not None, timeout=40)
        case = case_row(url)
        assert case.next_review_due == date(2026, 3, 1)
        assert case.gradual_exit_until == date(2026, 9, 1)  # welfare.dibao.gradual_exit_months
        overdue = await client.get("/v1/dibao/reviews/overdue", headers=o.town)
        assert [r["case_id"] for r in overdue.json()] == [case.id]

        # The review ends the household: it stays on until the window closes (渐退).
        resp = await client.post(
            f"/v1/dibao/cases/{case.id}/reviews",
            json={"outcome": "end", "reason": "家庭成员就业，收入超过标准"},
            headers=o.town,
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["status"] == "gradual_exit"
        assert outbox(url, "welfare.dibao_ended") == []

        # The head dies; the same event is delivered twice: the household is recomputed once.
        death = PersonDeceased(
            person_id="p-head", household_id="H-1", id_number=HEAD, county_code=COUNTY,
            village_code=VILLAGE, deceased_on=date(2026, 3, 3),
        )  # fmt: skip
        message = kafka(death)
        await produce_raw(broker, topic_prefix + "enrollment.events", [message, message])
        await wait_until(lambda: len(outbox(url, "welfare.dibao_changed")) == 1, timeout=40)
        await wait_until(lambda: count(url, ProcessedEvent) >= 4, timeout=40)
        case = case_row(url)
        assert [m["id_number"] for m in case.members] == [WIFE]
        assert case.monthly_amount < first_amount
        changed = outbox(url, "welfare.dibao_changed")
        assert changed[0]["person_ids"] == ["p-wife"]
        assert count(url, DibaoReview) == 2  # the gradual-exit review and one recompute

        # Paid while on gradual exit; gone once the window has closed.
        resp = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-03"}, headers=o.county
        )
        assert resp.status_code == 201, resp.text
        # The household's one dibao line; the wife's disability subsidies are lines of their own.
        assert resp.json()["notes"]["dibao_lines"] == 1
        cycle_lines = await client.get(
            f"/v1/payment-cycles/{resp.json()['id']}/lines", headers=o.county
        )
        dibao_lines = [x for x in cycle_lines.json()["items"] if x["scheme"] == "dibao"]
        assert [Decimal(x["amount"]) for x in dibao_lines] == [case.monthly_amount]


async def test_gradual_exit_window_closes(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        from tests.support.welfare_dibao import seed

        seed(url)
        await on_dibao(client, o, application())
        engine = make_engine(url)
        with Session(engine) as s:
            case = s.exec(select(DibaoCase)).one()
            case.gradual_exit_until = date(2026, 4, 30)
            case.status = "gradual_exit"
            s.add(case)
            case_id = case.id
            s.commit()
        engine.dispose()
        monkeypatch.setattr(clock, "today", lambda: date(2026, 5, 3))
        resp = await client.post(
            "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-05"}, headers=o.county
        )
        assert resp.status_code == 201
        assert resp.json()["lines"] == 0 and resp.json()["notes"]["gradual_exits_ended"] == 1
        ended = outbox(url, "welfare.dibao_ended")
        assert len(ended) == 1 and ended[0]["effective_from"] == "2026-04-30"
        assert case_row(url).status == "ended"
        steps = await client.get(f"/v1/dibao/cases/{case_id}/steps", headers=o.auditor)
        assert [s["to_status"] for s in steps.json()] == ["active", "ended"]
        assert Role.county_civil.value in {s["actor_role"] for s in steps.json()}
