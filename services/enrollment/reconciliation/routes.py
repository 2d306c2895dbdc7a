"""HTTP API of the reconciliation: coverage by township or village, the gap lists, and the
township roster / ledger exports with Chinese headers (ENR-P2, ENR-M4)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from services.enrollment.reconciliation import service
from services.enrollment.reconciliation.repository import GapKind, Scheme
from services.enrollment.reconciliation.schemas import GapPage, ReconciliationOut
from shared.app import Uow
from shared.exports import export_response
from shared.tabular import CSV_MEDIA, XLSX_MEDIA

router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"])

DivisionQuery = Annotated[
    str,
    Query(
        pattern=r"^(\d{6}(\d{3}){0,2})?$",
        description="county (6), township (9) or village (12) code; default: your jurisdiction",
    ),
]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="insurance year")]
SchemePath = Annotated[Scheme, Path(description="pension or medical")]


@router.get("/{scheme}", response_model=ReconciliationOut, summary="Coverage per division")
def get_reconciliation(
    scheme: SchemePath,
    year: YearQuery,
    uow: Uow,
    division: DivisionQuery = "",
    group_by: Literal["township", "village"] = "township",
) -> ReconciliationOut:
    return service.reconciliation(uow, scheme, year, division, group_by)


@router.get("/{scheme}/gaps", response_model=GapPage, summary="Eligible-not-enrolled or unpaid")
def get_gaps(
    scheme: SchemePath,
    year: YearQuery,
    kind: GapKind,
    uow: Uow,
    division: DivisionQuery = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> GapPage:
    return service.gap_page(uow, scheme, year, kind, division, offset, limit)


@router.get(
    "/{scheme}/export",
    summary="The township roster / ledger of gaps (花名册 / 台账), XLSX or CSV, Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}, CSV_MEDIA: {}}}},
)
def export_gaps(
    scheme: SchemePath,
    year: YearQuery,
    uow: Uow,
    division: DivisionQuery = "",
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    """The township roster / ledger of gaps (花名册 / 台账) for the county bureau (ENR-M4)."""
    found = service.export(uow, scheme, year, division, format)
    return export_response(found)
