"""Dynamic management (动态管理, WEL-8) over HTTP on SQLite and PostgreSQL: the survey import of
劳动能力 / 有无收入 (a bad file rejected whole, naming row and field), a single edit, the annual
cross-check finding a 两无 person on neither dibao nor 特困 and not one who is on dibao (put on
it through the dibao procedure) or on 特困, exited households on dibao due for review, runs kept
side by side, township worklists in JSON and XLSX, closing a finding, roles and jurisdiction."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from services.welfare import clock
from services.welfare.crosscheck.service import WORKLIST_HEADERS
from services.welfare.main import build_app
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_registry import Registered, exit_household, seed_registered

pytestmark = pytest.mark.integration

COUNTY = "532325"
TOWN, VILLAGE = "532325100", "532325100201"
OTHER_TOWN, OTHER_VILLAGE = "532325101", "532325101202"
TODAY = date(2026, 3, 5)


def num(i: int) -> str:
    return make_resident_id(COUNTY, date(1945 + i, 2, 3), 30 + i, "M" if i % 2 else "F")


# person_id, household, village, name
PEOPLE = [
    ("p-head", "H-1", VILLAGE, "张大"),  # 两无, put on dibao: not reported as 两无
    ("p-wife", "H-1", VILLAGE, "李二"),  # partial work ability, on dibao
    ("x1", "H-2", VILLAGE, "王三"),  # 两无, on nothing: reported
    ("x2", "H-3", OTHER_VILLAGE, "赵四"),  # 两无 by a single edit, other township: reported
    ("x3", "H-4", VILLAGE, "钱五"),  # 两无, on 特困: not reported
    ("x4", "H-5", VILLAGE, "孙六"),  # not surveyed
    ("x5", "H-6", VILLAGE, "周七"),  # 两无, died before the date: not checked
]
NUMBER = {pid: num(i) for i, (pid, *_rest) in enumerate(PEOPLE)}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def seed(url: str) -> None:
    seed_registered(
        url,
        (
            Registered(
                pid, household, village, name, NUMBER[pid],
                deceased_on=date(2025, 12, 1) if pid == "x5" else None,
            )
            for pid, household, village, name in PEOPLE
        ),
    )  # fmt: skip


def exited(url: str, household: str, since: date) -> None:
    exit_household(url, household, [p for p, h, *_ in PEOPLE if h == household], since)


def survey(rows: list[list[str]]) -> bytes:
    lines = ["证件号码,劳动能力,有无收入,调查年度", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


async def put_on_dibao(client: Any, headers: dict[str, dict[str, str]]) -> None:
    """Household H-1 through the WEL-1 procedure (as the dibao service's own tests do)."""
    members = [
        {"id_number": NUMBER["p-head"], "name": "张大", "work_ability": "none"},
        {"id_number": NUMBER["p-wife"], "name": "李二", "work_ability": "partial"},
    ]
    body = {
        "village_code": VILLAGE,
        "applicant_name": "张大",
        "applicant_id_number": NUMBER["p-head"],
        "reason": "年老体弱，无劳动能力",
        "bank_name": "农村信用社",
        "bank_account": "6221000012345678",
        "members": members,
    }
    resp = await client.post("/v1/dibao/applications", json=body, headers=headers["cadre"])
    assert resp.status_code == 201, resp.text
    url = f"/v1/dibao/applications/{resp.json()['id']}"
    review = {
        "members": members,
        "incomes": [{"source": "farming", "annual_amount": "600.00"}],
        "assets_within_limits": True,
    }
    for path, payload, who in (
        ("acceptance", {"accept": True}, "town"),
        ("economic-review", review, "town"),
        ("decision", {"approve": True}, "county"),
        ("notice", {"start": "2026-02-02"}, "town"),
        ("activation", {"effective_from": "2026-03-01"}, "county"),
    ):
        resp = await client.post(f"{url}/{path}", json=payload, headers=headers[who])
        assert resp.status_code == 200, (path, resp.text)


async def test_crosscheck_end_to_end(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    h = {
        "county": token(settings, Role.county_civil, scope=COUNTY, sub="civil"),
        "poverty": token(settings, Role.county_poverty, scope=COUNTY, sub="poverty-office"),
        "town": token(settings, Role.township_officer, scope=TOWN, sub="town"),
        "other_town": token(settings, Role.township_officer, scope=OTHER_TOWN, sub="town2"),
        "cadre": token(settings, Role.village_cadre, scope=VILLAGE, sub="cadre"),
        "far": token(settings, Role.county_civil, scope="520324", sub="far"),
        "hospital": token(settings, Role.hospital, scope=COUNTY, sub="hospital"),
    }
    async with running(build_app(settings)) as client:
        url = settings.database_url
        seed(url)

        # The poverty office's survey; a file with bad rows is rejected whole.
        good = [
            [NUMBER["p-head"], "无劳动能力", "无", "2025"],
            [NUMBER["p-wife"], "部分丧失劳动能力", "无", "2025"],
            [NUMBER["x1"], "无劳动能力", "无", "2025"],
            [NUMBER["x2"], "有劳动能力", "有", "2025"],
            [NUMBER["x3"], "无劳动能力", "无", "2025"],
            [NUMBER["x5"], "无劳动能力", "无", "2025"],
        ]
        imports = "/v1/crosscheck/facts/imports"
        bad_rows = [
            [NUMBER["x1"], "有劳动能力", "有", "2025"],  # valid, but must not be written
            ["532325194501020000", "无劳动能力", "无", ""],  # bad check digit
            [NUMBER["x4"], "很强", "无", ""],  # unknown work ability
            [NUMBER["x4"], "无劳动能力", "maybe", ""],
            [make_resident_id(COUNTY, date(1990, 1, 1), 5, "M"), "无劳动能力", "无", ""],
        ]
        resp = await client.post(
            imports, files={"file": ("s.csv", survey(good), "text/csv")}, headers=h["hospital"]
        )
        assert resp.status_code == 403
        resp = await client.post(
            imports, files={"file": ("s.csv", survey(good), "text/csv")}, headers=h["poverty"]
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["rows"] == 6 and resp.json()["survey_year"] == 2025
        resp = await client.post(
            imports, files={"file": ("bad.csv", survey(bad_rows), "text/csv")}, headers=h["poverty"]
        )
        assert resp.status_code == 422, resp.text
        errors = {(e["row"], e["field"]) for e in resp.json()["errors"]}
        assert errors == {
            (3, "id_number"),
            (4, "work_ability"),
            (5, "has_income"),
            (6, "id_number"),
        }
        facts = await client.get("/v1/crosscheck/facts/x1", headers=h["county"])
        assert facts.json()["work_ability"] == "none" and facts.json()["has_income"] is False
        # A township may not import rows of another township.
        resp = await client.post(
            imports,
            files={"file": ("t.csv", survey([[NUMBER["x2"], "无", "无", ""]]), "text/csv")},
            headers=h["town"],
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["row"] == 2
        # A single edit: x2 lost the ability to work and the income.
        edit = {"work_ability": "none", "has_income": False, "survey_year": 2026}
        assert (
            await client.put("/v1/crosscheck/facts/x2", json=edit, headers=h["town"])
        ).status_code == 404
        resp = await client.put("/v1/crosscheck/facts/x2", json=edit, headers=h["other_town"])
        assert resp.status_code == 200 and resp.json()["source"] == "edit"

        # x3 is supported as 特困 (county certification), H-1 goes on dibao, then exits poverty.
        direct = {
            "person_id": "x3",
            "self_care": "partial",
            "assessed_on": "2025-01-10",
            "effective_from": "2025-03-02",
            "basis": "县民政局特困认定",
        }
        resp = await client.post("/v1/tekun/certifications", json=direct, headers=h["county"])
        assert resp.status_code == 201, resp.text
        await put_on_dibao(client, h)
        exited(url, "H-1", date(2025, 6, 1))

        # The cross-check.
        body = {"county_code": COUNTY, "on": "2026-03-05"}
        assert (
            await client.post("/v1/crosscheck/runs", json=body, headers=h["town"])
        ).status_code == 403
        assert (
            await client.post("/v1/crosscheck/runs", json=body, headers=h["far"])
        ).status_code == 403
        resp = await client.post("/v1/crosscheck/runs", json=body, headers=h["county"])
        assert resp.status_code == 201, resp.text
        run = resp.json()
        assert run["people_checked"] == 6 and run["people_without_facts"] == 1
        assert run["findings"] == 4 and run["rule"] == "WEL-8"
        assert "persons_on_dibao" in run["dibao_source"]
        assert [t["township_code"] for t in run["townships"]] == [TOWN, OTHER_TOWN]
        rid = run["id"]

        listing = await client.get(f"/v1/crosscheck/runs/{rid}/worklist", headers=h["county"])
        found = {(f["person_id"], f["kind"]) for f in listing.json()["items"]}
        assert found == {
            ("x1", "two_without_not_on_dibao"),
            ("x2", "two_without_not_on_dibao"),
            ("p-head", "exited_due_review"),
            ("p-wife", "exited_due_review"),
        }
        items = {f["person_id"]: f for f in listing.json()["items"]}
        assert items["x1"]["on_dibao"] is False and items["x1"]["on_tekun"] is False
        assert items["p-head"]["on_dibao"] is True
        assert items["p-head"]["due_since"] == "2025-09-01"  # exit + 3 months
        assert "WEL-8" in items["x1"]["trace"]["rules"]
        assert items["x1"]["kind_label"] == "两无人员未纳入低保"

        # The township sees its own worklist; the other township its own; no leaks.
        mine = (await client.get(f"/v1/crosscheck/runs/{rid}/worklist", headers=h["town"])).json()
        assert {f["person_id"] for f in mine["items"]} == {"x1", "p-head", "p-wife"}
        other = await client.get(
            f"/v1/crosscheck/runs/{rid}/worklist?kind=two_without_not_on_dibao",
            headers=h["other_town"],
        )
        assert [f["person_id"] for f in other.json()["items"]] == ["x2"]
        assert (await client.get(f"/v1/crosscheck/runs/{rid}", headers=h["far"])).status_code == 404
        assert (
            await client.get(f"/v1/crosscheck/runs/{rid}", headers=h["hospital"])
        ).status_code == 403

        # XLSX for county staff, Chinese headers.
        resp = await client.get(
            f"/v1/crosscheck/runs/{rid}/worklist.xlsx?township={TOWN}", headers=h["county"]
        )
        assert resp.status_code == 200
        rows = [
            list(r)
            for r in load_workbook(io.BytesIO(resp.content))
            .worksheets[0]
            .iter_rows(values_only=True)
        ]
        assert "动态管理比对工作清单" in rows[0][0]
        at = WORKLIST_HEADERS.index("乡镇") + 1
        assert rows[2] == [*WORKLIST_HEADERS[:at], "乡镇名称", *WORKLIST_HEADERS[at:]]
        for header in (
            "乡镇",
            "行政村",
            "户编号",
            "姓名",
            "身份证号码",
            "劳动能力",
            "有无收入",
            "问题类型",
        ):
            assert header in rows[2]
        lines = {r[rows[2].index("姓名")]: dict(zip(rows[2], r, strict=True)) for r in rows[3:]}
        assert set(lines) == {"王三", "张大", "李二"}
        assert lines["王三"]["劳动能力"] == "无劳动能力" and lines["王三"]["有无收入"] == "无"
        assert lines["王三"]["问题类型"] == "两无人员未纳入低保"
        assert lines["王三"]["处理状态"] == "待核实"

        # Closing a finding with its outcome.
        close = f"/v1/crosscheck/findings/{items['x1']['id']}/close"
        outcome = {"outcome": "enrolled_dibao", "note": "已受理低保申请"}
        assert (await client.post(close, json=outcome, headers=h["cadre"])).status_code == 403
        assert (await client.post(close, json=outcome, headers=h["other_town"])).status_code == 404
        resp = await client.post(close, json=outcome, headers=h["town"])
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "closed" and resp.json()["closed_by"] == "town"
        assert (await client.post(close, json=outcome, headers=h["town"])).status_code == 409
        summary = (await client.get(f"/v1/crosscheck/runs/{rid}", headers=h["town"])).json()
        two = [
            k for k in summary["townships"][0]["by_kind"] if k["kind"] == "two_without_not_on_dibao"
        ]
        assert (two[0]["open"], two[0]["closed"]) == (0, 1)

        # Re-running the same county and date adds a run; the first is kept as it was.
        again = await client.post("/v1/crosscheck/runs", json=body, headers=h["county"])
        assert again.status_code == 201 and again.json()["id"] != rid
        assert again.json()["findings"] == 4
        runs = (
            await client.get(f"/v1/crosscheck/runs?county={COUNTY}", headers=h["county"])
        ).json()
        assert [r["id"] for r in runs] == [again.json()["id"], rid]
        first = (
            await client.get(
                f"/v1/crosscheck/runs/{rid}/worklist?status=closed", headers=h["county"]
            )
        ).json()
        assert [f["person_id"] for f in first["items"]] == ["x1"]

        # Earlier, before H-1 was on dibao or had exited, before x3's 特困 and x5's death: H-1's
        # head, x3 and x5 were 两无 people outside dibao.
        early = await client.post(
            "/v1/crosscheck/runs",
            json={"county_code": COUNTY, "on": "2025-03-01"},
            headers=h["county"],
        )
        assert early.status_code == 201, early.text
        rows_early = (
            await client.get(
                f"/v1/crosscheck/runs/{early.json()['id']}/worklist", headers=h["county"]
            )
        ).json()["items"]
        assert {(f["person_id"], f["kind"]) for f in rows_early} == {
            ("p-head", "two_without_not_on_dibao"),
            ("x1", "two_without_not_on_dibao"),
            ("x2", "two_without_not_on_dibao"),
            ("x3", "two_without_not_on_dibao"),  # 特困 only from 2025-03-02
            ("x5", "two_without_not_on_dibao"),
        }
