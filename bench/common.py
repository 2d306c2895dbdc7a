"""What the benchmarks share: a process's own peak memory, and running a measurement in a fresh
spawned process so that its peak is its own."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import resource
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def peak_rss_mib() -> float:
    """This process's peak RSS: VmHWM on Linux (ru_maxrss survives the exec of a spawned child
    and would report the parent's peak), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(target: Any, *args: Any) -> Any:
    """Run `target(*args, out)` in a spawned process; it puts ("ok", value) or ("error", text)
    on `out`. Returns the value; raises on an error or a child that died without answering."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, out))
    child.start()
    while True:
        try:
            status, value = out.get(timeout=5)
            break
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(f"benchmark process died with code {child.exitcode}") from None
    child.join(60)
    if status != "ok":
        raise RuntimeError(value)
    return value


@dataclass(frozen=True)
class Row:
    """One line of the performance table (`make bench`, docs/performance.md): a workload on a
    backend, its figure beside the reference measured in the same run, and the goal."""

    workload: str
    backend: str  # "sqlite", "postgresql" or "-" (no database)
    figure: str  # e.g. "1,204 claims/s, p99 31 ms"
    reference: str = ""  # e.g. "bare FastAPI 3,120 req/s"
    ratio: float | None = None  # figure / reference, where both are rates
    goal: str = ""
    met: bool | None = None  # None: no goal for this row


@contextmanager
def _postgres() -> Iterator[str]:
    """An admin URL: BENCH_DATABASE_URL's server, else a throwaway local PostgreSQL."""
    from deploy.postgres import LocalPostgres

    admin = os.environ.get("BENCH_DATABASE_URL")
    if admin:
        yield admin
        return
    pg = LocalPostgres().start()
    try:
        yield pg.url
    finally:
        pg.stop()


@contextmanager
def database(backend: str, service: str) -> Iterator[str]:
    """A fresh, empty database URL for `service` on `backend`, removed afterwards: a SQLite file
    in a temporary directory, or a database on BENCH_DATABASE_URL's server (else a throwaway
    local PostgreSQL)."""
    with databases(backend) as template:
        yield template.replace("{service}", service)


@contextmanager
def databases(backend: str) -> Iterator[str]:
    """A `{service}` URL template on fresh, empty databases (every service's), removed
    afterwards."""
    from deploy.postgres import database_url
    from shared import SERVICES
    from shared.db import drop_database

    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/{{service}}.db"
        return
    with _postgres() as admin:
        # Built with a plain marker: a URL object would percent-encode the braces.
        marker = database_url(admin, f"bench_SERVICEMARK_{uuid.uuid4().hex[:8]}")
        template = marker.replace("SERVICEMARK", "{service}")
        try:
            yield template
        finally:
            for service in SERVICES:
                drop_database(template.replace("{service}", service))
