"""`/v1/policy/adjustments`: the decisions a county's published figures changed after they were
made, what each paid and is now due with both parameter versions, and their settlement (back-pay
paid, an overpayment recovered or written off by a county decision). Mounted with the
publication routes by a service that recalculates its decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shared.app import Uow
from shared.ids import CountyCode
from shared.money import Money
from shared.policy.recalculation import service
from shared.policy.recalculation.service import Recalculation, Recalculator
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import TracedProvenance

STATUSES = "^(open|paid|recovered|written_off)$"


class RecalculationOut(BaseModel):
    publication_id: int
    effective_from: date | None = Field(
        description="The set's first figure takes effect then: decisions from then on are "
        "recomputed when it is by the day of publication"
    )
    adjustments: int = Field(description="Decisions whose amount changed (recorded this run)")
    back_pay: Money
    claw_back: Money
    by_scheme: dict[str, int]
    adjustment_ids: list[int]

    @classmethod
    def of(cls, run: Recalculation) -> RecalculationOut:
        return cls(
            publication_id=run.publication_id,
            effective_from=run.effective_from,
            adjustments=len(run.adjustments),
            back_pay=run.back_pay,
            claw_back=run.claw_back,
            by_scheme=run.by_scheme(),
            adjustment_ids=[a.id for a in run.adjustments if a.id is not None],
        )


class AdjustmentOut(TracedProvenance):
    trace_fields = ("new_trace",)

    id: int
    publication_id: int
    county_code: str
    township_code: str | None
    scheme: str
    subject: str = Field(description="The decision's record (a claim id, a payment id)")
    person_id: str | None
    household_id: str | None
    period: date
    paid_amount: Money
    due_amount: Money
    difference: Money = Field(description="due - paid: back-pay if positive, else a claw-back")
    kind: str = Field(description="back_pay (补发) | claw_back (追回)")
    status: str = Field(description="open | paid | recovered | written_off (核销)")
    parameters: list[dict[str, Any]] = Field(
        description="Each changed figure with the version paid on and the version due on"
    )
    sources: list[str] = Field(description="The parameter versions now due on")
    old_trace: dict[str, Any]
    new_trace: dict[str, Any]
    created_by: str
    created_at: datetime
    settled_by: str | None
    settled_at: datetime | None
    settlement_note: str | None

    @classmethod
    def of(cls, row: PolicyAdjustment) -> AdjustmentOut:
        return cls.model_validate(row.model_dump() | {"sources": service.sources(row)})


class AdjustmentPage(BaseModel):
    total: int
    items: list[AdjustmentOut]


class SettlementIn(BaseModel):
    outcome: str = Field(
        pattern="^(paid|recovered|written_off)$",
        description="paid (back-pay 已补发) | recovered (已追回) | written_off (核销: a county "
        "decision, its reason in the note)",
    )
    note: str = Field(default="", max_length=500, description="Payment reference or the decision")


def adjustment_router(recalculators: Sequence[Recalculator]) -> APIRouter:
    router = APIRouter(tags=["policy"])

    @router.post(
        "/v1/policy/publications/{publication_id}/recalculation",
        response_model=RecalculationOut,
        summary="Recompute the decisions a published set touches again (重新核算); a second run "
        "records nothing new",
    )
    def recalculate(publication_id: int, uow: Uow) -> RecalculationOut:
        row = service.published(uow.session, uow.principal, publication_id)
        return RecalculationOut.of(service.run(uow, row, recalculators))

    @router.get(
        "/v1/policy/adjustments",
        response_model=AdjustmentPage,
        summary="Decisions recomputed under figures published after them (调整台账)",
    )
    def listing(
        uow: Uow,
        county: Annotated[CountyCode | None, Query()] = None,
        publication_id: Annotated[int | None, Query(ge=1)] = None,
        scheme: Annotated[str | None, Query(max_length=30)] = None,
        status: Annotated[str | None, Query(pattern=STATUSES)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> AdjustmentPage:
        total, rows = service.listing(
            uow.session,
            uow.principal,
            county=county,
            publication_id=publication_id,
            scheme=scheme,
            status=status,
            offset=offset,
            limit=limit,
        )
        return AdjustmentPage(total=total, items=[AdjustmentOut.of(r) for r in rows])

    @router.get(
        "/v1/policy/adjustments/{adjustment_id}",
        response_model=AdjustmentOut,
        summary="One adjustment",
    )
    def one(adjustment_id: int, uow: Uow) -> AdjustmentOut:
        return AdjustmentOut.of(service.get(uow.session, uow.principal, adjustment_id))

    @router.post(
        "/v1/policy/adjustments/{adjustment_id}/settlement",
        response_model=AdjustmentOut,
        summary="Settle an adjustment: back-pay paid, an overpayment recovered or written off",
    )
    def settle(adjustment_id: int, body: SettlementIn, uow: Uow) -> AdjustmentOut:
        row = service.get(uow.session, uow.principal, adjustment_id)
        return AdjustmentOut.of(
            service.settle(uow.session, uow.principal, row, body.outcome, body.note)
        )

    return router
