"""The restore drill: the four services' databases, with a relief case, a roster import and the
audit trail they wrote, are backed up by `python -m deploy.backup create` and restored into a
fresh place (new SQLite files; a new PostgreSQL cluster); the restored databases have every
table's rows, every money column's total and each audit hash chain as backed up, and a restore
that lost a row is caught."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from deploy.backup import MANIFEST, check, create, restore
from deploy.postgres import LocalPostgres, database_url
from services.enrollment.main import build_app as enrollment_app
from services.welfare.main import build_app as welfare_app
from shared.db import make_engine
from shared.roles import Role
from tests.support import welfare_relief as relief
from tests.support.app import make_settings, running, token
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration


async def _write_some(template: str) -> None:
    welfare = make_settings("welfare", template, bus_enabled=False)
    async with running(welfare_app(welfare)) as client:
        relief.seed_registry(welfare.database_url)
        body = relief.accident_case()
        town = token(welfare, Role.township_officer, scope=relief.TOWN_A)
        resp = await client.post("/v1/relief/cases", json=body, headers=town)
        assert resp.status_code == 201, resp.text
    enrollment = make_settings("enrollment", template, bus_enabled=False)
    async with running(enrollment_app(enrollment)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.csv", roster_csv(roster_rows(12)))},
            headers=token(enrollment, Role.county_poverty),
        )
        assert resp.status_code == 201, resp.text


async def test_a_backup_restores_with_every_row_total_and_audit_chain(
    db_template: str, tmp_path: Path
) -> None:
    await _write_some(db_template)
    backup = tmp_path / "backup"
    manifest = create(backup, db_template)
    assert (backup / MANIFEST).exists()
    welfare = manifest["services"]["welfare"]
    assert welfare["tables"]["relief_case"] == 1 and welfare["audit"]["entries"] > 0
    assert welfare["money"]["relief_case.cap"] == "5250.00"
    assert manifest["services"]["enrollment"]["tables"]["person"] == 12

    pg: LocalPostgres | None = None
    if db_template.startswith("sqlite"):
        target = f"sqlite:///{tmp_path}/restored/{{service}}.db"
    else:
        pg = LocalPostgres().start()
        marker = f"restored_{uuid.uuid4().hex[:6]}_SERVICEMARK"
        target = database_url(pg.url, marker).replace("SERVICEMARK", "{service}")
    try:
        restore(backup, target)
        assert check(backup, target) == []
        # A restore that lost a row is caught.
        engine = make_engine(target.replace("{service}", "welfare"))
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM relief_case"))
        engine.dispose()
        problems = check(backup, target)
        assert problems and any(p.startswith("welfare: tables differ") for p in problems)
    finally:
        if pg is not None:
            pg.stop()
