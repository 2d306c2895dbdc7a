"""Queries of the reconciliation: who must be insured, who is enrolled, who has paid, per scheme
and year (ENR-P1, ENR-P2, ENR-M1, ENR-M5). Computed in SQL so that a county of a million people
answers in seconds.

Pension (ENR-P1): eligible = registered, alive at the start of the year, aged 16 or more by the
end of it, not a full-time student, not in the employee scheme. Contributions are expected only
below 60; people over 60 belong to the ENR-P6 ledger, so they are not in the unpaid list.
Medical (ENR-M1): every registered person alive at the start of the year, exited ones too
(REG-2). Both targets are the registered poor (建档立卡贫困人口, YA-HRSS §一(一): 全县建档立卡贫困户
25028人; YA-GOV §三(六)): members of marginal households (边缘户) are outside them, in the
counts, the gap lists and the exports alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, Table, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from services.enrollment.registry.models import Household, Person
from services.enrollment.rolls.models import MedicalRollEntry, PensionRollEntry
from shared.db import table_of
from shared.domain import PovertyStatus

Scheme = Literal["pension", "medical"]
GapKind = Literal["not_enrolled", "not_paid"]
P = table_of(Person)
H = table_of(Household)
ROLLS = {"pension": table_of(PensionRollEntry), "medical": table_of(MedicalRollEntry)}
REGISTERED_POOR = [s.value for s in PovertyStatus if s.is_registered_poor]


@dataclass(frozen=True)
class Scope:
    scheme: Scheme
    year: int
    division: str  # county, township or village code prefix
    min_age: int = 16
    contribution_max_age: int = 60


def division_range(column: Any, division: str) -> list[Any]:
    """`column` starts with `division`, as a range an index can serve (LIKE 'x%' cannot on
    SQLite): codes are fixed-width digits, so the prefix's successor bounds it."""
    upper = str(int(division) + 1).zfill(len(division))
    return [column >= division, column < upper]


def _roll(scheme: Scheme) -> Table:
    return ROLLS[scheme]


def _eligible(scope: Scope) -> list[Any]:
    start = date(scope.year, 1, 1)
    conditions = [
        *division_range(H.c.village_code, scope.division),
        H.c.poverty_status.in_(REGISTERED_POOR),
        or_(P.c.deceased_on.is_(None), P.c.deceased_on >= start),
    ]
    if scope.scheme == "pension":
        conditions += [
            P.c.birth_date <= date(scope.year - scope.min_age, 12, 31),
            P.c.student.is_(False),
            P.c.employee_pension.is_(False),
        ]
    return conditions


def _must_pay(scope: Scope) -> Any:
    if scope.scheme == "medical":
        return literal(True)
    return P.c.birth_date > date(scope.year - scope.contribution_max_age, 1, 1)


def _base(scope: Scope, *columns: Any) -> Select[Any]:
    roll = _roll(scope.scheme)
    return (
        select(*columns)
        .select_from(P)
        .join(H, H.c.id == P.c.household_id)
        .outerjoin(roll, and_(roll.c.id_number == P.c.id_number, roll.c.year == scope.year))
        .where(*_eligible(scope))
    )


def summary(
    session: Session, scope: Scope, group_by: Literal["township", "village"]
) -> list[dict[str, Any]]:
    """Coverage per township or village (ENR-P1, ENR-M1), re-run as data changes (ENR-M5)."""
    roll = _roll(scope.scheme)
    group_col = H.c.township_code if group_by == "township" else H.c.village_code
    enrolled = func.count(roll.c.id)
    paid = func.sum(case((roll.c.paid.is_(True), 1), else_=0))
    not_paid = func.sum(
        case((and_(roll.c.id.is_not(None), roll.c.paid.is_(False), _must_pay(scope)), 1), else_=0)
    )
    stmt = (
        _base(
            scope,
            group_col.label("division"),
            func.count().label("eligible"),
            enrolled,
            paid,
            not_paid,
        )
        .group_by(group_col)
        .order_by(group_col)
    )
    out = []
    rows: list[Any] = list(session.execute(stmt))
    for division, eligible, n_enrolled, n_paid, n_not_paid in rows:
        out.append(_figures(division, eligible, n_enrolled, int(n_paid or 0), int(n_not_paid or 0)))
    return out


def _figures(
    division: str, eligible: int, enrolled: int, paid: int, not_paid: int
) -> dict[str, Any]:
    return {
        "division": division,
        "eligible": eligible,
        "enrolled": enrolled,
        "paid": paid,
        "not_enrolled": eligible - enrolled,
        "enrolled_not_paid": not_paid,
        "enrollment_rate": round(enrolled / eligible, 4) if eligible else None,
        "payment_rate": round(paid / eligible, 4) if eligible else None,
    }


def totals(rows: list[dict[str, Any]], division: str) -> dict[str, Any]:
    return _figures(
        division,
        sum(r["eligible"] for r in rows),
        sum(r["enrolled"] for r in rows),
        sum(r["paid"] for r in rows),
        sum(r["enrolled_not_paid"] for r in rows),
    )


GAP_COLUMNS = (
    H.c.township_code,
    H.c.village_code,
    H.c.id.label("household_id"),
    P.c.id.label("person_id"),
    P.c.name,
    P.c.id_number,
    P.c.birth_date,
    H.c.poverty_status,
)


def _gap_filter(scope: Scope, kind: GapKind) -> Any:
    roll = _roll(scope.scheme)
    if kind == "not_enrolled":
        return roll.c.id.is_(None)
    return and_(roll.c.id.is_not(None), roll.c.paid.is_(False), _must_pay(scope))


def gaps(
    session: Session, scope: Scope, kind: GapKind, offset: int | None, limit: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """The eligible not enrolled, or enrolled and not paid this year (ENR-P2, ENR-M5)."""
    roll = _roll(scope.scheme)
    flt = _gap_filter(scope, kind)
    total: int = session.execute(_base(scope, func.count()).where(flt)).scalar_one()
    stmt = (
        _base(scope, *GAP_COLUMNS, roll.c.tier if scope.scheme == "pension" else literal(None))
        .where(flt)
        .order_by(H.c.township_code, H.c.village_code, H.c.id, P.c.id_number)
    )
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return total, [dict(r._mapping) for r in session.execute(stmt)]
