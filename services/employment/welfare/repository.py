"""Queries of the per-person welfare standing (低保, 特困) kept from welfare's events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from services.employment.welfare.models import WelfareStanding
from shared.db import upsert


def standing_of(session: Session, person_ids: Iterable[str]) -> dict[str, WelfareStanding]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(WelfareStanding).where(col(WelfareStanding.person_id).in_(ids))
    ).all()
    return {r.person_id: r for r in rows}


def on_dibao(session: Session, person_ids: Iterable[str]) -> list[str]:
    """Those of `person_ids` currently on dibao."""
    return list(
        session.exec(
            select(WelfareStanding.person_id).where(
                col(WelfareStanding.dibao).is_(True),
                col(WelfareStanding.person_id).in_(list(person_ids)),
            )
        ).all()
    )


def save_standing(session: Session, values: dict[str, Any]) -> None:
    """Insert or update one person's standing (keyed by person id)."""
    upsert(session, WelfareStanding, values, key=("person_id",))
