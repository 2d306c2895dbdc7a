"""What a simulation reads: the county's households on dibao by a month's last day, in one query
(one consistent snapshot), without their stored traces; and its disabled people with the facts
of the last month they were paid a subsidy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.procedure import ON_DIBAO
from services.welfare.disability.models import DisabilitySubsidy, DisabledPerson


def households_on_dibao(session: Session, county: str, last_day: date) -> Sequence[DibaoCase]:
    stmt = (
        select(DibaoCase)
        .options(defer(DibaoCase.benefit))  # type: ignore[arg-type]  # the stored trace: unused
        .where(
            col(DibaoCase.county_code) == county,
            col(DibaoCase.status).in_(ON_DIBAO),
            col(DibaoCase.effective_from) <= last_day,
        )
        .order_by(col(DibaoCase.id))
    )
    return session.exec(stmt).all()


def disability_paid_last(
    session: Session, county: str, last_day: date
) -> list[tuple[DisabilitySubsidy, date | None]]:
    """The disabled people of the county paid a subsidy for the county's last month paid by
    `last_day`, with that month's facts (grade, hardship, the living subsidy's trace first) and
    their death day, in one query."""
    last = (
        select(func.max(DisabilitySubsidy.month))
        .where(
            col(DisabilitySubsidy.county_code) == county,
            col(DisabilitySubsidy.month) <= last_day,
        )
        .scalar_subquery()
    )
    stmt = (
        select(DisabilitySubsidy, col(DisabledPerson.deceased_on))
        .join(DisabledPerson, col(DisabledPerson.id) == col(DisabilitySubsidy.disabled_person_id))
        .where(
            col(DisabilitySubsidy.county_code) == county,
            col(DisabilitySubsidy.month) == last,
            col(DisabilitySubsidy.status) == "paid",
        )
        # "disab_liv" sorts before "nursing": a person's first row carries the living ratio read.
        .order_by(col(DisabilitySubsidy.disabled_person_id), col(DisabilitySubsidy.scheme))
    )
    seen: set[int] = set()
    out = []
    for row, deceased_on in session.exec(stmt).all():
        if row.disabled_person_id not in seen:
            seen.add(row.disabled_person_id)
            out.append((row, deceased_on))
    return out
