"""Backup and restore of the four services' databases, and the drill that proves a restore.

    python -m deploy.backup create  --to DIR   [--database-url URL]
    python -m deploy.backup restore --from DIR [--database-url URL]
    python -m deploy.backup check   --from DIR [--database-url URL]

`--database-url` is a template like DATABASE_URL (`{service}` stands for the service name; the
default is DATABASE_URL, else the SQLite files under DATA_DIR). PostgreSQL databases are dumped
with `pg_dump -Fc` (a consistent snapshot while the services run) and restored with
`pg_restore` into a database created for it; SQLite files are copied with SQLite's online
backup. Beside the dumps, `manifest.json` records per service what the restore must give back:
each table's rows, the sum of each money column, and the audit trail's length and last hash.
`check` (run after `restore`, and by `restore` itself) compares the restored databases with the
manifest and verifies each audit hash chain; it exits 1 on any difference."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Numeric, func, select, text
from sqlalchemy.engine import Connection, make_url

from deploy.postgres import server_bin_dir
from shared import SERVICES
from shared.audit.store import verify
from shared.audit.table import audit_log_table
from shared.db import ensure_database, make_engine
from shared.settings import Settings

MANIFEST = "manifest.json"


def service_url(template: str, service: str) -> str:
    return template.replace("{service}", service)


def default_template() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    return f"sqlite:///{Settings().data_dir}/{{service}}.db"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = server_bin_dir()
    return str(found / name) if found is not None else name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError(f"not a SQLite file: {url}")
    return Path(database)


def snapshot(conn: Connection, service: str) -> dict[str, Any]:
    """What a restore must give back: rows per table, money sums, the audit trail's head."""
    meta = MetaData()
    meta.reflect(conn)
    tables: dict[str, int] = {}
    money: dict[str, str] = {}
    for table in sorted(meta.tables.values(), key=lambda t: t.name):
        if table.name == "alembic_version":
            continue
        tables[table.name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for column in table.columns:
            if isinstance(column.type, Numeric):
                total: Any = conn.execute(select(func.coalesce(func.sum(column), 0))).scalar_one()
                money[f"{table.name}.{column.name}"] = f"{total:.2f}"
    audit = audit_log_table(service)
    head = conn.execute(
        select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)
    ).first()
    return {
        "tables": tables,
        "money": money,
        "audit": {"entries": head[0] if head else 0, "last_hash": head[1] if head else ""},
    }


def _dump_postgres(url: str, target: Path, service: str) -> dict[str, Any]:
    """pg_dump of the database and its manifest entry, both of one snapshot: the transaction
    that counts exports its snapshot and pg_dump reads that one, so writes made meanwhile by
    the running services are in neither."""
    engine = make_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn, conn.begin():
            exported: str = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            subprocess.run(
                [_pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={exported}",
                 "-f", str(target), _libpq(url)],
                check=True,
                capture_output=True,
            )  # fmt: skip
            return snapshot(conn, service)
    finally:
        engine.dispose()


def _copy_sqlite(url: str, target: Path, service: str) -> dict[str, Any]:
    """SQLite's online backup (consistent while the service writes), described from the copy."""
    source = sqlite3.connect(_sqlite_path(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return snapshot(conn, service)
    finally:
        engine.dispose()


def create(directory: Path, template: str) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"services": {}}
    for service in SERVICES:
        url = service_url(template, service)
        backend = make_url(url).get_backend_name()
        if backend == "postgresql":
            target = directory / f"{service}.dump"
            facts = _dump_postgres(url, target, service)
        else:
            target = directory / f"{service}.db"
            facts = _copy_sqlite(url, target, service)
        manifest["services"][service] = {"backend": backend, "file": target.name, **facts}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def restore(directory: Path, template: str) -> None:
    manifest = json.loads((directory / MANIFEST).read_text())
    for service, entry in manifest["services"].items():
        url = service_url(template, service)
        source = directory / entry["file"]
        if make_url(url).get_backend_name() == "postgresql":
            if entry["backend"] != "postgresql":
                raise ValueError(f"{service}: a {entry['backend']} backup restores to SQLite")
            ensure_database(url)
            subprocess.run(
                [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", _libpq(url),
                 str(source)],
                check=True,
                capture_output=True,
            )  # fmt: skip
        else:
            target = _sqlite_path(url)
            if target.exists() and target.stat().st_size:
                raise FileExistsError(f"{service}: {target} exists; restore into a new place")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def check(directory: Path, template: str) -> list[str]:
    """Differences between the restored databases and the manifest (empty when none)."""
    manifest = json.loads((directory / MANIFEST).read_text())
    problems: list[str] = []
    for service, entry in manifest["services"].items():
        engine = make_engine(service_url(template, service))
        try:
            with engine.connect() as conn:
                found = snapshot(conn, service)
            count, broken = verify(engine, audit_log_table(service))
        finally:
            engine.dispose()
        for part in ("tables", "money", "audit"):
            if found[part] != entry[part]:
                problems.append(f"{service}: {part} differ: {entry[part]} != {found[part]}")
        if broken is not None:
            problems.append(f"{service}: audit chain broken at seq {broken} ({count} entries)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, flag in (("create", "--to"), ("restore", "--from"), ("check", "--from")):
        command = sub.add_parser(name)
        command.add_argument(flag, dest="directory", type=Path, required=True)
        command.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    template = args.database_url or default_template()
    if args.command == "create":
        manifest = create(args.directory, template)
        for service, entry in manifest["services"].items():
            rows = sum(entry["tables"].values())
            print(f"{service}: {entry['file']} ({rows} rows, {entry['audit']['entries']} audit)")
        return 0
    if args.command == "restore":
        restore(args.directory, template)
    problems = check(args.directory, template)
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("restored databases match the manifest; audit chains intact")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
