"""Registry benchmark: a county roster of a million people imported, a pension roll applied and
the coverage reconciled, on SQLite and PostgreSQL, the way the enrollment service does each.

    .venv/bin/python bench/registry.py [--people 1000000] [--backends sqlite,postgresql]
        [--audit on|off|both]

The roster (households of ~4 across the 9 townships of county 532325, valid GB 11643 numbers)
and a 2018 pension roll for its adults (90% enrolled, 85% of those paid, tiers 100..1000, those
60 and over flagged as drawing) are generated once as CSV; generation is timed apart from the
import. Each backend then runs in a fresh spawned process, so its peak RSS is its own. Uses
BENCH_DATABASE_URL when set, otherwise starts a throwaway PostgreSQL. Prints figures beside the
aims; asserts nothing about speed. `--audit` runs the writes with the audit trail on (as the
import job does: one summary entry per bulk statement), off, or both to compare."""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import queue
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, database, in_child, peak_rss_mib
from deploy.postgres import LocalPostgres, database_url
from shared.db import drop_database
from shared.ids import make_resident_id

COUNTY = "532325"
IMPORT_AIM_S = 120.0
PEAK_AIM_MIB = 1.5 * 1024
# Towns 1xx, townships 2xx (GB/T 10114): 6 + 3 = the county's 9 (as YA-HRSS names them).
TOWNSHIPS = tuple(
    f"{COUNTY}{c}" for c in ("100", "101", "102", "103", "104", "105", "200", "201", "202")
)
VILLAGES_PER_TOWNSHIP = 8
YEAR = 2018
ADULT_BORN_BY = date(YEAR - 16, 12, 31)  # 16 or more by the end of the year (ENR-P1)
DRAWING_BORN_BY = date(YEAR - 60, 1, 1)  # 60 or more: draws the pension, as _must_pay reads it
TIERS = tuple(range(100, 1001, 100))
ALLOWED_TIERS = frozenset((*TIERS, 1500, 2000))  # the national tiers, as the roll route checks
PUBLISH = {"service": "enrollment", "topic_prefix": ""}

# Birth dates over 75 years x (500 sequences x 2 sexes) per date is make_resident_id's whole
# space; i -> i * STRIDE mod SLOTS is a bijection on it, so numbers never collide.
EPOCH = date(1940, 1, 1)
DAYS = 75 * 365
SLOTS = DAYS * 1000
STRIDE = 1_000_003  # prime, does not divide SLOTS

ROSTER_HEADER = [
    "户编号", "姓名", "证件号码", "与户主关系", "县", "乡镇", "行政村", "贫困状态",
    "残疾等级", "在校生", "职工养老", "易地搬迁",
]  # fmt: skip
ROLL_HEADER = ["证件号码", "年度", "缴费档次", "是否缴费", "领取待遇"]
STATUSES = ("未脱贫", "已脱贫", "边缘户")
SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "文华明国建平志秀英玉兰芳德永春海云红军丽"
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
SIZE_WEIGHTS = (5, 10, 20, 30, 20, 10, 5)  # mean 4


# --- synthetic data ------------------------------------------------------------------------


def person_number(i: int) -> tuple[str, date]:
    slot = i * STRIDE % SLOTS
    born = EPOCH + timedelta(days=slot // 1000)
    sequence, odd = divmod(slot % 1000, 2)
    return make_resident_id(COUNTY, born, sequence, "M" if odd else "F"), born


def generate(people: int, roster_path: Path, roll_path: Path, seed: int) -> dict[str, int]:
    """Stream both CSV files to disk, so the generator never holds a million rows."""
    if people > SLOTS:
        raise SystemExit(f"at most {SLOTS} distinct ID numbers per county in this generator")
    rng = random.Random(seed)
    households = adults = enrolled = 0
    with (
        roster_path.open("w", encoding="utf-8-sig", newline="") as rf,
        roll_path.open("w", encoding="utf-8-sig", newline="") as lf,
    ):
        roster, roll = csv.writer(rf), csv.writer(lf)
        roster.writerow(ROSTER_HEADER)
        roll.writerow(ROLL_HEADER)
        i = 0
        while i < people:
            h = households
            households += 1
            size = min(rng.choices(HOUSEHOLD_SIZES, SIZE_WEIGHTS)[0], people - i)
            township = TOWNSHIPS[h % len(TOWNSHIPS)]
            village = f"{township}{200 + h // len(TOWNSHIPS) % VILLAGES_PER_TOWNSHIP:03d}"
            household = [
                f"{COUNTY}-{h:07d}",
                None,
                None,
                None,
                COUNTY,
                township,
                village,
                STATUSES[h % 3],
            ]
            relocated = "是" if rng.random() < 0.05 else "否"
            surname = SURNAMES[h % len(SURNAMES)]
            for member in range(size):
                number, born = person_number(i)
                relation = "户主" if member == 0 else "配偶" if member == 1 else "子女"
                household[1] = surname + GIVEN[rng.randrange(20)] + GIVEN[rng.randrange(20)]
                household[2] = number
                household[3] = relation
                grade = str(rng.randint(1, 4)) if rng.random() < 0.03 else ""
                student = "是" if born.year >= YEAR - 22 and rng.random() < 0.3 else "否"
                employee = "是" if rng.random() < 0.02 else "否"
                roster.writerow([*household, grade, student, employee, relocated])
                if born <= ADULT_BORN_BY:
                    adults += 1
                    if rng.random() < 0.9:
                        enrolled += 1
                        paid = "是" if rng.random() < 0.85 else "否"
                        drawing = "是" if born <= DRAWING_BORN_BY else "否"
                        roll.writerow([number, YEAR, rng.choice(TIERS), paid, drawing])
                i += 1
    return {"households": households, "adults": adults, "roll_lines": enrolled}


# --- one backend, in its own process -------------------------------------------------------


def run_backend(url: str, roster_path: str, roll_path: str, audited: bool, out: Any) -> None:
    from shared.correlation import bound_correlation_id

    try:
        # A job runs under its upload request's correlation id; unbound, every event makes one.
        with bound_correlation_id(str(uuid.uuid4())):
            figures = _measure(url, Path(roster_path), Path(roll_path), audited)
        out.put(("ok", figures))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def _measure(url: str, roster_path: Path, roll_path: Path, audited: bool) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from services.enrollment.reconciliation.repository import Scope, gaps, summary
    from services.enrollment.registry.service import roster_import
    from services.enrollment.rolls.parse import parse_roll
    from services.enrollment.rolls.service import apply_roll
    from shared import audit
    from shared.auth import Principal
    from shared.bus.tables import OutboxEvent
    from shared.db import make_engine
    from shared.migrations import upgrade
    from shared.policy import PolicySet
    from shared.roles import Role
    from shared.tabular import read_rows
    from shared.uow import Publisher, UnitOfWork

    phases: list[tuple[str, float, float, str]] = []  # name, seconds, peak MiB so far, note
    figures: dict[str, Any] = {"baseline_mib": peak_rss_mib()}

    def mark(name: str, seconds: float, note: str = "") -> None:
        phases.append((name, seconds, peak_rss_mib(), note))
        print(f"  {name}: {seconds:.2f} s {note}", file=sys.stderr, flush=True)

    def outbox_count(engine: Any) -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(OutboxEvent)).scalar_one()

    start = time.perf_counter()
    upgrade("enrollment", url)
    mark("migrate", time.perf_counter() - start)
    engine = make_engine(url)
    actor = audit.AuditContext("bench", "county_poverty", COUNTY, "import roster", "bench")

    def track(session: Session) -> None:
        if audited:
            audit.track(session, "enrollment", lambda: actor)

    def unit_of_work(session: Session) -> UnitOfWork:
        """The unit of work an import job opens (as the county poverty office, publishing)."""
        return UnitOfWork(
            session=session,
            principal=Principal(subject="bench", roles=frozenset({Role.county_poverty}), scope=""),
            policy=PolicySet({}),
            publisher=Publisher(PUBLISH["service"], PUBLISH["topic_prefix"]),
        )

    # Roster import, as the import job runs it (registry.service.roster_import): the file read
    # twice, validated whole and then applied in batches, in one transaction.
    content = roster_path.read_bytes()
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        track(session)
        result = roster_import(content, "roster.csv")(
            unit_of_work(session), str(uuid.uuid4()), lambda _n: None
        )
        session.commit()
    written = time.perf_counter()
    rows = int(result.pop("rows"))
    counts = result
    events = outbox_count(engine)
    size = f"{rows:,} rows, {len(content) / 2**20:.0f} MiB, {events:,} outbox events"
    mark("roster: import total", written - start, f"{size}, {rows / (written - start):,.0f} rows/s")
    figures.update(import_s=written - start, rows=rows, roster_events=events, counts=counts)
    del content  # freed before the roll, as a finished job frees it

    content = roll_path.read_bytes()
    start = time.perf_counter()
    roll = parse_roll("pension", read_rows(content, "pension.csv"), allowed_tiers=ALLOWED_TIERS)
    validated = time.perf_counter()
    if roll.error_count:
        raise RuntimeError(f"generated roll has {roll.error_count} errors: {roll.errors[:3]}")
    lines = len(roll.lines)
    mark("pension roll: validate", validated - start, f"{lines:,} lines")
    with Session(engine, expire_on_commit=False) as session:
        track(session)
        result = apply_roll(
            unit_of_work(session), "pension", roll.lines, import_id=str(uuid.uuid4())
        )
        session.commit()
    written = time.perf_counter()
    roll_events = outbox_count(engine) - events
    mark("pension roll: write + events", written - validated, f"{roll_events:,} outbox events")
    mark("pension roll: total", written - start, f"{lines / (written - start):,.0f} lines/s")
    figures.update(roll_s=written - start, roll_result=result)
    del roll, content

    pension = Scope(scheme="pension", year=YEAR, division=COUNTY)
    medical = Scope(scheme="medical", year=YEAR, division=COUNTY)
    reconcile: list[float] = []
    with Session(engine) as session:
        start = time.perf_counter()
        by_township = summary(session, pension, "township")
        reconcile.append(time.perf_counter() - start)
        eligible = sum(r["eligible"] for r in by_township)
        enrolled = sum(r["enrolled"] for r in by_township)
        mark(
            "summary pension by township",
            reconcile[-1],
            f"{len(by_township)} townships, {eligible:,} eligible, {enrolled:,} enrolled",
        )
        start = time.perf_counter()
        total, page = gaps(session, pension, "not_enrolled", 0, 100)
        reconcile.append(time.perf_counter() - start)
        mark("gaps pension not_enrolled p.1", reconcile[-1], f"{total:,} total, {len(page)} rows")
        start = time.perf_counter()
        by_township = summary(session, medical, "township")
        reconcile.append(time.perf_counter() - start)
        eligible = sum(r["eligible"] for r in by_township)
        mark("summary medical by township", reconcile[-1], f"{eligible:,} eligible, no roll")
    engine.dispose()
    figures.update(phases=phases, reconcile_max_s=max(reconcile), peak_mib=peak_rss_mib())
    return figures


def measure(url: str, roster_path: Path, roll_path: Path, audited: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    args = (url, str(roster_path), str(roll_path), audited, out)
    child = ctx.Process(target=run_backend, args=args)
    child.start()
    while True:
        try:
            status, value = out.get(timeout=5)
            break
        except queue.Empty:
            if not child.is_alive():  # killed (e.g. out of memory) before it could report
                status, value = "error", f"child exited with code {child.exitcode}"
                break
    child.join(60)
    if status != "ok":
        raise RuntimeError(value)
    return value


# --- report ---------------------------------------------------------------------------------


def print_table(backend: str, detail: str, people: int, gen: dict[str, Any], fig: dict) -> None:
    print(
        f"\nregistry benchmark, {backend} ({detail}): {people:,} people, "
        f"{gen['households']:,} households, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'phase':<32} {'seconds':>9} {'peak RSS MiB':>13}  notes")
    note = f"{gen['adults']:,} adults, {gen['roll_lines']:,} roll lines; not in the import"
    print(f"{'generate roster + roll CSV':<32} {gen['seconds']:>9.2f} {'(parent)':>13}  {note}")
    print(f"{'child process started':<32} {'':>9} {fig['baseline_mib']:>13.0f}")
    for name, seconds, peak, note in fig["phases"]:
        print(f"{name:<32} {seconds:>9.2f} {peak:>13.0f}  {note}".rstrip())
    counts = ", ".join(f"{k} {v:,}" for k, v in fig["counts"].items() if v)
    print(f"{'peak RSS of the child':<32} {'':>9} {fig['peak_mib']:>13.0f}  roster: {counts}")


def aims_line(results: dict[str, dict]) -> str:
    def each(fn: Any) -> str:
        return ", ".join(f"{b} {fn(f)}" for b, f in results.items())

    return (
        "aims: import <= 120 s (measured "
        + each(lambda f: f"{f['import_s']:.1f} s")
        + "); reconciliation <= 5 s per query (slowest "
        + each(lambda f: f"{f['reconcile_max_s']:.2f} s")
        + "); peak <= 1.5 GiB (measured "
        + each(lambda f: f"{f['peak_mib'] / 1024:.2f} GiB")
        + ")"
    )


def registry_rows(people: int, backends: list[str], seed: int = 1) -> list[Row]:
    """The roster row of the performance table: `people` imported (audited, as the service
    runs it), then a pension roll and the coverage reconciliation, per backend; the import's
    peak beside the whole run's (the roll applied after it holds more)."""
    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    try:
        roster_path, roll_path = work / "roster.csv", work / "pension.csv"
        generate(people, roster_path, roll_path, seed)
        for backend in backends:
            with database(backend, "enrollment") as url:
                fig = in_child(run_backend, url, str(roster_path), str(roll_path), True)
            import_peak = max(
                (peak for name, _s, peak, _n in fig["phases"] if name.startswith("roster")),
                default=fig["peak_mib"],
            )
            met = fig["import_s"] <= IMPORT_AIM_S and import_peak <= PEAK_AIM_MIB
            rows.append(
                Row(
                    f"roster import + reconciliation, {people:,} people",
                    backend,
                    f"import {fig['import_s']:.1f} s "
                    f"({fig['rows'] / fig['import_s']:,.0f} rows/s), "
                    f"peak RSS {import_peak:,.0f} MiB (whole run {fig['peak_mib']:,.0f} MiB), "
                    f"slowest reconciliation query {fig['reconcile_max_s']:.2f} s",
                    goal=f"<= {IMPORT_AIM_S:.0f} s, peak <= 1.5 GiB for 1M",
                    met=met and people >= 1_000_000,
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--audit", choices=("on", "off", "both"), default="on")
    args = parser.parse_args()
    modes = {"on": (True,), "off": (False,), "both": (False, True)}[args.audit]

    work = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    roster_path, roll_path = work / "roster.csv", work / "pension.csv"
    pg = None
    results: dict[str, dict] = {}
    try:
        start = time.perf_counter()
        gen: dict[str, Any] = generate(args.people, roster_path, roll_path, args.seed)
        gen["seconds"] = time.perf_counter() - start
        print(f"generated in {gen['seconds']:.1f} s: {gen}", file=sys.stderr, flush=True)
        for backend in args.backends.split(","):
            for audited in modes:
                label = f"{backend}, audit {'on' if audited else 'off'}"
                print(f"{label}:", file=sys.stderr, flush=True)
                if backend == "sqlite":
                    import sqlite3

                    url = f"sqlite:///{work}/enrollment-{uuid.uuid4().hex[:6]}.db"
                    detail = f"SQLite {sqlite3.sqlite_version}, file"
                elif backend == "postgresql":
                    admin = os.environ.get("BENCH_DATABASE_URL")
                    if not admin:
                        pg = pg or LocalPostgres().start()
                        admin = pg.url
                    url = database_url(admin, f"bench_registry_{uuid.uuid4().hex[:6]}")
                    detail = "BENCH_DATABASE_URL" if pg is None else "local throwaway cluster"
                else:
                    raise SystemExit(f"unknown backend {backend!r}")
                try:
                    results[label] = measure(url, roster_path, roll_path, audited)
                except RuntimeError as exc:  # one backend failing still lets the others report
                    print(f"\n{label}: failed: {exc}")
                    continue
                finally:
                    drop_database(url)
                print_table(label, detail, args.people, gen, results[label])
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    if results:
        print("\n" + aims_line(results))


if __name__ == "__main__":
    main()
