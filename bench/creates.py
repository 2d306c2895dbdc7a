"""Creates that must happen once: what the atomic insert costs, and what the same request posted
20 times at once costs, on SQLite and PostgreSQL.

    .venv/bin/python bench/creates.py [--inserts 2000] [--rounds 20] [--backends sqlite,postgresql]

1. One insert per transaction, `insert_new` (a savepoint; a unique key answers the repeat)
   beside the plain `session.add` + flush it replaced, both in the same run: registry people
   into a fresh, migrated enrollment database.
2. A new household member (POST /v1/households/{id}/members) posted 20 times at once, in
   process over HTTP, `--rounds` times with a new person each round: one 201 and 19 409s a
   round. On SQLite with the process's write lock (how requests queue today) beside without it
   (the database's own lock, BEGIN IMMEDIATE, and busy_timeout); on PostgreSQL as it runs.

Each backend runs in a fresh spawned process. Uses BENCH_DATABASE_URL when set, otherwise starts
a throwaway PostgreSQL. Prints figures and ratios; asserts nothing about speed."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, in_child
from deploy.postgres import LocalPostgres, database_url
from shared.db import drop_database
from shared.ids import make_resident_id

COUNTY, TOWN, VILLAGE = "532325", "532325100", "532325100201"
AT_ONCE = 20


def _person(i: int, household: str) -> Any:
    from services.enrollment.registry.models import Person

    born = date(1950, 1, 1).toordinal() + i % 20_000
    number = make_resident_id(COUNTY, date.fromordinal(born), i // 20_000 % 900, "M")
    return Person(
        id=str(uuid.uuid4()),
        id_number=number,
        household_id=household,
        name=f"居民{i}",
        sex="M",
        birth_date=date.fromordinal(born),
    )


def _household(url: str, household: str) -> None:
    from sqlmodel import Session

    from services.enrollment.registry.models import Household
    from shared.db import make_engine
    from shared.domain import PovertyStatus

    engine = make_engine(url)
    with Session(engine) as session:
        session.add(
            Household(
                id=household, county_code=COUNTY, township_code=TOWN, village_code=VILLAGE,
                poverty_status=PovertyStatus.not_exited,
            )
        )  # fmt: skip
        session.commit()
    engine.dispose()


def _inserts(url: str, n: int) -> dict[str, float]:
    """Creates per second: plain add + flush, then insert_new, one transaction each."""
    from sqlmodel import Session

    from shared.db import make_engine
    from shared.repository import insert_new

    engine = make_engine(url)
    rates: dict[str, float] = {}
    for name, offset in (("add", 0), ("insert_new", n)):
        start = time.perf_counter()
        for i in range(offset, offset + n):
            with Session(engine) as session:
                row = _person(i, "B-1")
                if name == "add":
                    session.add(row)
                    session.flush()
                else:
                    assert insert_new(session, row)
                session.commit()
        rates[name] = n / (time.perf_counter() - start)
    engine.dispose()
    return rates


async def _posts(url: str, rounds: int, process_lock: bool) -> dict[str, float]:
    """Seconds per round of AT_ONCE identical member posts, and the answers' status codes."""
    import httpx

    from services.enrollment.main import build_app
    from shared import app as shared_app
    from shared.auth import mint_token
    from shared.settings import Settings

    if not process_lock:
        from contextlib import nullcontext

        setattr(shared_app, "write_lock", lambda _engine: nullcontext())  # noqa: B010
    settings = Settings.model_validate(
        {
            "service_name": "enrollment", "app_env": "test", "database_url": url,
            "bus_enabled": False, "log_level": "WARNING",
        }
    )  # fmt: skip
    auth = {
        "Authorization": "Bearer "
        + mint_token(settings, subject="bench", roles=["county_poverty"], scope=COUNTY)
    }
    app = build_app(settings)
    codes: dict[int, int] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            start = time.perf_counter()
            for r in range(rounds):
                # Born in 2001 onwards: no one the inserts wrote (born from 1950) has the number.
                born = date(2001, 1, 1) + timedelta(days=r)
                body = {"id_number": make_resident_id(COUNTY, born, 7, "F"), "name": "新成员"}
                answers = await asyncio.gather(
                    *(
                        client.post("/v1/households/B-2/members", json=body, headers=auth)
                        for _ in range(AT_ONCE)
                    )
                )
                for a in answers:
                    codes[a.status_code] = codes.get(a.status_code, 0) + 1
            elapsed = time.perf_counter() - start
    return {"round_s": elapsed / rounds, **{f"status_{k}": float(v) for k, v in codes.items()}}


def run_backend(url: str, inserts: int, rounds: int, process_lock: bool, out: Any) -> None:
    try:
        from shared.migrations import upgrade

        upgrade("enrollment", url)
        _household(url, "B-1")
        _household(url, "B-2")
        figures: dict[str, Any] = {}
        if process_lock:
            figures["inserts"] = _inserts(url, inserts)
        figures["posts"] = asyncio.run(_posts(url, rounds, process_lock))
        out.put(("ok", figures))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def _measure(backends: list[str], inserts: int, rounds: int) -> dict[str, dict[str, Any]]:
    """backend (and SQLite without the process lock) → its figures, each in a fresh process."""
    pg: LocalPostgres | None = None
    admin = os.environ.get("BENCH_DATABASE_URL")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-creates-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    results: dict[str, dict[str, Any]] = {}
    try:
        for backend in backends:
            variants = [("sqlite", True), ("sqlite-no-lock", False)] if backend == "sqlite" else []
            for name, lock in variants or [(backend, True)]:
                if backend == "sqlite":
                    url = f"sqlite:///{tmp}/{name}.db"
                else:
                    if admin is None:
                        pg = LocalPostgres()
                        pg.start()
                        admin = pg.url
                    url = database_url(admin, f"bench_creates_{uuid.uuid4().hex[:8]}")
                print(f"{name}: creates", file=sys.stderr)
                results[name] = in_child(run_backend, url, inserts, rounds, lock)
                if backend != "sqlite":
                    drop_database(url)
    finally:
        if pg is not None:
            pg.stop()
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()
    return results


def _codes(posts: dict[str, float]) -> str:
    return ", ".join(
        f"{k[7:]}×{int(v)}" for k, v in sorted(posts.items()) if k.startswith("status")
    )


def creates_rows(
    inserts: int = 2_000, rounds: int = 20, backends: tuple[str, ...] = ("sqlite", "postgresql")
) -> list[Row]:
    """The rows of the performance table: the atomic insert beside the plain one, per backend;
    20 identical posts at once, SQLite without the process lock beside with it."""
    results = _measure(list(backends), inserts, rounds)
    rows: list[Row] = []
    for backend in backends:
        run = results[backend]
        rates = run["inserts"]
        rows.append(
            Row(
                workload=f"one create per transaction, insert_new ({inserts:,})",
                backend=backend,
                figure=f"{rates['insert_new']:,.0f} creates/s",
                reference=f"plain add + flush {rates['add']:,.0f} creates/s",
                ratio=rates["insert_new"] / rates["add"],
            )
        )
        posts = run["posts"]
        reference = ""
        ratio = None
        if backend == "sqlite":
            locked, unlocked = posts, results["sqlite-no-lock"]["posts"]
            rows.append(
                Row(
                    workload=f"{AT_ONCE} identical member posts at once, no process lock",
                    backend=backend,
                    figure=f"{unlocked['round_s'] * 1000:,.0f} ms a round ({_codes(unlocked)})",
                    reference=(
                        f"with the process lock {locked['round_s'] * 1000:,.0f} ms "
                        f"({_codes(locked)})"
                    ),
                    ratio=locked["round_s"] / unlocked["round_s"],
                )
            )
            continue
        rows.append(
            Row(
                workload=f"{AT_ONCE} identical member posts at once",
                backend=backend,
                figure=f"{posts['round_s'] * 1000:,.0f} ms a round ({_codes(posts)})",
                reference=reference,
                ratio=ratio,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inserts", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = creates_rows(args.inserts, args.rounds, tuple(args.backends.split(",")))
    print(f"\nCreates that must happen once ({args.inserts:,} inserts, {args.rounds} rounds)")
    for row in rows:
        ratio = f" (ratio {row.ratio:.2f})" if row.ratio is not None else ""
        print(f"  {row.backend:10s} {row.workload}: {row.figure}; {row.reference}{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
