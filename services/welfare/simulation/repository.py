"""What a simulation reads: the county's households on dibao by a month's last day, in one query
(one consistent snapshot), without their stored traces."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.procedure import ON_DIBAO


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
