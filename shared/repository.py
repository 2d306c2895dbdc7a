"""Repositories: every query of a table goes through one, and the caller's jurisdiction is applied
here, once, so a forgotten inline check cannot show another county's rows.

A sub-domain's `repository.py` subclasses `ScopedRepository` for each table it reads, naming the
column that places a row in the division codes (`village_code` by default; `county_code` for
records of the county as a whole). Built with a principal, every read is limited to the
principal's jurisdiction: a row outside it is missing (404, never 403: no existence leak) and
lists leave it out. Built without one (`principal=None`), reads are unscoped: event consumers and
the system's own jobs, which act for every county."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, TypeVarTuple, overload

from sqlalchemy import ColumnElement, Over, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from shared.auth import Principal
from shared.db import begin_write
from shared.errors import NotFound

M = TypeVar("M", bound=SQLModel)
T = TypeVar("T")
Ts = TypeVarTuple("Ts")

COUNTY_DIGITS = 6


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the rows, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


def in_jurisdiction(principal: Principal | None, code: str | None, *, county_wide: bool) -> bool:
    """Whether a row placed at division `code` is visible to `principal` (None: the system).

    A county-wide row (a payment cycle, a campaign, a cross-check run) is visible to everyone
    working inside its county, a township officer included."""
    if principal is None or not principal.scope:
        return True
    if code is None:
        return False
    if county_wide:
        return code[:COUNTY_DIGITS] == principal.scope[:COUNTY_DIGITS]
    return code.startswith(principal.scope)


class ScopedRepository(Generic[M]):
    """Reads and writes of one table, limited to the principal's jurisdiction."""

    model: ClassVar[type[Any]]
    # The column holding the row's division code (county 6, township 9, village 12 digits).
    division: ClassVar[str] = "village_code"
    county_wide: ClassVar[bool] = False
    # The 404 messages: a row outside the jurisdiction (`missing`) and, where a service names
    # the record, a key with no row at all (`absent`, the same message unless set).
    missing: ClassVar[str] = "no such record in your jurisdiction"
    absent: ClassVar[str | None] = None
    # Reload a row the session already holds (another request may have changed it since).
    reload: ClassVar[bool] = False

    def __init__(self, session: Session, principal: Principal | None) -> None:
        self.session = session
        self.principal = principal

    # -- jurisdiction, in one place --------------------------------------------------------
    def visible(self, row: M) -> bool:
        return in_jurisdiction(
            self.principal, getattr(row, self.division), county_wide=self.county_wide
        )

    def jurisdiction(self) -> ColumnElement[bool] | None:
        """The WHERE clause keeping the rows in the principal's jurisdiction (None: all rows).
        A repository whose rows are placed otherwise overrides this and `visible` together."""
        if self.principal is None or not self.principal.scope:
            return None
        column = col(getattr(self.model, self.division))
        if self.county_wide:
            return column == self.principal.scope[:COUNTY_DIGITS]
        return column.startswith(self.principal.scope)

    @overload
    def scoped(self, stmt: SelectOfScalar[T]) -> SelectOfScalar[T]: ...

    @overload
    def scoped(self, stmt: Select[*Ts]) -> Select[*Ts]: ...

    def scoped(self, stmt: Any) -> Any:
        """`stmt` limited to the principal's jurisdiction (by this repository's table, which
        `stmt` selects or joins)."""
        clause = self.jurisdiction()
        return stmt if clause is None else stmt.where(clause)

    def select(self, **equal: object) -> SelectOfScalar[M]:
        """`SELECT model` limited to the principal's jurisdiction and to the rows whose columns
        equal the given values (`where_given`); add further filters and ordering."""
        return self.where_given(self.scoped(select(self.model)), **equal)

    def where_given(self, stmt: SelectOfScalar[T], **equal: object) -> SelectOfScalar[T]:
        """`stmt` narrowed to the rows whose column (named by the keyword) equals the value; a
        value of None or "" is a filter the caller left out (an absent query parameter)."""
        for name, value in equal.items():
            if value is not None and value != "":
                stmt = stmt.where(col(getattr(self.model, name)) == value)
        return stmt

    # -- reads -----------------------------------------------------------------------------
    def find(self, key: Any, *, lock: bool = False) -> M | None:
        """The row with primary key `key`, or None if there is none in the jurisdiction; `lock`:
        held until commit (FOR UPDATE; on SQLite the database's write lock)."""
        if lock:
            begin_write(self.session)
        row: M | None = self.session.get(self.model, key, with_for_update=lock or None)
        if row is None or not self.visible(row):
            return None
        return row

    def get_or_404(self, key: Any, *, lock: bool = False) -> M:
        if lock:
            begin_write(self.session)
        row: M | None = self.session.get(
            self.model, key, with_for_update=lock or None, populate_existing=self.reload
        )
        if row is None:
            raise NotFound(self.absent or self.missing)
        if not self.visible(row):
            raise NotFound(self.missing)
        return row

    def first(self, stmt: SelectOfScalar[M]) -> M | None:
        return self.session.exec(self.scoped(stmt).limit(1)).first()

    def all(self, stmt: SelectOfScalar[T]) -> Sequence[T]:
        return self.session.exec(self.scoped(stmt)).all()

    def page(
        self, stmt: SelectOfScalar[M], *, limit: int, offset: int, order_by: Any = None
    ) -> Page[M]:
        """One page of `stmt` (scoped) and the total count of its rows."""
        scoped = self.scoped(stmt)
        total = self.session.exec(
            select(func.count()).select_from(scoped.order_by(None).subquery())
        ).one()
        ordered = scoped.order_by(order_by) if order_by is not None else scoped
        items = list(self.session.exec(ordered.offset(offset).limit(limit)).all())
        return Page(items=items, total=int(total), limit=limit, offset=offset)

    def newest(self, stmt: Select[T, int], *order_by: Any, limit: int) -> Page[T]:
        """The first `limit` rows of `stmt` (scoped) in `order_by` order, and how many it finds
        in all, in one query: `stmt` selects its rows beside `counted()`, a window count the
        database takes before the LIMIT."""
        rows = self.session.exec(self.scoped(stmt).order_by(*order_by).limit(limit)).all()
        total = int(rows[0][1]) if rows else 0
        return Page(items=[row[0] for row in rows], total=total, limit=limit, offset=0)

    # -- writes ----------------------------------------------------------------------------
    def add(self, row: M, *, flush: bool = False) -> M:
        self.session.add(row)
        if flush:
            self.session.flush()
        return row

    def add_new(self, row: M) -> bool:
        """Insert `row` in a savepoint: False (and nothing written) if a unique constraint says
        it is there already, by an earlier or a concurrent request."""
        return insert_new(self.session, row)


def counted() -> Over[int]:
    """`count(*) OVER ()`: beside each row of a query, the number of rows it finds before any
    LIMIT (`ScopedRepository.newest`)."""
    return func.count().over()


def insert_new(session: Session, row: SQLModel) -> bool:
    """Insert `row` in a savepoint: False (and nothing written) if a unique constraint says it is
    there already, by an earlier or a concurrent request (which, on PostgreSQL, is waited for)."""
    # pysqlite begins a transaction only before a write: a SAVEPOINT opened first would be the
    # outermost one, and releasing it would commit what a failed request must not keep. Begin
    # the request's transaction (holding the write lock) before the savepoint.
    begin_write(session)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
