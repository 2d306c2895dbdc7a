"""The audit trail over HTTP, on SQLite and PostgreSQL: changes made through two services are in
their logs with before and after; the verify command passes, and fails naming the seq once an
entry is edited or deleted by SQL; concurrent requests keep one chain; auditors (and admins)
read it within their scope, other roles get 403."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.enrollment.main import build_app as enrollment_app
from services.welfare.main import build_app as welfare_app
from shared import REPO_ROOT
from shared.audit.__main__ import main as audit_main
from shared.db import make_engine
from shared.roles import Role
from tests.support import welfare_relief as relief
from tests.support.app import make_settings, running, token
from tests.support.roster import roster_csv, roster_rows
from tests.support.welfare_tekun import COUNTY, TOWN_A, VILLAGE_A, seed

pytestmark = pytest.mark.integration

PEOPLE = [(f"p{i}", f"H{i}", TOWN_A, VILLAGE_A) for i in range(8)]


def verify(service: str, url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = audit_main(["verify", service, "--database-url", url])
    return code, capsys.readouterr().out.strip().splitlines()[-1]


def sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


async def entries(client: httpx.AsyncClient, auth: dict[str, str], **query: Any) -> list[dict]:
    resp = await client.get("/v1/audit", params=query, headers=auth)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_welfare_changes_verify_and_tampering(
    db_template: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    cadre = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre-a")
    town = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a")
    auditor = token(settings, Role.auditor, scope=COUNTY, sub="auditor-1")
    url = settings.database_url
    async with running(welfare_app(settings)) as client:
        seed(url, PEOPLE)  # read model written directly: not a change through the service
        body = {"person_id": "p0", "self_care": "partial", "assessed_on": "2018-05-20"}
        resp = await client.post("/v1/tekun/cases", json=body, headers=cadre)
        assert resp.status_code == 201, resp.text
        case_id = str(resp.json()["id"])
        resp = await client.post(
            f"/v1/tekun/cases/{case_id}/steps",
            json={"to": "township_reviewed", "note": "审核通过"},
            headers=town,
        )
        assert resp.status_code == 200, resp.text

        log = await entries(client, auditor, entity="tekun_case", key=case_id)
        created, reviewed = log[0], log[-1]
        assert created["operation"] == "insert" and created["before"] is None
        assert created["after"]["status"] == "applied"
        assert (created["actor"], created["roles"]) == ("cadre-a", "village_cadre")
        assert created["action"] == "POST /v1/tekun/cases"
        assert created["division_code"] == VILLAGE_A
        assert reviewed["actor"] == "town-a"
        assert reviewed["action"] == "POST /v1/tekun/cases/{case_id}/steps"
        assert reviewed["before"]["status"] == "applied"
        assert reviewed["after"]["params"]["status"] == "township_reviewed"
        # Nothing of the bus is audited; the step record is.
        every = await entries(client, auditor, limit=1000)
        assert {e["entity"] for e in every} >= {"tekun_case", "workflow_step"}
        assert not {e["entity"] for e in every} & {"outbox_event", "processed_event"}

        # Concurrent requests: one chain, no gap, no fork.
        async def apply(pid: str) -> int:
            one = {"person_id": pid, "self_care": "full", "assessed_on": "2018-05-21"}
            return (await client.post("/v1/tekun/cases", json=one, headers=cadre)).status_code

        codes = await asyncio.gather(*(apply(p[0]) for p in PEOPLE[1:]))
        assert codes == [201] * (len(PEOPLE) - 1)
        every = await entries(client, auditor, limit=1000)
        assert [e["seq"] for e in every] == list(range(1, len(every) + 1))
        assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(every))
        creations = [e for e in every if e["entity"] == "tekun_case" and e["operation"] == "insert"]
        assert len(creations) == len(PEOPLE)

        # Roles and scope of the query.
        for role in (Role.county_civil, Role.township_officer, Role.village_cadre):
            resp = await client.get("/v1/audit", headers=token(settings, role, scope=COUNTY))
            assert resp.status_code == 403
        admin = token(settings, Role.admin, scope="")
        assert len(await entries(client, admin, limit=1000)) == len(every)
        assert await entries(client, token(settings, Role.auditor, scope="532325")) == []
        assert await entries(client, auditor, actor="nobody") == []
        page = await client.get("/v1/audit", params={"limit": 2}, headers=auditor)
        assert page.json()["next_after_seq"] == 2
        later = await entries(client, auditor, after_seq=2, limit=1)
        assert later[0]["seq"] == 3

    intact = f"welfare: audit chain intact ({len(every)} entries)"
    assert verify("welfare", url, capsys) == (0, intact)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "shared.audit", "verify", "welfare", "--database-url", url],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    sql(url, 'UPDATE welfare_audit_log SET after = \'{"status": "certified"}\' WHERE seq = 5')
    code, out = verify("welfare", url, capsys)
    assert code == 1 and "broken at seq 5" in out
    sql(url, "DELETE FROM welfare_audit_log WHERE seq = 3")
    code, out = verify("welfare", url, capsys)
    assert code == 1 and "broken at seq 3" in out


async def test_enrollment_import_is_audited(
    db_template: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    poverty = token(settings, Role.county_poverty, sub="poverty-office")
    auditor = token(settings, Role.auditor)
    rows = roster_rows(6)
    async with running(enrollment_app(settings)) as client:
        files = {"file": ("r.csv", roster_csv(rows))}
        resp = await client.post("/v1/registry/imports", files=files, headers=poverty)
        assert resp.status_code == 201, resp.text
        old_name, rows[2][1] = rows[2][1], "改了名"
        files = {"file": ("r.csv", roster_csv(rows))}
        resp = await client.post("/v1/registry/imports", files=files, headers=poverty)
        assert resp.json()["result"]["persons_updated"] == 1

        log = await entries(client, auditor, entity="person", limit=1000)
        bulk = [e for e in log if e["operation"] == "bulk_insert"]
        # Parameter sets always; rows as the driver reports them (psycopg's batches do not).
        assert len(bulk) == 1 and bulk[0]["after"]["statements"] == 6
        assert bulk[0]["after"]["rows"] in (6, None)
        assert len(bulk[0]["after"]["params_sha256"]) == 64
        update = next(e for e in log if e["operation"] == "update")
        assert update["actor"] == "poverty-office" and update["action"] == "import roster"
        # Names and ID numbers are masked on both sides.
        assert update["before"]["name"] == old_name[0] + "*" * (len(old_name) - 1)
        assert update["after"]["params"]["name"] == "改**"
        assert "********" in update["before"]["id_number"]
        assert rows[2][2] not in str(log)
        jobs = await entries(client, auditor, entity="import_job", limit=1000)
        assert {"before": {"status": "queued"}, "after": {"status": "running"}} in [
            {"before": e["before"], "after": e["after"]} for e in jobs
        ]
    code, out = verify("enrollment", settings.database_url, capsys)
    assert code == 0, out


async def test_rows_inserted_with_returning_are_audited_with_their_key(db_template: str) -> None:
    """A relief case is written by INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLite reports
    no rowcount for it; the id comes from the database): its entry has the case's id, and so
    have its beneficiaries'; a repeat that inserts nothing adds no entry."""
    settings = relief.app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=relief.TOWN_A, sub="town-a")
    auditor = token(settings, Role.auditor, scope=relief.COUNTY, sub="auditor-1")
    async with running(welfare_app(settings)) as client:
        relief.seed_registry(settings.database_url)
        body = relief.accident_case()
        resp = await client.post("/v1/relief/cases", json=body, headers=town_a)
        assert resp.status_code == 201, resp.text
        case_id = str(resp.json()["id"])
        [created] = await entries(client, auditor, entity="relief_case", key=case_id)
        assert created["operation"] == "insert" and created["actor"] == "town-a"
        assert created["action"] == "POST /v1/relief/cases"
        assert created["after"]["rows"] == 1
        every = await entries(client, auditor, limit=1000)
        assert {"relief_case", "workflow_step"} <= {e["entity"] for e in every}
        assert all(e["entity_key"] for e in every if e["operation"] == "insert"), every
