"""The medical targets of the county plans (PLAN-1, PLAN-2), measured from this service's
records, and the townships' clean-up ledger reports.

Metric diagnosis_fee.ledger_submitted (MED-9, YA-HRSS §二(二)2 …做好台账，11月20日前上报县人社局):
each township with registered people or clean-up visits owes one ledger of the clean-up window;
done when its report, recorded here with the ledger's visits and refunds as the service computes
them, is dated by the day. A township with no visit still reports (a nil ledger)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from services.medical.plan.models import DiagnosisFeeLedgerReport
from services.medical.plan.repository import CleanupVisits, LedgerReports, RegistryTownships
from services.medical.plan.schemas import LedgerReportIn, LedgerReportOut, TargetsOut
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.plan import answer
from shared.plan.rules import Measure
from shared.plan.targets import Target
from shared.trace import Trace
from shared.uow import UnitOfWork

SERVICE = "medical"
COUNTY_DIGITS = 6
P_FIRST = "medical.general_diagnosis_fee.cleanup.first_day"
P_LAST = "medical.general_diagnosis_fee.cleanup.last_day"


def ledger_submitted(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric diagnosis_fee.ledger_submitted (MED-9): per township, 1 of 1 once its
    clean-up ledger is reported by the day."""
    townships = RegistryTownships(uow.session, uow.principal).of_county(target.county)
    townships |= CleanupVisits(uow.session, uow.principal).townships(
        target.county, target.period_start
    )
    reported = LedgerReports(uow.session, uow.principal).reported_by(
        target.county, target.period_start, on
    )
    return {t: Measure(int(t in reported), 1) for t in sorted(townships | reported)}


METRICS: dict[str, answer.Metric] = {"diagnosis_fee.ledger_submitted": ledger_submitted}


def targets(uow: UnitOfWork, county: str, on: date | None) -> TargetsOut:
    """PLAN-1, PLAN-2: the county's medical targets on `on`."""
    return answer.targets(uow, SERVICE, county, on, METRICS)


def report(uow: UnitOfWork, body: LedgerReportIn) -> DiagnosisFeeLedgerReport:
    """A township's clean-up ledger reported to the HR bureau (MED-9, PLAN-1): the window is the
    MED-9 parameters' in force on the day; visits and refunds are the service's. Once (409)."""
    if not body.township_code.startswith(uow.principal.scope[:9]) and uow.principal.scope:
        raise NotFound("no such township in your jurisdiction")
    if body.reported_on > uow.today():
        raise InvalidInput(
            "the ledger has not been reported yet",
            errors=[FieldError(field="reported_on", reason="in the future")],
        )
    county = body.township_code[:COUNTY_DIGITS]
    trace = Trace()
    params = uow.params(county, body.reported_on)
    first, last = params.day(P_FIRST, trace), params.day(P_LAST, trace)
    visits, refunds = CleanupVisits(uow.session, None).ledger_of(body.township_code, first, last)
    row = DiagnosisFeeLedgerReport(
        county_code=county,
        township_code=body.township_code,
        period_from=first,
        period_to=last,
        reported_on=body.reported_on,
        visits=visits,
        refund_total=refunds,
        recorded_by=uow.actor,
    )
    if not LedgerReports(uow.session, uow.principal).add_new(row):
        raise Conflict("the township's ledger of that window is reported already")
    return row


def reports(uow: UnitOfWork, county: str) -> list[LedgerReportOut]:
    rows = LedgerReports(uow.session, uow.principal).listed(county)
    return [LedgerReportOut.model_validate(r, from_attributes=True) for r in rows]
