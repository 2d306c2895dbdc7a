"""Employment subsidies recomputed after the fact (EMP-5, EMP-6, EMP-7): a county publishes in
April a workshop figure and a one-off entrepreneurship subsidy effective from January, approved
by a second officer. Worker-years claimed and subsidies granted from January are recomputed in
the same transaction: one adjustment each, citing the figure they were paid on and the one they
are now due on, with an employment.subsidy_recalculated event; what was decided on the old
figures before January is untouched; a second run records nothing; a later publication counts
from what was paid plus the first adjustment. Back-pay is settled as paid, a claw-back
recovered or written off with the county's decision, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from services.employment import clock
from services.employment.main import build_app
from services.employment.workshops.models import WorkshopSubsidyPayment
from shared.db import make_engine
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.employment_census import ADULT, YOUTH
from tests.support.employment_census import TOWN as CENSUS_TOWN
from tests.support.employment_census import seed as seed_census
from tests.support.employment_jobs import COUNTY, TOWN, VILLAGE, Officers, outbox, seed
from tests.support.policy import figure, publish_set

pytestmark = pytest.mark.integration

WORKSHOP_FIGURE = "employment.workshop.subsidy_per_worker_year"
BUSINESS_FIGURE = "employment.entrepreneurship.one_off_subsidy"
JOB_SEEKING_FIGURE = "employment.job_seeking.certificate_subsidy"
EVENT = "employment.subsidy_recalculated"
PUBLICATIONS = "/v1/policy/publications"
ADJUSTMENTS = "/v1/policy/adjustments"


@pytest.fixture
def set_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    def move(day: date) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)

    return move


class County(Officers):
    """The employment officers, and a second officer of the county bureau who approves what the
    first proposes."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.county_b = token(settings, Role.county_hrss, scope=COUNTY, sub="hrss-b")


async def _ok(resp: Any, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _business_granted(
    client: httpx.AsyncClient, o: County, pid: str, started: str
) -> dict[str, Any]:
    body = {"person_id": pid, "business_type": "individual", "name": f"{pid}农家乐",
            "trade": "乡村旅游", "started_on": started}  # fmt: skip
    business = await _ok(await client.post("/v1/businesses", json=body, headers=o.county), 201)
    return await _ok(
        await client.post(f"/v1/businesses/{business['id']}/subsidy", headers=o.county), 201
    )


async def _worker_years_claimed(
    client: httpx.AsyncClient, o: County, wid: int, hires: dict[str, str], year: int
) -> list[dict[str, Any]]:
    for pid, start in hires.items():
        await _ok(
            await client.post(
                f"/v1/workshops/{wid}/workers", json={"person_id": pid, "start_on": start},
                headers=o.county,
            ),
            201,
        )  # fmt: skip
    claim = await _ok(
        await client.post(
            f"/v1/workshops/{wid}/subsidy-claims", json={"year": year}, headers=o.county
        ),
        201,
    )
    paid: list[dict[str, Any]] = claim["paid"]
    return paid


async def _publish(
    client: httpx.AsyncClient, o: County, effective: str, **figures: str
) -> dict[str, Any]:
    """Proposed by one county officer, published by the second: the decision's answer."""
    items = [
        figure(path, value, effective, "姚人社发〔2026〕4号 第三条")
        for path, value in figures.items()
    ]
    return await publish_set(
        client, COUNTY, "县人社局调整就业扶贫补助标准，自1月起执行", items, o.county, o.county_b
    )


async def _adjustments(client: httpx.AsyncClient, o: County, number: int) -> list[dict[str, Any]]:
    page = await _ok(
        await client.get(ADJUSTMENTS, params={"publication_id": number}, headers=o.auditor)
    )
    assert page["total"] == len(page["items"])
    return sorted(page["items"], key=lambda a: a["scheme"])


def _payment_id(url: str, person_id: str) -> int:
    """The worker-year's payment (the adjustment's subject; the claim's answer lists it
    without its id)."""
    engine = make_engine(url)
    with Session(engine) as s:
        [row] = s.exec(
            select(WorkshopSubsidyPayment).where(WorkshopSubsidyPayment.person_id == person_id)
        ).all()
        assert row.id is not None
        found = row.id
    engine.dispose()
    return found


def _parameter(trace: dict[str, Any], path: str) -> dict[str, Any]:
    return next(p for p in trace["parameters"] if p["path"] == path)


async def _decided_before_and_after_january(
    client: httpx.AsyncClient, o: County, set_today: Callable[[date], None]
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """December: a subsidy granted and a worker-year claimed on the shipped figures. March:
    another of each. Answers the March grant and worker-year, and the workshop."""
    workshop = {"township_code": TOWN, "village_code": VILLAGE, "name": "光禄镇扶贫车间（竹编）",
                "operator": "某竹编专业合作社", "opened_on": "2025-01-01"}  # fmt: skip
    wid = (await _ok(await client.post("/v1/workshops", json=workshop, headers=o.town), 201))["id"]
    set_today(date(2025, 12, 15))
    december = await _business_granted(client, o, "unable", "2025-05-01")
    assert december["amount"] == "5000.00"
    [november_year] = await _worker_years_claimed(client, o, wid, {"p2": "2025-11-01"}, 2025)
    assert november_year["amount"] == "1000.00"

    set_today(date(2026, 3, 10))
    grant = await _business_granted(client, o, "p1", "2025-08-01")
    assert grant["amount"] == "5000.00"
    [year] = await _worker_years_claimed(client, o, wid, {"p3": "2026-01-05"}, 2026)
    assert (year["person_id"], year["year_start"], year["amount"]) == (
        "p3",
        "2026-01-05",
        "1000.00",
    )
    return grant, year, wid


async def test_a_raise_from_january_is_back_paid_once_and_counted_from_what_was_paid(
    db_template: str, set_today: Callable[[date], None]
) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = County(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        grant, _, _ = await _decided_before_and_after_january(client, o, set_today)
        payment = _payment_id(url, "p3")

        # April: 6,000 and 1,500 from January, published by a second officer.
        set_today(date(2026, 4, 15))
        published = await _publish(
            client, o, "2026-01-01", **{BUSINESS_FIGURE: "6000", WORKSHOP_FIGURE: "1500"}
        )
        number = published["id"]
        run = published["recalculation"]
        assert run["effective_from"] == "2026-01-01"
        assert (run["adjustments"], run["back_pay"], run["claw_back"]) == (2, "1500.00", "0.00")
        assert run["by_scheme"] == {"business_subsidy": 1, "workshop_subsidy": 1}

        business, workshop = await _adjustments(client, o, number)
        assert sorted(run["adjustment_ids"]) == sorted([business["id"], workshop["id"]])
        assert (business["scheme"], business["subject"], business["kind"]) == (
            "business_subsidy",
            str(grant["id"]),
            "back_pay",
        )
        assert (business["person_id"], business["household_id"], business["period"]) == (
            "p1",
            "H-1",
            "2026-03-10",
        )
        assert (business["paid_amount"], business["due_amount"], business["difference"]) == (
            "5000.00",
            "6000.00",
            "1000.00",
        )
        assert business["township_code"] == TOWN and business["status"] == "open"
        assert (workshop["scheme"], workshop["subject"], workshop["period"]) == (
            "workshop_subsidy",
            str(payment),
            "2026-01-05",
        )
        assert (workshop["person_id"], workshop["household_id"]) == ("p3", "H-2")
        assert (workshop["paid_amount"], workshop["due_amount"], workshop["difference"]) == (
            "1000.00",
            "1500.00",
            "500.00",
        )
        assert workshop["township_code"] == TOWN  # the workshop's, not the worker's
        for adjustment, path, old, new in (
            (business, BUSINESS_FIGURE, "5000", "6000"),
            (workshop, WORKSHOP_FIGURE, "1000", "1500"),
        ):
            assert _parameter(adjustment["new_trace"], path)["source"] == f"publication {number}"
            assert _parameter(adjustment["new_trace"], path)["value"] == new
            assert _parameter(adjustment["old_trace"], path)["source"] == "shipped"
            assert _parameter(adjustment["old_trace"], path)["value"] == old
            [changed] = adjustment["parameters"]
            assert changed["path"] == path
            assert (changed["paid_on"]["value"], changed["paid_on"]["source"]) == (old, "shipped")
            assert (changed["paid_on"]["effective_from"]) == "2018-01-01"
            assert (changed["due_on"]["value"], changed["due_on"]["source"]) == (
                new,
                f"publication {number}",
            )
            assert changed["due_on"]["effective_from"] == "2026-01-01"
        # The stable months and statuses of EMP-6 are still the shipped ones.
        assert business["sources"] == [f"publication {number}", "shipped"]
        assert workshop["sources"] == [f"publication {number}"]
        # The claim's trace decided the worker-year; the recomputation cites the same rule.
        assert "EMP-5" in workshop["old_trace"]["rules"]
        assert workshop["new_trace"]["rules"] == ["EMP-5"]
        assert business["new_trace"]["rules"] == ["EMP-6"]
        # The figure the county published cites its document: no longer illustrative.
        assert WORKSHOP_FIGURE not in workshop["illustrative_parameters"]

        events = sorted(outbox(url, EVENT), key=lambda e: e[1]["scheme"])
        assert [
            (key, e["scheme"], e["subject"], e["kind"], e["difference"]) for key, e in events
        ] == [
            ("H-1", "business_subsidy", str(grant["id"]), "back_pay", "1000.00"),
            ("H-2", "workshop_subsidy", workshop["subject"], "back_pay", "500.00"),
        ]
        assert all(e["publication_id"] == number for _, e in events)
        assert events[0][1]["sources"] == [f"publication {number}", "shipped"]

        # Run again: nothing new, no second event.
        again = await _ok(
            await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=o.county)
        )
        assert (again["adjustments"], again["back_pay"], again["adjustment_ids"]) == (0, "0.00", [])
        assert len(await _adjustments(client, o, number)) == 2
        assert len(outbox(url, EVENT)) == 2
        refused = await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=o.town)
        assert refused.status_code == 403

        # May: 6,500 from January; due 6,500 against 5,000 paid and 1,000 adjusted. The workshop
        # figure is unchanged: nothing for the worker-year.
        set_today(date(2026, 5, 10))
        second = await _publish(client, o, "2026-01-01", **{BUSINESS_FIGURE: "6500"})
        assert (second["recalculation"]["adjustments"], second["recalculation"]["back_pay"]) == (
            1,
            "500.00",
        )
        [raised] = await _adjustments(client, o, second["id"])
        assert (raised["subject"], raised["paid_amount"], raised["due_amount"]) == (
            str(grant["id"]),
            "6000.00",
            "6500.00",
        )
        [changed] = raised["parameters"]
        assert changed["paid_on"]["source"] == "shipped"  # the grant's own trace
        assert changed["due_on"]["source"] == f"publication {second['id']}"
        # The first publication's run, again after the second: its decisions are settled.
        again = await _ok(
            await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=o.county)
        )
        assert again["adjustments"] == 0

        # Settlement: back-pay is paid, once; it is not "recovered".
        settle = f"{ADJUSTMENTS}/{business['id']}/settlement"
        wrong = await client.post(settle, json={"outcome": "recovered"}, headers=o.county)
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "outcome"
        assert (
            await client.post(settle, json={"outcome": "paid"}, headers=o.auditor)
        ).status_code == 403
        paid = await _ok(
            await client.post(
                settle, json={"outcome": "paid", "note": "县财政2026-05-12补发"}, headers=o.county
            )
        )
        assert (paid["status"], paid["settled_by"]) == ("paid", "hrss")
        twice = await client.post(settle, json={"outcome": "paid"}, headers=o.county)
        assert twice.status_code == 409
        listed = await _ok(
            await client.get(ADJUSTMENTS, params={"status": "open"}, headers=o.poverty)
        )
        assert sorted(a["id"] for a in listed["items"]) == sorted([workshop["id"], raised["id"]])


async def test_a_cut_from_january_leaves_claw_backs_recovered_or_written_off(
    db_template: str, set_today: Callable[[date], None]
) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = County(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        grant, _, _ = await _decided_before_and_after_january(client, o, set_today)

        set_today(date(2026, 4, 15))
        published = await _publish(
            client, o, "2026-01-01", **{BUSINESS_FIGURE: "4000", WORKSHOP_FIGURE: "800"}
        )
        number = published["id"]
        run = published["recalculation"]
        assert (run["adjustments"], run["back_pay"], run["claw_back"]) == (2, "0.00", "1200.00")
        business, workshop = await _adjustments(client, o, number)
        assert [(a["kind"], a["paid_amount"], a["due_amount"], a["difference"]) for a in (
            business, workshop)] == [
            ("claw_back", "5000.00", "4000.00", "-1000.00"),
            ("claw_back", "1000.00", "800.00", "-200.00"),
        ]  # fmt: skip
        # December's grant and worker-year were decided on the figures in force then.
        assert business["subject"] == str(grant["id"])
        assert workshop["subject"] == str(_payment_id(url, "p3"))
        events = outbox(url, EVENT)
        assert sorted((key, e["kind"], e["difference"]) for key, e in events) == [
            ("H-1", "claw_back", "-1000.00"),
            ("H-2", "claw_back", "-200.00"),
        ]

        # A write-off is a county decision: its reason is required.
        settle = f"{ADJUSTMENTS}/{business['id']}/settlement"
        bare = await client.post(settle, json={"outcome": "written_off"}, headers=o.county)
        assert bare.status_code == 422
        assert [e["field"] for e in bare.json()["errors"]] == ["note"]
        wrong = await client.post(settle, json={"outcome": "paid"}, headers=o.county)
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "outcome"
        decision = {"outcome": "written_off", "note": "县人社局2026年第5次局务会决定核销"}
        written_off = await _ok(await client.post(settle, json=decision, headers=o.county))
        assert written_off["status"] == "written_off"
        assert written_off["settlement_note"] == decision["note"]
        twice = await client.post(
            settle, json={"outcome": "written_off", "note": "再次核销"}, headers=o.county
        )
        assert twice.status_code == 409
        recovered = await _ok(
            await client.post(
                f"{ADJUSTMENTS}/{workshop['id']}/settlement", json={"outcome": "recovered"},
                headers=o.county,
            )
        )  # fmt: skip
        assert recovered["status"] == "recovered"
        # Nothing more on a second run.
        again = await _ok(
            await client.post(f"{PUBLICATIONS}/{number}/recalculation", headers=o.county_b)
        )
        assert again["adjustments"] == 0 and len(outbox(url, EVENT)) == 2


CENSUS = (
    "证件号码,劳动能力,就业意愿,培训意愿,文化程度,是否在读\n"
    f"{ADULT},有劳动能力,是,是,小学,否\n"
    f"{YOUTH},有劳动能力,是,否,初中,否\n"
)


async def _job_seeking_granted(
    client: httpx.AsyncClient, headers: dict[str, str], enrolment: int, number: str, issued: str
) -> dict[str, Any]:
    certificate = await _ok(
        await client.post(
            f"/v1/training/enrolments/{enrolment}/certificates",
            json={"kind": "vocational_qualification", "number": number, "issued_on": issued},
            headers=headers,
        ),
        201,
    )
    return await _ok(
        await client.post(
            f"/v1/training/certificates/{certificate['id']}/job-seeking-subsidy", headers=headers
        ),
        201,
    )


async def test_the_job_seeking_subsidy_is_recomputed_on_the_certificate_day(
    db_template: str, set_today: Callable[[date], None]
) -> None:
    """EMP-7 reads its figure on the certificate's issue day: a certificate issued before the
    new figure takes effect keeps what it was granted."""
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = County(settings)
    set_today(date(2018, 6, 30))
    async with running(build_app(settings)) as client:
        seed_census(url)
        await _ok(
            await client.post(
                "/v1/census/imports", files={"file": ("c.csv", CENSUS.encode())}, headers=o.county
            ),
            201,
        )
        programme = {"county_code": COUNTY, "name": "2018年弥兴镇电焊技能培训", "kind": "skills",
                     "provider_department": "县人社局", "townships": [CENSUS_TOWN], "hours": 80,
                     "starts_on": "2018-03-01", "ends_on": "2018-03-20"}  # fmt: skip
        prog = await _ok(
            await client.post("/v1/training/programmes", json=programme, headers=o.county), 201
        )
        enrolments = {}
        for pid in ("p-adult", "p-youth"):
            enrolled = await _ok(
                await client.post(
                    f"/v1/training/programmes/{prog['id']}/enrolments",
                    json={"person_id": pid, "enrolled_on": "2018-03-01"}, headers=o.county,
                ),
                201,
            )  # fmt: skip
            enrolments[pid] = enrolled["id"]
            await _ok(
                await client.post(
                    f"/v1/training/enrolments/{enrolled['id']}/completion",
                    json={"completed_on": "2018-03-20", "outcome": "passed"}, headers=o.county,
                )
            )  # fmt: skip
        early = await _job_seeking_granted(
            client, o.county, enrolments["p-youth"], "ZG-2018-0001", "2018-03-25"
        )
        grant = await _job_seeking_granted(
            client, o.county, enrolments["p-adult"], "ZG-2018-0002", "2018-04-10"
        )
        assert early["amount"] == grant["amount"] == "500.00"

        published = await _publish(client, o, "2018-04-01", **{JOB_SEEKING_FIGURE: "600"})
        number = published["id"]
        assert published["recalculation"]["by_scheme"] == {"job_seeking_subsidy": 1}
        [adjustment] = await _adjustments(client, o, number)
        assert (adjustment["subject"], adjustment["period"], adjustment["kind"]) == (
            str(grant["id"]),
            "2018-04-10",
            "back_pay",
        )
        assert (adjustment["person_id"], adjustment["household_id"]) == ("p-adult", "H-1")
        assert adjustment["township_code"] == CENSUS_TOWN
        assert (adjustment["paid_amount"], adjustment["due_amount"]) == ("500.00", "600.00")
        [changed] = adjustment["parameters"]
        assert (changed["path"], changed["due_on"]["source"]) == (
            JOB_SEEKING_FIGURE,
            f"publication {number}",
        )
        assert adjustment["new_trace"]["rules"] == ["EMP-7"]
        [(key, event)] = outbox(url, EVENT)
        assert (key, event["scheme"], event["difference"]) == (
            "H-1",
            "job_seeking_subsidy",
            "100.00",
        )
