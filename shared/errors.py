"""Errors as problem documents (RFC 9457 shape) with field paths, and one DomainError family.

Pure: the rules raise these, so nothing here imports the web framework or the database; the
handlers that answer them over HTTP are in shared.error_handlers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://poverty-security.example/problems/"


class FieldError(BaseModel):
    """One problem with one input field: `field` is a dotted path (e.g. `rows[3].id_number`)."""

    field: str
    reason: str
    value: Any | None = None
    row: int | None = None


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []


class DomainError(Exception):
    """Base of every error a handler raises on purpose; becomes a problem document."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(
        self, detail: str, *, errors: list[FieldError] | None = None, status: int | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        if status is not None:
            self.status = status

    def problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )


class InvalidInput(DomainError):
    status, title, slug = 422, "Invalid input", "invalid-input"


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(DomainError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaType(DomainError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


def loc_to_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'rows', 3, 'id_number') -> 'body.rows[3].id_number'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
