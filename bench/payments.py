"""Welfare benchmark: the monthly payment run for a county of 200,000 dibao households and the
annual WEL-8 cross-check over 1,000,000 registry people, on SQLite and PostgreSQL.

    .venv/bin/python bench/payments.py [--households 200000] [--people 1000000]
                                       [--backends sqlite,postgresql] [--skip-crosscheck]

The households are written straight into a fresh, migrated welfare database with bulk
statements (that set-up is timed apart); each is a case on dibao with two members and its
amount computed by the benefit rules (WEL-3, WEL-4) on the month's parameters. The run is then
what the county does each month: prepare the cycle (recheck, amounts, lines), approve it as a
second officer, pay it, and write the bank file and the township summary. Each backend runs in
a fresh spawned process so that its peak RSS is its own. Uses BENCH_DATABASE_URL when set,
otherwise starts a throwaway PostgreSQL. Prints figures beside the aim (each ≤ 30 s); asserts
nothing about speed."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, database, in_child, peak_rss_mib
from deploy.postgres import LocalPostgres, database_url
from shared.db import drop_database
from shared.ids import make_resident_id

COUNTY = "532325"
TOWNSHIPS = tuple(
    f"{COUNTY}{c}" for c in ("100", "101", "102", "103", "104", "105", "200", "201", "202")
)
MONTH = date(2026, 3, 1)
AIM_S = 30.0


def write_households(url: str, n: int) -> float:
    """Bulk-write `n` dibao households on dibao since January; returns the seconds taken."""
    from sqlalchemy import insert

    from services.welfare.dibao.facts import compute, member_facts
    from services.welfare.dibao.models import DibaoCase
    from services.welfare.dibao.rules import DibaoCategory
    from shared.db import make_engine, table_of
    from shared.policy import PolicySet
    from shared.settings import Settings

    policy = PolicySet.load(Settings().policy_dir)
    start = time.perf_counter()
    engine = make_engine(url)
    table = table_of(DibaoCase)
    chunk: list[dict[str, Any]] = []
    cache: dict[tuple[str, int], Any] = {}
    with engine.begin() as conn:
        for i in range(n):
            head = make_resident_id(
                COUNTY, date(1950 + i % 40, 1 + i % 12, 1 + i % 28), i % 500, "M"
            )
            wife = make_resident_id(
                COUNTY, date(1952 + i % 40, 1 + i % 12, 1 + i % 28), i % 500, "F"
            )
            members = [
                {"id_number": head, "name": f"户主{i}", "work_ability": "none"},
                {"id_number": wife, "name": f"配偶{i}", "work_ability": "partial"},
            ]
            income = 600 * (i % 5)
            key = (head[6:10], income)  # the rules see ages and income only
            if key not in cache:
                cache[key] = compute(
                    policy,
                    COUNTY,
                    MONTH,
                    member_facts(members, MONTH),
                    Decimal(income),
                    DibaoCategory.B,
                )
            computed = cache[key]
            town = TOWNSHIPS[i % len(TOWNSHIPS)]
            chunk.append(
                {
                    "application_id": i + 1, "household_id": f"H{i:07d}", "county_code": COUNTY,
                    "township_code": town, "village_code": f"{town}{200 + i % 8:03d}",
                    "payee_name": f"户主{i}", "payee_id_number": head, "bank_name": "农村信用社",
                    "bank_account": f"62210{i:011d}", "status": "active", "category": "B",
                    "members": members, "annual_income": Decimal(income),
                    "monthly_amount": computed.benefit.monthly_amount,
                    "benefit": computed.trace, "policy_key": computed.policy_key,
                    "effective_from": date(2026, 1, 1), "last_review_on": date(2026, 1, 1),
                    "next_review_due": date(2026, 7, 1), "version": 1,
                }
            )  # fmt: skip
            if len(chunk) == 5000:
                conn.execute(insert(table), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(table), chunk)
    engine.dispose()
    return time.perf_counter() - start


def _payment_run(url: str) -> dict[str, Any]:
    from sqlmodel import Session

    from services.welfare.payments import service as cycles
    from services.welfare.payments.models import PaymentLine
    from services.welfare.payments.repository import Cycles
    from shared import clock
    from shared.auth import Principal
    from shared.db import make_engine, table_of
    from shared.policy import PolicySet
    from shared.roles import Role
    from shared.settings import Settings
    from shared.tabular import write_csv
    from shared.uow import Publisher, UnitOfWork

    class RunDay:
        """The county prepares the month's cycle on the 20th."""

        def today(self) -> date:
            return MONTH.replace(day=20)

        def now(self) -> datetime:
            return clock.now()

    policy = PolicySet.load(Settings().policy_dir)
    publisher = Publisher("welfare")
    a = Principal("county-a", frozenset({Role.county_civil}), COUNTY)
    b = Principal("county-b", frozenset({Role.county_civil}), COUNTY)
    engine = make_engine(url)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        done = cycles.prepare(
            UnitOfWork(session, a, policy, publisher, clock=RunDay()), COUNTY, MONTH
        )
        session.commit()
    timings["prepare"] = time.perf_counter() - start
    mark = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        cycle = Cycles(session, b).get_or_404(done.cycle.id, lock=True)
        cycles.approve(UnitOfWork(session, b, policy, publisher, clock=RunDay()), cycle)
        cycles.pay(UnitOfWork(session, a, policy, publisher, clock=RunDay()), cycle)
        session.commit()
    timings["approve + pay"] = time.perf_counter() - mark
    mark = time.perf_counter()
    lines = table_of(PaymentLine)
    with Session(engine) as session:
        rows = session.execute(
            lines.select()
            .where(lines.c.cycle_id == cycle.id)
            .order_by("township_code", "village_code", "id")
        )
        content = write_csv(
            ["序号", "收款人姓名", "身份证号码", "开户银行", "银行账号", "金额（元）"],
            (
                [i, r.payee_name, r.payee_id_number, r.bank_name, r.bank_account, f"{r.amount:.2f}"]
                for i, r in enumerate(rows, 1)
            ),
        )
    timings["bank file"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    engine.dispose()
    return {
        "lines": cycle.lines,
        "total_yuan": str(cycle.total),
        "bank_file_mib": len(content) / 2**20,
        "timings": timings,
        "run_s": total,
    }


def run_backend(url: str, households: int, out: Any) -> None:
    try:
        from shared.migrations import upgrade

        upgrade("welfare", url)
        setup = write_households(url, households)
        print(f"  set-up: {households:,} households in {setup:.1f} s", file=sys.stderr)
        before = peak_rss_mib()
        figures = _payment_run(url)
        figures.update(setup_s=setup, rss_before_mib=before, peak_mib=peak_rss_mib())
        out.put(("ok", figures))
    except BaseException as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--skip-crosscheck", action="store_true")
    args = parser.parse_args()
    pg: LocalPostgres | None = None
    admin = os.environ.get("BENCH_DATABASE_URL")
    results: dict[str, dict[str, Any]] = {}
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-payments-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{tmp}/welfare.db"
            else:
                if admin is None:
                    pg = LocalPostgres()
                    pg.start()
                    admin = pg.url
                url = database_url(admin, f"bench_pay_{uuid.uuid4().hex[:8]}")
            print(f"{backend}: payment run", file=sys.stderr)
            results[backend] = in_child(run_backend, url, args.households)
            if backend != "sqlite":
                drop_database(url)
        crosscheck: dict[str, Any] = {}
        if not args.skip_crosscheck:
            from bench.welfare_crosscheck import bench_crosscheck

            for backend in args.backends.split(","):
                print(f"{backend}: cross-check over {args.people:,} people", file=sys.stderr)
                crosscheck[backend] = bench_crosscheck(backend, args.people)
    finally:
        if pg is not None:
            pg.stop()
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()

    print(f"\nMonthly payment run, {args.households:,} dibao households (aim ≤ {AIM_S:.0f} s)")
    for backend, run in results.items():
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in run["timings"].items())
        print(
            f"  {backend:10s} run {run['run_s']:.2f} s (ratio to aim {run['run_s'] / AIM_S:.2f}); "
            f"{steps}; {run['lines']:,} lines, {run['total_yuan']} yuan; "
            f"peak RSS {run['peak_mib']:.0f} MiB (before the run {run['rss_before_mib']:.0f} MiB); "
            f"set-up {run['setup_s']:.1f} s"
        )
    if crosscheck:
        print(
            f"\nAnnual cross-check (WEL-8), {args.people:,} registry people (aim ≤ {AIM_S:.0f} s)"
        )
        for backend, f in crosscheck.items():
            print(f"  {backend:10s} {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


PROVINCE_AIM_S = 60.0


def payments_rows(households: int, backends: list[str]) -> list[Row]:
    """The payment-cycle rows of the performance table: the month's cycle (prepare, approve,
    pay, bank file) for `households` dibao households per backend."""
    rows = []
    for backend in backends:
        with database(backend, "welfare") as url:
            run = in_child(run_backend, url, households)
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items())
        aim = PROVINCE_AIM_S if backend == "postgresql" else None
        rows.append(
            Row(
                f"dibao payment cycle, {households:,} households",
                backend,
                f"{run['run_s']:.1f} s ({steps}), peak RSS {run['peak_mib']:,.0f} MiB",
                goal=f"<= {aim:.0f} s for 2M households" if aim else "",
                met=(run["run_s"] <= aim and households >= 2_000_000) if aim else None,
            )
        )
    return rows
