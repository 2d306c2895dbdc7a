"""Cross-check benchmark (WEL-8): a county registry read model of a million people with their
economic facts, 特困 cases and a dibao roll, checked in one run, on SQLite and PostgreSQL.

    .venv/bin/python bench/welfare_crosscheck.py [--people 1000000] [--backends sqlite,postgresql]

The data set is written by bulk Core inserts into a fresh database migrated to the welfare
schema: households of 4 over the 9 townships of county 532325, a third exited (since dates
spread over 2024-2025), 90% surveyed, about 5% of those 两无; 3% of people on dibao (the set is
handed to the run as `persons_on_dibao` would return it) and 0.5% on 特困. The run itself goes
in a fresh spawned process, so its time and peak RSS are its own. Uses BENCH_DATABASE_URL when
set, otherwise starts a throwaway PostgreSQL. Prints figures beside the aim (30 s); asserts
nothing about speed.

`bench_crosscheck(backend, people)` returns the figures as a dict for other benchmarks."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import in_child, peak_rss_mib
from shared.ids import make_resident_id

COUNTY = "532325"
TOWNSHIPS = tuple(
    f"{COUNTY}{c}" for c in ("100", "101", "102", "103", "104", "105", "200", "201", "202")
)
ON = date(2026, 3, 5)
EPOCH = date(1940, 1, 1)
SLOTS = 75 * 365 * 1000
STRIDE = 1_000_003
CHUNK = 20_000
STAMP = datetime(2026, 3, 1, tzinfo=UTC)


def _number(i: int) -> tuple[str, date]:
    slot = i * STRIDE % SLOTS
    born = EPOCH + timedelta(days=slot // 1000)
    sequence, odd = divmod(slot % 1000, 2)
    return make_resident_id(COUNTY, born, sequence, "M" if odd else "F"), born


def build(url: str, people: int, seed: int = 1) -> dict[str, Any]:
    """A fresh welfare database with `people` registered people; returns the dibao set's size
    and the counts written. Dibao person ids are stored in a side file for the run."""
    from sqlalchemy import insert

    from services.welfare.crosscheck.models import EconomicFacts
    from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
    from services.welfare.tekun.models import TekunCase
    from shared.db import make_engine, table_of
    from shared.migrations import upgrade

    upgrade("welfare", url)
    engine = make_engine(url)
    rng = random.Random(seed)
    P, H = table_of(RegistryPerson), table_of(RegistryStatusHistory)
    F, T = table_of(EconomicFacts), table_of(TekunCase)
    started = time.time()
    counts: dict[str, float] = {
        "people": 0,
        "facts": 0,
        "two_without": 0,
        "exited": 0,
        "tekun": 0,
        "dibao": 0,
    }
    dibao: list[str] = []
    persons: list[dict] = []
    history: list[dict] = []
    facts: list[dict] = []
    tekun: list[dict] = []

    def flush(conn: Any) -> None:
        for table, rows in ((P, persons), (H, history), (F, facts), (T, tekun)):
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()

    with engine.begin() as conn:
        for i in range(people):
            h = i // 4
            town = TOWNSHIPS[h % len(TOWNSHIPS)]
            village = f"{town}{200 + h // len(TOWNSHIPS) % 8:03d}"
            household = f"{COUNTY}-{h:07d}"
            number, born = _number(i)
            pid = f"p{i:07d}"
            exited = h % 3 == 1
            since = date(2024, 1, 1) + timedelta(days=h % 700) if exited else date.min
            status = "exited" if exited else "not_exited"
            persons.append(
                {
                    "person_id": pid, "id_number": number, "household_id": household,
                    "name": f"居民{i}", "sex": "M", "birth_date": born, "relation": None,
                    "disability_grade": None, "county_code": COUNTY, "township_code": town,
                    "village_code": village, "poverty_status": status, "status_since": since,
                    "deceased_on": None, "updated_at": STAMP, "source_event_id": "bench",
                }
            )  # fmt: skip
            history.append(
                {"person_id": pid, "status": status, "valid_from": since, "source_event_id": "b"}
            )
            counts["exited"] += exited
            if rng.random() < 0.9:
                two = rng.random() < 0.05
                ability = "none" if two else rng.choice(("full", "full", "partial"))
                facts.append(
                    {
                        "person_id": pid, "work_ability": ability, "has_income": not two,
                        "survey_year": 2025, "source": "bench", "updated_by": "bench",
                        "updated_at": STAMP,
                    }
                )  # fmt: skip
                counts["facts"] += 1
                counts["two_without"] += two
            r = rng.random()
            if r < 0.03:
                dibao.append(pid)
            elif r < 0.035:
                tekun.append(
                    {
                        "person_id": pid, "open_person_id": pid, "household_id": household,
                        "county_code": COUNTY, "township_code": town, "village_code": village,
                        "route": "direct", "status": "certified", "basis": "bench",
                        "self_care": "full", "monthly_amount": 760, "trace": {},
                        "support_mode": "dispersed", "effective_from": date(2025, 1, 1),
                        "created_at": STAMP, "updated_at": STAMP,
                    }
                )  # fmt: skip
                counts["tekun"] += 1
            counts["people"] += 1
            if len(persons) >= CHUNK:
                flush(conn)
        flush(conn)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    counts["dibao"] = len(dibao)
    counts["build_s"] = round(time.time() - started, 1)
    return {"counts": counts, "dibao": dibao}


def _run_child(url: str, dibao: list[str], out: Any) -> None:
    try:
        from sqlmodel import Session

        from services.welfare.crosscheck.run import run_crosscheck
        from shared.auth import Principal
        from shared.db import make_engine
        from shared.policy import PolicySet
        from shared.roles import Role
        from shared.settings import Settings
        from shared.uow import Publisher, UnitOfWork

        policy = PolicySet.load(Settings().policy_dir)
        roll = set(dibao)
        del dibao
        engine = make_engine(url)
        baseline = peak_rss_mib()
        start = time.perf_counter()
        with Session(engine) as session:
            bench = Principal(subject="bench", roles=frozenset({Role.service}), scope="")
            uow = UnitOfWork(session, bench, policy, Publisher("welfare"))
            run = run_crosscheck(uow, COUNTY, ON, dibao=lambda *_: roll)
            session.commit()
            figures = {
                "people_checked": run.people_checked,
                "people_without_facts": run.people_without_facts,
                "findings": run.findings,
            }
        seconds = time.perf_counter() - start
        engine.dispose()
        out.put(("ok", {**figures, "run_s": seconds, "baseline_mib": baseline,
                        "peak_mib": peak_rss_mib()}))  # fmt: skip
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def _measure(url: str, dibao: list[str]) -> dict[str, Any]:
    figures: dict[str, Any] = in_child(_run_child, url, dibao)
    return figures


def bench_crosscheck(backend: str, people: int) -> dict[str, Any]:
    """Build a fresh `backend` database (sqlite | postgresql) of `people` and time one run."""
    from shared.db import drop_database

    pg = None
    work = Path(tempfile.mkdtemp(prefix="bench-crosscheck-"))
    if backend == "sqlite":
        url = f"sqlite:///{work}/welfare.db"
    elif backend == "postgresql":
        from deploy.postgres import LocalPostgres, database_url

        admin = os.environ.get("BENCH_DATABASE_URL")
        if not admin:
            pg = LocalPostgres().start()
            admin = pg.url
        url = database_url(admin, f"bench_crosscheck_{uuid.uuid4().hex[:6]}")
    else:
        raise ValueError(f"unknown backend {backend!r}")
    try:
        built = build(url, people)
        figures = _measure(url, built["dibao"])
        return {"backend": backend, "people": people, **built["counts"], **figures}
    finally:
        drop_database(url)
        if pg:
            pg.stop()
        for f in work.glob("*"):
            f.unlink()
        work.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        try:
            fig = bench_crosscheck(backend, args.people)
        except RuntimeError as exc:
            print(f"{backend}: failed: {exc}")
            continue
        results.append(fig)
        print(
            f"{backend}: {fig['people']:,} people ({fig['facts']:,} surveyed, "
            f"{fig['two_without']:,} 两无, {fig['exited']:,} exited, {fig['dibao']:,} on dibao, "
            f"{fig['tekun']:,} on 特困), built in {fig['build_s']:.1f} s; "
            f"run {fig['run_s']:.2f} s, {fig['findings']:,} findings, "
            f"peak RSS {fig['peak_mib']:.0f} MiB (child start {fig['baseline_mib']:.0f} MiB); "
            f"{os.cpu_count()} cores"
        )
    if results:
        print("aim: run <= 30 s; measured " + ", ".join(
            f"{r['backend']} {r['run_s']:.1f} s" for r in results))  # fmt: skip


if __name__ == "__main__":
    main()
