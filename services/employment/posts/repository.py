"""Queries of public-welfare posts (EMP-4): posts, assignments, occupancy per township."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from services.employment.posts.models import PublicPost, PublicPostAssignment
from services.employment.repository import AreaRepository, Repository
from shared.errors import NotFound
from shared.repository import Page, counted


def _open_on(on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(PublicPost.opened_on) <= on,
        or_(col(PublicPost.closed_on).is_(None), col(PublicPost.closed_on) >= on),
    )


def _active_on(on: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(PublicPostAssignment.start_on) <= on,
        or_(col(PublicPostAssignment.end_on).is_(None), col(PublicPostAssignment.end_on) >= on),
    )


class Posts(AreaRepository[PublicPost]):
    """Posts, each in its village or township; a list shows a township's posts to everyone in
    the township (the scope's first 9 digits)."""

    model = PublicPost
    division = "township_code"
    absent = "no such public-welfare post"

    def of_county(self, county: str, township: str | None) -> list[PublicPost]:
        stmt = select(PublicPost).where(PublicPost.county_code == county)
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(col(PublicPost.township_code).startswith(self.principal.scope[:9]))
        if township:
            stmt = stmt.where(PublicPost.township_code == township)
        return list(self.session.exec(stmt.order_by(col(PublicPost.id))))


class Assignments(Repository[PublicPostAssignment]):
    model = PublicPostAssignment

    def of_post(self, post_id: int) -> list[PublicPostAssignment]:
        stmt = self.select().where(PublicPostAssignment.post_id == post_id)
        return list(self.session.exec(stmt.order_by(col(PublicPostAssignment.id))))

    def on_post_or_404(self, post_id: int, assignment_id: int) -> PublicPostAssignment:
        row = self.session.get(PublicPostAssignment, assignment_id)
        if row is None or row.post_id != post_id:
            raise NotFound("no such assignment")
        if not self.visible(row):
            raise NotFound(self.missing)
        return row

    def newest_of(self, person_id: str, *, limit: int) -> Page[PublicPostAssignment]:
        """The person's assignments in the jurisdiction, the latest started first."""
        a = PublicPostAssignment
        stmt = select(a, counted()).where(a.person_id == person_id)
        return self.newest(stmt, col(a.start_on).desc(), col(a.id).desc(), limit=limit)

    def held_since(self, person_id: str, start_on: date) -> int | None:
        """An assignment of the person running on or after `start_on`, if any."""
        return self.session.exec(
            select(PublicPostAssignment.id).where(
                PublicPostAssignment.person_id == person_id,
                or_(
                    col(PublicPostAssignment.end_on).is_(None),
                    col(PublicPostAssignment.end_on) >= start_on,
                ),
            )
        ).first()


def filled_on(session: Session, post_id: int | None, on: date) -> int:
    return session.exec(
        select(func.count())
        .select_from(PublicPostAssignment)
        .where(PublicPostAssignment.post_id == post_id, *_active_on(on))
    ).one()


def posts_by_township(
    session: Session, county: str, on: date, scope: str
) -> Sequence[tuple[str, int, Any]]:
    """(township, posts open on `on`, their positions) of `county` within the `scope` prefix's
    township."""
    return session.exec(
        select(PublicPost.township_code, func.count(), func.sum(PublicPost.capacity))
        .where(PublicPost.county_code == county, *_open_on(on))
        .where(col(PublicPost.township_code).startswith(scope[:9]))
        .group_by(col(PublicPost.township_code))
    ).all()


def filled_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """Township → positions filled on `on` on the posts open then."""
    rows = session.exec(
        select(PublicPost.township_code, func.count())
        .join(PublicPostAssignment, col(PublicPostAssignment.post_id) == col(PublicPost.id))
        .where(PublicPost.county_code == county, *_open_on(on), *_active_on(on))
        .group_by(col(PublicPost.township_code))
    ).all()
    return {t: int(n) for t, n in rows}


def on_post(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    """People holding a public-welfare post on `on`."""
    stmt = select(PublicPostAssignment.person_id).where(*_active_on(on))
    if person_ids is not None:
        stmt = stmt.where(col(PublicPostAssignment.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
