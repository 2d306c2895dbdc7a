"""The access matrix: every operation of a service's OpenAPI × every role × in-scope and
out-of-scope tokens, checked against the service's access policy (shared.access).

Expectations, per request:
- a role the rule does not name: 403 (the policy's refusal, before the handler);
- an allowed role out of scope: 404 for an object route (a path naming a seeded object), no
  2xx for a create naming an in-scope division (403/404/422), and for lists and queries no
  seeded person's id, ID number or name in the answer (an empty 200, or 403/404);
- an allowed role in scope: anything but 401, 404, 5xx and the access refusal ("this action
  needs one of the roles", "may not read"); a 409 or 422 about the body or the record's state
  is fine, and so is a workflow's 403 for a step another officer takes (`STEP_REFUSALS`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.access import AccessPolicy, Rule
from shared.auth import Role
from shared.settings import Settings
from tests.conftest import token

IN_COUNTY = "532325"
IN_TOWNSHIP = "532325100"
IN_VILLAGE = "532325100201"
OTHER_COUNTY = "520324"
SAME_COUNTY_TOWNSHIP = "532325101"
SAME_COUNTY_VILLAGE = "532325101202"

# A query value standing for the division the role's in-scope token covers (the county for
# admin): out-of-scope requests ask for the same division, outside their jurisdiction.
DIVISION = "{division}"
# Path parameters that name no record (a scheme, a format).
NOT_OBJECTS = frozenset({"scheme"})
ACCESS_REFUSALS = ("this action needs one of the roles", "may not read", "has no access rule")
# The only 403s an allowed role in scope may meet: a workflow step another officer takes.
STEP_REFUSALS = ("is taken by", "may not approve", "only ", "are recorded by", "prepared by")


def in_scope(role: Role) -> str:
    if role is Role.village_cadre:
        return IN_VILLAGE
    if role is Role.township_officer:
        return IN_TOWNSHIP
    return "" if role is Role.admin else IN_COUNTY


def out_of_scope(role: Role, rule: Rule) -> list[str]:
    """Another county always; for township and village staff also another township of the
    county, unless the route's objects are the county's."""
    if role is Role.admin:
        return []
    if role is Role.village_cadre:
        other = [f"{OTHER_COUNTY}100201"]
        return other if rule.county_wide else [*other, SAME_COUNTY_VILLAGE]
    if role is Role.township_officer:
        other = [f"{OTHER_COUNTY}100"]
        return other if rule.county_wide else [*other, SAME_COUNTY_TOWNSHIP]
    return [OTHER_COUNTY]


@dataclass
class Call:
    """How to call one operation: path parameters, query, and a JSON body or a file."""

    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    file: tuple[str, bytes, str] | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    path_params: tuple[str, ...]
    has_body: bool
    multipart: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def operations(spec: Mapping[str, Any]) -> list[Operation]:
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            content = op.get("requestBody", {}).get("content", {})
            out.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params=params,
                    has_body=bool(content),
                    multipart="multipart/form-data" in content,
                )
            )
    return out


def url(op: Operation, call: Call) -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", str(call.path_params[name]))
    return path


@dataclass
class Outcome:
    op: Operation
    role: Role
    scope: str
    kind: str  # forbidden / out_of_scope / in_scope
    status: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.op.method} {self.op.path} as {self.role} scope={self.scope or '*'} "
            f"({self.kind}): {self.status} {self.detail[:160]}"
        )


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    op: Operation,
    call: Call,
    role: Role,
    scope: str,
) -> httpx.Response:
    headers = token(settings, role, scope=scope, sub=f"matrix-{role}")
    division = in_scope(role) or IN_COUNTY
    query = {k: division if v == DIVISION else v for k, v in call.query.items()}
    kwargs: dict[str, Any] = {"headers": headers, "params": query}
    if call.file is not None:
        kwargs["files"] = {"file": call.file}
    elif op.has_body:
        kwargs["json"] = copy.deepcopy(call.json) if call.json is not None else {}
    return await client.request(op.method, url(op, call), **kwargs)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


def check(outcome: Outcome, rule: Rule, object_route: bool, leaked: bool) -> str | None:
    """The failure this outcome is, or None."""
    status, detail = outcome.status, outcome.detail
    if outcome.kind == "forbidden":
        return None if status == 403 else "expected 403"
    if outcome.kind == "out_of_scope":
        if object_route:
            return None if status == 404 else "expected 404 (object outside the jurisdiction)"
        if status >= 500:
            return "server error"
        if leaked:
            return "answer shows a record outside the jurisdiction"
        if outcome.op.method != "GET" and 200 <= status < 300:
            return "an out-of-scope write succeeded"
        return None
    if status in (401, 404) or status >= 500:
        return f"unexpected {status} in scope"
    if status == 403:
        if any(r in detail for r in ACCESS_REFUSALS):
            return "allowed role refused"
        if not any(r in detail for r in STEP_REFUSALS):
            return "403 in scope that is not a workflow step's"
    return None


def plan(policy: AccessPolicy, op: Operation) -> Iterator[tuple[Role, str, str]]:
    """(role, scope, kind) for every role; forbidden ones first, then out of scope, then in
    scope, so that writes in scope come after every read of the same object."""
    rule = policy.all_rules()[op.key]
    allowed = rule.allowed()
    for role in Role:
        if role not in allowed:
            yield role, in_scope(role), "forbidden"
    if rule.scoped:
        for role in Role:
            if role in allowed:
                for scope in out_of_scope(role, rule):
                    yield role, scope, "out_of_scope"
    for role in Role:
        if role in allowed:
            yield role, in_scope(role), "in_scope"


def leaks(response: httpx.Response, markers: list[str]) -> bool:
    text = response.text
    return any(m in text for m in markers)


async def run_matrix(
    client: httpx.AsyncClient,
    settings: Settings,
    policy: AccessPolicy,
    spec: Mapping[str, Any],
    calls: Mapping[tuple[str, str], Call],
    markers: list[str],
    seen: list[Outcome] | None = None,
) -> list[str]:
    """Every operation × role × scope; the failures as readable lines. `seen` collects every
    outcome."""
    failures: list[str] = []
    ops = [op for op in operations(spec) if not policy.all_rules()[op.key].public]
    # Reads before writes, so that a write in scope (a death, a cancellation) cannot change
    # what another role's read sees.
    ops.sort(key=lambda op: op.method != "GET")
    for phase in ("forbidden", "out_of_scope", "in_scope"):
        for op in ops:
            rule = policy.all_rules()[op.key]
            call = calls.get(op.key, Call())
            object_route = any(p not in NOT_OBJECTS for p in op.path_params)
            for role, scope, kind in plan(policy, op):
                if kind != phase:
                    continue
                response = await send(client, settings, op, call, role, scope)
                outcome = Outcome(op, role, scope, kind, response.status_code, _detail(response))
                leaked = kind == "out_of_scope" and leaks(response, markers)
                problem = check(outcome, rule, object_route, leaked)
                if seen is not None:
                    seen.append(outcome)
                if problem:
                    failures.append(f"{outcome} -> {problem}")
    return failures


def coverage(spec: Mapping[str, Any], policy: AccessPolicy) -> tuple[set[Any], set[Any]]:
    """(operations without a rule, rules without an operation)."""
    ops = {op.key for op in operations(spec)}
    rules = set(policy.all_rules())
    return ops - rules, rules - ops
