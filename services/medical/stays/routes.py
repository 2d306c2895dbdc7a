"""HTTP API for hospital systems and the medical insurance bureau: record, read, correct and
cancel stays. Every decision carries its layers, ratios and trace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse
from sqlmodel import Session, select

from services.medical.models import HospitalStay, StayAdjustment, StayDecision
from services.medical.stays.schemas import AdjustmentOut, CancelIn, DecisionOut, HistoryOut
from services.medical.stays.service import (
    StayService,
    latest_decision,
)
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import FieldError, Forbidden, InvalidInput, NotFound
from shared.events.medical import StayData

router = APIRouter(prefix="/v1/hospitalizations", tags=["hospital stays"])
WRITERS = (Role.hospital, Role.county_medical)
READERS = (Role.hospital, Role.county_medical, Role.auditor, Role.service)


def service(runtime: RuntimeDep) -> StayService:
    return StayService(runtime.policy, runtime.publish_kwargs())


def _check_county(principal: Principal, county: str) -> None:
    if not principal.covers(county) and not (
        principal.scope and county.startswith(principal.scope)
    ):
        raise Forbidden(f"county {county} is outside your jurisdiction")


def _readable(session: Session, claim_id: str, principal: Principal) -> HospitalStay:
    stay = session.get(HospitalStay, claim_id)
    if stay is None:
        raise NotFound("no stay with that claim id")
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read hospital stays")
    # A hospital sees its own stays in its jurisdiction only; others by jurisdiction. Either
    # way: 404, no leak.
    if principal.has(Role.hospital) and not principal.has(Role.county_medical, Role.admin):
        if stay.submitted_by != principal.subject or not principal.covers(stay.county_code):
            raise NotFound("no stay with that claim id")
    elif not principal.covers(stay.county_code) and not stay.county_code.startswith(
        principal.scope[:6]
    ):
        raise NotFound("no stay with that claim id")
    return stay


@router.post(
    "",
    response_model=DecisionOut,
    status_code=201,
    summary="Record a hospital stay and settle it (MED-1, MED-2, MED-3, MED-4, MED-5)",
    description=(
        "The claim id is the idempotency key: posting the same claim again answers 200 with "
        "the same decision and pays nothing twice; other facts under the same claim id are a "
        "409 (correct a stay with PUT)."
    ),
    responses={200: {"model": DecisionOut, "description": "the same claim, posted again"}},
)
def post_stay(
    body: StayData,
    session: DbSession,
    svc: Annotated[StayService, Depends(service)],
    principal: Annotated[Principal, Depends(require(*WRITERS))],
) -> JSONResponse:
    _check_county(principal, body.county_code)
    stay, decision, created = svc.record(session, body, principal.subject)
    out = DecisionOut.of(stay, decision).model_dump(mode="json")
    return JSONResponse(out, status_code=201 if created else 200)


@router.get("/{claim_id}", response_model=DecisionOut, summary="The current decision of a stay")
def get_stay(claim_id: str, session: DbSession, principal: CurrentPrincipal) -> DecisionOut:
    stay = _readable(session, claim_id, principal)
    return DecisionOut.of(stay, latest_decision(session, claim_id))


@router.put(
    "/{claim_id}",
    response_model=DecisionOut,
    summary="Correct a stay: recomputed, the difference recorded as an adjustment",
)
def put_stay(
    claim_id: str,
    body: StayData,
    session: DbSession,
    svc: Annotated[StayService, Depends(service)],
    principal: Annotated[Principal, Depends(require(*WRITERS))],
) -> DecisionOut:
    _readable(session, claim_id, principal)
    if body.claim_id != claim_id:
        raise InvalidInput(
            "the body's claim id differs from the path",
            errors=[FieldError(field="body.claim_id", reason="must equal the path's claim id")],
        )
    stay, decision = svc.correct(session, claim_id, body, principal.subject, "corrected")
    return DecisionOut.of(stay, decision)


@router.post(
    "/{claim_id}/cancel",
    response_model=DecisionOut,
    summary="Cancel a stay: everything it paid is reversed by a negative adjustment",
)
def cancel_stay(
    claim_id: str,
    body: Annotated[CancelIn, Body()],
    session: DbSession,
    svc: Annotated[StayService, Depends(service)],
    principal: Annotated[Principal, Depends(require(*WRITERS))],
) -> DecisionOut:
    _readable(session, claim_id, principal)
    stay, decision = svc.correct(session, claim_id, None, principal.subject, body.reason)
    return DecisionOut.of(stay, decision)


@router.get("/{claim_id}/history", response_model=HistoryOut, summary="Every version of a stay")
def get_history(claim_id: str, session: DbSession, principal: CurrentPrincipal) -> HistoryOut:
    stay = _readable(session, claim_id, principal)
    versions = session.exec(
        select(StayDecision).where(StayDecision.claim_id == claim_id).order_by(StayDecision.version)  # type: ignore[arg-type]
    ).all()
    adjustments = session.exec(
        select(StayAdjustment)
        .where(StayAdjustment.claim_id == claim_id)
        .order_by(StayAdjustment.id)  # type: ignore[arg-type]
    ).all()
    return HistoryOut(
        claim_id=claim_id,
        versions=[DecisionOut.of(stay, v) for v in versions],
        adjustments=[AdjustmentOut.model_validate(a, from_attributes=True) for a in adjustments],
    )
