"""Overload shed, not failed: past `limit` requests in flight in this process a request is
answered at once with 503 and `Retry-After` (a problem document), instead of queueing until a
database connection times out. Health and readiness probes are never shed, so an orchestrator
does not restart a service for being busy."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.error_handlers import send_problem
from shared.errors import PROBLEM_BASE, Problem

PROBES = frozenset({"/healthz", "/readyz"})


async def send_busy(send: Send, instance: str, detail: str, retry_after_s: int) -> None:
    problem = Problem(
        type=PROBLEM_BASE + "busy", title="Service busy", status=503, detail=detail,
        instance=instance,
    )  # fmt: skip
    await send_problem(send, problem, [(b"retry-after", str(retry_after_s).encode())])


class LoadShedding:
    """Counts the requests in flight; one past `limit` is answered 503 without running."""

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: int = 1) -> None:
        self.app = app
        self.limit = limit
        self.retry_after_s = retry_after_s
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await send_busy(
                send,
                scope["path"],
                f"more than {self.limit} requests in progress; retry after {self.retry_after_s} s",
                self.retry_after_s,
            )
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
