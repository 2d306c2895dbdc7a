"""Queries of the outpatient chronic bills (placed by their county; a hospital sees its own) and
of a person's running totals per year and category, taken under a lock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.medical.access import PostedRecords
from services.medical.outpatient.models import OutpatientBill, OutpatientYear

YEARS: Table = OutpatientYear.metadata.tables["outpatient_year"]


class BillRepository(PostedRecords[OutpatientBill]):
    model = OutpatientBill
    missing = "no bill with that id"

    def fresh(self, bill_id: str) -> OutpatientBill | None:
        """The bill as committed now, wherever it lies (the idempotency check of a post)."""
        bill: OutpatientBill | None = self.session.get(
            OutpatientBill, bill_id, populate_existing=True
        )
        return bill

    def of_person(self, id_number: str, year: int | None) -> Sequence[OutpatientBill]:
        """A person's bills (by ID number), by bill date; the caller decides who may see them."""
        stmt = select(OutpatientBill).where(col(OutpatientBill.id_number) == id_number)
        if year is not None:
            stmt = stmt.where(col(OutpatientBill.year) == year)
        return self.session.exec(
            stmt.order_by(col(OutpatientBill.bill_date), col(OutpatientBill.bill_id))
        ).all()


class YearRepository:
    """A person's running totals per year and category (no division of their own: reached
    through a bill or a person already found)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(
        self, id_number: str, year: int, category: str, zeros: dict[str, Any]
    ) -> OutpatientYear:
        """Insert the row if missing, then read it locked. The insert comes first: on SQLite it
        takes the write lock (later reads see every committed change); on PostgreSQL FOR UPDATE
        holds the row until commit, so that two bills of one person never settle against the
        same totals (the person_year discipline of the stays)."""
        session = self.session
        dialect = session.get_bind().dialect.name
        insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
        key = {"id_number": id_number, "year": year, "category": category}
        session.execute(insert_fn(YEARS).values(**key, **zeros).on_conflict_do_nothing())
        stmt = select(OutpatientYear).where(
            col(OutpatientYear.id_number) == id_number,
            col(OutpatientYear.year) == year,
            col(OutpatientYear.category) == category,
        )
        if dialect == "postgresql":
            stmt = stmt.with_for_update()
        return session.exec(stmt.execution_options(populate_existing=True)).one()

    def totals(self, id_number: str, year: int | None) -> Sequence[OutpatientYear]:
        """The categories with bills of a person, by year and category."""
        stmt = select(OutpatientYear).where(
            col(OutpatientYear.id_number) == id_number, col(OutpatientYear.bills) > 0
        )
        if year is not None:
            stmt = stmt.where(col(OutpatientYear.year) == year)
        return self.session.exec(
            stmt.order_by(col(OutpatientYear.year), col(OutpatientYear.category))
        ).all()

    def add(self, row: OutpatientYear) -> None:
        self.session.add(row)
