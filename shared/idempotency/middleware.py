"""`Idempotency-Key` on every write (POST, PUT, PATCH, DELETE), as a raw ASGI middleware.

The first request with a key runs and its answer (status, body, `Location`) is kept for the
caller and key; a repeat with the same request waits for that answer if it is still running and
then gets it again, status included, marked `Idempotent-Replayed: true`; the key sent with a
different request is a 409. Keys belong to the token's subject, so two callers never share one.
A running request renews its claim every `heartbeat_s`; a claim not renewed for `stale_after_s`
belongs to a process that died (a crash, a kill), and the repeat runs in its place, seconds after
the crash rather than after the longest a request may take.
An answer of 500 or above is not kept: the retry runs again. The route's own natural key (a
claim id, an application per household) still guards the effect, so a request whose process
died between its commit and keeping its answer is answered as the route answers a repeat."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from datetime import timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import decode_token
from shared.errors import PROBLEM_BASE, PROBLEM_JSON, DomainError, FieldError, Problem
from shared.idempotency.store import Kept, claim, keep, purge, release, renew

HEADER = "Idempotency-Key"
_HEADER_KEY = b"idempotency-key"
_REPLAYED = (b"idempotent-replayed", b"true")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Visible ASCII, as the draft's sf-string allows, bounded for the index.
_VALID_KEY = re.compile(rb"[\x21-\x7e]{1,255}")
_WAIT_STEP_S = 0.05


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        wait_s: float = 30.0,
        heartbeat_s: float = 2.0,
        stale_after_s: float = 10.0,
        retention: timedelta = timedelta(hours=24),
    ) -> None:
        self.app = app
        self.wait_s = wait_s
        self.heartbeat_s = heartbeat_s
        self.stale_after = timedelta(seconds=stale_after_s)
        self.retention = retention
        self._purged_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(_HEADER_KEY)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        if not _VALID_KEY.fullmatch(raw_key):
            await _problem(
                send,
                scope,
                400,
                "invalid-idempotency-key",
                "Invalid Idempotency-Key",
                "1 to 255 visible ASCII characters",
                field=f"header.{HEADER}",
            )
            return
        runtime = getattr(scope["app"].state, "runtime", None)
        subject = _subject(scope, headers)
        if runtime is None or subject is None:
            # No caller to keep the answer for: the route answers (401 for a bad token).
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive, runtime.settings.max_upload_bytes)
        if more:
            await _problem(
                send,
                scope,
                413,
                "too-large",
                "Request too large",
                "the body is larger than this service accepts",
            )
            return
        key = raw_key.decode("ascii")
        fingerprint = _fingerprint(scope, headers, body)
        engine = runtime.engine
        self._maybe_purge(engine)
        deadline = time.monotonic() + self.wait_s
        while True:
            found = await asyncio.to_thread(
                claim, engine, subject, key, fingerprint, scope["method"], scope["path"],
                self.stale_after,
            )  # fmt: skip
            if found != "pending" or time.monotonic() >= deadline:
                break
            await asyncio.sleep(_WAIT_STEP_S)
        if isinstance(found, Kept):
            await _replay(send, found)
        elif found == "mismatch":
            await _problem(
                send,
                scope,
                409,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                f"this {HEADER} was sent before with a different request",
                field=f"header.{HEADER}",
            )
        elif found == "pending":
            await _problem(
                send,
                scope,
                409,
                "idempotency-key-in-use",
                "Request in progress",
                f"a request with this {HEADER} is still running; retry later",
                retry_after=1,
            )
        else:
            await self._run(scope, receive, body, send, engine, subject, key)

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        body: bytes,
        send: Send,
        engine: Any,
        subject: str,
        key: str,
    ) -> None:
        status = 500
        content_type: str | None = None
        location: str | None = None
        chunks: list[bytes] = []
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                # The body was read here already; what follows is the client going away.
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status, content_type, location
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"content-type":
                        content_type = value.decode("latin-1")
                    elif name == b"location":
                        location = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        heartbeat = asyncio.create_task(self._renew(engine, subject, key))
        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await asyncio.to_thread(release, engine, subject, key)
            raise
        finally:
            heartbeat.cancel()
        if status >= 500:
            await asyncio.to_thread(release, engine, subject, key)
        else:
            answer = Kept(status, content_type, location, b"".join(chunks))
            await asyncio.to_thread(keep, engine, subject, key, answer)

    async def _renew(self, engine: Any, subject: str, key: str) -> None:
        """While the request runs, its claim is renewed: the repeat waits for it, not for a
        dead process's."""
        while True:
            await asyncio.sleep(self.heartbeat_s)
            await asyncio.to_thread(renew, engine, subject, key)

    def _maybe_purge(self, engine: Any) -> None:
        now = time.monotonic()
        if now - self._purged_at >= 600:
            self._purged_at = now
            asyncio.get_running_loop().run_in_executor(None, purge, engine, self.retention)


def _subject(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return decode_token(scope["app"].state.settings, token.strip()).subject
    except DomainError:
        return None


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(parts), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit + 1024 * 1024:  # the form's own fields on top of the file limit
            return b"", True
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), False


def _fingerprint(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    """The same request twice hashes the same; a multipart body is hashed without its boundary,
    which a client picks anew for each send."""
    content_type = headers.get(b"content-type", b"")
    match = re.search(rb"boundary=\"?([^\";]+)", content_type)
    if match:
        body = body.replace(match.group(1), b"")
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
        digest.update(part + b"\x00")
    digest.update(body)
    return digest.hexdigest()


async def _replay(send: Send, kept: Kept) -> None:
    headers = [_REPLAYED, (b"content-length", str(len(kept.body)).encode())]
    if kept.content_type:
        headers.append((b"content-type", kept.content_type.encode("latin-1")))
    if kept.location:
        headers.append((b"location", kept.location.encode("latin-1")))
    await send({"type": "http.response.start", "status": kept.status, "headers": headers})
    await send({"type": "http.response.body", "body": kept.body})


async def _problem(
    send: Send,
    scope: Scope,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    retry_after: int | None = None,
) -> None:
    problem = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=scope["path"],
        errors=[FieldError(field=field, reason=detail)] if field else [],
    )
    # As the services' own problem answers are rendered (compact, UTF-8).
    body = json.dumps(
        problem.model_dump(mode="json", exclude_none=True),
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
