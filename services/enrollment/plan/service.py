"""The enrollment targets of the county plans (PLAN-1, PLAN-2), measured from this service's
records, and the pension ledger copies the townships hand over.

Metrics (township code → count / base, as of a day):
- pension.ledger_copies (ENR-M4, YA-HRSS §一(二)3 台账需一式三份…2017 年10月15日前上交): a
  township's ledger is done when its own copy, the county centre's copy and a copy for each of
  its villages with registered poor households are recorded as handed over by the day. Base =
  2 + those villages; count = the copies recorded among them.
- pension.enrolled (ENR-P1 100%参保): the eligible registered poor of the day's year on the
  pension roll over the eligible (the ENR-P1 reconciliation, per township). The roll carries no
  enrolment date: the figure is the roll as imported, so the figure at the due date is today's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from services.enrollment.plan.models import PensionLedgerCopy
from services.enrollment.plan.repository import LedgerCopies, Villages
from services.enrollment.plan.schemas import Holder, LedgerCopyIn, LedgerCopyOut, TargetsOut
from services.enrollment.reconciliation.repository import Scope, summary
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.plan import answer
from shared.plan.rules import Measure
from shared.plan.targets import Target
from shared.trace import Trace
from shared.uow import UnitOfWork

SERVICE = "enrollment"
COUNTY_DIGITS = 6
P_MIN_AGE = "enrollment.pension.eligibility.min_age"


def ledger_copies(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric pension.ledger_copies (ENR-M4): copies handed over by the day over the copies
    due (township, county centre, each village with registered poor households)."""
    villages = Villages(uow.session, uow.principal).by_township(target.county)
    copies = LedgerCopies(uow.session, uow.principal).handed_by(target.county, target.due.year, on)
    held: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for c in copies:
        held[c.township_code].add((c.holder, c.village_code))
    out = {}
    for township in sorted(set(villages) | set(held)):
        due = {(Holder.township.value, ""), (Holder.county.value, "")} | {
            (Holder.village.value, v) for v in villages.get(township, set())
        }
        out[township] = Measure(len(due & held[township]), len(due))
    return out


def enrolled(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric pension.enrolled (ENR-P1): eligible registered poor on the pension roll of
    the day's year over the eligible, per township."""
    scope = uow.principal.scope
    division = scope if len(scope) > COUNTY_DIGITS else target.county
    min_age = int(uow.params(target.county, date(on.year, 1, 1)).decimal(P_MIN_AGE, trace))
    rows = summary(uow.session, Scope("pension", on.year, division, min_age), "township")
    return {str(r["division"]): Measure(int(r["enrolled"]), int(r["eligible"])) for r in rows}


METRICS: dict[str, answer.Metric] = {
    "pension.ledger_copies": ledger_copies,
    "pension.enrolled": enrolled,
}


def targets(uow: UnitOfWork, county: str, on: date | None) -> TargetsOut:
    """PLAN-1, PLAN-2: the county's enrollment targets on `on`."""
    return answer.targets(uow, SERVICE, county, on, METRICS)


def record_copy(uow: UnitOfWork, body: LedgerCopyIn) -> PensionLedgerCopy:
    """A township's ledger copy handed to its holder (ENR-M4, PLAN-1): once per copy (409)."""
    if not uow.principal.covers(body.township_code) and not body.township_code.startswith(
        uow.principal.scope
    ):
        raise NotFound("no such township in your jurisdiction")
    if body.handed_on > uow.today():
        raise InvalidInput(
            "the copy has not been handed over yet",
            errors=[FieldError(field="handed_on", reason="in the future")],
        )
    villages = Villages(uow.session, None)
    if body.village_code is not None and not villages.has_village(
        body.township_code, body.village_code
    ):
        raise InvalidInput(
            "no registered household in that village",
            errors=[FieldError(field="village_code", reason="no registered household there")],
        )
    row = PensionLedgerCopy(
        year=body.year,
        county_code=body.township_code[:COUNTY_DIGITS],
        township_code=body.township_code,
        holder=body.holder.value,
        village_code=body.village_code or "",
        handed_on=body.handed_on,
        note=body.note,
        recorded_by=uow.actor,
    )
    if not LedgerCopies(uow.session, uow.principal).add_new(row):
        raise Conflict("that copy of the ledger is recorded already")
    return row


def copies(uow: UnitOfWork, county: str, year: int) -> list[LedgerCopyOut]:
    rows = LedgerCopies(uow.session, uow.principal).listed(county, year)
    return [LedgerCopyOut.model_validate(r, from_attributes=True) for r in rows]
