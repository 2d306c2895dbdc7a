"""Public-welfare posts (EMP-4): recording posts and assignments, and the figures of occupancy
(上岗率) and stock (保有量) per township that the API and the monthly report (EMP-9) use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from services.employment.jobs.access import guard_area
from services.employment.jobs.labourers import invalid, registered_person
from services.employment.posts.models import PublicPost, PublicPostAssignment
from services.employment.posts.repository import (
    Assignments,
    Posts,
    filled_by_township,
    filled_on,
    posts_by_township,
)
from services.employment.posts.rules import PostOccupancy, post_occupancy, post_stock
from services.employment.posts.schemas import OccupancyOut, PostIn, TownshipOccupancy
from shared.errors import Conflict
from shared.trace import Params, Trace
from shared.uow import UnitOfWork


def create_post(uow: UnitOfWork, body: PostIn) -> PublicPost:
    guard_area(uow.principal, body.village_code or body.township_code)
    post = PublicPost(
        **body.model_dump(exclude={"post_type"}),
        post_type=body.post_type.value,
        county_code=body.township_code[:6],
        created_by=uow.actor,
    )
    return Posts(uow.session, uow.principal).add(post, flush=True)


def assign(uow: UnitOfWork, post_id: int, person_id: str, start_on: date) -> PublicPostAssignment:
    """EMP-4: put a registered poor person on a post; the post must be open and have a free
    position on the start day, and the person must not hold a post then."""
    post = Posts(uow.session, uow.principal).get_or_404(post_id, lock=True)
    if start_on < post.opened_on or (post.closed_on is not None and start_on > post.closed_on):
        raise invalid("start_on", "the post is not open on that day", start_on.isoformat())
    person = registered_person(uow, person_id, start_on)
    if person.county_code != post.county_code:
        raise invalid("person_id", "the person lives in another county", person_id)
    assignments = Assignments(uow.session, uow.principal)
    held = assignments.held_since(person_id, start_on)
    if held is not None:
        raise Conflict(f"the person already holds a public-welfare post (assignment {held})")
    # The post row is locked (get_or_404(lock=True)), so racing assignments count in turn.
    if filled_on(uow.session, post.id, start_on) >= post.capacity:
        raise Conflict(f"all {post.capacity} positions of the post are filled")
    row = PublicPostAssignment(
        post_id=post_id,
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        start_on=start_on,
        created_by=uow.actor,
    )
    return assignments.add(row, flush=True)


def assignments_of(uow: UnitOfWork, post_id: int) -> list[PublicPostAssignment]:
    """The post's assignments in the caller's jurisdiction (404 if the post is not)."""
    Posts(uow.session, uow.principal).get_or_404(post_id)
    return Assignments(uow.session, uow.principal).of_post(post_id)


def end_assignment(
    uow: UnitOfWork, post_id: int, assignment_id: int, end_on: date, reason: str
) -> PublicPostAssignment:
    Posts(uow.session, uow.principal).get_or_404(post_id, lock=True)
    assignments = Assignments(uow.session, uow.principal)
    row = assignments.on_post_or_404(post_id, assignment_id)
    if row.end_on is not None:
        raise Conflict(f"the assignment ended on {row.end_on.isoformat()}")
    if end_on < row.start_on:
        raise invalid("end_on", "before the assignment started", end_on.isoformat())
    row.end_on, row.end_reason = end_on, reason
    return assignments.add(row)


@dataclass(frozen=True)
class TownshipPosts:
    township_code: str
    posts: int
    positions: int
    filled: int
    occupancy: PostOccupancy


def occupancy_by_township(
    session: Session, params: Params, county: str, on: date, *, scope: str = "",
    trace: Trace | None = None,
) -> list[TownshipPosts]:  # fmt: skip
    """EMP-4, EMP-9: per township, posts open on `on`, their positions, positions filled and
    the occupancy against the target (上岗率 ≥ 80%); `params` are the county's on `on`."""
    filled = filled_by_township(session, county, on)
    out = []
    for township, posts, positions in sorted(posts_by_township(session, county, on, scope)):
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


def occupancy(uow: UnitOfWork, county: str, day: date) -> OccupancyOut:
    """EMP-4: occupancy per township in the caller's scope and for them all, and the stock."""
    trace = Trace()
    params = uow.params(county, day)
    towns = occupancy_by_township(
        uow.session, params, county, day, scope=uow.principal.scope, trace=trace
    )
    positions = sum(t.positions for t in towns)
    filled = sum(t.filled for t in towns)
    overall = post_occupancy(filled, positions, params, trace=trace)
    stock = post_stock(positions, day, params, trace=trace)
    return OccupancyOut(
        county_code=county,
        on=day,
        positions=positions,
        filled=filled,
        rate=str(overall.rate),
        target=str(overall.target),
        met=overall.met,
        stock_target=stock.target,
        stock_target_year=stock.target_year,
        stock_due=stock.due,
        stock_met=stock.met,
        townships=[
            TownshipOccupancy(
                township_code=t.township_code,
                posts=t.posts,
                positions=t.positions,
                filled=t.filled,
                rate=str(t.occupancy.rate),
                target=str(t.occupancy.target),
                met=t.occupancy.met,
            )
            for t in towns
        ],
        trace=trace.out().model_dump(mode="json"),
    )
