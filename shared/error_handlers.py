"""The HTTP side of shared.errors: every error answered as a problem document (RFC 9457 shape)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import PROBLEM_BASE, PROBLEM_JSON, DomainError, FieldError, Problem, loc_to_path
from shared.logging import get_logger

log = get_logger("errors")


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
