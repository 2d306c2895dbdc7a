"""The chaos soak (`make chaos`): the whole stack as `make run` starts it (the launcher: broker
and four services under its supervisor), mixed traffic for a few minutes, and three faults, one
at a time: a service killed (SIGKILL of enrollment), a relay killed with events not yet sent
(SIGKILL of medical right after a burst of claims: the relay runs in the service's process and
dies with rows committed and unsent), and the broker killed (SIGKILL; its log is in memory).
Nothing is restarted by hand: the launcher brings back what died, the relays send again what
a dead broker lost, the consumers skip what they applied.

The traffic is what the system's users send, each client retrying a failed write with the same
`Idempotency-Key` until it is answered (a hospital's settlement system, a registry clerk):
claims to medical, new household members to enrollment (each a `person_registered` event that
medical, employment and welfare project), and reads of a person in every service. At the end,
once every outbox is sent and every consumer caught up, it counts:

- lost: an answered write whose record is missing, a new member missing from a projection, or an
  event some consumer of its type never applied; doubled: a record or an application twice;
- requests and errors by status, events published and applied, dead letters;
- p99 latency of the requests before, during and after each fault (during: from the kill until
  every service answers ready again).

Goal: 0 lost and 0 doubled, on SQLite and PostgreSQL. A benchmark, not a test: bounded in time,
loopback only. A Python client is enough here: it measures effects and latencies under faults,
not the services' peak rate (bench/settlement.py, with wrk, does that).

    make chaos   # or: PYTHONPATH=. .venv/bin/python -m bench.chaos [--backends sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench.common import databases
from bench.settlement import stay
from deploy.broker import free_port, free_port_run
from deploy.processes import OutputReader
from shared import REPO_ROOT, SERVICES
from shared.auth import mint_token
from shared.db import make_engine
from shared.events.subscribers import all_consumptions
from shared.ids import SEXES, make_resident_id
from shared.roles import Role
from shared.settings import Settings

SECRET = "chaos-soak-secret-0123456789abcdef"
COUNTY = "532325"
HOUSEHOLDS = 40
# Tables holding the registry's projection of a person, per consuming service.
PROJECTIONS = {
    "medical": "registry_person",
    "employment": "employment_registry_person",
    "welfare": "welfare_registry_person",
}
RETRY_FOR_S = 120.0


@dataclass
class Sample:
    at: float
    op: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float


@dataclass
class Fault:
    name: str
    killed_at: float
    recovered_at: float = 0.0
    note: str = ""


@dataclass
class Ledger:
    """What the clients were told was done."""

    claims: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    samples: list[Sample] = field(default_factory=list)
    gave_up: Counter[str] = field(default_factory=Counter)


class Launcher:
    """`python -m deploy.launcher` in its own process group, its output read by a thread."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.base = free_port_run(len(SERVICES))
        self.broker_port = free_port()
        self.data_dir = data_dir
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        env.update(
            DATABASE_URL=database_url, NO_SEED="1", AUTH_SECRET=SECRET, APP_ENV="test",
            LOG_LEVEL="WARNING", PYTHONPATH=str(REPO_ROOT),
        )  # fmt: skip
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "deploy.launcher", "--data-dir", str(data_dir),
                "--base-port", str(self.base), "--broker-port", str(self.broker_port),
                "--dashboard-port", "0",
            ],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        self.output = OutputReader(self.proc)

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.output.lines]

    def wait_for(self, text_: str, timeout: float) -> None:
        if text_ not in self.output.wait_for(text_, timeout):
            raise RuntimeError(f"launcher: no {text_!r}:\n" + "\n".join(self.lines[-40:]))

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.base + SERVICES.index(service)}"

    def kill(self, what: str) -> None:
        """SIGKILL the service's uvicorn, or the broker."""
        if what == "broker":
            pattern = f"--listener-url tcp://127.0.0.1:{self.broker_port}"
        else:
            port = self.base + SERVICES.index(what)
            pattern = f"uvicorn services.{what}.main:app --host 127.0.0.1 --port {port}"
        found = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
        for pid in found.stdout.split():
            with suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                pass
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _token(role: Role, subject: str) -> dict[str, str]:
    settings = Settings(service_name="enrollment", auth_secret=SECRET, app_env="test")
    return {"Authorization": "Bearer " + mint_token(settings, subject=subject, roles=[role],
                                                     scope=COUNTY)}  # fmt: skip


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        born = date(1940 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28))
        number = make_resident_id(COUNTY, born, rng.randrange(500), rng.choice(SEXES))
        if number not in used:
            used.add(number)
            return number


def _roster(rng: random.Random, used: set[str]) -> tuple[bytes, list[str], list[str]]:
    """A roster of poor households (two members each): the CSV, household ids, ID numbers."""
    rows, households, numbers = ["户编号,姓名,证件号码,与户主关系,县,乡镇,行政村,贫困状态"], [], []
    for h in range(HOUSEHOLDS):
        household = f"{COUNTY}-CH{h:05d}"
        households.append(household)
        for relation in ("户主", "配偶"):
            number = _person(rng, used)
            numbers.append(number)
            rows.append(
                f"{household},居民{len(numbers)},{number},{relation},{COUNTY},{COUNTY}100,"
                f"{COUNTY}100201,未脱贫"
            )
    return ("\n".join(rows) + "\n").encode(), households, numbers


class Traffic:
    """Closed-loop clients: each picks a request, sends it (retrying a write until it is
    answered), and records every attempt."""

    def __init__(self, stack: Launcher, households: list[str], numbers: list[str]) -> None:
        self.stack = stack
        self.households = households
        self.numbers = numbers
        self.ledger = Ledger()
        self.used = set(numbers)
        self.rng = random.Random(7)
        self.stopping = False
        self.hospital = _token(Role.hospital, "chaos-hospital")
        self.clerk = _token(Role.county_poverty, "chaos-clerk")
        self.auditor = _token(Role.auditor, "chaos-auditor")

    async def _attempt(
        self, client: httpx.AsyncClient, op: str, method: str, url: str, **kw: Any
    ) -> int:
        started = time.monotonic()
        try:
            response = await client.request(method, url, **kw)
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        self.ledger.samples.append(Sample(started, op, status, (time.monotonic() - started) * 1e3))
        return status

    async def _write(
        self, client: httpx.AsyncClient, op: str, url: str, body: dict[str, Any], auth: dict
    ) -> bool:
        """Until answered (2xx or 4xx), with one key; False if it never was."""
        headers = {**auth, "Idempotency-Key": f"{op}-{uuid.uuid4().hex}"}
        deadline = time.monotonic() + RETRY_FOR_S
        pause = 0.1
        while time.monotonic() < deadline:
            status = await self._attempt(client, op, "POST", url, json=body, headers=headers)
            if 200 <= status < 300:
                return True
            if 400 <= status < 500 and status != 409:  # 409: the same key still running
                self.ledger.gave_up[f"{op} {status}"] += 1
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        self.ledger.gave_up[f"{op} unanswered"] += 1
        return False

    async def claim(self, client: httpx.AsyncClient) -> None:
        claim_id = f"CH-{uuid.uuid4().hex[:16]}"
        body = stay(claim_id, self.rng.choice(self.numbers))
        url = self.stack.url("medical") + "/v1/hospitalizations"
        if await self._write(client, "claim", url, body, self.hospital):
            self.ledger.claims.add(claim_id)

    async def member(self, client: httpx.AsyncClient) -> None:
        number = _person(self.rng, self.used)
        household = self.rng.choice(self.households)
        body = {"id_number": number, "name": "新成员", "relation": "子女"}
        url = self.stack.url("enrollment") + f"/v1/households/{household}/members"
        if await self._write(client, "member", url, body, self.clerk):
            self.ledger.members.add(number)

    async def read(self, client: httpx.AsyncClient) -> None:
        service = self.rng.choice(SERVICES)
        number = self.rng.choice(self.numbers)
        url = self.stack.url(service) + f"/v1/persons/{number}"
        await self._attempt(client, f"read {service}", "GET", url, headers=self.auditor)

    async def client(self) -> None:
        ops = [self.claim] * 4 + [self.member] * 2 + [self.read] * 4
        timeout = httpx.Timeout(30.0, connect=2.0)
        async with httpx.AsyncClient(timeout=timeout) as client:
            while not self.stopping:
                await self.rng.choice(ops)(client)

    async def burst(self, claims: int) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0)) as client:
            await asyncio.gather(*(self.claim(client) for _ in range(claims)))


def _ready(stack: Launcher) -> bool:
    for service in SERVICES:
        try:
            if httpx.get(stack.url(service) + "/readyz", timeout=2).status_code != 200:
                return False
        except httpx.HTTPError:
            return False
    return True


def _pending(stack: Launcher, service: str) -> str:
    try:
        body = httpx.get(stack.url(service) + "/readyz", timeout=2).json()
        return str(body["checks"].get("outbox_pending", "?"))
    except (httpx.HTTPError, ValueError, KeyError):
        return "?"


async def _until_ready(stack: Launcher, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(_ready, stack):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("the stack did not come back ready:\n" + "\n".join(stack.lines[-30:]))


async def soak(stack: Launcher, traffic: Traffic, phase_s: float, clients: int) -> list[Fault]:
    tasks = [asyncio.create_task(traffic.client()) for _ in range(clients)]
    faults: list[Fault] = []
    try:
        await asyncio.sleep(phase_s)
        for name, target in (
            ("enrollment killed (service)", "enrollment"),
            ("medical killed mid-publish (relay)", "medical"),
            ("broker killed", "broker"),
        ):
            note = ""
            if target == "medical":
                # Events committed and not yet sent: a burst of claims, killed as it lands.
                burst = asyncio.create_task(traffic.burst(40))
                await asyncio.sleep(0.3)
                pending = await asyncio.to_thread(_pending, stack, target)
                note = f"outbox pending at the kill: {pending}"
            fault = Fault(name, time.monotonic(), note=note)
            await asyncio.to_thread(stack.kill, target)
            await asyncio.sleep(1.0)  # the supervisor notices within 0.5 s
            await _until_ready(stack)
            fault.recovered_at = time.monotonic()
            faults.append(fault)
            if target == "medical":
                await burst
            await asyncio.sleep(phase_s)
    finally:
        traffic.stopping = True
        await asyncio.gather(*tasks, return_exceptions=True)
    return faults


# --- the count ----------------------------------------------------------------------------------


class Databases:
    def __init__(self, template: str) -> None:
        self.engines = {s: make_engine(template.replace("{service}", s)) for s in SERVICES}

    def rows(self, service: str, sql: str, **params: Any) -> list[Any]:
        with self.engines[service].connect() as conn:
            return list(conn.execute(text(sql), params))

    def dispose(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


def _counts(db: Databases, service: str, table: str, column: str, keys: set[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    listed = sorted(keys)
    for i in range(0, len(listed), 500):
        chunk = listed[i : i + 500]
        names = ", ".join(f":k{j}" for j in range(len(chunk)))
        sql = (
            f"select {column}, count(*) from {table} where {column} in ({names}) group by {column}"
        )
        for key, n in db.rows(service, sql, **{f"k{j}": k for j, k in enumerate(chunk)}):
            found[key] = n
    return found


def effects(db: Databases, ledger: Ledger) -> dict[str, tuple[int, int]]:
    """(lost, doubled) per kind of effect."""
    out: dict[str, tuple[int, int]] = {}

    def tally(name: str, expected: set[str], found: Counter[str]) -> None:
        lost = sum(1 for k in expected if found[k] == 0)
        out[name] = (lost, sum(1 for k in expected if found[k] > 1))

    tally("claims (medical)", ledger.claims,
          _counts(db, "medical", "hospital_stay", "claim_id", ledger.claims))  # fmt: skip
    tally("members (enrollment)", ledger.members,
          _counts(db, "enrollment", "person", "id_number", ledger.members))  # fmt: skip
    for service, table in PROJECTIONS.items():
        found = _counts(db, service, table, "id_number", ledger.members)
        tally(f"members projected ({service})", ledger.members, found)
    return out


def deliveries(db: Databases) -> tuple[int, int, int, int]:
    """(events published, applications expected, lost applications, doubled ones): every
    outbox event against every consumer group that handles its type."""
    by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in all_consumptions():
        by_type[c.event_type].append((c.service, c.group))
    published, expected, lost, doubled = 0, 0, 0, 0
    applied: dict[str, set[tuple[str, str]]] = {}
    for service in SERVICES:
        rows = db.rows(service, "select consumer, event_id, count(*) from processed_event "
                                "group by consumer, event_id")  # fmt: skip
        applied[service] = {(r[0], r[1]) for r in rows}
        doubled += sum(1 for r in rows if r[2] > 1)
    for service in SERVICES:
        sql = "select event_id, event_type from outbox_event where published_at is not null"
        for event_id, event_type in db.rows(service, sql):
            published += 1
            for consumer_service, group in by_type.get(event_type, []):
                expected += 1
                if (group, event_id) not in applied[consumer_service]:
                    lost += 1
    return published, expected, lost, doubled


def _unsent(db: Databases) -> int:
    sql = "select count(*) from outbox_event where published_at is null"
    return sum(int(db.rows(s, sql)[0][0]) for s in SERVICES)


def settle(db: Databases, ledger: Ledger, timeout: float = 300.0) -> float:
    """Seconds until every outbox is sent and every event applied (or the timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _unsent(db) == 0 and deliveries(db)[2] == 0:
            members = effects(db, ledger)
            if all(lost == 0 for lost, _ in members.values()):
                break
        time.sleep(1.0)
    return time.monotonic() - started


def p99(samples: list[Sample], start: float, end: float) -> str:
    times = sorted(s.ms for s in samples if start <= s.at < end)
    if not times:
        return "-"
    return f"{times[min(len(times) - 1, int(len(times) * 0.99))]:,.0f} ms (n={len(times):,})"


def report(backend: str, ledger: Ledger, faults: list[Fault], db: Databases, waited: float,
           phase_s: float) -> dict[str, Any]:  # fmt: skip
    statuses = Counter(s.status for s in ledger.samples)
    published, expected, lost_events, doubled_events = deliveries(db)
    found = effects(db, ledger)
    dead = sum(int(db.rows(s, "select count(*) from dead_letter")[0][0]) for s in SERVICES)
    latency = {
        f.name: {
            "before": p99(ledger.samples, f.killed_at - phase_s, f.killed_at),
            "during": p99(ledger.samples, f.killed_at, f.recovered_at),
            "after": p99(ledger.samples, f.recovered_at, f.recovered_at + phase_s),
            "down_s": round(f.recovered_at - f.killed_at, 1),
            **({"note": f.note} if f.note else {}),
        }
        for f in faults
    }
    lost = sum(lost for lost, _ in found.values()) + lost_events
    doubled = sum(d for _, d in found.values()) + doubled_events
    return {
        "backend": backend,
        "requests": len(ledger.samples),
        "by_status": {("no answer" if k == 0 else str(k)): v for k, v in sorted(statuses.items())},
        "writes_answered": {"claims": len(ledger.claims), "members": len(ledger.members)},
        "writes_given_up": dict(ledger.gave_up),
        "events_published": published,
        "event_applications": {
            "expected": expected,
            "lost": lost_events,
            "doubled": doubled_events,
        },
        "effects_lost_doubled": {k: list(v) for k, v in found.items()},
        "dead_letters": dead,
        "p99": latency,
        "settled_after_s": round(waited, 1),
        "lost": lost,
        "doubled": doubled,
    }


# --- one run --------------------------------------------------------------------------------


def run(backend: str, phase_s: float, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp, databases(backend) as url:
        stack = Launcher(Path(tmp), url)
        db = Databases(url)
        try:
            stack.wait_for("all four services are ready", 180)
            rng = random.Random(1)
            csv, households, numbers = _roster(rng, set())
            clerk = _token(Role.county_poverty, "chaos-roster")
            answer = httpx.post(
                stack.url("enrollment") + "/v1/registry/imports",
                files={"file": ("roster.csv", csv, "text/csv")},
                headers=clerk,
                timeout=60,
            )
            answer.raise_for_status()
            deadline = time.monotonic() + 120
            for service, table in PROJECTIONS.items():  # the roster projected everywhere
                while _counts(db, service, table, "id_number", set(numbers)).total() < len(numbers):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the roster did not reach {service}")
                    time.sleep(0.5)
            traffic = Traffic(stack, households, numbers)
            faults = asyncio.run(soak(stack, traffic, phase_s, clients))
            waited = settle(db, traffic.ledger)
            result = report(backend, traffic.ledger, faults, db, waited, phase_s)
            result["supervisor"] = [line for line in stack.lines if "restarted" in line]
            return result
        finally:
            db.dispose()
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--phase", type=float, default=30.0, help="seconds between faults")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "bench" / "chaos.json")
    args = parser.parse_args()
    results = []
    failed = False
    for backend in args.backends.split(","):
        result = run(backend, args.phase, args.clients)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
        failed |= bool(result["lost"] or result["doubled"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    verdict = "FAILED" if failed else "passed"
    print(f"\nchaos: {verdict} (the goal: 0 lost and 0 doubled); {args.out}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
