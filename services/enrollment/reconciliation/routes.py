"""HTTP API of the reconciliation: coverage by township or village, the gap lists, and the
township roster / ledger exports with Chinese headers (ENR-P2, ENR-M4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from services.enrollment import clock
from services.enrollment.reconciliation.queries import GapKind, Scheme, Scope, gaps, summary, totals
from services.enrollment.reconciliation.schemas import Coverage, GapPage, GapRow, ReconciliationOut
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role
from shared.domain import PovertyStatus
from shared.errors import Forbidden
from shared.tabular import CSV_MEDIA, XLSX_MEDIA, write_csv, write_xlsx

router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"])

READERS = (
    Role.county_hrss,
    Role.county_medical,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
)
SCHEME_ZH = {"pension": "城乡居民基本养老保险", "medical": "城乡居民基本医疗保险"}
GAP_ZH = {"not_enrolled": "未参保", "not_paid": "已参保未缴费"}
DivisionQuery = Annotated[
    str,
    Query(
        pattern=r"^\d{6}(\d{3}){0,2}$",
        description="county (6), township (9) or village (12) code; default: your jurisdiction",
    ),
]


def _scope(
    runtime: RuntimeDep, principal: Principal, scheme: Scheme, year: int, division: str
) -> Scope:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the reconciliation")
    division = division or principal.scope
    if not division:
        raise Forbidden("give a division code")
    if not principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    min_age = int(
        runtime.policy.value(
            "enrollment.pension.eligibility.min_age", division[:6], date(year, 1, 1)
        )
    )
    return Scope(scheme=scheme, year=year, division=division, min_age=min_age)


YearQuery = Annotated[int, Query(ge=2000, le=2100, description="insurance year")]
SchemePath = Annotated[Scheme, Path(description="pension or medical")]


@router.get("/{scheme}", response_model=ReconciliationOut, summary="Coverage per division")
def get_reconciliation(
    scheme: SchemePath,
    year: YearQuery,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    division: DivisionQuery = "",
    group_by: Literal["township", "village"] = "township",
) -> ReconciliationOut:
    scope = _scope(runtime, principal, scheme, year, division)
    groups = summary(session, scope, group_by)
    return ReconciliationOut(
        scheme=scheme,
        year=year,
        division=scope.division,
        rule="ENR-P1, ENR-P2" if scheme == "pension" else "ENR-M1, ENR-M5",
        total=Coverage(**totals(groups, scope.division)),
        groups=[Coverage(**g) for g in groups],
    )


@router.get("/{scheme}/gaps", response_model=GapPage, summary="Eligible-not-enrolled or unpaid")
def get_gaps(
    scheme: SchemePath,
    year: YearQuery,
    kind: GapKind,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    division: DivisionQuery = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> GapPage:
    scope = _scope(runtime, principal, scheme, year, division)
    total, rows = gaps(session, scope, kind, offset, limit)
    return GapPage(
        scheme=scheme,
        year=year,
        kind=kind,
        total=total,
        offset=offset,
        limit=limit,
        items=[GapRow(**r) for r in rows],
    )


HEADERS_ZH = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "出生日期", "贫困状态", "问题"]


@router.get(
    "/{scheme}/export",
    summary="The township roster / ledger of gaps (花名册 / 台账), XLSX or CSV, Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}, CSV_MEDIA: {}}}},
)
def export_gaps(
    scheme: SchemePath,
    year: YearQuery,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    division: DivisionQuery = "",
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    """The township roster / ledger of gaps (花名册 / 台账) for the county bureau (ENR-M4)."""
    scope = _scope(runtime, principal, scheme, year, division)
    headers = HEADERS_ZH + (["缴费档次"] if scheme == "pension" else [])
    rows = []
    for kind in ("not_enrolled", "not_paid"):
        _, found = gaps(session, scope, kind, None, None)  # type: ignore[arg-type]
        for r in found:
            line = [
                r["township_code"],
                r["village_code"],
                r["household_id"],
                r["name"],
                r["id_number"],
                r["birth_date"],
                PovertyStatus(r["poverty_status"]).label_zh,
                GAP_ZH[kind],
            ]
            rows.append([*line, r["tier"]] if scheme == "pension" else line)
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
    stamp = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    title = f"{scope.division} {year}年 {SCHEME_ZH[scheme]} 参保缴费核查台账"
    marking = f"导出人: {principal.subject}  导出时间: {stamp}"
    name = f"reconciliation-{scheme}-{year}-{scope.division}.{format}"
    if format == "csv":
        body, media = write_csv(headers, rows), CSV_MEDIA
    else:
        body = write_xlsx(headers, rows, title=f"{year}{scheme}", preamble=[title, marking])
        media = XLSX_MEDIA
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Exported-By": principal.subject,
            "X-Exported-At": stamp,
        },
    )
