"""The registry import over HTTP, on SQLite and PostgreSQL: validation, all-or-nothing, outbox."""

import json

import pytest
from sqlmodel import Session, func, select

from services.enrollment.main import build_app
from services.enrollment.models import Household, Person
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, read_rows
from tests.support.app import make_settings, running, token
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with Session(engine) as s:
        result = (
            s.exec(select(func.count()).select_from(Household)).one(),
            s.exec(select(func.count()).select_from(Person)).one(),
            s.exec(select(func.count()).select_from(OutboxEvent)).one(),
        )
    engine.dispose()
    return result


async def test_import_is_all_or_nothing_and_idempotent(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    app = build_app(settings)
    auth = token(settings, Role.county_poverty)
    rows = roster_rows(40)
    async with running(app) as client:
        bad = [list(r) for r in rows]
        bad[17][2] = bad[17][2][:-1] + ("1" if bad[17][2][-1] != "1" else "2")
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(bad))}, headers=auth
        )
        assert resp.status_code == 422
        assert resp.headers["content-type"].startswith("application/problem+json")
        problem = resp.json()
        assert problem["errors"] == [
            {
                "field": "id_number",
                "reason": problem["errors"][0]["reason"],
                "value": problem["errors"][0]["value"],
                "row": 19,
            }
        ]
        assert "check digit" in problem["errors"][0]["reason"]
        assert counts(settings.database_url) == (0, 0, 0)

        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert resp.status_code == 201, resp.text
        body = resp.json()["result"]
        assert (body["households_created"], body["persons_created"]) == (10, 40)
        assert counts(settings.database_url) == (10, 40, 50)  # 10 households + 40 people

        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert resp.json()["result"]["persons_unchanged"] == 40
        assert counts(settings.database_url) == (10, 40, 50)  # re-import publishes nothing

        rows[5][1] = "改名"
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert resp.json()["result"]["persons_updated"] == 1
        assert counts(settings.database_url) == (10, 40, 51)


async def test_person_in_another_household_is_a_conflict(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    app = build_app(settings)
    auth = token(settings, Role.county_poverty)
    rows = roster_rows(4, per_household=2)
    async with running(app) as client:
        await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        # a member of household 2 now listed under household 1
        rows[3] = [rows[0][0], *rows[3][1:4], *rows[0][4:]]
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert resp.status_code == 409
        assert resp.json()["errors"][0]["row"] == 5
        assert counts(settings.database_url) == (2, 4, 6)


async def test_auth_role_and_jurisdiction(tmp_path) -> None:
    settings = make_settings(
        "enrollment", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False
    )
    app = build_app(settings)
    files = {"file": ("r.csv", roster_csv(roster_rows(2)))}
    async with running(app) as client:
        resp = await client.post("/v1/registry/imports", files=files)
        assert resp.status_code == 401
        resp = await client.post(
            "/v1/registry/imports", files=files, headers={"Authorization": "Bearer nonsense"}
        )
        assert resp.status_code == 401
        resp = await client.post(
            "/v1/registry/imports", files=files, headers=token(settings, Role.county_medical)
        )
        assert resp.status_code == 403
        resp = await client.post(
            "/v1/registry/imports",
            files=files,
            headers=token(settings, Role.county_poverty, scope="360222"),
        )
        assert resp.status_code == 403
        assert "jurisdiction" in resp.json()["errors"][0]["reason"]
        assert counts(settings.database_url) == (0, 0, 0)


async def test_bad_uploads(tmp_path) -> None:
    settings = make_settings(
        "enrollment",
        f"sqlite:///{tmp_path}/{{service}}.db",
        bus_enabled=False,
        max_upload_bytes=500,
    )
    app = build_app(settings)
    auth = token(settings, Role.county_poverty)
    async with running(app) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.csv", roster_csv(roster_rows(20)))},
            headers=auth,
        )
        assert resp.status_code == 413
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.png", b"\x89PNG....", "image/png")},
            headers=auth,
        )
        assert resp.status_code == 415
        resp = await client.post("/v1/registry/imports", headers=auth)
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "body.file"
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", b"\xff\xfe\x00bad")}, headers=auth
        )
        assert resp.status_code == 422


async def test_policy_parameters_endpoint(tmp_path) -> None:
    settings = make_settings("medical", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False)
    from services.medical.main import build_app as build_medical

    async with running(build_medical(settings)) as client:
        auth = token(settings, Role.auditor)
        resp = await client.get(
            "/v1/policy/parameters", params={"county": "520324", "on": "2018-07-01"}, headers=auth
        )
        assert resp.status_code == 200
        params = {p["path"]: p for p in resp.json()["parameters"]}
        assert params["welfare.dibao.rural_standard"]["value"] == "3876"
        assert params["welfare.dibao.rural_standard"]["county_override"] is True
        assert params["welfare.tekun.monthly_support"]["reference"].startswith("ZA-GOV")
        assert params["welfare.tekun.monthly_support"]["illustrative"] is False
        # A county the seeds never name: the same figure, flagged illustrative.
        fresh = await client.get(
            "/v1/policy/parameters", params={"county": "522121", "on": "2018-07-01"}, headers=auth
        )
        other = {p["path"]: p for p in fresh.json()["parameters"]}
        assert other["welfare.tekun.monthly_support"]["illustrative"] is True
        assert other["welfare.tekun.monthly_support"]["county_override"] is False
        # The check sheet for county staff: XLSX with Chinese headers, one row per figure.
        sheet = await client.get(
            "/v1/policy/parameters",
            params={"county": "520324", "on": "2018-07-01", "format": "xlsx"},
            headers=auth,
        )
        assert sheet.status_code == 200
        assert sheet.headers["content-type"].startswith(XLSX_MEDIA)
        rows = list(read_rows(sheet.content, "p.xlsx"))
        assert rows[1][:2] == ["参数", "说明"] and "依据（文件及条款）" in rows[1]
        by_path = {r[0]: r for r in rows[2:]}
        assert by_path["welfare.dibao.rural_standard"][2] == "3876"
        assert by_path["welfare.dibao.rural_standard"][6:8] == ["是", "否"]
        assert len(by_path) == len(params)
        resp = await client.get("/v1/policy/parameters", params={"on": "2018-13-01"}, headers=auth)
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "query.on"
        assert (await client.get("/v1/policy/parameters")).status_code == 401
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"


async def test_social_security_card_account_travels_with_the_person(db_template: str) -> None:
    """The roster's 开户银行 / 银行账号 are kept on the person and carried by person.registered
    (welfare pays assistance into it); a later roster without them keeps the account and
    publishes nothing."""
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    auth = token(settings, Role.county_poverty)
    rows = roster_rows(2)
    header = "户编号,姓名,证件号码,与户主关系,县,乡镇,行政村,贫困状态,开户银行,银行账号"
    with_card = [[*rows[0], "农村信用社", "6217000011112222"], [*rows[1], "", ""]]
    async with running(build_app(settings)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.csv", roster_csv(with_card, header))},
            headers=auth,
        )
        assert resp.status_code == 201, resp.text
        resp = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=auth
        )
        assert resp.json()["result"]["persons_unchanged"] == 2
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        people = {p.id_number: p for p in s.exec(select(Person))}
        payloads = [
            json.loads(e.payload)
            for e in s.exec(
                select(OutboxEvent).where(OutboxEvent.event_type == "person.registered")
            )
        ]
    engine.dispose()
    assert people[rows[0][2]].bank_account == "6217000011112222"
    assert people[rows[1][2]].bank_account is None
    cards = {p["id_number"]: p.get("bank_account") for p in payloads}
    assert cards == {rows[0][2]: "6217000011112222", rows[1][2]: None}
