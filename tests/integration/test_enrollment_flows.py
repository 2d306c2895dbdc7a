"""Enrollment over HTTP on SQLite and PostgreSQL: re-imports, rolls, reconciliation, exports and
the one-by-one registry changes (REG-*, ENR-P1/P2, ENR-M1/M4/M5)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from httpx import Response
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, col, select

from services.enrollment.main import build_app
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration


def events(url: str) -> list[str]:
    engine = make_engine(url)
    with Session(engine) as s:
        types = [e.event_type for e in s.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq)))]
    engine.dispose()
    return types


def roll_csv(header: str, lines: list[str]) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def app_settings(db_template: str):
    return make_settings("enrollment", db_template, bus_enabled=False)


async def test_reimport_status_change_and_missing_people(app_settings) -> None:
    auth = token(app_settings, Role.county_poverty)
    rows = roster_rows(12, per_household=4)
    async with running(build_app(app_settings)) as client:
        files = {"file": ("r.csv", roster_csv(rows))}
        assert (
            await client.post("/v1/registry/imports", files=files, headers=auth)
        ).status_code == 201
        # Next year's roster: household 0 exits poverty, its last member is gone.
        nxt = [r[:] for r in rows[:3]] + [r[:] for r in rows[4:]]
        for r in nxt[:3]:
            r[7] = "已脱贫"
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(nxt))}, headers=auth
        )
        result = resp.json()["result"]
        assert result["households_status_changed"] == 1
        assert result["persons_flagged_missing"] == 1
        assert events(app_settings.database_url)[-2:] == [
            "household.poverty_status_changed",
            "person.missing_from_roster",
        ]
        missing = (await client.get("/v1/registry/missing", headers=auth)).json()
        assert [p["id_number"] for p in missing["items"]] == [rows[3][2]]
        person = (await client.get(f"/v1/persons/{rows[0][2]}", headers=auth)).json()
        assert person["poverty_status"] == "exited"
        # Re-importing the full roster brings the missing person back, unflagged.
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert (await client.get("/v1/registry/missing", headers=auth)).json()["total"] == 0


async def test_xlsx_roster(app_settings) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["户编号", "姓名", "证件号码", "与户主关系", "县", "乡镇", "行政村", "贫困状态", "残疾等级"]
    )
    for r in roster_rows(3):
        sheet.append([*r, "二级"])
    out = io.BytesIO()
    book.save(out)
    async with running(build_app(app_settings)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("roster.xlsx", out.getvalue())},
            headers=token(app_settings, Role.county_poverty),
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["result"]["persons_created"] == 3
        person = await client.get(
            f"/v1/persons/{roster_rows(3)[0][2]}", headers=token(app_settings, Role.county_hrss)
        )
        assert person.json()["disability_grade"] == 2


async def test_rolls_reconciliation_and_export(app_settings) -> None:
    poverty = token(app_settings, Role.county_poverty)
    hrss = token(app_settings, Role.county_hrss)
    rows = roster_rows(8, per_household=4)
    # Make the ages deterministic: two children under 16, six adults of working age.
    async with running(build_app(app_settings)) as client:
        await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=poverty
        )
        adults = [r[2] for r in rows if _age(r[2], 2018) >= 16]
        working = [n for n in adults if _age(n, 2018) < 60]
        lines = [f"{n},2018,200,是" for n in adults[:-1]]
        if working:
            lines[adults.index(working[0])] = f"{working[0]},2018,200,否"
        resp = await client.post(
            "/v1/rolls/pension/imports",
            files={"file": ("p.csv", roll_csv("证件号码,年度,缴费档次,是否缴费", lines))},
            headers=hrss,
        )
        assert resp.status_code == 201, resp.text
        rec = (
            await client.get("/v1/reconciliation/pension", params={"year": 2018}, headers=hrss)
        ).json()
        assert rec["total"]["eligible"] == len(adults)
        assert rec["total"]["enrolled"] == len(adults) - 1
        assert rec["total"]["not_enrolled"] == 1
        assert rec["total"]["enrolled_not_paid"] == (1 if working else 0)
        gap = (
            await client.get(
                "/v1/reconciliation/pension/gaps",
                params={"year": 2018, "kind": "not_enrolled"},
                headers=hrss,
            )
        ).json()
        assert [g["id_number"] for g in gap["items"]] == [adults[-1]]
        export = await client.get(
            "/v1/reconciliation/pension/export", params={"year": 2018}, headers=hrss
        )
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(export.content)).active
        values = list(sheet.values)
        assert "导出人" in values[1][0]
        assert values[2][:9] == (
            "乡镇",
            "乡镇名称",  # beside the code, from the division catalogue
            "行政村",
            "户编号",
            "姓名",
            "证件号码",
            "出生日期",
            "贫困状态",
            "问题",
        )
        assert {v[8] for v in values[3:]} <= {"未参保", "已参保未缴费"}
        csv_export = await client.get(
            "/v1/reconciliation/pension/export",
            params={"year": 2018, "format": "csv"},
            headers=hrss,
        )
        assert csv_export.content.decode("utf-8-sig").startswith("乡镇,行政村,户编号")

        # Medical: every registered person must be insured (ENR-M1), children too.
        med = [f"{r[2]},2018,是,是" for r in rows[:5]]
        await client.post(
            "/v1/rolls/medical/imports",
            files={"file": ("m.csv", roll_csv("证件号码,年度,是否缴费,大病保险", med))},
            headers=hrss,
        )
        rec = (
            await client.get("/v1/reconciliation/medical", params={"year": 2018}, headers=hrss)
        ).json()
        assert (rec["total"]["eligible"], rec["total"]["paid"]) == (8, 5)
        # A bad roll line rejects the whole file.
        bad = await client.post(
            "/v1/rolls/medical/imports",
            files={
                "file": (
                    "m.csv",
                    roll_csv("证件号码,年度,是否缴费,大病保险", [*med, "x,2018,是,是"]),
                )
            },
            headers=hrss,
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["row"] == 7


async def test_death_disability_and_household_operations(app_settings) -> None:
    poverty = token(app_settings, Role.county_poverty)
    rows = roster_rows(6, per_household=3)
    async with running(build_app(app_settings)) as client:
        await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=poverty
        )
        n0, n1, n3 = rows[0][2], rows[1][2], rows[3][2]
        resp = await client.post(
            f"/v1/persons/{n1}/death", json={"deceased_on": "2018-03-01"}, headers=poverty
        )
        assert resp.status_code == 200 and resp.json()["deceased_on"] == "2018-03-01"
        again = await client.post(
            f"/v1/persons/{n1}/death", json={"deceased_on": "2018-03-01"}, headers=poverty
        )
        assert again.status_code == 200  # the same report twice changes nothing
        assert events(app_settings.database_url).count("person.deceased") == 1
        bad = await client.post(
            f"/v1/persons/{n1}/death", json={"deceased_on": "2018-13-01"}, headers=poverty
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.deceased_on"
        resp = await client.post(
            f"/v1/persons/{n0}/disability",
            json={"grade": 2, "certified_on": "2018-01-05"},
            headers=poverty,
        )
        assert resp.json()["disability_grade"] == 2
        resp = await client.post(
            f"/v1/persons/{n3}/move", json={"to_household_id": rows[0][0]}, headers=poverty
        )
        assert resp.status_code == 200 and resp.json()["household_id"] == rows[0][0]
        resp = await client.post(
            f"/v1/households/{rows[0][0]}/split",
            json={"new_household_id": "NEW-1", "id_numbers": [n3], "head_id_number": n3},
            headers=poverty,
        )
        assert resp.status_code == 201
        person = (await client.get(f"/v1/persons/{n3}", headers=poverty)).json()
        assert person["household_id"] == "NEW-1"
        out_of_scope = await client.get(
            f"/v1/persons/{n3}", headers=token(app_settings, Role.county_poverty, scope="360222")
        )
        assert out_of_scope.status_code == 404
        types = events(app_settings.database_url)
        assert {"person.disability_certified", "person.moved", "household.split"} <= set(types)


def _age(id_number: str, year: int) -> int:
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return year - born.year


async def test_large_roster_runs_as_a_job_and_one_bad_digit_rejects_it(app_settings) -> None:
    import asyncio

    auth = token(app_settings, Role.county_poverty)
    rows = roster_rows(10_000, seed=5)
    bad = [r[:] for r in rows]
    number = bad[7_777][2]
    bad[7_777][2] = number[:-1] + ("1" if number[-1] != "1" else "2")
    async with running(build_app(app_settings)) as client:

        async def finished(resp: Response) -> dict[str, Any]:
            assert resp.status_code == 202, resp.text
            location = resp.headers["Location"]
            for _ in range(600):
                job = (await client.get(location, headers=auth)).json()
                if job["status"] in ("done", "failed"):
                    return job
                await asyncio.sleep(0.1)
            raise AssertionError("job never finished")

        job = await finished(
            await client.post(
                "/v1/registry/imports", files={"file": ("big.csv", roster_csv(bad))}, headers=auth
            )
        )
        assert job["status"] == "failed"
        assert job["error_count"] == 1
        assert job["errors"][0]["row"] == 7_779 and job["errors"][0]["field"] == "id_number"
        assert (await client.get("/v1/registry/missing", headers=auth)).status_code == 200
        assert events(app_settings.database_url) == []  # nothing written

        job = await finished(
            await client.post(
                "/v1/registry/imports", files={"file": ("big.csv", roster_csv(rows))}, headers=auth
            )
        )
        assert job["status"] == "done"
        assert job["rows_done"] == job["rows_total"] == 10_000
        assert job["result"]["persons_created"] == 10_000
        # The same roster again: idempotent, nothing published.
        before = len(events(app_settings.database_url))
        job = await finished(
            await client.post(
                "/v1/registry/imports", files={"file": ("big.csv", roster_csv(rows))}, headers=auth
            )
        )
        assert job["result"]["persons_unchanged"] == 10_000
        assert len(events(app_settings.database_url)) == before
