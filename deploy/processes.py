"""Service processes: start a service under uvicorn, wait for readiness, stop or kill it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from shared import REPO_ROOT


class ServiceProcess:
    def __init__(
        self,
        name: str,
        port: int,
        env: dict[str, str],
        log_path: Path | None = None,
        *,
        workers: int = 1,
        app: str | None = None,
    ) -> None:
        self.name = name
        # uvicorn worker processes sharing the port (PostgreSQL only: each has its own relay
        # and consumers, which share the work through the database and the consumer group).
        self.workers = workers
        self.app = app or f"services.{name}.main:app"
        self.port = port
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        env = {**os.environ, **self.env, "SERVICE_NAME": self.name, "PORT": str(self.port)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        log = open(self.log_path, "ab") if self.log_path else None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *(["--workers", str(self.workers)] if self.workers > 1 else []),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "10",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log or None,
            stderr=subprocess.STDOUT if log else None,
        )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def status(self, path: str, timeout: float = 2.0) -> int | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError):
            return None

    def wait_ready(self, timeout: float = 60.0, path: str = "/readyz") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(
                    f"{self.name} exited with code {self.process and self.process.returncode}"
                )
            if self.status(path) == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready on {self.url}{path} after {timeout}s")

    def stop(self, timeout: float = 15.0) -> None:
        stop_all([self], timeout)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run (used to prove the outbox survives a crash)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(5)


def stop_all(services: Iterable[ServiceProcess], timeout: float = 15.0) -> None:
    """SIGTERM to every service at once, then wait for each (up to `timeout` in all, then
    SIGKILL): their graceful shutdowns overlap instead of adding up."""
    running = []
    for service in services:
        process, service.process = service.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            running.append(process)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class OutputReader:
    """The launcher's output, read by a thread for as long as it runs: a launcher whose pipe is
    full would block on its next print (its shutdown message among them) and never stop."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.lines: list[str] = []
        self._stream = proc.stdout
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> str:
        """All the output once a line holds `text` (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(text in line for line in self.lines):
            time.sleep(0.1)
        return self.text

    def closed(self, timeout: float) -> str:
        self._thread.join(timeout)
        return self.text
