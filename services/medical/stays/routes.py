"""HTTP API for hospital systems and the medical insurance bureau: record, read, correct and
cancel stays. Every decision carries its layers, ratios and trace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from services.medical.access import check_post_county
from services.medical.stays.schemas import AdjustmentOut, CancelIn, DecisionOut, HistoryOut
from services.medical.stays.service import (
    WRITERS,
    correct,
    history,
    latest_decision,
    readable,
    record,
)
from shared.app import Uow
from shared.auth import require
from shared.errors import FieldError, InvalidInput
from shared.events.medical import StayData

router = APIRouter(prefix="/v1/hospitalizations", tags=["hospital stays"])
Writer = Depends(require(*WRITERS))


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
    dependencies=[Writer],
)
def post_stay(body: StayData, uow: Uow) -> JSONResponse:
    check_post_county(uow.principal, body.county_code)
    stay, decision, created = record(uow, body, uow.actor)
    out = DecisionOut.of(stay, decision).model_dump(mode="json")
    return JSONResponse(out, status_code=201 if created else 200)


@router.get("/{claim_id}", response_model=DecisionOut, summary="The current decision of a stay")
def get_stay(claim_id: str, uow: Uow) -> DecisionOut:
    stay = readable(uow, claim_id)
    return DecisionOut.of(stay, latest_decision(uow, claim_id))


@router.put(
    "/{claim_id}",
    response_model=DecisionOut,
    summary="Correct a stay: recomputed, the difference recorded as an adjustment",
    dependencies=[Writer],
)
def put_stay(claim_id: str, body: StayData, uow: Uow) -> DecisionOut:
    readable(uow, claim_id)
    if body.claim_id != claim_id:
        raise InvalidInput(
            "the body's claim id differs from the path",
            errors=[FieldError(field="body.claim_id", reason="must equal the path's claim id")],
        )
    stay, decision = correct(uow, claim_id, body, "corrected")
    return DecisionOut.of(stay, decision)


@router.post(
    "/{claim_id}/cancel",
    response_model=DecisionOut,
    summary="Cancel a stay: everything it paid is reversed by a negative adjustment",
    dependencies=[Writer],
)
def cancel_stay(claim_id: str, body: Annotated[CancelIn, Body()], uow: Uow) -> DecisionOut:
    readable(uow, claim_id)
    stay, decision = correct(uow, claim_id, None, body.reason)
    return DecisionOut.of(stay, decision)


@router.get("/{claim_id}/history", response_model=HistoryOut, summary="Every version of a stay")
def get_history(claim_id: str, uow: Uow) -> HistoryOut:
    stay, versions, adjustments = history(uow, claim_id)
    return HistoryOut(
        claim_id=claim_id,
        versions=[DecisionOut.of(stay, v) for v in versions],
        adjustments=[AdjustmentOut.model_validate(a, from_attributes=True) for a in adjustments],
    )
