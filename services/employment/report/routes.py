"""HTTP API of the monthly progress report (月度工作进展, EMP-9, FL-HRSS §四(四)):
`GET /v1/reports/monthly?county=&month=YYYY-MM&format=json|xlsx|png`.

Readers: the county HR & social security bureau, the poverty office, the auditor, and a township
officer, who sees their own township only. Other roles 403; a county outside the reader's
jurisdiction 404; a month not yet begun 422."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.employment.jobs.access import guard_area
from services.employment.plan.schemas import TargetOut
from services.employment.report import service
from services.employment.report.figures import SPECS, Area, MonthlyReport
from services.employment.report.schemas import (
    AreaOut,
    FigureOut,
    MonthlyReportOut,
    ReportTargetOut,
)
from services.employment.report.xlsx import write_report
from shared.app import RuntimeDep, Uow
from shared.errors import Forbidden
from shared.header_values import content_disposition
from shared.ids import CountyCode
from shared.roles import Role
from shared.tabular import XLSX_MEDIA

router = APIRouter(prefix="/v1/reports", tags=["monthly report 月度工作进展 (EMP-9)"])

READERS = (Role.county_hrss, Role.county_poverty, Role.township_officer, Role.auditor)
PNG_MEDIA = "image/png"


def _area(area: Area) -> AreaOut:
    return AreaOut(
        code=area.code,
        figures={
            s.key: FigureOut(
                value=area.figures[s.key].value,
                target=area.figures[s.key].target,
                met=area.figures[s.key].met,
                rule=s.rule,
                zh=s.zh,
            )
            for s in SPECS
        },
    )


def target_out(t: TargetOut) -> ReportTargetOut:
    return ReportTargetOut.model_validate(t.model_dump())


def report_out(report: MonthlyReport, targets: service.ReportTargets) -> MonthlyReportOut:
    return MonthlyReportOut(
        county_code=report.county,
        month=report.month,
        on=report.on,
        township=report.scope or None,
        recommendation_year=report.year,
        placement_window_months=report.placement_window_months,
        townships=[_area(a) for a in report.townships],
        total=_area(report.total),
        trace=report.trace.out().model_dump(mode="json"),
        targets=[target_out(t) for t in targets.targets],
        targets_unavailable=targets.unavailable,
    )


@router.get(
    "/monthly",
    response_model=MonthlyReportOut,
    summary="Monthly progress report per township (月度工作进展, EMP-9)",
    description="As of the month's last day (today while the month runs), per township and for "
    "the county: labourers and their wishes (EMP-1); training and 两后生 coverage against "
    "100% and placement after training against 50% (EMP-2); recommendations this year and "
    "labourers below 3 (target: none), placements by location (EMP-3); public-welfare post "
    "occupancy against 80% (EMP-4); workshop workers (EMP-5); businesses running (EMP-6); "
    "relocated households with nobody in work (EMP-8); the county plan's targets this service "
    "measures, with value, target, due date and late flag (PLAN-1). Each figure carries its "
    "target and whether it is met; `format=xlsx` gives the sheets with Chinese headers, "
    "`format=png` a chart.",
    responses={200: {"content": {XLSX_MEDIA: {}, PNG_MEDIA: {}}}},
)
def get_monthly(
    request: Request,
    runtime: RuntimeDep,
    uow: Uow,
    county: CountyCode,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
    format: Annotated[str, Query(pattern="^(json|xlsx|png)$")] = "json",
) -> Any:
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the monthly report")
    guard_area(uow.principal, county)
    report = service.monthly(uow, county, month)
    name = f"monthly-report-{county}-{month}"
    if format == "png":
        return Response(
            service.chart_png(report),
            media_type=PNG_MEDIA,
            headers={"Content-Disposition": content_disposition(f"{name}.png", inline=True)},
        )
    # The other services' targets are asked with the reader's own token.
    targets = service.targets(
        uow,
        report,
        runtime.settings.peer_urls(),
        request.headers.get("Authorization", ""),
    )
    if format == "xlsx":
        return Response(
            write_report(report, targets.targets, targets.unavailable),
            media_type=XLSX_MEDIA,
            headers={"Content-Disposition": content_disposition(f"{name}.xlsx")},
        )
    return report_out(report, targets)
