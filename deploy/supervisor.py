"""Restarting what crashed: the launcher's broker and services are watched, and one that exits
is started again after a backoff (1 s, doubling to 30 s; back to 1 s once it has stayed up for a
minute), with a line on the launcher's output each time. Only Ctrl-C (or SIGTERM) stops the
stack."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
STABLE_AFTER_S = 60.0


@dataclass
class Supervised:
    """One process under watch: `alive` says whether it runs, `start` starts it again."""

    name: str
    alive: Callable[[], bool]
    start: Callable[[], object]
    log_hint: str = ""
    restarts: int = 0
    delay_s: float = FIRST_DELAY_S
    started_at: float = field(default_factory=time.monotonic)
    due_at: float | None = None  # when the pending restart is due

    def check(self, now: float | None = None) -> str | None:
        """Restart if due; a line for the operator when something happened, else None."""
        now = time.monotonic() if now is None else now
        if self.due_at is None:
            if self.alive():
                if now - self.started_at >= STABLE_AFTER_S:
                    self.delay_s = FIRST_DELAY_S
                return None
            self.due_at = now + self.delay_s
            hint = f"; see {self.log_hint}" if self.log_hint else ""
            return f"{self.name} exited unexpectedly{hint}; restarting in {self.delay_s:g} s"
        if now < self.due_at:
            return None
        self.due_at = None
        self.restarts += 1
        self.delay_s = min(self.delay_s * 2, MAX_DELAY_S)
        try:
            self.start()
        except Exception as exc:  # it will be seen dead at the next check and tried again
            return f"{self.name} failed to start ({exc}); will retry"
        self.started_at = now
        return f"{self.name} restarted (restart {self.restarts})"
