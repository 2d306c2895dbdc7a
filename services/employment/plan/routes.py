"""HTTP API of the county plans' employment targets (PLAN-1, PLAN-2) and of the business-leader
training (致富带头人培训, ZA-GOV §三(四)4).

`GET /v1/plan/targets?county=&on=`: each target of the county this service measures, with its
value, target, due date, status and late flag, per township and for the county, the citation
and the trace, read by every county department (shared.plan.routes); the leader sessions by HR
& social security, the poverty office, the auditor and township officers (their own township's
figures). A county outside the reader's jurisdiction 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.employment.plan import service as svc
from services.employment.plan.schemas import (
    EmploymentIn,
    LeaderSessionIn,
    LeaderSessionOut,
    TraineeOut,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.plan.routes import add_targets_route
from shared.roles import Role

router = APIRouter(prefix="/v1/plan", tags=["plan targets 目标任务 (PLAN-1, PLAN-2)"])

READERS = (Role.county_hrss, Role.county_poverty, Role.auditor, Role.township_officer)
Readers = Annotated[Principal, Depends(require(*READERS))]
County = Annotated[Principal, Depends(require(Role.county_hrss))]
Township = Annotated[Principal, Depends(require(Role.township_officer, Role.county_hrss))]


add_targets_route(
    router,
    svc.targets,
    service="employment",
    measures="Training (EMP-2), placement after training, recommendations and fairs (EMP-3), "
    "the business-leader training",
)


@router.post(
    "/leader-sessions",
    response_model=LeaderSessionOut,
    status_code=201,
    summary="Record a business-leader training session (致富带头人培训) with its trainees",
    description="PLAN-1 (ZA-GOV §三(四)4: 4期300人, 贫困劳动力占50%). A registered person is "
    "poor when registered poor on the session's last day. The session must have ended.",
)
def post_session(body: LeaderSessionIn, uow: Uow, _: County) -> LeaderSessionOut:
    return svc.session_out(uow, svc.record_session(uow, body))


@router.get(
    "/leader-sessions",
    response_model=list[LeaderSessionOut],
    summary="Business-leader training sessions of the county (trainees in your jurisdiction)",
)
def list_sessions(uow: Uow, _: Readers, county: CountyCode) -> list[LeaderSessionOut]:
    return svc.sessions(uow, county)


@router.post(
    "/leader-trainees/{trainee_id}/employment",
    response_model=TraineeOut,
    summary="Record a business-leader trainee in work after training (培训后就业)",
    description="PLAN-1 (ZA-GOV §三(四)4: 确保培训后就业率达100%). Once per trainee (409).",
)
def post_employment(trainee_id: int, body: EmploymentIn, uow: Uow, _: Township) -> TraineeOut:
    trainee = svc.record_employment(uow, trainee_id, body)
    return TraineeOut.model_validate(trainee, from_attributes=True)
