"""The monthly progress report over HTTP on SQLite and PostgreSQL (月度工作进展, EMP-9): a small
county built through the census, training, jobs, posts and relocation APIs, its June figures
checked by hand per township and for the county in JSON, XLSX and PNG; a township officer sees
their township only; roles (403), jurisdiction (404), a month not yet begun (422)."""

from __future__ import annotations

import io
import struct
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from services.employment import clock
from services.employment.census.service import census_people
from services.employment.jobs.repository import recommendations_until
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.main import build_app
from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from services.employment.report.chart import cjk_font
from services.employment.report.compute import monthly_report
from services.employment.report.xlsx import TARGET_HEADERS, headers
from services.employment.training.repository import completions_of
from services.employment.training.rules import PersonCoverageFacts, count_people, coverage_bases
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.policy import PolicySet
from shared.roles import Role
from shared.trace import Params, Trace
from tests.support.app import make_settings, running, token
from tests.support.libreoffice import convert

pytestmark = pytest.mark.integration

COUNTY = "532325"
T1, V1 = "532325104", "532325104201"  # 弥兴镇: trained by 县人社局 (YA-HRSS §三(二)1)
T2, V2 = "532325100", "532325100202"  # 栋川镇
TODAY = date(2018, 7, 15)

# person id, household, village, born, census: ability, wish to work, wish to train, education
PEOPLE: tuple[tuple[str, str, str, date, str, str, str, str], ...] = (
    ("a1", "H-1", V1, date(1980, 5, 1), "有劳动能力", "是", "是", "小学"),
    ("a2", "H-1", V1, date(1985, 6, 1), "有劳动能力", "是", "否", "小学"),
    ("y1", "H-2", V1, date(2000, 7, 1), "有劳动能力", "是", "否", "初中"),  # 两后生
    ("u1", "H-2", V1, date(1975, 1, 1), "无劳动能力", "否", "否", "小学"),  # not a labourer
    ("r1", "H-R", V1, date(1970, 1, 1), "部分丧失劳动能力", "是", "是", "小学"),  # relocated
    ("b1", "H-3", V2, date(1990, 2, 2), "有劳动能力", "是", "是", "小学"),
    ("b2", "H-4", V2, date(1988, 3, 3), "有劳动能力", "是", "否", "小学"),  # relocated
)
NUMBERS = {p[0]: make_resident_id(COUNTY, p[3], n, "M") for n, p in enumerate(PEOPLE, 1)}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def seed_registry(url: str) -> None:
    """The registry read model, as the enrollment service's events would have built it."""
    engine = make_engine(url)
    with Session(engine) as s:
        for n, (pid, household, village, born, *_) in enumerate(PEOPLE, 1):
            s.add(
                RegistryPerson(
                    person_id=pid, id_number=NUMBERS[pid], household_id=household,
                    name=f"人{n}", sex="M", birth_date=born, county_code=COUNTY,
                    township_code=village[:9], village_code=village,
                    poverty_status=PovertyStatus.not_exited, source_event_id="seed",
                )
            )  # fmt: skip
            s.add(
                RegistryStatusHistory(
                    person_id=pid,
                    status=PovertyStatus.not_exited,
                    valid_from=date.min,
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()


def census_csv() -> bytes:
    lines = ["证件号码,调查日期,劳动能力,就业意愿,培训意愿,文化程度,是否在读"]
    for pid, _, _, _, ability, work, train, education in PEOPLE:
        lines.append(f"{NUMBERS[pid]},2018-01-10,{ability},{work},{train},{education},否")
    return ("\n".join(lines) + "\n").encode()


async def ok(resp: Any, status: int = 201) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    return resp.json()


async def build_county(client: Any, hrss: dict[str, str]) -> None:
    """June 2018: see the figures expected in test_monthly_report."""
    resp = await client.post(
        "/v1/census/imports", files={"file": ("c.csv", census_csv())}, headers=hrss
    )
    await ok(resp)

    # Training (EMP-2): a1 and y1 finish in March; a2 in an earlier programme (its 6-month
    # window closed on 2018-06-01 with no job); r1 finishes after June.
    def programme(name: str, starts: str, ends: str) -> dict[str, Any]:
        return {
            "county_code": COUNTY, "name": name, "kind": "skills",
            "provider_department": "县人社局", "townships": [T1], "hours": 80,
            "starts_on": starts, "ends_on": ends,
        }  # fmt: skip

    early = await ok(
        await client.post(
            "/v1/training/programmes",
            json=programme("2017年弥兴镇种植培训", "2017-11-01", "2017-12-01"),
            headers=hrss,
        )
    )
    spring = await ok(
        await client.post(
            "/v1/training/programmes",
            json=programme("2018年弥兴镇电焊培训", "2018-03-01", "2018-07-05"),
            headers=hrss,
        )
    )
    completions = (
        (early, "a2", "2017-11-01", "2017-12-01"),
        (spring, "a1", "2018-03-01", "2018-03-20"),
        (spring, "y1", "2018-03-01", "2018-03-20"),
        (spring, "r1", "2018-03-01", "2018-07-05"),
    )
    for prog, pid, enrolled, completed in completions:
        enrolment = await ok(
            await client.post(
                f"/v1/training/programmes/{prog['id']}/enrolments",
                json={"person_id": pid, "enrolled_on": enrolled},
                headers=hrss,
            )
        )
        await ok(
            await client.post(
                f"/v1/training/enrolments/{enrolment['id']}/completion",
                json={"completed_on": completed, "outcome": "passed"},
                headers=hrss,
            ),
            200,
        )

    # Vacancies and recommendations (EMP-3).
    vacancies = {}
    for location in ("local", "province", "other_province"):
        v = await ok(
            await client.post(
                "/v1/jobs/vacancies",
                json={
                    "county_code": COUNTY,
                    "township_code": T1,
                    "employer": "某食品有限公司",
                    "title": f"包装工 {location}",
                    "location": location,
                    "address": "",
                    "monthly_wage": "2200.00",
                    "skills": [],
                    "positions": 10,
                    "opened_on": "2018-03-01",
                },
                headers=hrss,
            )
        )
        vacancies[location] = v["id"]
    recommendations = (
        ("a1", "local", "2018-04-02"),
        ("a1", "province", "2018-04-03"),
        ("a1", "other_province", "2018-04-04"),
        ("a2", "local", "2018-05-01"),
        ("b1", "local", "2018-05-05"),
        ("b1", "province", "2018-05-05"),
        ("b1", "other_province", "2018-07-02"),  # after June: not in June's figures
    )
    recs = {}
    for pid, location, on in recommendations:
        r = await ok(
            await client.post(
                "/v1/jobs/recommendations",
                json={"vacancy_id": vacancies[location], "person_id": pid, "recommended_on": on},
                headers=hrss,
            )
        )
        recs[(pid, location)] = r["id"]
    # a1 hired from the local vacancy: placed within 6 months of training.
    await ok(
        await client.post(
            f"/v1/jobs/recommendations/{recs[('a1', 'local')]}/outcome",
            json={"outcome": "hired", "on": "2018-04-15", "start_on": "2018-04-20"},
            headers=hrss,
        ),
        200,
    )
    for pid, location, start in (
        ("b2", "other_province", "2018-05-10"),
        ("a2", "province", "2018-07-03"),
    ):
        await ok(
            await client.post(
                "/v1/jobs/placements",
                json={
                    "person_id": pid,
                    "employer": "外省某厂",
                    "location": location,
                    "start_on": start,
                },
                headers=hrss,
            )
        )

    # A public-welfare post in 弥兴镇 with 2 positions, y1 on it (EMP-4).
    post = await ok(
        await client.post(
            "/v1/posts",
            json={
                "township_code": T1,
                "village_code": V1,
                "post_type": "cleaning",
                "name": "村庄保洁员",
                "capacity": 2,
                "opened_on": "2018-01-01",
            },
            headers=hrss,
        )
    )
    await ok(
        await client.post(
            f"/v1/posts/{post['id']}/assignments",
            json={"person_id": "y1", "start_on": "2018-02-01"},
            headers=hrss,
        )
    )

    # Relocated households (EMP-8): H-R with nobody in work, H-4 with b2 placed.
    await ok(
        await client.post(
            "/v1/relocated-households",
            json={
                "items": [
                    {"household_id": "H-R", "site": "光禄安置点"},
                    {"household_id": "H-4", "site": "光禄安置点"},
                ]
            },
            headers=hrss,
        ),
        200,
    )


def values(area: dict[str, Any]) -> dict[str, Any]:
    return {k: f["value"] for k, f in area["figures"].items()}


def met(area: dict[str, Any]) -> dict[str, Any]:
    return {k: f["met"] for k, f in area["figures"].items() if f["target"] is not None}


T1_JUNE = {
    "labourers": 4, "willing_to_work": 4, "willing_to_train": 2,
    "training_base": 4, "trained": 3, "training_rate": "0.7500",
    "two_after": 1, "two_after_base": 1, "two_after_trained": 1, "two_after_rate": "1.0000",
    "placed_after_training": 1, "not_placed_after_training": 1, "pending_after_training": 1,
    "placement_rate": "0.5000",
    "recommendation_labourers": 4, "recommendations": 4, "recommended": 2, "below_minimum": 3,
    "in_work": 1, "placed_local": 1, "placed_province": 0, "placed_other_province": 0,
    "post_positions": 2, "post_filled": 1, "post_occupancy": "0.5000",
    "workshop_workers": 0, "businesses": 0, "relocated_without_work": 1,
}  # fmt: skip
T2_JUNE = {
    "labourers": 2, "willing_to_work": 2, "willing_to_train": 1,
    "training_base": 2, "trained": 0, "training_rate": "0.0000",
    "two_after": 0, "two_after_base": 0, "two_after_trained": 0, "two_after_rate": None,
    "placed_after_training": 0, "not_placed_after_training": 0, "pending_after_training": 0,
    "placement_rate": None,
    "recommendation_labourers": 2, "recommendations": 2, "recommended": 1, "below_minimum": 2,
    "in_work": 1, "placed_local": 0, "placed_province": 0, "placed_other_province": 1,
    "post_positions": 0, "post_filled": 0, "post_occupancy": "0.0000",
    "workshop_workers": 0, "businesses": 0, "relocated_without_work": 0,
}  # fmt: skip
COUNTY_JUNE = {
    "labourers": 6, "willing_to_work": 6, "willing_to_train": 3,
    "training_base": 6, "trained": 3, "training_rate": "0.5000",
    "two_after": 1, "two_after_base": 1, "two_after_trained": 1, "two_after_rate": "1.0000",
    "placed_after_training": 1, "not_placed_after_training": 1, "pending_after_training": 1,
    "placement_rate": "0.5000",
    "recommendation_labourers": 6, "recommendations": 6, "recommended": 3, "below_minimum": 5,
    "in_work": 2, "placed_local": 1, "placed_province": 0, "placed_other_province": 1,
    "post_positions": 2, "post_filled": 1, "post_occupancy": "0.5000",
    "workshop_workers": 0, "businesses": 0, "relocated_without_work": 1,
}  # fmt: skip


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


async def test_monthly_report(db_template: str, tmp_path: Path) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    hrss = token(settings, Role.county_hrss, scope=COUNTY)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        await build_county(client, hrss)
        june = {"county": COUNTY, "month": "2018-06"}

        body = await ok(await client.get("/v1/reports/monthly", params=june, headers=hrss), 200)
        assert body["on"] == "2018-06-30" and body["township"] is None
        assert body["recommendation_year"] == 2018 and body["placement_window_months"] == 6
        assert [a["code"] for a in body["townships"]] == [T2, T1]
        t2, t1 = body["townships"]
        assert values(t1) == T1_JUNE
        assert values(t2) == T2_JUNE
        assert values(body["total"]) == COUNTY_JUNE
        # The county plan's targets this service measures (PLAN-1), on the report's day: 姚安's
        # deadline of 2017-11-20 has passed, so each carries its figure at the due date.
        plan = {t["id"]: t for t in body["targets"]}
        assert set(plan) == {
            "YA-2017-TRAINING-HRSS",
            "YA-2017-TRAINING-POVERTY",
            "YA-2017-TRAINING-AGRICULTURE",
            "YA-2017-TRAINING-WOMEN",
            "YA-2017-TRAINING-TWO-AFTER",
            "YA-2017-RECOMMENDED",
        }
        assert all(t["due"] == "2017-11-20" for t in plan.values())
        assert all(t["status"] in ("late", "met", "met_late", "no_base") for t in plan.values())
        total = body["total"]["figures"]

        def target(key: str) -> tuple[Decimal, bool]:
            return Decimal(total[key]["target"]), total[key]["met"]

        assert target("training_rate") == (Decimal(1), False)
        assert target("two_after_rate") == (Decimal(1), True)
        assert target("placement_rate") == (Decimal("0.5"), True)
        assert target("post_occupancy") == (Decimal("0.8"), False)
        assert (total["below_minimum"]["target"], total["below_minimum"]["met"]) == (0, False)
        assert total["relocated_without_work"]["met"] is False
        assert (
            total["training_rate"]["zh"] == "培训覆盖率"
            and total["training_rate"]["rule"] == "EMP-2"
        )
        assert met(t2)["two_after_rate"] is None  # no 两后生: nothing to measure
        assert met(t1) == {
            "training_rate": False, "two_after_rate": True, "placement_rate": True,
            "below_minimum": False, "post_occupancy": False, "relocated_without_work": False,
        }  # fmt: skip
        rules = body["trace"]["rules"]
        assert {"EMP-1", "EMP-2", "EMP-3", "EMP-4", "EMP-8", "EMP-9"} <= set(rules)
        paths = {p["path"] for p in body["trace"]["parameters"]}
        assert "employment.training.placement_target" in paths
        assert "employment.posts.occupancy_target" in paths
        # 姚安's own YA-HRSS targets (who is trained) are not flagged; ZA-GOV's 50% and the
        # city's 80% are.
        flagged = set(body["illustrative_parameters"])
        assert {
            "employment.training.placement_target",
            "employment.posts.occupancy_target",
        } <= flagged
        assert (
            not {
                "employment.training.coverage_base",
                "employment.training.coverage_target",
                "employment.two_after.coverage_base",
            }
            & flagged
        )

        # The month running: figures as of today (b1's July recommendation, a2's July job and
        # r1's July completion now count).
        july = await ok(
            await client.get(
                "/v1/reports/monthly", params={**june, "month": "2018-07"}, headers=hrss
            ),
            200,
        )
        assert july["on"] == "2018-07-15"
        j = values(july["total"])
        assert (j["recommendations"], j["trained"], j["in_work"], j["placed_province"]) == (
            7,
            4,
            3,
            1,
        )

        # The set-based path (the endpoint's) agrees with the rule path, figure by figure.
        measured = await ok(
            await client.get(
                "/v1/plan/targets", params={"county": COUNTY, "on": "2018-06-30"}, headers=hrss
            ),
            200,
        )
        plan = {t["id"]: t for t in measured["targets"]}
        engine = make_engine(settings.database_url)
        policy = PolicySet.load(settings.policy_dir)
        with Session(engine) as session:
            for month, scope in (("2018-06", ""), ("2018-07", ""), ("2018-06", T2)):
                kw: dict[str, Any] = {"today": TODAY, "scope": scope, "policy": policy}
                fast = monthly_report(session, COUNTY, month, path="sql", **kw)
                exact = monthly_report(session, COUNTY, month, path="rules", **kw)
                assert [a.code for a in fast.townships] == [a.code for a in exact.townships]
                pairs = zip(
                    [*fast.townships, fast.total], [*exact.townships, exact.total], strict=True
                )
                for a, b in pairs:
                    assert a.figures == b.figures, (month, scope, a.code)
            # The plan's metrics, counted in the database, agree with the rule path: every
            # census person through the rules (EMP-1, EMP-2) and their recommendations (EMP-3).
            on = date(2018, 6, 30)
            people = [
                p
                for p in census_people(session, COUNTY, on, policy)
                if p.alive and p.poverty_status in REGISTERED_POOR
            ]
            offered = recommendations_until(session, COUNTY, on)
            done = completions_of(session, [p.person_id for p in people], on)
            bases = coverage_bases(Params(policy, COUNTY, on), trace=Trace())
            counts = count_people(
                (
                    PersonCoverageFacts(
                        labourer=p.labourer,
                        wishes_to_train=p.wishes_to_train,
                        wishes_to_work=p.wishes_to_work,
                        two_after=p.two_after,
                        trained=bool(done.get(p.person_id)),
                    )
                    for p in people
                ),
                bases,
            )
        labourers = [p for p in people if p.labourer]
        recommended = sum(1 for p in labourers if offered.get(p.person_id))
        assert labourers and recommended
        r = plan["YA-2017-RECOMMENDED"]
        assert (r["count"], r["base"]) == (recommended, len(labourers))
        two = plan["YA-2017-TRAINING-TWO-AFTER"]
        assert (two["count"], two["base"]) == (counts.two_after_trained, counts.two_after_base)
        engine.dispose()

        # A township officer sees their township, its total its own.
        town = token(settings, Role.township_officer, scope=T2)
        mine = await ok(await client.get("/v1/reports/monthly", params=june, headers=town), 200)
        assert mine["township"] == T2 and [a["code"] for a in mine["townships"]] == [T2]
        assert values(mine["total"]) == {**T2_JUNE}

        # XLSX: one sheet, Chinese headers, a row per township and the county total.
        resp = await client.get(
            "/v1/reports/monthly", params={**june, "format": "xlsx"}, headers=hrss
        )
        assert resp.status_code == 200 and resp.content[:2] == b"PK"
        assert convert(resp.content, "pdf", tmp_path).startswith(b"%PDF")  # opens in LibreOffice
        book = load_workbook(io.BytesIO(resp.content))
        assert len(book.worksheets) == 2
        plan_rows = list(book["目标任务"].iter_rows(values_only=True))
        assert list(plan_rows[1]) == TARGET_HEADERS
        assert [r[0] for r in plan_rows[2:]] == [t["id"] for t in body["targets"]]
        assert all(r[9] in ("是", "否") for r in plan_rows[2:])
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert "2018年6月" in rows[0][0] and "培训覆盖率≥100%" in rows[1][0]
        head = list(rows[2])
        assert head == headers()
        assert head[:3] == ["乡镇", "劳动力人数", "有就业意愿人数"] and "培训覆盖率" in head
        assert len(rows) == 3 + 2 + 1
        by_name = {r[0]: dict(zip(head, r, strict=True)) for r in rows[3:]}
        assert set(by_name) == {T1, T2, "全县合计"}
        assert by_name[T1]["劳动力人数"] == 4 and by_name[T1]["培训覆盖率"] == 0.75
        assert by_name[T1]["培训覆盖率是否达标"] == "否"
        assert by_name[T1]["培训后就业率"] == 0.5 and by_name[T1]["培训后就业率是否达标"] == "是"
        assert (
            by_name[T2]["两后生培训覆盖率"] is None
            and by_name[T2]["两后生培训覆盖率是否达标"] is None
        )
        assert by_name["全县合计"]["推荐不足3次人数"] == 5
        assert by_name["全县合计"]["公益岗位上岗率"] == 0.5
        assert by_name["全县合计"]["省外就业人数"] == 1
        assert by_name["全县合计"]["搬迁户无就业户数"] == 1

        # PNG: a valid image of a readable size, drawn with a font that has the Chinese labels.
        resp = await client.get(
            "/v1/reports/monthly", params={**june, "format": "png"}, headers=hrss
        )
        assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
        width, height = png_size(resp.content)
        assert 600 <= width <= 4000 and 400 <= height <= 3000
        assert 10_000 < len(resp.content) < 2_000_000
        assert cjk_font() is not None
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - Pillow comes with matplotlib
            pass
        else:
            with Image.open(io.BytesIO(resp.content)) as image:
                image.verify()
                assert image.size == (width, height)


async def test_monthly_report_refusals(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    hrss = token(settings, Role.county_hrss, scope=COUNTY)
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        june = {"county": COUNTY, "month": "2018-06"}
        for role, scope in ((Role.village_cadre, V1), (Role.county_medical, COUNTY)):
            resp = await client.get(
                "/v1/reports/monthly", params=june, headers=token(settings, role, scope=scope)
            )
            assert resp.status_code == 403, role
        for role in (Role.county_poverty, Role.auditor):
            resp = await client.get(
                "/v1/reports/monthly", params=june, headers=token(settings, role, scope=COUNTY)
            )
            assert resp.status_code == 200, role
            assert values(resp.json()["total"])["labourers"] == 0  # no census yet
        other = token(settings, Role.township_officer, scope="532326100")
        resp = await client.get("/v1/reports/monthly", params=june, headers=other)
        assert resp.status_code == 404
        resp = await client.get(
            "/v1/reports/monthly", params={**june, "county": "532326"}, headers=hrss
        )
        assert resp.status_code == 404
        for month in ("2018-08", "2019-01"):
            resp = await client.get(
                "/v1/reports/monthly", params={**june, "month": month}, headers=hrss
            )
            assert resp.status_code == 422
            assert resp.json()["errors"][0]["field"] == "month"
        for params in (
            {**june, "month": "2018-13"},
            {**june, "format": "pdf"},
            {"month": "2018-06"},
        ):
            resp = await client.get("/v1/reports/monthly", params=params, headers=hrss)
            assert resp.status_code == 422
        assert (await client.get("/v1/reports/monthly", params=june)).status_code == 401
