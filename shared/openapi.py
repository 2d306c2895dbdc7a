"""The services' OpenAPI documents as a contract integrators can generate clients from: one
operationId per operation named for its area (`dibao_decide`), schema names without module
paths, every error answered as the problem document it is (RFC 9457, `application/problem+json`)
and the spreadsheet and CSV answers declared with their media types."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from shared.errors import PROBLEM_JSON, FieldError, Problem
from shared.tabular import CSV_MEDIA, XLSX_MEDIA

PROBLEM_SCHEMA = "Problem"
FIELD_ERROR_SCHEMA = "FieldError"
_REF = "#/components/schemas/"
_BINARY = {"type": "string", "format": "binary"}
_WRITES = {"post", "put", "patch", "delete"}

# Status -> when the services answer it; every one is a problem document.
PROBLEMS: dict[int, str] = {
    400: "Bad request: the request cannot be read (an upload that is not the file it claims)",
    401: "No valid bearer token",
    403: "The token's role or jurisdiction does not cover this request",
    404: "Not found",
    409: "Conflict with what is recorded (a repeat that differs, a state that does not allow it)",
    422: "Invalid input: `errors` names each field and the reason",
    503: "A dependency (the database or the broker) is unavailable; try again later",
}


def area(route: APIRoute) -> str:
    """The package a route lives in (`dibao`, `stays`, …); the shared routes give their tag."""
    parts = route.endpoint.__module__.split(".")
    if parts[-1] == "routes" and len(parts) >= 2:
        return parts[-2]
    return str(route.tags[0]) if route.tags else "system"


def operation_id(route: APIRoute) -> str:
    """`<area>_<handler>`, so ids stay unique and readable across a service
    (`dibao_post_decision`, `registry_import_roster`)."""
    prefix, name = area(route), route.endpoint.__name__
    return name if name == prefix or name.startswith(prefix + "_") else f"{prefix}_{name}"


def _tags(app: FastAPI, doc: dict[str, Any]) -> None:
    """Each operation tagged with its area, a plain identifier a generated client can name a
    module after; the router's own title (Chinese term and rule IDs) becomes the tag's
    description."""
    # FastAPI keeps included routers nested; their routes are reached through contexts that
    # carry each route's effective tags.
    # (A context stands in for its route: same endpoint, the tags in effect.)
    contexts: list[Any] = list(iter_route_contexts(app.routes))
    routes = {
        operation_id(ctx): ctx for ctx in contexts if isinstance(ctx.original_route, APIRoute)
    }
    described: dict[str, list[str]] = {}
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            route = routes.get(operation.get("operationId", ""))
            if route is None:
                continue
            name = area(route)
            titles = described.setdefault(name, [])
            titles += [str(t) for t in route.tags if str(t) != name and str(t) not in titles]
            operation["tags"] = [name]
    doc["tags"] = [
        {"name": name, **({"description": "; ".join(titles)} if titles else {})}
        for name, titles in sorted(described.items())
    ]


def _pascal(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", snake) if part)


def _schema_names(schemas: dict[str, Any]) -> dict[str, str]:
    """FastAPI names a model that shares its class name with another one by its module path
    (`services__welfare__dibao__schemas__CaseOut`) and a form body `Body_<operationId>`: both
    become names a generated client can use (`DibaoCaseOut`, `RegistryImportRosterForm`)."""
    renames: dict[str, str] = {}
    for name in schemas:
        if "__" in name and not name.startswith("Body_"):
            parts = name.split("__")
            package = parts[-3] if len(parts) >= 3 else parts[0]
            renames[name] = _pascal(package) + parts[-1]
        elif name.startswith("Body_"):
            renames[name] = _pascal(name.removeprefix("Body_")) + "Form"
    taken = set(schemas) - set(renames)
    for old, new in renames.items():
        if new in taken:
            raise ValueError(f"OpenAPI schema {old} would be renamed to {new}, already taken")
        taken.add(new)
    return renames


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF):
                target = value.removeprefix(_REF)
                out[key] = _REF + renames.get(target, target)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": PROBLEMS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": _REF + PROBLEM_SCHEMA}}},
    }


def _declare_files(operation: dict[str, Any]) -> None:
    """A `format` query of `json|xlsx|csv` answers those files; any declared non-JSON answer is
    bytes."""
    ok = operation.get("responses", {}).get("200")
    if ok is None:
        return
    content = ok.setdefault("content", {})
    for parameter in operation.get("parameters", []):
        if parameter.get("name") != "format" or parameter.get("in") != "query":
            continue
        pattern = str(parameter.get("schema", {}).get("pattern", ""))
        if "xlsx" in pattern:
            content.setdefault(XLSX_MEDIA, {})
        if "csv" in pattern:
            content.setdefault(CSV_MEDIA, {})
    for media, body in content.items():
        if media != "application/json" and not body.get("schema"):
            body["schema"] = dict(_BINARY)


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe. The first request with a key runs; a repeat with the "
    "same key and the same request gets the original answer with its original status (and "
    "`Idempotent-Replayed: true`), waiting for it while the first still runs; the same key with "
    "a different request is a 409. Keys belong to the caller (the token's subject) and are kept "
    "for 24 hours; an answer of 500 or above is not kept. 1 to 255 visible ASCII characters, "
    "e.g. a UUID.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def _problems(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    statuses = {422, 503}
    if operation.get("security") or path.startswith("/v1/"):
        statuses |= {401, 403}
    if "{" in path or method in _WRITES:
        statuses.add(404)
    if method in _WRITES:
        statuses |= {400, 409}
    if path in ("/healthz", "/readyz"):
        statuses = {503} if path == "/readyz" else set()
    for status in sorted(statuses):
        responses[str(status)] = _problem_response(status)
    if method in _WRITES:
        operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY))


def _problem_schemas() -> dict[str, Any]:
    problem = Problem.model_json_schema(ref_template=_REF + "{model}")
    problem.pop("$defs", None)
    problem["description"] = (
        "A problem document (RFC 9457): `type` identifies the kind of problem, `errors` lists "
        "each field that failed and why (`row` for a line of an uploaded file)."
    )
    return {PROBLEM_SCHEMA: problem, FIELD_ERROR_SCHEMA: FieldError.model_json_schema()}


def contract(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's `openapi()`: FastAPI's document made into the contract described above, built
    once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = doc.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        # FastAPI's default 422 body is not what the services send.
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        renames = _schema_names(schemas)
        doc = cast(dict[str, Any], _rename_refs(doc, renames))
        schemas = doc["components"]["schemas"]
        for old, new in renames.items():
            schemas[new] = schemas.pop(old)
            schemas[new]["title"] = new
        schemas.update(_problem_schemas())
        for path, item in doc.get("paths", {}).items():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                _declare_files(operation)
                _problems(path, method, operation)
        _tags(app, doc)
        app.openapi_schema = doc
        return doc

    return openapi
