"""Public-welfare posts (EMP-4): recording posts and assignments, and the figures of occupancy
(上岗率) and stock (保有量) per township that the API and the monthly report (EMP-9) use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.posts.models import PublicPost, PublicPostAssignment
from services.employment.posts.rules import PostOccupancy, post_occupancy
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.policy import PolicySet
from shared.trace import Params, Trace


def _open_on(on: date) -> object:
    return (
        PublicPost.opened_on <= on,
        or_(col(PublicPost.closed_on).is_(None), col(PublicPost.closed_on) >= on),
    )


def _active_on(on: date) -> object:
    return (
        PublicPostAssignment.start_on <= on,
        or_(col(PublicPostAssignment.end_on).is_(None), col(PublicPostAssignment.end_on) >= on),
    )


def load_post(
    session: Session, post_id: int, principal: Principal, *, lock: bool = False
) -> PublicPost:
    stmt = select(PublicPost).where(PublicPost.id == post_id)
    post = session.exec(stmt.with_for_update() if lock else stmt).first()
    if post is None:
        raise NotFound("no such public-welfare post")
    guard_area(principal, post.village_code or post.township_code)
    return post


def filled_on(session: Session, post_id: int, on: date) -> int:
    return session.exec(
        select(func.count())
        .select_from(PublicPostAssignment)
        .where(PublicPostAssignment.post_id == post_id, *_active_on(on))  # type: ignore[arg-type]
    ).one()


def assign(
    session: Session,
    post: PublicPost,
    person_id: str,
    start_on: date,
    principal: Principal,
) -> PublicPostAssignment:
    """EMP-4: put a registered poor person on a post; the post must be open and have a free
    position on the start day, and the person must not hold a post then."""
    if start_on < post.opened_on or (post.closed_on is not None and start_on > post.closed_on):
        raise invalid("start_on", "the post is not open on that day", start_on.isoformat())
    person = registered_person(session, person_id, start_on, principal)
    if person.county_code != post.county_code:
        raise invalid("person_id", "the person lives in another county", person_id)
    held = session.exec(
        select(PublicPostAssignment.id).where(
            PublicPostAssignment.person_id == person_id,
            or_(
                col(PublicPostAssignment.end_on).is_(None),
                col(PublicPostAssignment.end_on) >= start_on,
            ),
        )
    ).first()
    if held is not None:
        raise Conflict(f"the person already holds a public-welfare post (assignment {held})")
    # The post row is locked (load_post(lock=True)), so racing assignments count in turn.
    if filled_on(session, post.id, start_on) >= post.capacity:  # type: ignore[arg-type]
        raise Conflict(f"all {post.capacity} positions of the post are filled")
    row = PublicPostAssignment(
        post_id=post.id,  # type: ignore[arg-type]
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        start_on=start_on,
        created_by=principal.subject,
    )
    session.add(row)
    session.flush()
    return row


def end_assignment(
    session: Session, row: PublicPostAssignment, end_on: date, reason: str
) -> PublicPostAssignment:
    if row.end_on is not None:
        raise Conflict(f"the assignment ended on {row.end_on.isoformat()}")
    if end_on < row.start_on:
        raise invalid("end_on", "before the assignment started", end_on.isoformat())
    row.end_on, row.end_reason = end_on, reason
    session.add(row)
    return row


@dataclass(frozen=True)
class TownshipPosts:
    township_code: str
    posts: int
    positions: int
    filled: int
    occupancy: PostOccupancy


def occupancy_by_township(
    session: Session,
    policy: PolicySet,
    county: str,
    on: date,
    *,
    scope: str = "",
    trace: Trace | None = None,
) -> list[TownshipPosts]:
    """EMP-4, EMP-9: per township, posts open on `on`, their positions, positions filled and
    the occupancy against the target (上岗率 ≥ 80%)."""
    params = Params(policy, county, on)
    post_rows = session.exec(
        select(PublicPost.township_code, func.count(), func.sum(PublicPost.capacity))
        .where(PublicPost.county_code == county, *_open_on(on))  # type: ignore[arg-type]
        .where(col(PublicPost.township_code).startswith(scope[:9]))
        .group_by(PublicPost.township_code)
    ).all()
    filled_rows = session.exec(
        select(PublicPost.township_code, func.count())
        .join(PublicPostAssignment, col(PublicPostAssignment.post_id) == PublicPost.id)
        .where(PublicPost.county_code == county, *_open_on(on), *_active_on(on))  # type: ignore[arg-type]
        .group_by(PublicPost.township_code)
    ).all()
    filled = {t: int(n) for t, n in filled_rows}
    out = []
    for township, posts, positions in sorted(post_rows):
        n = min(filled.get(township, 0), int(positions or 0))
        out.append(
            TownshipPosts(
                township,
                int(posts),
                int(positions or 0),
                n,
                post_occupancy(n, int(positions or 0), params, trace=trace),
            )
        )
    return out


def on_post(session: Session, on: date, person_ids: Iterable[str] | None = None) -> set[str]:
    """People holding a public-welfare post on `on`."""
    stmt = select(PublicPostAssignment.person_id).where(*_active_on(on))  # type: ignore[arg-type]
    if person_ids is not None:
        stmt = stmt.where(col(PublicPostAssignment.person_id).in_(list(person_ids)))
    return set(session.exec(stmt).all())
