"""Alembic, one history per service. Every service shares this env logic; its env.py names the
tables it owns so that autogenerate and `alembic check` never touch another service's tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool, text
from sqlmodel import SQLModel

import shared.db  # noqa: F401  (naming convention before any table)
from shared import REPO_ROOT
from shared.db import ensure_database, make_engine


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "services" / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


_MIGRATION_LOCK = 0x6D696772  # "migr": one key for every service's database


def upgrade(service: str, url: str) -> None:
    ensure_database(url)
    command.upgrade(alembic_config(service, url), "head")


def run_env(tables: Iterable[str]) -> None:
    """Body of each service's migrations/env.py."""
    owned = set(tables)

    def include_object(obj: Any, name: str | None, type_: str, _reflected: bool, _c: Any) -> bool:
        if type_ == "table":
            return name in owned
        table = getattr(obj, "table", None)
        return table is None or table.name in owned

    cfg = context.config
    url = cfg.get_main_option("sqlalchemy.url")
    assert url is not None
    opts: dict[str, Any] = {
        "target_metadata": SQLModel.metadata,
        "include_object": include_object,
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Workers and replicas of a service start together: one migrates, the others
                # wait here and then find the schema at head.
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


def _format(script: Any) -> None:
    """Generated revisions follow the code style (`ruff format --check` runs in CI)."""
    import subprocess
    import sys

    for one in script if isinstance(script, list) else [script]:
        if one is not None:
            subprocess.run([sys.executable, "-m", "ruff", "format", "-q", one.path], check=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m shared.migrations upgrade|check|revision SERVICE [-m MESSAGE]`."""
    import argparse
    import tempfile

    from shared import SERVICES
    from shared.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    parser.add_argument("command", choices=["upgrade", "check", "revision"])
    parser.add_argument("service", choices=[*SERVICES, "all"])
    parser.add_argument("-m", "--message", default="change")
    args = parser.parse_args(argv)
    services = SERVICES if args.service == "all" else (args.service,)
    for service in services:
        __import__(f"services.{service}.models")
        if args.command == "upgrade":
            upgrade(service, Settings(service_name=service).database_url)
            continue
        # check / revision compare the models with a fresh database at head.
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/{service}.db"
            cfg = alembic_config(service, url)
            command.upgrade(cfg, "head")
            if args.command == "check":
                command.check(cfg)
                print(f"{service}: models and migrations agree")
            else:
                script = command.revision(cfg, message=args.message, autogenerate=True)
                _format(script)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
