"""`/v1/policy/publications`: a county officer proposes a dated parameter set for their county,
a second officer publishes or rejects it (four eyes), everyone reads what was published, by
whom, when and why. Mounted by each service for the parameters it owns (ServiceSpec)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shared.app import Uow
from shared.ids import CountyCode
from shared.policy.publication import service
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation import service as recalculation
from shared.policy.recalculation.routes import RecalculationOut, adjustment_router
from shared.policy.recalculation.service import Recalculator

STATUSES = "^(proposed|published|rejected)$"


class FigureIn(BaseModel):
    path: str = Field(min_length=3, max_length=200, description="e.g. welfare.dibao.rural_standard")
    effective_from: date = Field(description="From when the figure applies (may be past)")
    value: Decimal = Field(description="In the parameter's unit (yuan, ratio 0-1, months)")
    reference: str = Field(
        default="",
        max_length=500,
        description="The county's document and article that set it, e.g. 姚政办发〔2018〕12号 三",
    )
    illustrative: bool = Field(
        default=False, description="No document sets the figure: it stands in, for a reason"
    )
    illustrative_reason: str = Field(default="", max_length=500)


class PublicationIn(BaseModel):
    county_code: CountyCode
    reason: str = Field(
        min_length=2, max_length=2000, description="Why: the county's decision and what it changes"
    )
    items: list[FigureIn] = Field(min_length=1, max_length=50)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000, description="Required to reject")


class PublicationOut(BaseModel):
    id: int
    county_code: str
    status: str = Field(description="proposed (待审核) | published (已发布) | rejected (已退回)")
    reason: str
    items: list[dict[str, Any]]
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    source: str = Field(description="How decisions cite it: `publication <id>`")
    recalculation: RecalculationOut | None = Field(
        default=None,
        description="On publication: the decisions already made that its figures changed",
    )


def _out(row: PolicyPublication, recalculated: RecalculationOut | None = None) -> PublicationOut:
    return PublicationOut.model_validate(
        row.model_dump() | {"source": f"publication {row.id}", "recalculation": recalculated},
        from_attributes=False,
    )


def publication_router(
    prefixes: tuple[str, ...], recalculate: Sequence[Recalculator] = ()
) -> APIRouter:
    """The routes for the parameters under `prefixes`; with `recalculate`, publishing a set that
    takes effect by today recomputes the decisions it touches, and the adjustments are listed."""
    router = APIRouter(prefix="/v1/policy/publications", tags=["policy"])

    @router.post(
        "",
        status_code=201,
        response_model=PublicationOut,
        summary="Propose a dated parameter set for a county (发布本县参数：提出)",
    )
    def propose(body: PublicationIn, uow: Uow) -> PublicationOut:
        items = [i.model_dump(mode="json") for i in body.items]
        row = service.propose(
            uow.session, uow.principal, body.county_code, body.reason, items, uow.policy, prefixes
        )
        return _out(row)

    @router.get("", response_model=list[PublicationOut], summary="Parameter sets of the county")
    def listing(
        uow: Uow,
        county: Annotated[CountyCode | None, Query()] = None,
        status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    ) -> list[PublicationOut]:
        return [_out(r) for r in service.listing(uow.session, uow.principal, county, status)]

    @router.get("/{publication_id}", response_model=PublicationOut, summary="One parameter set")
    def one(publication_id: int, uow: Uow) -> PublicationOut:
        return _out(service.get(uow.session, uow.principal, publication_id))

    @router.post(
        "/{publication_id}/decision",
        response_model=PublicationOut,
        summary="Publish or reject a proposed set: a second officer, never the proposer (审核发布)",
    )
    def decide(publication_id: int, body: DecisionIn, uow: Uow) -> PublicationOut:
        row = service.get(uow.session, uow.principal, publication_id)
        row = service.decide(uow.session, uow.principal, row, body.approve, body.note)
        if not body.approve or not recalculate:
            return _out(row)
        return _out(row, RecalculationOut.of(recalculation.run(uow, row, recalculate)))

    if recalculate:
        outer = APIRouter()
        outer.include_router(router)
        outer.include_router(adjustment_router(recalculate))
        return outer
    return router
