"""Queries of the registry: households placed by their village, people by their household's, and
the bulk reads and writes of a roster import (SQLAlchemy Core, chunked)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, any_, bindparam, func, text, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from services.enrollment.registry.models import Household, Person
from shared.auth import Principal
from shared.db import begin_write, insert_rows, serialize, table_of
from shared.errors import NotFound
from shared.repository import ScopedRepository, in_jurisdiction, insert_new

CHUNK = 500  # well under SQLite's bound-parameter limit


P = table_of(Person)
H = table_of(Household)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class HouseholdRepository(ScopedRepository[Household]):
    model = Household
    absent = "no registered household with that id"

    def exists(self, key: str) -> bool:
        """Whether the id is taken, in any jurisdiction."""
        return self.session.get(Household, key) is not None


class PersonRepository:
    """Registered people, placed in the jurisdiction by their household's village."""

    missing = ScopedRepository.missing

    def __init__(self, session: Session, principal: Principal | None) -> None:
        self.session = session
        self.principal = principal

    def add_new(self, person: Person) -> bool:
        """Insert a person: False if the ID number is registered already (unique)."""
        return insert_new(self.session, person)

    def within(self, stmt: Select[Person, Household], division: str) -> Select[Person, Household]:
        """`stmt` (people joined to households) limited to `division`, inside the jurisdiction."""
        stmt = stmt.where(col(Household.village_code).startswith(division))
        scope = self.principal.scope if self.principal is not None else ""
        if not division.startswith(scope):
            stmt = stmt.where(col(Household.village_code).startswith(scope))
        return stmt

    def registered(self, id_number: str) -> bool:
        """Whether anyone, in any jurisdiction, is registered with this ID number."""
        found = self.session.exec(select(Person).where(col(Person.id_number) == id_number))
        return found.first() is not None

    def find(self, person_id: str) -> tuple[Person, Household] | None:
        """The person with this (internal) id and their household, if in the jurisdiction."""
        person = self.session.get(Person, person_id)
        if person is None:
            return None
        household = self.session.get(Household, person.household_id)
        assert household is not None
        if not in_jurisdiction(self.principal, household.village_code, county_wide=False):
            return None
        return person, household

    def get_or_404(self, id_number: str, *, lock: bool = False) -> tuple[Person, Household]:
        """The person with this ID number and their household, if in the jurisdiction; `lock`:
        the person's row held until commit (FOR UPDATE; on SQLite the write lock)."""
        stmt = select(Person).where(col(Person.id_number) == id_number)
        if lock:
            begin_write(self.session)
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        person = self.session.exec(stmt).first()
        if person is None:
            raise NotFound("no registered person with that ID number")
        household = self.session.get(Household, person.household_id)
        assert household is not None
        if not in_jurisdiction(self.principal, household.village_code, county_wide=False):
            raise NotFound(self.missing)
        return person, household

    def missing_from_roster(
        self, division: str, offset: int, limit: int
    ) -> tuple[int, list[tuple[Person, Household]]]:
        """People flagged as absent from the latest roster in `division`, by ID number."""
        base = self.within(
            select(Person, Household)
            .join(Household, col(Household.id) == col(Person.household_id))
            .where(col(Person.missing_since_import).is_not(None)),
            division,
        )
        total = self.session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = self.session.exec(
            base.order_by(col(Person.id_number)).offset(offset).limit(limit)
        ).all()
        return total, [(p, h) for p, h in rows]

    def living_in(self, division: str) -> list[tuple[Person, Household]]:
        """Everyone alive registered in `division`."""
        rows = self.session.exec(
            self.within(
                select(Person, Household)
                .join(Household, col(Household.id) == col(Person.household_id))
                .where(col(Person.deceased_on).is_(None)),
                division,
            )
        ).all()
        return [(p, h) for p, h in rows]


# -- a roster import, in bulk --------------------------------------------------------------


def one_import_at_a_time(session: Session) -> None:
    """Roster imports run one after the other from here to their commit."""
    serialize(session, "enrollment.registry.import")


def _among(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> Iterator[ColumnElement[bool]]:
    """`column IN values`, as few statements as the database takes: one array parameter on
    PostgreSQL (one query plan, however many values), chunks of bound parameters on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        if values:
            yield column == any_(bindparam("values", list(values), type_=ARRAY(column.type)))
        return
    for chunk in chunks(values):
        yield column.in_(chunk)


def households_of(session: Session, id_numbers: list[str]) -> dict[str, str]:
    """The household of each of these people who is registered."""
    found: dict[str, str] = {}
    for among in _among(session, P.c.id_number, id_numbers):
        stmt = core_select(P.c.id_number, P.c.household_id).where(among)
        found.update((row.id_number, row.household_id) for row in session.execute(stmt))
    return found


def existing_people(session: Session, id_numbers: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for among in _among(session, P.c.id_number, id_numbers):
        for row in session.execute(core_select(P).where(among)).mappings():
            found[row["id_number"]] = dict(row)
    return found


def existing_households(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for among in _among(session, H.c.id, ids):
        for row in session.execute(core_select(H).where(among)).mappings():
            found[row["id"]] = dict(row)
    return found


def insert_households(session: Session, rows: list[dict[str, Any]]) -> None:
    insert_rows(session, H, rows)


def insert_people(session: Session, rows: list[dict[str, Any]]) -> None:
    insert_rows(session, P, rows)


def refresh_statistics(session: Session) -> None:
    """Fresh planner statistics of the registry's tables (PostgreSQL; SQLite plans these
    lookups on its unique indexes without them)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {H.name}, {P.name}"))


def update_people(session: Session, updates: list[dict[str, Any]]) -> None:
    """Each update names the person in `b_id` and the same columns as the first."""
    if not updates:
        return
    session.execute(
        update(P)
        .where(P.c.id == bindparam("b_id"))
        .values({k: bindparam(k) for k in updates[0] if k != "b_id"}),
        updates,
        execution_options={"synchronize_session": False},
    )


def update_household_status(session: Session, updates: list[dict[str, Any]]) -> None:
    """Poverty status and relocation of the households named in `b_id`."""
    if not updates:
        return
    session.execute(
        update(H)
        .where(H.c.id == bindparam("b_id"))
        .values(
            poverty_status=bindparam("poverty_status"),
            relocated=bindparam("relocated"),
            updated_at=bindparam("updated_at"),
        ),
        updates,
        execution_options={"synchronize_session": False},
    )


def set_heads(session: Session, heads: list[dict[str, Any]]) -> None:
    """The head of each household named in `b_id`."""
    if not heads:
        return
    session.execute(
        update(H)
        .where(H.c.id == bindparam("b_id"))
        .values(head_person_id=bindparam("head_person_id")),
        heads,
        execution_options={"synchronize_session": False},
    )


def _unflagged(counties: list[str]) -> Any:
    return (
        core_select(P.c.id, P.c.id_number, P.c.household_id, H.c.county_code, H.c.village_code)
        .join(H, H.c.id == P.c.household_id)
        .where(
            H.c.county_code.in_(counties),
            P.c.deceased_on.is_(None),
            P.c.missing_since_import.is_(None),
        )
    )


def count_unflagged(session: Session, counties: list[str]) -> int:
    """How many living people of `counties` are not flagged as missing."""
    stmt = core_select(func.count()).select_from(_unflagged(counties).subquery())
    return int(session.execute(stmt).scalar_one())


def unflagged_people(
    session: Session, counties: list[str], page: int
) -> Iterator[Sequence[Row[Any]]]:
    """The living people of `counties` not yet flagged as missing, with their household's
    county and village, `page` at a time (by id, so that flagging a page leaves the next
    pages where they were)."""
    last = ""
    while True:
        rows = session.execute(
            _unflagged(counties).where(P.c.id > last).order_by(P.c.id).limit(page)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def flag_missing(session: Session, person_ids: list[str], import_id: str) -> None:
    for chunk in chunks(person_ids):
        session.execute(
            update(P).where(P.c.id.in_(chunk)).values(missing_since_import=import_id),
            execution_options={"synchronize_session": False},
        )
