"""HTTP API of public-welfare posts (扶贫公益岗位, EMP-4): posts and their positions, assignments
of registered poor people, occupancy per township against the 80% target and the stock target
(≥ 470 by the end of 2020, CITY-HRSS §三(一)1).

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import col, select

from services.employment import clock
from services.employment.jobs.access import (
    ORGANISERS,
    RECORDERS,
    can_read,
    guard_area,
    scoped,
)
from services.employment.posts import service
from services.employment.posts.models import PublicPost, PublicPostAssignment
from services.employment.posts.rules import post_occupancy, post_stock
from services.employment.posts.schemas import (
    AssignmentIn,
    AssignmentOut,
    EndIn,
    OccupancyOut,
    PostIn,
    PostOut,
    PostType,
    TownshipOccupancy,
)
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.errors import NotFound
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import Params, Trace

router = APIRouter(prefix="/v1/posts", tags=["public-welfare posts 公益岗位 (EMP-4)"])

Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]


POST_TYPE_ZH = {
    PostType.cleaning: "保洁员",
    PostType.forest: "护林员",
    PostType.road: "护路员",
    PostType.water: "管水员",
    PostType.security: "治安巡逻",
    PostType.care: "护理关爱",
    PostType.dedicated: "扶贫专岗",
    PostType.other: "其他",
}


def _post_out(session: Any, post: PublicPost, on: date) -> PostOut:
    return PostOut(
        **post.model_dump(exclude={"post_type"}),
        post_type=PostType(post.post_type),
        post_type_zh=POST_TYPE_ZH[PostType(post.post_type)],
        filled=service.filled_on(session, post.id, on),  # type: ignore[arg-type]
    )


@router.post(
    "",
    status_code=201,
    response_model=PostOut,
    summary="Create a public-welfare post (扶贫公益岗位) with its positions",
)
def post_post(body: PostIn, session: DbSession, principal: Organiser) -> PostOut:
    guard_area(principal, body.village_code or body.township_code)
    post = PublicPost(
        **body.model_dump(exclude={"post_type"}),
        post_type=body.post_type.value,
        county_code=body.township_code[:6],
        created_by=principal.subject,
    )
    session.add(post)
    session.flush()
    return _post_out(session, post, clock.today())


@router.get("", response_model=list[PostOut], summary="Public-welfare posts in scope")
def list_posts(
    session: DbSession,
    principal: CurrentPrincipal,
    county: CountyCode,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[PostOut]:
    can_read(principal)
    guard_area(principal, county)
    stmt = select(PublicPost).where(PublicPost.county_code == county)
    if principal.scope:
        stmt = stmt.where(col(PublicPost.township_code).startswith(principal.scope[:9]))
    if township:
        stmt = stmt.where(PublicPost.township_code == township)
    today = clock.today()
    return [_post_out(session, p, today) for p in session.exec(stmt.order_by(PublicPost.id))]  # type: ignore[arg-type]


@router.get(
    "/occupancy",
    response_model=OccupancyOut,
    summary="Occupancy (上岗率) per township against the target, and the stock (保有量)",
    description="EMP-4: positions filled over positions of posts open on `on` (default today), "
    "target employment.posts.occupancy_target (80%); stock against "
    "employment.posts.stock_target (470) due by the end of stock_target_year (2020). "
    "`format=xlsx` for the townships.",
)
def get_occupancy(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    county: CountyCode,
    on: date | None = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    can_read(principal)
    guard_area(principal, county)
    day = on or clock.today()
    trace = Trace()
    towns = service.occupancy_by_township(
        session, runtime.policy, county, day, scope=principal.scope, trace=trace
    )
    params = Params(runtime.policy, county, day)
    positions = sum(t.positions for t in towns)
    filled = sum(t.filled for t in towns)
    overall = post_occupancy(filled, positions, params, trace=trace)
    stock = post_stock(positions, day, params, trace=trace)
    rows = [
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
    ]
    if format == "xlsx":
        content = write_xlsx(
            ["乡镇", "公益岗位数", "岗位人数", "在岗人数", "上岗率", "目标上岗率", "是否达标"],
            [
                [r.township_code, r.posts, r.positions, r.filled, r.rate, r.target,
                 "是" if r.met else "否"]
                for r in rows
            ],
            title="公益岗位上岗率",
            preamble=[f"扶贫公益岗位上岗率 {day.isoformat()} (EMP-4)"],
        )  # fmt: skip
        return Response(content, media_type=XLSX_MEDIA)
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
        townships=rows,
        trace=trace.out().model_dump(mode="json"),
    )


@router.get("/{post_id}", response_model=PostOut)
def get_post(post_id: int, session: DbSession, principal: CurrentPrincipal) -> PostOut:
    can_read(principal)
    return _post_out(session, service.load_post(session, post_id, principal), clock.today())


@router.post(
    "/{post_id}/assignments",
    status_code=201,
    response_model=AssignmentOut,
    summary="Put a registered poor person on the post (上岗)",
    description="EMP-4: the post must be open with a free position on start_on (409 if full), "
    "the person registered poor then and holding no other post (409).",
)
def post_assignment(
    post_id: int, body: AssignmentIn, session: DbSession, principal: Recorder
) -> AssignmentOut:
    post = service.load_post(session, post_id, principal, lock=True)
    row = service.assign(session, post, body.person_id, body.start_on, principal)
    return AssignmentOut.model_validate(row, from_attributes=True)


@router.get("/{post_id}/assignments", response_model=list[AssignmentOut])
def list_assignments(
    post_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[AssignmentOut]:
    can_read(principal)
    service.load_post(session, post_id, principal)
    stmt = select(PublicPostAssignment).where(PublicPostAssignment.post_id == post_id)
    stmt = scoped(stmt, col(PublicPostAssignment.village_code), principal)
    rows = session.exec(stmt.order_by(PublicPostAssignment.id))  # type: ignore[arg-type]
    return [AssignmentOut.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/{post_id}/assignments/{assignment_id}/end",
    response_model=AssignmentOut,
    summary="End an assignment (离岗)",
)
def end_assignment(
    post_id: int, assignment_id: int, body: EndIn, session: DbSession, principal: Recorder
) -> AssignmentOut:
    service.load_post(session, post_id, principal, lock=True)
    row = session.get(PublicPostAssignment, assignment_id)
    if row is None or row.post_id != post_id:
        raise NotFound("no such assignment")
    principal.guard(row.village_code)
    row = service.end_assignment(session, row, body.end_on, body.reason)
    return AssignmentOut.model_validate(row, from_attributes=True)
