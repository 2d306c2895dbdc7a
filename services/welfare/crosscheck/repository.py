"""Every query of dynamic management (动态管理, WEL-8): economic facts, cross-check runs and their
findings, and the set-based reads a run makes of the registry read model.

A run is a record of its county (every officer working inside the county sees it); a finding and
a person's facts lie in the person's village."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, update
from sqlalchemy import select as select_rows
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from services.welfare.crosscheck.models import (
    CrossCheckFinding,
    CrossCheckRun,
    EconomicFacts,
    EconomicFactsImport,
)
from services.welfare.dibao.rules import WorkAbility
from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from shared.bus.tables import utcnow
from shared.db import table_of, upsert
from shared.domain import PovertyStatus
from shared.repository import Page, ScopedRepository

EXITED = PovertyStatus.exited.value
CHUNK = 5000


# --- people and their economic facts ------------------------------------------------------------


def facts_of(session: Session, person_id: str) -> EconomicFacts | None:
    return session.get(EconomicFacts, person_id, populate_existing=True)


def add_import(session: Session, record: EconomicFactsImport) -> EconomicFactsImport:
    session.add(record)
    session.flush()
    return record


def upsert_facts(session: Session, rows: list[dict[str, Any]]) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE executed for many rows."""
    table = table_of(EconomicFacts)
    pg = session.get_bind().dialect.name == "postgresql"
    stmt = (pg_insert if pg else sqlite_insert)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person_id"],
        set_={c: stmt.excluded[c] for c in rows[0] if c != "person_id"},
    )
    session.execute(stmt, rows)


def edit_facts(session: Session, values: dict[str, Any]) -> EconomicFacts:
    """Set one person's facts; the row as stored."""
    upsert(session, EconomicFacts, values, key=("person_id",))
    row = facts_of(session, values["person_id"])
    assert row is not None
    return row


# --- runs and findings --------------------------------------------------------------------------


class Runs(ScopedRepository[CrossCheckRun]):
    """Cross-check runs: county-wide records."""

    model = CrossCheckRun
    division = "county_code"
    county_wide = True
    missing = "no such cross-check run in your jurisdiction"

    def of_county(self, county: str) -> Sequence[CrossCheckRun]:
        """The county's runs, the latest first."""
        return self.session.exec(
            self.select()
            .where(CrossCheckRun.county_code == county)
            .order_by(col(CrossCheckRun.id).desc())
        ).all()


class Findings(ScopedRepository[CrossCheckFinding]):
    """Findings of runs, placed by their person's village."""

    model = CrossCheckFinding
    absent = "no such finding"

    def of_run(
        self,
        run_id: int,
        township: str | None = None,
        kind: str | None = None,
        status: str | None = None,
    ) -> SelectOfScalar[CrossCheckFinding]:
        """The run's findings in the jurisdiction, of a township, kind and status if given."""
        stmt = self.select().where(CrossCheckFinding.run_id == run_id)
        if township:
            stmt = stmt.where(CrossCheckFinding.township_code == township)
        if kind:
            stmt = stmt.where(CrossCheckFinding.kind == kind)
        if status:
            stmt = stmt.where(CrossCheckFinding.status == status)
        return stmt

    def counts(self, run_id: int) -> list[tuple[str, str, str, int]]:
        """(township, kind, status, findings) of the run in the jurisdiction."""
        sub = self.of_run(run_id).subquery()
        rows = self.session.execute(
            select_rows(sub.c.township_code, sub.c.kind, sub.c.status, func.count().label("n"))
            .group_by(sub.c.township_code, sub.c.kind, sub.c.status)
            .order_by(sub.c.township_code, sub.c.kind)
        )
        return [(r.township_code, r.kind, r.status, r.n) for r in rows]

    def worklist(
        self, stmt: SelectOfScalar[CrossCheckFinding], *, limit: int, offset: int
    ) -> Page[CrossCheckFinding]:
        return self.page(_ordered(stmt), limit=limit, offset=offset)

    def all_of(self, stmt: SelectOfScalar[CrossCheckFinding]) -> Sequence[CrossCheckFinding]:
        return self.session.exec(_ordered(stmt)).all()

    def close(self, finding: CrossCheckFinding, values: dict[str, Any]) -> bool:
        """Close an open finding with `values` (and read it again); False when it was closed
        already."""
        closed = self.session.exec(
            update(CrossCheckFinding)
            .where(col(CrossCheckFinding.id) == finding.id, col(CrossCheckFinding.status) == "open")
            .values(status="closed", closed_at=utcnow(), **values)
        )
        if closed.rowcount != 1:
            return False
        self.session.refresh(finding)
        return True


def _ordered(stmt: SelectOfScalar[CrossCheckFinding]) -> SelectOfScalar[CrossCheckFinding]:
    """A worklist's order: township, village, household, then the finding."""
    return stmt.order_by(
        col(CrossCheckFinding.township_code),
        col(CrossCheckFinding.village_code),
        col(CrossCheckFinding.household_id),
        col(CrossCheckFinding.id),
    )


# --- what a run reads and writes ----------------------------------------------------------------

# Plain tables: a run reads and writes rows, not ORM objects.
P = table_of(RegistryPerson)
F = table_of(EconomicFacts)
H = table_of(RegistryStatusHistory)


def living(county: str, on: date) -> ColumnElement[bool]:
    return and_(P.c.county_code == county, or_(P.c.deceased_on.is_(None), P.c.deceased_on > on))


def candidates(county: str, on: date) -> Select[Any]:
    """The people who could be reported (the SQL side of `run.could_be_reported`, without the
    dibao / 特困 sets): 两无 by their economic facts, exited, or whose status changed after
    `on`."""
    two_without = and_(F.c.has_income.is_(False), F.c.work_ability == WorkAbility.none.value)
    return (
        select_rows(
            P.c.person_id,
            P.c.household_id,
            P.c.name,
            P.c.id_number,
            P.c.township_code,
            P.c.village_code,
            P.c.poverty_status,
            P.c.status_since,
            F.c.work_ability,
            F.c.has_income,
        )
        .select_from(P.outerjoin(F, F.c.person_id == P.c.person_id))
        .where(
            living(county, on),
            or_(two_without, P.c.poverty_status == EXITED, P.c.status_since > on),
        )
    )


def status_then(session: Session, county: str, on: date) -> dict[str, tuple[str, date]]:
    """For people whose status changed after `on`: the status in force on `on` and since when."""
    changed = select_rows(P.c.person_id).where(P.c.county_code == county, P.c.status_since > on)
    rows = session.execute(
        select_rows(H.c.person_id, H.c.status, H.c.valid_from)
        .where(H.c.person_id.in_(changed), H.c.valid_from <= on)
        .order_by(H.c.person_id, H.c.valid_from, H.c.id)
    )
    return {r.person_id: (r.status, r.valid_from) for r in rows}


def people_checked(session: Session, county: str, on: date) -> tuple[int, int]:
    """How many living registered people the county has on `on`, and how many with facts."""
    row = session.execute(
        select_rows(func.count().label("checked"), func.count(F.c.person_id).label("with_facts"))
        .select_from(P.outerjoin(F, F.c.person_id == P.c.person_id))
        .where(living(county, on))
    ).one()
    return int(row.checked), int(row.with_facts)


def stream(session: Session, stmt: Select[Any]) -> Iterator[Any]:
    """The rows of `stmt`, fetched `CHUNK` at a time."""
    result = session.execute(stmt, execution_options={"stream_results": True, "yield_per": CHUNK})
    for partition in result.partitions():
        yield from partition


def add_run(session: Session, run: CrossCheckRun) -> CrossCheckRun:
    session.add(run)
    session.flush()
    return run


def write_findings(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the findings of `rows` (emptied) in one statement; how many there were."""
    n = len(rows)
    if rows:
        session.execute(insert(table_of(CrossCheckFinding)), rows)
        rows.clear()
    return n
