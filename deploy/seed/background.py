"""The loader as a child of the launcher: started once the services are ready, into an empty
registry only (`--if-empty`), its output interleaved with the launcher's, stopped with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from shared import REPO_ROOT

OFF_VALUES = ("1", "true", "yes", "on")


def disabled_by_env() -> bool:
    """NO_SEED=1 turns the launcher's seeding off, as --no-seed does."""
    return os.environ.get("NO_SEED", "").strip().lower() in OFF_VALUES


class SeedRun:
    def __init__(self, base_port: int, extra: list[str] | None = None) -> None:
        self.command = [
            sys.executable, "-m", "deploy.seed", "load", "--if-empty",
            "--base-port", str(base_port), *(extra or []),
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.reported = False

    def start(self) -> SeedRun:
        print(
            "\nseeding: loading the synthetic county 532325 into an empty registry "
            "(python -m deploy.seed load; turn off with --no-seed or NO_SEED=1) ...",
            flush=True,
        )
        self.started = time.monotonic()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        # Its own process group: Ctrl-C reaches the launcher, which stops it.
        self.process = subprocess.Popen(
            self.command, cwd=REPO_ROOT, env=env, start_new_session=True
        )
        return self

    def check(self) -> None:
        """Report once when the loader has ended."""
        if self.process is None or self.reported or self.process.poll() is None:
            return
        self.reported = True
        took = time.monotonic() - self.started
        code = self.process.returncode
        outcome = "done" if code == 0 else f"failed (exit {code}); the services keep running"
        print(f"seeding: {outcome} after {took:.0f}s", flush=True)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
