"""HTTP API of poverty workshops (扶贫车间, EMP-5): workshops, the registered poor on their roll,
and the subsidy claim (1,000 yuan per worker and employment year, FL-HRSS §三(一)1), paid once
per worker-year.

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from services.employment.jobs.access import COUNTY, ORGANISERS, RECORDERS, can_read, guard_area
from services.employment.workshops import service
from services.employment.workshops.models import PovertyWorkshop, WorkshopSubsidyPayment
from services.employment.workshops.repository import Workers, Workshops
from services.employment.workshops.schemas import (
    ClaimIn,
    ClaimOut,
    LeaveIn,
    NotEligibleOut,
    WorkerIn,
    WorkerOut,
    WorkerYearOut,
    WorkshopIn,
    WorkshopOut,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.trace import illustrative_of
from shared.uow import UnitOfWork

router = APIRouter(prefix="/v1/workshops", tags=["poverty workshops 扶贫车间 (EMP-5)"])

Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]
County = Annotated[Principal, Depends(require(*COUNTY))]


def _out(uow: UnitOfWork, w: PovertyWorkshop) -> WorkshopOut:
    workers_now = Workers(uow.session, uow.principal).count_on(w.id, uow.today())
    return WorkshopOut(**w.model_dump(), workers_now=workers_now)


def _year(p: WorkshopSubsidyPayment) -> WorkerYearOut:
    return WorkerYearOut(
        person_id=p.person_id, year=p.year, year_start=p.year_start, year_end=p.year_end,
        amount=p.amount,
        claim_id=p.claim_id, workshop_id=p.workshop_id, paid_at=p.created_at,
    )  # fmt: skip


@router.post("", status_code=201, response_model=WorkshopOut, summary="Register a workshop")
def post_workshop(body: WorkshopIn, uow: Uow, _: Organiser) -> WorkshopOut:
    return _out(uow, service.create_workshop(uow, body))


@router.get("", response_model=list[WorkshopOut], summary="Workshops in scope")
def list_workshops(
    uow: Uow,
    county: CountyCode,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[WorkshopOut]:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    workshops = Workshops(uow.session, uow.principal).of_county(county, township)
    return [_out(uow, w) for w in workshops]


@router.get("/{workshop_id}", response_model=WorkshopOut)
def get_workshop(workshop_id: int, uow: Uow) -> WorkshopOut:
    can_read(uow.principal)
    return _out(uow, Workshops(uow.session, uow.principal).get_or_404(workshop_id))


@router.post(
    "/{workshop_id}/workers",
    status_code=201,
    response_model=WorkerOut,
    summary="A registered poor person joins the workshop's roll",
)
def post_worker(workshop_id: int, body: WorkerIn, uow: Uow, _: Recorder) -> WorkerOut:
    row = service.take_on(uow, workshop_id, body.person_id, body.start_on)
    return WorkerOut.model_validate(row, from_attributes=True)


@router.get("/{workshop_id}/workers", response_model=list[WorkerOut])
def list_workers(workshop_id: int, uow: Uow) -> list[WorkerOut]:
    can_read(uow.principal)
    rows = service.workers_of(uow, workshop_id)
    return [WorkerOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{workshop_id}/workers/{worker_id}/leave", response_model=WorkerOut)
def post_leave(workshop_id: int, worker_id: int, body: LeaveIn, uow: Uow, _: Recorder) -> WorkerOut:
    row = service.leave(uow, workshop_id, worker_id, body.end_on)
    return WorkerOut.model_validate(row, from_attributes=True)


@router.post(
    "/{workshop_id}/subsidy-claims",
    response_model=ClaimOut,
    summary="Claim the workshop subsidy (扶贫车间奖补) for the employment years begun in a year",
    description="EMP-5: employment.workshop.subsidy_per_worker_year (1,000 in 浮梁, FL-HRSS "
    "§三(一)1) per registered poor worker and employment year (就业年度: the 12 months from the "
    "hire; the next one from the anniversary while the worker stays), due to the workshop whose "
    "roll the worker is on when the year begins in the claimed calendar year, up to today. A "
    "worker-year is paid once ever: a repeated or concurrent claim pays nothing new and lists "
    "the worker-years already paid. 201 when something was paid, 200 otherwise.",
)
def post_claim(workshop_id: int, body: ClaimIn, uow: Uow, _: County) -> JSONResponse:
    result = service.claim(uow, workshop_id, body.year)
    out = ClaimOut(
        workshop_id=workshop_id,
        year=body.year,
        claim_id=result.claim.id if result.claim else None,
        amount=sum((p.amount for p in result.paid), Decimal("0.00")),
        paid=[_year(p) for p in result.paid],
        already_paid=[_year(p) for p in result.already_paid],
        not_eligible=[
            NotEligibleOut(person_id=w.person_id, year_start=w.year_start, reason=w.reason)
            for w in result.not_eligible
        ],
        trace=result.trace.out().model_dump(mode="json"),
        illustrative_parameters=illustrative_of(result.trace),
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.paid else 200)


@router.get("/{workshop_id}/subsidy-payments", response_model=list[WorkerYearOut])
def list_payments(workshop_id: int, uow: Uow) -> list[WorkerYearOut]:
    can_read(uow.principal)
    return [_year(p) for p in service.payments_of(uow, workshop_id)]
