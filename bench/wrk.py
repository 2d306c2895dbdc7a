"""HTTP load with wrk, a compiled load generator (a Python one saturates before the service and
reports its own limit). Installed on demand with apt when missing; the tests never need it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Each thread posts the bodies of its own slice of BODIES (one JSON document per line), in turn.
POST_SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end
function init(args)
  next_i = index
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
end
function request()
  local body = bodies[(next_i % #bodies) + 1]
  next_i = next_i + threads
  return wrk.format(nil, nil, nil, body)
end
"""


# Counts the answers by status in each thread and prints the totals when the run is done
# ("status <code> <count>" lines); appended to the POST script, or alone for a GET.
STATUS_SCRIPT = """
local all_threads = {}
local base_setup = setup
function setup(thread)
  table.insert(all_threads, thread)
  if base_setup then base_setup(thread) end
end
function response(status, headers, body)
  if statuses == nil then statuses = {} end
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(all_threads) do
    local counted = t:get("statuses") or {}
    for code, n in pairs(counted) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("status %d %d\\n", code, n)) end
end
"""


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx answers and socket errors
    statuses: dict[int, int] | None = None  # answers by status, when counted
    socket_errors: int = 0

    def describe(self, unit: str = "req/s") -> str:
        return f"{self.rate:,.0f} {unit}, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is missing: install it (Debian package `wrk`) and run again")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed no wrk")
    return found


def run(
    url: str,
    *,
    seconds: int = 10,
    connections: int = 32,
    threads: int = 2,
    bodies: list[str] | None = None,
    auth: str = "",
    count_statuses: bool = False,
    timeout_s: int = 2,
) -> Load:
    """GET `url` (or POST the `bodies`, each once before any repeats) for `seconds`; with
    `count_statuses`, the answers are counted by status."""
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += [f"--timeout={timeout_s}s"]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        source = ""
        if bodies is not None:
            source = POST_SCRIPT
            lines = Path(tmp) / "bodies.jsonl"
            lines.write_text("\n".join(bodies) + "\n")
            env.update(BENCH_BODIES=str(lines), BENCH_THREADS=str(threads), BENCH_AUTH=auth)
        elif auth:
            source = 'wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")\n'
            env.update(BENCH_AUTH=auth)
        if count_statuses:
            source += STATUS_SCRIPT
        if source:
            script = Path(tmp) / "load.lua"
            script.write_text(source)
            cmd += ["-s", str(script)]
        out = subprocess.run(
            [*cmd, url], env=env, capture_output=True, text=True, check=True
        ).stdout
    return parse(out)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _group(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.M)
    if found is None:
        raise ValueError(f"wrk's report has no {pattern!r}:\n{text}")
    return found.group(1)


def _ms(text: str) -> float:
    number, unit = _group(r"^([\d.]+)(us|ms|s|m)$", text), _group(r"^[\d.]+(us|ms|s|m)$", text)
    return float(number) * _UNITS_MS[unit]


def parse(out: str) -> Load:
    """wrk's report with --latency: requests/s, the 50% and 99% latencies, failures."""
    failed = sockets = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        failed += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        sockets = sum(int(x) for x in m.groups())
        failed += sockets
    counted = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    return Load(
        statuses=counted or None,
        socket_errors=sockets,
        rate=float(_group(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_ms(_group(r"^\s+50%\s+(\S+)", out)),
        p99_ms=_ms(_group(r"^\s+99%\s+(\S+)", out)),
        requests=int(_group(r"(\d+) requests in", out)),
        failed=failed,
    )
