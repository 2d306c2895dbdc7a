"""The employment service's repository bases (on `shared.repository.ScopedRepository`).

`Repository` answers a missing row with the table's own wording (`absent`, "no such
vacancy") and a row outside the caller's jurisdiction with the common one: both 404.
`AreaRepository` is for records of an area rather than of a person (a vacancy, a post, a
workshop, a recruitment fair): such a record lies in its county, township or village, and is
visible to a scope that covers that area or lies inside it (a village cadre sees the county's
vacancies; a township officer does not see another township's post)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from sqlalchemy import CursorResult, Update
from sqlmodel import Session, SQLModel

from shared.repository import ScopedRepository

M = TypeVar("M", bound=SQLModel)


class Repository(ScopedRepository[M]):
    absent: ClassVar[str | None] = "no such record"


def covers_area(scope: str, code: str) -> bool:
    """Whether a principal of `scope` sees a record of the area `code` (county, township or
    village): the scope covers the area or lies inside it."""
    return code.startswith(scope) or scope.startswith(code)


class AreaRepository(Repository[M]):
    def area(self, row: M) -> str:
        """The row's area: its village, else its township, else its county."""
        for name in ("village_code", "township_code", "county_code"):
            code = getattr(row, name, None)
            if code:
                return str(code)
        raise ValueError(f"{type(row).__name__} has no division code")

    def visible(self, row: M) -> bool:
        if self.principal is None or not self.principal.scope:
            return True
        return covers_area(self.principal.scope, self.area(row))


def changed_rows(session: Session, stmt: Update) -> int:
    """Run a conditional UPDATE in the session (so the audit trail records it) and say how many
    rows it changed: of two racing requests, the one that changed nothing lost."""
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
