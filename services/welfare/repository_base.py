"""What every welfare repository shares: a missing record and one outside the caller's
jurisdiction are both 404, each with the message the API has always given, and the count of rows
a conditional UPDATE moved (the optimistic checks of the procedures)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy.engine import CursorResult, Result
from sqlmodel import SQLModel

from shared.repository import ScopedRepository

M = TypeVar("M", bound=SQLModel)

OUTSIDE = "no such record in your jurisdiction"


class WelfareRepository(ScopedRepository[M]):
    """A scoped repository whose `absent` names the record; a record that exists outside the
    jurisdiction answers the jurisdiction's message, as `Principal.guard` does."""

    missing: ClassVar[str] = OUTSIDE


def moved(result: Result[Any]) -> int:
    """Rows an UPDATE statement changed (the session returns its cursor result)."""
    return cast(CursorResult[Any], result).rowcount
