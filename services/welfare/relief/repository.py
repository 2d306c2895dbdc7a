"""Every query of temporary relief (临时救助, WEL-6): cases, the people of once-per-person relief,
disaster declarations and declared spending. What relief reads of the registry read model is in
`services.welfare.relief.facts`.

A case lies in its village, or its township, or its county when the person is not yet in the
registry read model. Cases and beneficiaries are inserted with ON CONFLICT DO NOTHING so that a
race opens one case, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.welfare.relief.models import (
    ReliefBeneficiary,
    ReliefCase,
    ReliefDeclaration,
    SpendingMonth,
)
from services.welfare.relief.procedure import CASE, CaseSource
from services.welfare.workflow import WorkflowStep, steps_of
from shared.repository import Page, ScopedRepository, counted, in_jurisdiction


def _table(name: str) -> Table:
    return ReliefCase.metadata.tables[name]


def _insert(session: Session, table: Table) -> Any:
    """INSERT for the session's database (both dialects have ON CONFLICT)."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


@dataclass(frozen=True)
class CaseFilter:
    """What a list of cases is narrowed to (each filter only when given)."""

    township: str | None = None
    status: str | None = None
    kind: str | None = None
    source: str | None = None
    household_id: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None


def case_division(case: ReliefCase) -> str:
    """Where a case lies: its village, else its township, else its county."""
    return case.village_code or case.township_code or case.county_code


class ReliefCases(ScopedRepository[ReliefCase]):
    """Relief cases; a case with no village (the person not yet in the registry read model) is
    listed for the county it lies in."""

    model = ReliefCase
    absent = "no such relief case"
    reload = True

    def visible(self, row: ReliefCase) -> bool:
        return in_jurisdiction(self.principal, case_division(row), county_wide=False)

    def jurisdiction(self) -> ColumnElement[bool] | None:
        if self.principal is None or not self.principal.scope:
            return None
        scope = self.principal.scope
        return or_(
            col(ReliefCase.village_code).startswith(scope),
            col(ReliefCase.village_code).is_(None) & col(ReliefCase.county_code).startswith(scope),
        )

    def page_of(self, wanted: CaseFilter, *, limit: int, offset: int) -> Page[ReliefCase]:
        """One page of the cases in the jurisdiction matching `wanted`, by id."""
        stmt = self.where_given(
            select(ReliefCase),
            township_code=wanted.township,
            status=wanted.status,
            kind=wanted.kind,
            source=wanted.source,
            household_id=wanted.household_id,
        )
        if wanted.occurred_from:
            stmt = stmt.where(col(ReliefCase.occurred_on) >= wanted.occurred_from)
        if wanted.occurred_to:
            stmt = stmt.where(col(ReliefCase.occurred_on) <= wanted.occurred_to)
        return self.page(stmt, limit=limit, offset=offset, order_by=col(ReliefCase.id))

    def newest_of(
        self, household_id: str | None, person_id: str | None, id_number: str, *, limit: int
    ) -> Page[ReliefCase]:
        """The cases naming the person (by ID number or registry id, or among a case's
        beneficiaries) or their household, in the jurisdiction, the latest first."""
        c = ReliefCase
        whose = [col(c.id_number) == id_number]
        if person_id:
            beneficiary = select(ReliefBeneficiary.case_id).where(
                ReliefBeneficiary.person_id == person_id
            )
            whose += [col(c.person_id) == person_id, col(c.id).in_(beneficiary)]
        if household_id:
            whose.append(col(c.household_id) == household_id)
        stmt = select(c, counted()).where(or_(*whose))
        return self.newest(stmt, col(c.occurred_on).desc(), col(c.id).desc(), limit=limit)

    def steps(self, case_id: int) -> list[WorkflowStep]:
        return steps_of(self.session, CASE.entity, [str(case_id)])

    # -- opening, once per occasion and per person -------------------------------------------
    def insert(self, values: dict[str, Any]) -> int | None:
        """Insert a case; None when its `dedup_key` (if any) already has one."""
        table = _table("relief_case")
        stmt = _insert(self.session, table).values(**values)
        if values.get("dedup_key") is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
        case_id: int | None = self.session.execute(stmt.returning(table.c.id)).scalar()
        return case_id

    def drop(self, case_id: int) -> None:
        table = _table("relief_case")
        self.session.execute(delete(table).where(table.c.id == case_id))

    def claim_people(self, case_id: int, kind: str, person_ids: Sequence[str]) -> bool:
        """Once per person: each beneficiary row is unique per (kind, person). All or none."""
        table = _table("relief_beneficiary")
        for person_id in person_ids:
            claimed = self.session.execute(
                _insert(self.session, table)
                .values(case_id=case_id, kind=kind, person_id=person_id)
                .on_conflict_do_nothing(index_elements=["kind", "person_id"])
                .returning(table.c.id)
            ).scalar()
            if claimed is None:
                self.release_people(case_id)
                return False
        return True

    def release_people(self, case_id: int) -> None:
        self.session.execute(
            delete(ReliefBeneficiary).where(col(ReliefBeneficiary.case_id) == case_id)
        )

    def already_relieved(self, kind: str, person_ids: Sequence[str]) -> set[str]:
        """People who already have (a standing case of) this once-per-person relief."""
        if not person_ids:
            return set()
        rows = self.session.exec(
            select(ReliefBeneficiary.person_id).where(
                ReliefBeneficiary.kind == kind,
                col(ReliefBeneficiary.person_id).in_(list(person_ids)),
            )
        )
        return set(rows)

    def with_key(self, key: str) -> int | None:
        """The case opened for the occasion `key`, if any (whatever the jurisdiction)."""
        return self.session.exec(select(ReliefCase.id).where(ReliefCase.dedup_key == key)).first()

    def spending_runs(self, household_id: str) -> list[list[date]]:
        """The runs of months of the household's essential-spending cases."""
        rows = self.session.exec(
            select(ReliefCase.facts).where(
                ReliefCase.household_id == household_id,
                ReliefCase.source == CaseSource.spending_detector.value,
            )
        )
        return [[date.fromisoformat(m) for m in facts.get("run", [])] for facts in rows]


def add_declaration(session: Session, declaration: ReliefDeclaration) -> ReliefDeclaration:
    session.add(declaration)
    session.flush()
    return declaration


def declare_month(session: Session, values: dict[str, Any]) -> list[SpendingMonth]:
    """Record (or replace) a household's month of spending; all its months, oldest first."""
    stmt = _insert(session, _table("relief_spending_month")).values(**values)
    update = {k: stmt.excluded[k] for k in values if k not in ("household_id", "month")}
    session.execute(
        stmt.on_conflict_do_update(index_elements=["household_id", "month"], set_=update)
    )
    return list(
        session.exec(
            select(SpendingMonth)
            .where(SpendingMonth.household_id == values["household_id"])
            .order_by(col(SpendingMonth.month))
        )
    )
