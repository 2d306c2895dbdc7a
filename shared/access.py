"""One declarative access policy per service: for every route (method + path template) the roles
that may call it, whether its objects and lists are bounded by the caller's jurisdiction, and who
sees resident ID numbers in full.

The policy is enforced in front of the routes (`install`): a caller whose roles the rule does not
name gets 403 before the handler runs; a route without a rule is refused to everyone (fail
closed). The handlers keep their own role checks and apply the jurisdiction (`Principal.guard`:
an out-of-scope object answers 404). JSON responses to callers who may not see ID numbers have
every `id_number` / `*_id_number` field masked (5323**********1234), and so are ID-number cells of
their CSV and XLSX exports (shared.tabular); every export carries who exported it and when
(`X-Exported-By` / `X-Exported-At`, and the XLSX document properties).

Admin passes every rule that does not say otherwise (`require` treats it so) and sees ID numbers
in full; workflow steps (a dibao decision, a form signature) name the officers who take them and
leave admin out (the workflows refuse it: "admin is not an officer")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import clock
from shared.auth import Principal, decode_token
from shared.error_handlers import send_problem
from shared.errors import DomainError, Forbidden
from shared.header_values import ext_value
from shared.ids import mask_id_number
from shared.roles import Role
from shared.settings import get_settings
from shared.tabular import EXPORT, ExportContext

ALL_ROLES = frozenset(Role)
LOCAL = frozenset({Role.township_officer, Role.village_cadre})
COUNTY_OFFICERS = frozenset(
    {Role.county_hrss, Role.county_medical, Role.county_civil, Role.county_poverty}
)
READ_ONLY = frozenset({Role.auditor})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    """Who may call one route.

    `roles`: the roles that may call it (admin added unless `admin=False`).
    `scoped`: objects outside the caller's jurisdiction answer 404 and lists leave them out;
    False for routes with nothing personal or jurisdictional (health, policy parameters).
    `county_wide`: the route's objects are the county's (a campaign, a payment cycle, a
    cross-check run): a township or village inside the county is in scope for them.
    `public`: no token needed (health and readiness).
    `full_ids`: roles that see ID numbers unmasked here (None: the service's default)."""

    roles: frozenset[Role]
    scoped: bool = True
    county_wide: bool = False
    admin: bool = True
    public: bool = False
    full_ids: frozenset[Role] | None = None
    note: str = ""

    def allowed(self) -> frozenset[Role]:
        return self.roles | {Role.admin} if self.admin else self.roles - {Role.admin}


def rule(
    *roles: Role | Iterable[Role],
    scoped: bool = True,
    county_wide: bool = False,
    admin: bool = True,
    full_ids: Iterable[Role] | None = None,
    note: str = "",
) -> Rule:
    flat: set[Role] = set()
    for r in roles:
        flat.update([r] if isinstance(r, Role) else r)
    return Rule(
        roles=frozenset(flat),
        scoped=scoped,
        county_wide=county_wide,
        admin=admin,
        full_ids=None if full_ids is None else frozenset(full_ids),
        note=note,
    )


PUBLIC = Rule(roles=ALL_ROLES, scoped=False, public=True, note="no token")
EVERYONE = Rule(roles=ALL_ROLES, scoped=False, note="policy parameters are public law")
AUDIT = Rule(roles=frozenset({Role.auditor}), note="the service's audit trail")

SHARED_RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/v1/policy/parameters"): EVERYONE,
    ("GET", "/v1/audit"): AUDIT,
}


@dataclass(frozen=True)
class AccessPolicy:
    service: str
    rules: Mapping[tuple[str, str], Rule]
    # Roles that see ID numbers in full unless a rule says otherwise.
    full_ids: frozenset[Role]
    with_shared: bool = field(default=True)

    def all_rules(self) -> dict[tuple[str, str], Rule]:
        return {**(SHARED_RULES if self.with_shared else {}), **self.rules}

    def sees_full_ids(self, rule: Rule, principal: Principal) -> bool:
        roles = self.full_ids if rule.full_ids is None else rule.full_ids
        return principal.has(*roles, Role.admin)


# --- masking -------------------------------------------------------------------------------

_ID_KEY = re.compile(r"(^|_)id_numbers?$")


def is_id_number_key(key: str) -> bool:
    """`id_number`, `payee_id_number`, `applicant_id_number`, `id_numbers`, ..."""
    return bool(_ID_KEY.search(key))


def mask_ids(value: Any, key: str = "") -> Any:
    """A JSON value with every ID-number field masked (strings and lists of strings)."""
    if isinstance(value, dict):
        return {k: mask_ids(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_ids(v, key) for v in value]
    if isinstance(value, str) and is_id_number_key(key) and "*" not in value:
        return mask_id_number(value)
    return value


# --- exports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportMarking:
    """Who exported a file and when: a preamble line in XLSX, headers on every export."""

    by: str
    at: datetime

    @property
    def stamp(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def line(self) -> str:
        return f"导出人 exported by: {self.by}  导出时间 exported at: {self.stamp}"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Exported-By": ext_value(self.by), "X-Exported-At": self.stamp}


def export_marking(principal: Principal, at: datetime | None = None) -> ExportMarking:
    return ExportMarking(by=principal.subject, at=(at or clock.now()).replace(microsecond=0))


# --- enforcement ---------------------------------------------------------------------------


def flat_routes(routes: Iterable[BaseRoute]) -> list[Route]:
    """Every endpoint route, through included routers, in the order the router tries them."""
    out: list[Route] = []
    for r in routes:
        original = getattr(r, "original_router", None)
        if original is not None:
            out.extend(flat_routes(original.routes))
        elif isinstance(r, Route):
            out.append(r)
    return out


_TEMPLATE_CACHE = 4096


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else None
    return None


class AccessMiddleware:
    """Refuses (403) a caller whose roles the route's rule does not name, and masks ID numbers
    in JSON responses for callers the rule does not show them to. Requests without a valid
    token pass through: the route answers 401 itself."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, policy: AccessPolicy) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.policy = policy
        self.rules = policy.all_rules()
        self._routes: list[Route] | None = None
        self._templates: dict[tuple[str, str], str | None] = {}

    def template(self, scope: Scope) -> str | None:
        key = (scope["method"], scope["path"])
        if key in self._templates:
            return self._templates[key]
        if self._routes is None:
            self._routes = flat_routes(self.fastapi_app.routes)
        found = None
        for route in self._routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                found = route.path
                break
        # Trying every route's pattern costs more than a small route's work; most requests
        # repeat a path (a list, a create), so the answer is kept for a bounded number of paths.
        if len(self._templates) >= _TEMPLATE_CACHE:
            self._templates.pop(next(iter(self._templates)))
        self._templates[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("OPTIONS", "HEAD"):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        path = self.template(scope)
        if token is None or path is None:
            await self.app(scope, receive, send)
            return
        try:
            settings = getattr(self.fastapi_app.state, "settings", None) or get_settings()
            principal = decode_token(settings, token)
        except DomainError:
            await self.app(scope, receive, send)
            return
        found = self.rules.get((scope["method"], path))
        if found is None:
            await _refuse(scope, send, f"{scope['method']} {path} has no access rule")
            return
        if found.public:
            await self.app(scope, receive, send)
            return
        if not principal.has(*found.allowed()):
            names = ", ".join(sorted(r.value for r in found.allowed()))
            await _refuse(scope, send, f"this action needs one of the roles: {names}")
            return
        full = self.policy.sees_full_ids(found, principal)
        marking = export_marking(principal)
        reset = EXPORT.set(ExportContext(by=marking.by, at=marking.at, full_ids=full))
        try:
            await self.app(scope, receive, _response_send(send, mask=not full, marking=marking))
        finally:
            EXPORT.reset(reset)


async def _refuse(scope: Scope, send: Send, detail: str) -> None:
    await send_problem(send, Forbidden(detail).problem(instance=scope.get("path")))


_EXPORT_MEDIA = (b"text/csv", b"spreadsheetml", b"image/png")


def _response_send(send: Send, *, mask: bool, marking: ExportMarking) -> Send:
    """Marks exports (CSV, XLSX, charts) with who exported them and when (`X-Exported-By`,
    `X-Exported-At`); for a caller who may not see ID numbers, buffers a JSON answer and masks
    its ID-number fields."""
    start: dict[str, Message] = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            media = dict(message.get("headers", [])).get(b"content-type", b"")
            if any(m in media for m in _EXPORT_MEDIA):
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in marking.headers.items()
                    if k.lower().encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            if mask and b"json" in media:
                start["message"] = message
                return
            await send(message)
            return
        if message["type"] != "http.response.body" or "message" not in start:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        try:
            body = json.dumps(mask_ids(json.loads(body)), ensure_ascii=False).encode()
        except ValueError:
            pass
        head = start["message"]
        headers = [(k, v) for k, v in head.get("headers", []) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**head, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def install(app: FastAPI, policy: AccessPolicy) -> FastAPI:
    """Put the policy in front of the routes, inside the request log and correlation id."""
    app.user_middleware.append(Middleware(AccessMiddleware, fastapi_app=app, policy=policy))
    app.state.access_policy = policy
    return app
