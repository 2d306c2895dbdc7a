"""The monthly report (EMP-9) for the one who asks: the month must have begun, and a township
officer sees their own township only (a county reader the whole county, even when also a
township officer)."""

from __future__ import annotations

from dataclasses import dataclass

from services.employment.plan import service as plan
from services.employment.plan.schemas import TargetOut
from services.employment.report.compute import monthly_report
from services.employment.report.figures import MonthlyReport
from services.employment.report.peers import fetch as peer_targets
from shared.errors import FieldError, InvalidInput
from shared.roles import Role
from shared.uow import UnitOfWork


def monthly(uow: UnitOfWork, county: str, month: str) -> MonthlyReport:
    today = uow.today()
    if month > f"{today.year:04d}-{today.month:02d}":
        raise InvalidInput(
            "the month has not begun",
            errors=[FieldError(field="month", reason="in the future", value=month)],
        )
    principal = uow.principal
    scope = principal.scope if Role.township_officer in principal.roles else ""
    if principal.has(Role.county_hrss, Role.county_poverty, Role.auditor):
        scope = ""  # a county reader sees the whole county even when also a township officer
    return monthly_report(uow.session, county, month, today=today, policy=uow.policy, scope=scope)


def chart_png(report: MonthlyReport) -> bytes:
    """The report drawn as a PNG for a county leader. matplotlib is imported only when a chart
    is asked for: importing it costs about a second, which every start of the service (and
    every test worker) would otherwise pay."""
    from services.employment.report.chart import draw

    return draw(report)


@dataclass
class ReportTargets:
    targets: list[TargetOut]
    unavailable: dict[str, str]  # service -> why its targets are missing


def targets(
    uow: UnitOfWork,
    report: MonthlyReport,
    peers: dict[str, str] | None = None,
    authorization: str = "",
) -> ReportTargets:
    """The county plan's targets on the report's day (PLAN-1, EMP-9): those this service
    measures, and those the other services measure, asked of them with the reader's token (the
    reader's township only for a township officer, as the report's figures), by due date."""
    own = plan.targets(uow, report.county, report.on).targets
    others = peer_targets(peers or {}, authorization, report.county, report.on)
    found = sorted([*own, *others.targets], key=lambda t: (t.due, t.id))
    return ReportTargets(found, others.unavailable)
