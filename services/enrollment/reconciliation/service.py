"""The reconciliation's work: who may read it and for which division, coverage per division, the
gap lists, and the township roster / ledger exports with Chinese headers (ENR-P2, ENR-M4)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from services.enrollment.reconciliation.repository import (
    GapKind,
    Scheme,
    Scope,
    gaps,
    summary,
    totals,
)
from services.enrollment.reconciliation.schemas import (
    Coverage,
    GapPage,
    GapRow,
    ReconciliationOut,
)
from shared.domain import PovertyStatus
from shared.errors import Forbidden
from shared.exports import Export, marked_export
from shared.roles import Role
from shared.uow import UnitOfWork

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
GAP_KINDS: tuple[GapKind, ...] = ("not_enrolled", "not_paid")
HEADERS_ZH = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "出生日期", "贫困状态", "问题"]


def scope_of(uow: UnitOfWork, scheme: Scheme, year: int, division: str) -> Scope:
    """What the caller asks to reconcile: a division inside their jurisdiction (theirs by
    default), with the county's minimum pension age for the year."""
    principal = uow.principal
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the reconciliation")
    division = division or principal.scope
    if not division:
        raise Forbidden("give a division code")
    if not principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    min_age = int(
        uow.policy.value("enrollment.pension.eligibility.min_age", division[:6], date(year, 1, 1))
    )
    return Scope(scheme=scheme, year=year, division=division, min_age=min_age)


def reconciliation(
    uow: UnitOfWork,
    scheme: Scheme,
    year: int,
    division: str,
    group_by: Literal["township", "village"],
) -> ReconciliationOut:
    """Coverage per township or village and in all (ENR-P1, ENR-M1)."""
    scope = scope_of(uow, scheme, year, division)
    groups = summary(uow.session, scope, group_by)
    return ReconciliationOut(
        scheme=scheme,
        year=year,
        division=scope.division,
        rule="ENR-P1, ENR-P2" if scheme == "pension" else "ENR-M1, ENR-M5",
        total=Coverage(**totals(groups, scope.division)),
        groups=[Coverage(**g) for g in groups],
    )


def gap_page(
    uow: UnitOfWork,
    scheme: Scheme,
    year: int,
    kind: GapKind,
    division: str,
    offset: int,
    limit: int,
) -> GapPage:
    """A page of the eligible not enrolled, or enrolled and not paid (ENR-P2, ENR-M5)."""
    scope = scope_of(uow, scheme, year, division)
    total, rows = gaps(uow.session, scope, kind, offset, limit)
    return GapPage(
        scheme=scheme,
        year=year,
        kind=kind,
        total=total,
        offset=offset,
        limit=limit,
        items=[GapRow(**r) for r in rows],
    )


def export(
    uow: UnitOfWork,
    scheme: Scheme,
    year: int,
    division: str,
    format: Literal["xlsx", "csv"],
) -> Export:
    """The township roster / ledger of gaps (花名册 / 台账) for the county bureau (ENR-M4)."""
    scope = scope_of(uow, scheme, year, division)
    headers = HEADERS_ZH + (["缴费档次"] if scheme == "pension" else [])
    rows: list[list[Any]] = []
    for kind in GAP_KINDS:
        _, found = gaps(uow.session, scope, kind, None, None)
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
    return marked_export(
        uow,
        headers,
        rows,
        format=format,
        filename=f"reconciliation-{scheme}-{year}-{scope.division}.{format}",
        sheet=f"{year}{SCHEME_ZH[scheme]}",
        title=f"{scope.division} {year}年 {SCHEME_ZH[scheme]} 参保缴费核查台账",
    )
