"""The setup of test_thin_slice.py that other test modules use too: its constants,
seeding and helpers."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from deploy.broker import free_ports
from deploy.processes import ServiceProcess, stop_all
from shared import SERVICES
from shared.roles import Role
from tests.support.app import make_settings, token
from tests.support.roster import roster_csv

SECRET = "e2e-signing-key-of-at-least-32-bytes"


class Cluster:
    def __init__(self, tmp: Path, template: str, bootstrap: str, prefix: str) -> None:
        self.env = {
            "DATABASE_URL": template,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TOPIC_PREFIX": prefix,
            "APP_ENV": "test",
            "AUTH_SECRET": SECRET,
            "RELAY_POLL_INTERVAL_S": "0.05",
        }
        # Each service's port is known up front, so each is told where the others are.
        self.ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
        self.env["SERVICE_URLS"] = ",".join(
            f"{n}=http://127.0.0.1:{p}" for n, p in self.ports.items()
        )
        self.tmp = tmp
        self.procs: dict[str, ServiceProcess] = {}
        self.settings = make_settings("enrollment", template, auth_secret=SECRET)

    def start(self, name: str, ready: bool = True, **extra: str) -> ServiceProcess:
        proc = ServiceProcess(
            name, self.ports[name], {**self.env, **extra}, log_path=self.tmp / f"{name}.log"
        )
        self.procs[name] = proc.start()
        proc.wait_ready(90, path="/readyz" if ready else "/healthz")
        return proc

    def stop(self) -> None:
        stop_all(self.procs.values())

    def import_roster(self, rows: list[list[str]], request_id: str = "") -> httpx.Response:
        headers = token(self.settings, Role.county_poverty)
        if request_id:
            headers["X-Request-ID"] = request_id
        return httpx.post(
            self.procs["enrollment"].url + "/v1/registry/imports",
            files={"file": ("roster.csv", roster_csv(rows))},
            headers=headers,
            timeout=30,
        )

    def person(self, id_number: str) -> httpx.Response:
        return httpx.get(
            self.procs["medical"].url + f"/v1/persons/{id_number}",
            headers=token(self.settings, Role.county_medical),
            timeout=10,
        )

    def wait_people(self, rows: list[list[str]], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = {r[2] for r in rows}
        while pending and time.monotonic() < deadline:
            pending = {n for n in pending if self.person(n).status_code != 200}
            if pending:
                time.sleep(0.2)
        assert not pending, f"{len(pending)} of {len(rows)} people never reached medical"
