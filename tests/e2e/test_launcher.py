"""The run command: broker + four services come up ready, a crashed service or broker is
restarted by the launcher, and Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.broker import free_port, free_port_run
from deploy.processes import OutputReader
from shared import REPO_ROOT, SERVICES

pytestmark = pytest.mark.integration


def test_launcher_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    base = free_port_run(len(SERVICES))
    broker_port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env["DATABASE_URL"] = ""
    env["NO_SEED"] = "1"  # the synthetic county is loaded by tests/e2e/test_seed_load.py
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "deploy.launcher", "--data-dir", str(tmp_path),
            "--base-port", str(base), "--broker-port", str(broker_port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a failed test kills the whole stack
    )  # fmt: skip
    out = OutputReader(proc)
    try:
        output = out.wait_for("all four services are ready", timeout=150)
        assert "all four services are ready" in output, output
        for offset, name in enumerate(SERVICES):
            assert f"{name:<11} http://127.0.0.1:{base + offset}/docs" in output
            with urllib.request.urlopen(f"http://127.0.0.1:{base + offset}/readyz") as r:
                assert r.status == 200
        assert "county_poverty" in output  # a local token per role

        # A crashed service, and the broker, come back by themselves.
        for pattern, name in (
            (f"uvicorn services.medical.main:app --host 127.0.0.1 --port {base + 1}", "medical"),
            (f"--listener-url tcp://127.0.0.1:{broker_port}", "broker"),
        ):
            found = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
            [pid] = found.stdout.split()
            os.kill(int(pid), signal.SIGKILL)
            seen = out.wait_for(f"{name} restarted", timeout=60)
            assert f"{name} exited unexpectedly" in seen and f"{name} restarted" in seen, seen
        medical = f"http://127.0.0.1:{base + 1}/readyz"
        until = time.monotonic() + 60
        while time.monotonic() < until:
            try:
                with urllib.request.urlopen(medical, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("medical did not come back ready")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(120) == 0, out.text  # a loaded machine stops slower
        assert "stopped." in out.closed(10)
        for offset in range(4):
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{base + offset}/healthz", timeout=2)
        assert {p.name for p in tmp_path.glob("*.db")} >= {f"{s}.db" for s in SERVICES}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the stack, if anything
        proc.wait()
