"""HTTP API of poverty workshops (扶贫车间, EMP-5): workshops, the registered poor on their roll,
and the subsidy claim (1,000 yuan per worker and employment year, FL-HRSS §三(一)1), paid once
per worker-year.

Jurisdiction: services/employment/jobs/access.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from services.employment import clock
from services.employment.jobs.access import COUNTY, ORGANISERS, RECORDERS, can_read, guard_area
from services.employment.workshops import service
from services.employment.workshops.models import (
    PovertyWorkshop,
    WorkshopSubsidyPayment,
    WorkshopWorker,
)
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
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.errors import NotFound
from shared.ids import CountyCode
from shared.trace import illustrative_of

router = APIRouter(prefix="/v1/workshops", tags=["poverty workshops 扶贫车间 (EMP-5)"])

Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]
County = Annotated[Principal, Depends(require(*COUNTY))]


def _out(session: Any, w: PovertyWorkshop) -> WorkshopOut:
    return WorkshopOut(
        **w.model_dump(),
        workers_now=len(
            session.exec(
                select(WorkshopWorker.person_id).where(
                    WorkshopWorker.workshop_id == w.id, *service.active_on(clock.today())
                )
            ).all()
        ),
    )


def _year(p: WorkshopSubsidyPayment) -> WorkerYearOut:
    return WorkerYearOut(
        person_id=p.person_id, year=p.year, year_start=p.year_start, year_end=p.year_end,
        amount=p.amount,
        claim_id=p.claim_id, workshop_id=p.workshop_id, paid_at=p.created_at,
    )  # fmt: skip


@router.post("", status_code=201, response_model=WorkshopOut, summary="Register a workshop")
def post_workshop(body: WorkshopIn, session: DbSession, principal: Organiser) -> WorkshopOut:
    guard_area(principal, body.village_code or body.township_code)
    workshop = PovertyWorkshop(
        **body.model_dump(), county_code=body.township_code[:6], created_by=principal.subject
    )
    session.add(workshop)
    session.flush()
    return _out(session, workshop)


@router.get("", response_model=list[WorkshopOut], summary="Workshops in scope")
def list_workshops(
    session: DbSession,
    principal: CurrentPrincipal,
    county: CountyCode,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[WorkshopOut]:
    can_read(principal)
    guard_area(principal, county)
    stmt = select(PovertyWorkshop).where(PovertyWorkshop.county_code == county)
    if principal.scope:
        stmt = stmt.where(col(PovertyWorkshop.township_code).startswith(principal.scope[:9]))
    if township:
        stmt = stmt.where(PovertyWorkshop.township_code == township)
    return [_out(session, w) for w in session.exec(stmt.order_by(PovertyWorkshop.id))]  # type: ignore[arg-type]


@router.get("/{workshop_id}", response_model=WorkshopOut)
def get_workshop(workshop_id: int, session: DbSession, principal: CurrentPrincipal) -> WorkshopOut:
    can_read(principal)
    return _out(session, service.load_workshop(session, workshop_id, principal))


@router.post(
    "/{workshop_id}/workers",
    status_code=201,
    response_model=WorkerOut,
    summary="A registered poor person joins the workshop's roll",
)
def post_worker(
    workshop_id: int, body: WorkerIn, session: DbSession, principal: Recorder
) -> WorkerOut:
    workshop = service.load_workshop(session, workshop_id, principal, lock=True)
    row = service.take_on(session, workshop, body.person_id, body.start_on, principal)
    return WorkerOut.model_validate(row, from_attributes=True)


@router.get("/{workshop_id}/workers", response_model=list[WorkerOut])
def list_workers(
    workshop_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[WorkerOut]:
    can_read(principal)
    service.load_workshop(session, workshop_id, principal)
    stmt = select(WorkshopWorker).where(WorkshopWorker.workshop_id == workshop_id)
    if principal.scope:
        stmt = stmt.where(col(WorkshopWorker.village_code).startswith(principal.scope))
    rows = session.exec(stmt.order_by(WorkshopWorker.id))  # type: ignore[arg-type]
    return [WorkerOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{workshop_id}/workers/{worker_id}/leave", response_model=WorkerOut)
def post_leave(
    workshop_id: int, worker_id: int, body: LeaveIn, session: DbSession, principal: Recorder
) -> WorkerOut:
    service.load_workshop(session, workshop_id, principal, lock=True)
    row = session.get(WorkshopWorker, worker_id)
    if row is None or row.workshop_id != workshop_id:
        raise NotFound("no such worker on this workshop's roll")
    principal.guard(row.village_code)
    return WorkerOut.model_validate(service.leave(session, row, body.end_on), from_attributes=True)


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
def post_claim(
    workshop_id: int, body: ClaimIn, session: DbSession, runtime: RuntimeDep, principal: County
) -> JSONResponse:
    workshop = service.load_workshop(session, workshop_id, principal, lock=True)
    result = service.claim(session, runtime.policy, workshop, body.year, clock.today(), principal)
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
def list_payments(
    workshop_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[WorkerYearOut]:
    can_read(principal)
    service.load_workshop(session, workshop_id, principal)
    rows = session.exec(
        select(WorkshopSubsidyPayment)
        .where(WorkshopSubsidyPayment.workshop_id == workshop_id)
        .order_by(WorkshopSubsidyPayment.year, WorkshopSubsidyPayment.person_id)
    )
    return [_year(p) for p in rows]
