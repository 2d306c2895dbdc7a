"""The HTTP side of shared.errors: every error answered as a problem document (RFC 9457 shape)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from shared.errors import PROBLEM_BASE, PROBLEM_JSON, DomainError, FieldError, Problem, loc_to_path
from shared.logging import get_logger

log = get_logger("errors")


class ProblemResponse(JSONResponse):
    """A problem document that renders whatever its text holds: a character UTF-8 cannot
    encode (a lone surrogate from a JSON `\\ud800` escape) is written as `?`, never a 500."""

    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", errors="replace")


def _response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return ProblemResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        headers=headers,
    )


def _echo(value: object) -> str | int | float | bool | None:
    """The invalid input shown back beside its field: scalars only, and text only when it can
    be encoded (what cannot be shown is left out rather than mangled)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    return value if isinstance(value, int | float | bool) else None


_TITLES = {"invalid-input": "Invalid input", "busy": "Service busy"}


def _fixed(
    status: int, slug: str, detail: str, headers: dict[str, str] | None = None
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """A handler answering one fixed problem, whatever the exception's text."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return _response(
            Problem(
                type=PROBLEM_BASE + slug,
                title=_TITLES[slug],
                status=status,
                detail=detail,
                instance=request.url.path,
            ),
            headers,
        )

    return handler


async def send_problem(
    send: Send, problem: Problem, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """A problem document sent from a raw ASGI middleware (before any route runs)."""
    body = problem.model_dump_json(exclude_none=True).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
                    value=_echo(value),
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

    # A number the database cannot hold (an id past 64 bits: SQLite raises OverflowError,
    # PostgreSQL a DataError): the input is wrong, and the unit of work was rolled back.
    _out_of_range = _fixed(422, "invalid-input", "a value is out of the range this service stores")
    # Text the database or the answer cannot encode (a lone surrogate, `\\ud800`, in a JSON
    # string that passed its field's checks): refused before anything was written.
    _unencodable = _fixed(
        422,
        "invalid-input",
        "a text value holds a character that is not valid Unicode text "
        "(a lone surrogate such as \\ud800)",
    )
    # Every database connection of the process stayed busy for the pool's whole wait: the
    # service is overloaded, not broken; the client may retry shortly.
    _pool_timeout = _fixed(
        503,
        "busy",
        "no database connection came free in time; retry shortly",
        {"Retry-After": "2"},
    )

    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(UnicodeEncodeError, _unencodable)
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
