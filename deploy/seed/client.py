"""HTTP plumbing of the loader: the services' addresses, a token per role, file uploads with
job polling, and waiting for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

import httpx

from shared import SERVICE_PORTS, SERVICES
from shared.auth import mint_token
from shared.roles import Role
from shared.settings import Settings

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
# The 404 details that mean "not in the read model yet" (medical; employment and welfare).
UNKNOWN_PERSON = ("no registered person with that ID number", "no such person in the registry")


class SeedError(RuntimeError):
    """A service refused part of the county; the message says which and why."""


@dataclass(frozen=True)
class Endpoints:
    enrollment: str
    medical: str
    employment: str
    welfare: str

    @classmethod
    def local(cls, base_port: int = 8001, host: str = "127.0.0.1") -> Endpoints:
        ports = {n: SERVICE_PORTS[n] - 8001 + base_port for n in SERVICES}
        return cls(**{n: f"http://{host}:{p}" for n, p in ports.items()})


class Tokens:
    """A bearer header per acting role; two county civil-affairs officers, so that the one who
    approves a dibao application is not the one who puts it into payment."""

    ACTORS: ClassVar[dict[str, tuple[Role, str]]] = {
        "poverty": (Role.county_poverty, "seed-poverty-office"),
        "hrss": (Role.county_hrss, "seed-hrss"),
        "medical": (Role.county_medical, "seed-medical-bureau"),
        "hospital": (Role.hospital, "seed-hospital"),
        "civil": (Role.county_civil, "seed-civil-1"),
        "civil_second": (Role.county_civil, "seed-civil-2"),
        "education": (Role.county_education, "seed-education-bureau"),
        "township": (Role.township_officer, "seed-township"),
        "village": (Role.village_cadre, "seed-village"),
    }

    def __init__(self, secret: str | None, scope: str) -> None:
        settings = Settings(service_name="enrollment")
        if secret:
            settings.auth_secret = secret
        self.headers = {
            name: {
                "Authorization": "Bearer "
                + mint_token(
                    settings, subject=sub, roles=[role], scope=scope, ttl=timedelta(hours=6)
                )
            }
            for name, (role, sub) in self.ACTORS.items()
        }

    def __getitem__(self, name: str) -> dict[str, str]:
        return self.headers[name]


def problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:300]}"
    detail = body.get("detail") if isinstance(body, dict) else body
    errors = body.get("errors", [])[:3] if isinstance(body, dict) else []
    return f"{response.status_code} {detail}" + (f" {errors}" if errors else "")


def detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except (ValueError, AttributeError):
        return ""


async def upload_job(
    client: httpx.AsyncClient,
    url: str,
    name: str,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
) -> dict[str, Any]:
    """POST a file to an enrollment import and follow its job until done."""
    response = await client.post(url, files={"file": (name, content, "text/csv")}, headers=headers)
    if response.status_code not in (201, 202):
        raise SeedError(f"{name}: {problem(response)}")
    job = response.json()
    deadline = time.monotonic() + timeout
    base = url.split("/v1/", 1)[0]
    while job["status"] not in ("done", "failed"):
        if time.monotonic() > deadline:
            raise SeedError(f"{name}: job {job['id']} still {job['status']} after {timeout}s")
        await asyncio.sleep(0.5)
        polled = await client.get(f"{base}/v1/jobs/{job['id']}", headers=headers)
        if polled.status_code != 200:
            raise SeedError(f"{name}: job {job['id']}: {problem(polled)}")
        job = polled.json()
    if job["status"] == "failed":
        raise SeedError(f"{name}: import failed: {job['result']} {job['errors'][:3]}")
    return dict(job["result"])


async def wait_until(
    what: str, check: Callable[[], Awaitable[bool]], timeout: float, every: float = 0.5
) -> float:
    """Poll `check` until it holds; the seconds it took."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > timeout:
            raise SeedError(f"{what}: not reached after {timeout:.0f}s")
        await asyncio.sleep(every)
    return time.monotonic() - start


async def bounded(
    items: list[Any], work: Callable[[Any], Awaitable[None]], concurrency: int
) -> list[str]:
    """Run `work` on every item, `concurrency` at a time; the failures' messages."""
    gate = asyncio.Semaphore(concurrency)
    failures: list[str] = []

    async def one(item: Any) -> None:
        async with gate:
            try:
                await work(item)
            except (SeedError, httpx.HTTPError) as exc:
                failures.append(str(exc) or type(exc).__name__)

    await asyncio.gather(*(one(i) for i in items))
    return failures
