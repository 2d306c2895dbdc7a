"""Errors as problem documents (RFC 9457 shape) with field paths, and one DomainError family."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://poverty-security.example/problems/"

log = get_logger("errors")


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


def _response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _response(exc.problem(request.url.path), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            value = err.get("input")
            errors.append(
                FieldError(
                    field=loc_to_path(err.get("loc", ())),
                    reason=str(err.get("msg", "invalid")).removeprefix("Value error, "),
                    value=value if isinstance(value, str | int | float | bool) else None,
                )
            )
        return _response(
            Problem(
                type=PROBLEM_BASE + "invalid-input",
                title="Invalid input",
                status=422,
                detail=f"{len(errors)} field(s) failed validation",
                instance=request.url.path,
                errors=errors,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _response(
            Problem(
                type=PROBLEM_BASE + f"http-{exc.status_code}",
                title=str(exc.detail) if exc.status_code != 404 else "Not found",
                status=exc.status_code,
                detail=str(exc.detail),
                instance=request.url.path,
            ),
            getattr(exc, "headers", None),
        )

    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A number the database cannot hold (an id past 64 bits: SQLite raises OverflowError,
        # PostgreSQL a DataError): the input is wrong, and the unit of work was rolled back.
        return _response(
            Problem(
                type=PROBLEM_BASE + "invalid-input",
                title="Invalid input",
                status=422,
                detail="a value is out of the range this service stores",
                instance=request.url.path,
            )
        )

    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return _response(
            Problem(
                type=PROBLEM_BASE + "internal",
                title="Internal error",
                status=500,
                detail="The request could not be completed; it has been logged.",
                instance=request.url.path,
            )
        )
