"""HTTP API of public-welfare posts (扶贫公益岗位, EMP-4): posts and their positions, assignments
of registered poor people, occupancy per township against the 80% target and the stock target
(≥ 470 by the end of 2020, CITY-HRSS §三(一)1).

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.employment.jobs.access import ORGANISERS, RECORDERS, can_read, guard_area
from services.employment.posts import service
from services.employment.posts.models import PublicPost
from services.employment.posts.repository import Posts, filled_on
from services.employment.posts.schemas import (
    AssignmentIn,
    AssignmentOut,
    EndIn,
    OccupancyOut,
    PostIn,
    PostOut,
    PostType,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.uow import UnitOfWork

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


def _post_out(uow: UnitOfWork, post: PublicPost, on: date) -> PostOut:
    assert post.id is not None
    return PostOut(
        **post.model_dump(exclude={"post_type"}),
        post_type=PostType(post.post_type),
        post_type_zh=POST_TYPE_ZH[PostType(post.post_type)],
        filled=filled_on(uow.session, post.id, on),
    )


@router.post(
    "",
    status_code=201,
    response_model=PostOut,
    summary="Create a public-welfare post (扶贫公益岗位) with its positions",
)
def post_post(body: PostIn, uow: Uow, _: Organiser) -> PostOut:
    return _post_out(uow, service.create_post(uow, body), uow.today())


@router.get("", response_model=list[PostOut], summary="Public-welfare posts in scope")
def list_posts(
    uow: Uow,
    county: CountyCode,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[PostOut]:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    today = uow.today()
    posts = Posts(uow.session, uow.principal).of_county(county, township)
    return [_post_out(uow, p, today) for p in posts]


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
    uow: Uow,
    county: CountyCode,
    on: date | None = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    day = on or uow.today()
    out = service.occupancy(uow, county, day)
    if format == "xlsx":
        content = write_xlsx(
            ["乡镇", "公益岗位数", "岗位人数", "在岗人数", "上岗率", "目标上岗率", "是否达标"],
            [
                [r.township_code, r.posts, r.positions, r.filled, r.rate, r.target,
                 "是" if r.met else "否"]
                for r in out.townships
            ],
            title="公益岗位上岗率",
            preamble=[f"扶贫公益岗位上岗率 {day.isoformat()} (EMP-4)"],
        )  # fmt: skip
        return Response(content, media_type=XLSX_MEDIA)
    return out


@router.get("/{post_id}", response_model=PostOut)
def get_post(post_id: int, uow: Uow) -> PostOut:
    can_read(uow.principal)
    return _post_out(uow, Posts(uow.session, uow.principal).get_or_404(post_id), uow.today())


@router.post(
    "/{post_id}/assignments",
    status_code=201,
    response_model=AssignmentOut,
    summary="Put a registered poor person on the post (上岗)",
    description="EMP-4: the post must be open with a free position on start_on (409 if full), "
    "the person registered poor then and holding no other post (409).",
)
def post_assignment(post_id: int, body: AssignmentIn, uow: Uow, _: Recorder) -> AssignmentOut:
    row = service.assign(uow, post_id, body.person_id, body.start_on)
    return AssignmentOut.model_validate(row, from_attributes=True)


@router.get("/{post_id}/assignments", response_model=list[AssignmentOut])
def list_assignments(post_id: int, uow: Uow) -> list[AssignmentOut]:
    can_read(uow.principal)
    rows = service.assignments_of(uow, post_id)
    return [AssignmentOut.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/{post_id}/assignments/{assignment_id}/end",
    response_model=AssignmentOut,
    summary="End an assignment (离岗)",
)
def end_assignment(
    post_id: int, assignment_id: int, body: EndIn, uow: Uow, _: Recorder
) -> AssignmentOut:
    row = service.end_assignment(uow, post_id, assignment_id, body.end_on, body.reason)
    return AssignmentOut.model_validate(row, from_attributes=True)
