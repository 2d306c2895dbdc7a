"""Correlation ids: one id follows a request through HTTP, the outbox, Kafka and consumers.

`RequestContextMiddleware` is the one HTTP middleware of a service: it takes the caller's
`X-Request-ID` (or makes one), answers it back, logs the request, and sends cross-origin
requests through CORS. It is raw ASGI and does as little as it can per request: a middleware
stack of four (correlation id, request log, CORS, access log) cost a third of a bare endpoint's
throughput."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode("latin-1")
# A caller's id is kept if it is short and plain (it is logged, stored in the audit trail and
# sent on as a Kafka header); anything else is replaced by a new one.
_ACCEPTABLE = re.compile(rb"[A-Za-z0-9._:\-]{1,64}")
# Liveness and readiness are polled every few seconds; logging them would drown the log.
_UNLOGGED = frozenset({"/healthz", "/readyz"})

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

__all__ = [
    "HEADER",
    "RequestContextMiddleware",
    "add_correlation_id",
    "bound_correlation_id",
    "correlation_id",
    "current_correlation_id",
]


def current_correlation_id() -> str:
    return correlation_id.get() or str(uuid.uuid4())


@contextmanager
def bound_correlation_id(value: str | None, **extra: Any) -> Iterator[str]:
    """Bind an id (e.g. from a Kafka header) for the duration of a consumer's work."""
    cid = value or str(uuid.uuid4())
    token = correlation_id.set(cid)
    with structlog.contextvars.bound_contextvars(**extra):
        try:
            yield cid
        finally:
            correlation_id.reset(token)


def add_correlation_id(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: every line logged while a request or an event is handled carries
    its correlation id (read here rather than bound per request, which costs every request)."""
    cid = correlation_id.get()
    if cid is not None:
        event_dict.setdefault("correlation_id", cid)
    return event_dict


def _request_id(scope: Scope) -> bytes | None:
    for key, value in scope["headers"]:
        if key == _HEADER_KEY:
            return value if _ACCEPTABLE.fullmatch(value) else None
    return None


def _has_origin(scope: Scope) -> bool:
    return any(key == b"origin" for key, _ in scope["headers"])


class RequestContextMiddleware:
    """Correlation id in and out, one log line per request, CORS for cross-origin requests."""

    def __init__(self, app: ASGIApp, cors_origins: list[str] | None = None) -> None:
        self.app = app
        # Only a request with an Origin header can be cross-origin; the others skip CORS.
        self.cors: ASGIApp | None = (
            CORSMiddleware(
                app,
                allow_origins=cors_origins,
                allow_methods=["GET"],
                allow_headers=["Authorization", HEADER],
                expose_headers=[HEADER],
                max_age=600,
            )
            if cors_origins
            else None
        )
        self.log = structlog.get_logger("http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = _request_id(scope)
        raw = given if given is not None else uuid.uuid4().hex.encode("ascii")
        token = correlation_id.set(raw.decode("ascii"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER_KEY, raw)]
            await send(message)

        app = self.cors if self.cors is not None and _has_origin(scope) else self.app
        try:
            await app(scope, receive, send_with_id)
        finally:
            path = scope["path"]
            if path not in _UNLOGGED:
                self.log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - start) * 1000, 2),
                )
            correlation_id.reset(token)
