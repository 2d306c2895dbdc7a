"""Correlation ids: one id follows a request through HTTP, the outbox, Kafka and consumers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from asgi_correlation_id import CorrelationIdMiddleware, correlation_id

HEADER = "X-Request-ID"

__all__ = [
    "HEADER",
    "CorrelationIdMiddleware",
    "RequestLogMiddleware",
    "bound_correlation_id",
    "current_correlation_id",
]


def current_correlation_id() -> str:
    return correlation_id.get() or str(uuid.uuid4())


@contextmanager
def bound_correlation_id(value: str | None, **extra: Any) -> Iterator[str]:
    """Bind an id (e.g. from a Kafka header) for the duration of a consumer's work."""
    cid = value or str(uuid.uuid4())
    token = correlation_id.set(cid)
    with structlog.contextvars.bound_contextvars(correlation_id=cid, **extra):
        try:
            yield cid
        finally:
            correlation_id.reset(token)


class RequestLogMiddleware:
    """Raw ASGI middleware (not BaseHTTPMiddleware): binds the correlation id, logs the request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log = structlog.get_logger("http")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        structlog.contextvars.clear_contextvars()
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id.get()):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                path = scope.get("path", "")
                if path not in ("/healthz", "/readyz"):
                    self.log.info(
                        "request",
                        method=scope.get("method"),
                        path=path,
                        status=status["code"],
                        duration_ms=round((time.perf_counter() - start) * 1000, 2),
                    )
