"""Queries of the stays: the stay rows (placed by their county), each version's decision, the
adjustments between versions, and the person's year-to-date totals, taken under a lock.

The settling path (`StayTables`) runs Core statements built once and executed with parameters:
one upsert returning the locked person-year row, prepared selects, plain inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from services.medical.registry.models import RegistryPerson
from services.medical.settlement.rules import YearToDate
from services.medical.stays.models import HospitalStay, PersonYear, StayAdjustment, StayDecision
from shared.bus.tables import utcnow
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.repository import ScopedRepository
from shared.roles import Role

YTD_FIELDS = tuple(f.name for f in fields(YearToDate))
ZERO = Decimal("0.00")
ACTIVE = "active"
STAY_SCHEME = "hospital_stay"  # a stay's decision in the ledger of policy adjustments
PY: Table = PersonYear.metadata.tables["person_year"]
HS: Table = HospitalStay.metadata.tables["hospital_stay"]
SD: Table = StayDecision.metadata.tables["stay_decision"]

YEAR_UPDATE = (
    update(PY)
    .where(PY.c.id_number == bindparam("key_id_number"), PY.c.year == bindparam("key_year"))
    .values({name: bindparam(name) for name in (*YTD_FIELDS, "high_burden_reported", "updated_at")})
)
STAY_EXISTS = core_select(HS.c.facts_hash, HS.c.status).where(
    HS.c.claim_id == bindparam("claim_id")
)


def _year_zeros(id_number: str, year: int) -> dict[str, Any]:
    return {
        "id_number": id_number,
        "year": year,
        "high_burden_reported": False,
        "updated_at": utcnow(),
        **dict.fromkeys(YTD_FIELDS, ZERO),
    }


@lru_cache(maxsize=4)
def _year_upsert(dialect: str) -> Any:
    # Built once and executed with parameters: no statement construction per claim.
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(PY)
    return stmt.on_conflict_do_update(
        index_elements=["id_number", "year"], set_={"updated_at": stmt.excluded.updated_at}
    ).returning(*PY.c)


class StayRepository(ScopedRepository[HospitalStay]):
    """Stays, in the jurisdiction of their county; a hospital (not an officer) sees the stays it
    posted in its own jurisdiction only."""

    model = HospitalStay
    division = "county_code"
    county_wide = True
    missing = "no stay with that claim id"

    def visible(self, row: HospitalStay) -> bool:
        principal = self.principal
        if (
            principal is not None
            and principal.has(Role.hospital)
            and not principal.has(Role.county_medical, Role.admin)
        ):
            return row.submitted_by == principal.subject and principal.covers(row.county_code)
        return super().visible(row)

    def fresh(self, claim_id: str) -> HospitalStay | None:
        """The stay as committed now (not as this session last saw it)."""
        stay: HospitalStay | None = self.session.get(HospitalStay, claim_id, populate_existing=True)
        return stay

    def refresh(self, stay: HospitalStay) -> None:
        self.session.refresh(stay)


class StayTables:
    """The stays' rows other than the stay itself (decisions, adjustments, the person's year),
    reached through a stay already found; and the settling path's Core statements."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the person's year-to-date totals, locked ------------------------------------------
    def lock_person_year(self, id_number: str, year: int) -> PersonYear:
        """Lock the person's year-to-date row before reading anything else, so that two stays of
        one person never settle against the same totals. The insert comes first: on SQLite it
        takes the write lock (later reads then see every committed stay); on PostgreSQL FOR
        UPDATE holds the row until commit."""
        session = self.session
        dialect = session.get_bind().dialect.name
        insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert_fn(PY).values(**_year_zeros(id_number, year)).on_conflict_do_nothing()
        )
        stmt = select(PersonYear).where(
            col(PersonYear.id_number) == id_number, col(PersonYear.year) == year
        )
        if dialect == "postgresql":
            stmt = stmt.with_for_update()
        return session.exec(stmt.execution_options(populate_existing=True)).one()

    def locked_year_values(self, id_number: str, year: int) -> SimpleNamespace:
        """The hot path's `lock_person_year`: one statement that creates the row if missing and
        returns it locked (ON CONFLICT DO UPDATE takes the row lock on PostgreSQL; on SQLite the
        write lock), read as plain values rather than an ORM object."""
        stmt = _year_upsert(self.session.get_bind().dialect.name)
        values = _year_zeros(id_number, year)
        return SimpleNamespace(**self.session.execute(stmt, values).mappings().one())

    def store_year_values(self, row: SimpleNamespace) -> None:
        self.session.execute(
            YEAR_UPDATE,
            {
                "key_id_number": row.id_number,
                "key_year": row.year,
                "high_burden_reported": row.high_burden_reported,
                "updated_at": row.updated_at,
                **{name: getattr(row, name) for name in YTD_FIELDS},
            },
        )

    def person_years(self, id_number: str, year: int | None) -> Sequence[PersonYear]:
        stmt = select(PersonYear).where(col(PersonYear.id_number) == id_number)
        if year is not None:
            stmt = stmt.where(col(PersonYear.year) == year)
        return self.session.exec(stmt.order_by(col(PersonYear.year))).all()

    # -- the settling path -----------------------------------------------------------------
    def known(self, claim_id: str) -> Row[Any] | None:
        """The facts hash and status of a recorded claim."""
        return self.session.execute(STAY_EXISTS, {"claim_id": claim_id}).first()

    def insert_stay(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(HS), values)

    def insert_decision(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(SD), values)

    # -- decisions and adjustments ---------------------------------------------------------
    def latest_decision(self, claim_id: str) -> StayDecision:
        row = self.session.exec(
            select(StayDecision)
            .where(col(StayDecision.claim_id) == claim_id)
            .order_by(col(StayDecision.version).desc())
        ).first()
        assert row is not None
        return row

    def decisions(self, claim_id: str) -> Sequence[StayDecision]:
        return self.session.exec(
            select(StayDecision)
            .where(col(StayDecision.claim_id) == claim_id)
            .order_by(col(StayDecision.version))
        ).all()

    def adjustments(self, claim_id: str) -> Sequence[StayAdjustment]:
        return self.session.exec(
            select(StayAdjustment)
            .where(col(StayAdjustment.claim_id) == claim_id)
            .order_by(col(StayAdjustment.id))
        ).all()

    # -- recalculation under figures published after the stays were settled ----------------
    def person_years_admitted(
        self, county_code: str, since: date, until: date
    ) -> list[tuple[str, int]]:
        """(ID number, year) of everyone with an active stay of the county admitted from `since`
        to `until`, in a fixed order (their rows are locked in it, so two runs never deadlock)."""
        rows = self.session.exec(
            select(HospitalStay.id_number, HospitalStay.year)
            .where(
                col(HospitalStay.county_code) == county_code,
                col(HospitalStay.status) == ACTIVE,
                col(HospitalStay.admission) >= since,
                col(HospitalStay.admission) <= until,
            )
            .distinct()
            .order_by(col(HospitalStay.id_number), col(HospitalStay.year))
        ).all()
        return [(id_number, year) for id_number, year in rows]

    def active_stays_as_recorded(
        self, id_number: str, year: int
    ) -> Sequence[tuple[HospitalStay, StayDecision]]:
        """A person-year's active stays with their latest decisions, first recorded first (the
        order their first decisions were stored in: the order they were settled in)."""
        rows = self.session.exec(_AS_RECORDED, params={"id_number": id_number, "year": year}).all()
        return [(stay, decision) for stay, decision in rows]

    def recalculated_by(self, publication_id: int, claim_ids: Sequence[str]) -> set[str]:
        """The claims whose decision this publication's recalculation already adjusted."""
        if not claim_ids:
            return set()
        return set(
            self.session.exec(
                select(PolicyAdjustment.subject).where(
                    col(PolicyAdjustment.scheme) == STAY_SCHEME,
                    col(PolicyAdjustment.publication_id) == publication_id,
                    col(PolicyAdjustment.subject).in_(claim_ids),
                )
            ).all()
        )

    def add(self, *rows: HospitalStay | StayDecision | StayAdjustment | PersonYear) -> None:
        self.session.add_all(rows)

    def flush(self) -> None:
        self.session.flush()


def current_stays() -> Select[HospitalStay, StayDecision, RegistryPerson]:
    """Active stays of people in the registry read model, each with its latest decision."""
    return (
        select(HospitalStay, StayDecision, RegistryPerson)
        .join(
            StayDecision,
            and_(
                col(StayDecision.claim_id) == col(HospitalStay.claim_id),
                col(StayDecision.version) == col(HospitalStay.version),
            ),
        )
        .join(RegistryPerson, col(RegistryPerson.person_id) == col(HospitalStay.person_id))
        .where(col(HospitalStay.status) == ACTIVE)
    )


def _as_recorded() -> Any:
    latest, first = aliased(StayDecision), aliased(StayDecision)
    return (
        select(HospitalStay, latest)
        .join(
            latest,
            and_(
                col(latest.claim_id) == col(HospitalStay.claim_id),
                col(latest.version) == col(HospitalStay.version),
            ),
        )
        .join(
            first,
            and_(col(first.claim_id) == col(HospitalStay.claim_id), col(first.version) == 1),
        )
        .where(
            col(HospitalStay.id_number) == bindparam("id_number"),
            col(HospitalStay.year) == bindparam("year"),
            col(HospitalStay.status) == ACTIVE,
        )
        .order_by(col(first.id))
        .execution_options(populate_existing=True)
    )


# Built once: adapting the aliased columns costs more than the query (one per person-year).
_AS_RECORDED = _as_recorded()
