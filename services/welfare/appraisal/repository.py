"""Every query of the appraisal indicators (IND-1 .. IND-4): households on dibao on a date per
township and category, and those the county's latest cross-check questions.

The indicators are the county's figures per township: the county and its townships read them,
a township officer their own township's row (the service limits the rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from services.welfare.crosscheck.models import CrossCheckFinding, CrossCheckRun
from services.welfare.dibao.models import DibaoCase, DibaoCaseMember
from services.welfare.dibao.procedure import ACTIVE, GRADUAL_EXIT

QUESTIONS_DIBAO = "exited_due_review"  # FindingKind.exited_due_review (WEL-8)


def in_force(county: str, on: date) -> ColumnElement[bool]:
    """A dibao case in force on `on`: begun by then and not ended by then (a case ended later
    was in force on the date)."""
    return and_(
        col(DibaoCase.county_code) == county,
        col(DibaoCase.effective_from) <= on,
        or_(
            and_(
                col(DibaoCase.status).in_((ACTIVE, GRADUAL_EXIT)), col(DibaoCase.ended_on).is_(None)
            ),
            col(DibaoCase.ended_on) > on,
        ),
    )


def members_per_case() -> Any:
    """People each case covers (members still on it)."""
    return (
        select_columns(col(DibaoCaseMember.case_id), func.count().label("persons"))
        .where(col(DibaoCaseMember.active).is_(True))
        .group_by(col(DibaoCaseMember.case_id))
        .subquery()
    )


def households_by_township(
    session: Session, county: str, on: date
) -> list[tuple[str, str, int, int, Decimal]]:
    """(township_code, category, households, persons, monthly_total) of the cases in force."""
    members = members_per_case()
    persons = func.coalesce(func.sum(members.c.persons), 0)
    rows = session.execute(
        select_columns(
            col(DibaoCase.township_code),
            col(DibaoCase.category),
            func.count(col(DibaoCase.id)).label("households"),
            persons.label("persons"),
            func.coalesce(func.sum(col(DibaoCase.monthly_amount)), Decimal(0)).label("total"),
        )
        .outerjoin(members, members.c.case_id == col(DibaoCase.id))
        .where(in_force(county, on))
        .group_by(col(DibaoCase.township_code), col(DibaoCase.category))
        .order_by(col(DibaoCase.township_code), col(DibaoCase.category))
    ).all()
    return [(r[0], r[1], int(r[2]), int(r[3]), Decimal(r[4])) for r in rows]


def latest_run(session: Session, county: str, on: date) -> CrossCheckRun | None:
    """The county's latest cross-check run on or before `on` (runs are kept side by side)."""
    return (
        session.execute(
            select_columns(CrossCheckRun)
            .where(col(CrossCheckRun.county_code) == county, col(CrossCheckRun.on) <= on)
            .order_by(col(CrossCheckRun.on).desc(), col(CrossCheckRun.id).desc())
            .limit(1)
        )
        .scalars()
        .first()
    )


def flagged_by_township(session: Session, county: str, on: date, run_id: int) -> dict[str, int]:
    """Households in force on `on` with a member whose exited_due_review finding of the run is
    still open, per township."""
    flagged_cases = (
        select_columns(col(DibaoCaseMember.case_id))
        .join(
            CrossCheckFinding,
            col(CrossCheckFinding.person_id) == col(DibaoCaseMember.person_id),
        )
        .where(
            col(CrossCheckFinding.run_id) == run_id,
            col(CrossCheckFinding.kind) == QUESTIONS_DIBAO,
            col(CrossCheckFinding.status) == "open",
            col(DibaoCaseMember.active).is_(True),
        )
    )
    rows = session.execute(
        select_columns(col(DibaoCase.township_code), func.count(func.distinct(col(DibaoCase.id))))
        .where(in_force(county, on), col(DibaoCase.id).in_(flagged_cases))
        .group_by(col(DibaoCase.township_code))
    ).all()
    return {str(row[0]): int(row[1]) for row in rows}
