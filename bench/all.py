"""`make bench`: every row of the performance table measured in one run on this machine, printed
and written to docs/performance.md with the machine, the date and every ratio.

    .venv/bin/python bench/all.py [--quick] [--profile] [--out docs/performance.md]
        [--only settlement,creates,bus,registry,payments,employment]

Each HTTP row stands beside a bare FastAPI endpoint measured in the same run (wrk, installed with
apt when missing), each bus row beside raw aiokafka on the same broker. `--quick` runs small
scales to check the benchmarks themselves (its figures are not written unless --out is given);
`--profile` records py-spy flame graphs of the service under the settlement load into
var/bench/profiles/. Asserts nothing about speed."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row
from shared import REPO_ROOT

BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Scale:
    seconds: int  # each HTTP load
    events: int  # through the bus
    people: int  # in the roster import
    households: int  # in the payment cycle (PostgreSQL; SQLite gets a tenth)
    labourers: int  # in the monthly report (PostgreSQL; SQLite gets a tenth)


FULL = Scale(seconds=10, events=20_000, people=1_000_000, households=2_000_000, labourers=1_000_000)
QUICK = Scale(seconds=3, events=2_000, people=20_000, households=20_000, labourers=10_000)


def sections(scale: Scale, profile_dir: Path | None) -> dict[str, Callable[[], list[Row]]]:
    # Imported when run: each benchmark module pulls in a service.
    def settlement() -> list[Row]:
        from bench.settlement import settlement_rows

        return settlement_rows(
            BACKENDS, seconds=scale.seconds, workers=(1, 2), profile_dir=profile_dir
        )

    def creates() -> list[Row]:
        from bench.creates import creates_rows

        return creates_rows(inserts=scale.events // 10, rounds=20)

    def bus() -> list[Row]:
        from bench.bus import bus_rows

        return bus_rows(scale.events, BACKENDS)

    def registry() -> list[Row]:
        from bench.registry import registry_rows

        return registry_rows(scale.people, BACKENDS)

    def payments() -> list[Row]:
        from bench.payments import payments_rows

        return payments_rows(scale.households // 10, ["sqlite"]) + payments_rows(
            scale.households, ["postgresql"]
        )

    def employment() -> list[Row]:
        from bench.employment import employment_rows

        return employment_rows(scale.labourers // 10, ["sqlite"]) + employment_rows(
            scale.labourers, ["postgresql"]
        )

    def overload() -> list[Row]:
        from bench.overload import overload_rows

        return overload_rows(BACKENDS, seconds=scale.seconds)

    return {
        "settlement": settlement,
        "overload": overload,
        "creates": creates,
        "bus": bus,
        "registry": registry,
        "payments": payments,
        "employment": employment,
    }


def machine() -> dict[str, str]:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    mem_kib = first("/proc/meminfo", "MemTotal").split()[0]
    try:
        pg = subprocess.run(
            ["bash", "-c", "ls /usr/lib/postgresql | sort -n | tail -1"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        pg = "?"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": f"{os.cpu_count()} cores, {first('/proc/cpuinfo', 'model name')}",
        "memory": f"{int(mem_kib) / 2**20:.1f} GiB" if mem_kib.isdigit() else "?",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg or "?",
        "commit": commit or "?",
    }


def _ratio(row: Row) -> str:
    return f"{row.ratio:.2f}" if row.ratio is not None else ""


def _met(row: Row) -> str:
    return {True: "met", False: "not met", None: ""}[row.met]


def markdown(rows: list[Row], info: dict[str, str], started: datetime, minutes: float) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (bench/all.py); every row below was measured in that one run,",
        "each beside its reference measured in the same run (a bare FastAPI endpoint on the same",
        "uvicorn, raw aiokafka on the same broker). HTTP load comes from wrk, a compiled load",
        "generator running on the same machine as the services. Nothing here is asserted by a",
        "test: correctness under concurrency is (tests/integration/test_concurrent_creates.py).",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC, the run took {minutes:.0f} min",
        *(f"- {k}: {v}" for k, v in info.items()),
        "",
        "| workload | backend | figure | reference | ratio | goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r.workload, r.backend, r.figure, r.reference, _ratio(r), r.goal, _met(r)]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines.append("")
    notes = REPO_ROOT / "docs" / "performance-notes.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(sections(FULL, None)))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    out = args.out or (None if args.quick else str(REPO_ROOT / "docs" / "performance.md"))
    profile_dir = REPO_ROOT / "var" / "bench" / "profiles" if args.profile else None
    chosen = sections(scale, profile_dir)
    started = datetime.now(UTC)
    t0 = time.monotonic()
    info = machine()
    rows: list[Row] = []
    for name in args.only.split(","):
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            got = chosen[name]()
        except Exception as exc:  # one benchmark failing still reports the others
            got = [Row(name, "-", f"failed: {type(exc).__name__}: {exc}"[:300])]
        rows += got
        for r in got:
            print(
                f"{r.workload[:60]:<60} {r.backend:<22} {r.figure[:70]:<70} "
                f"{_ratio(r):>5} {_met(r)}",
                flush=True,
            )
    minutes = (time.monotonic() - t0) / 60
    if out:
        Path(out).write_text(markdown(rows, info, started, minutes), encoding="utf-8")
        print(f"written to {out}", file=sys.stderr)
    if profile_dir is not None:
        print(f"flame graphs in {profile_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
