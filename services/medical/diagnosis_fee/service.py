"""The shell around MED-9: a visit's self-paid general diagnosis fee (一般诊疗费) at a township
health centre (乡镇卫生院) or village clinic (村卫生室) is refunded in full to the registered poor
(by the registry status on the visit date). The visit id is the idempotency key; visits of the
clean-up period (清理期间, 2017-01-01..10-31 in YA-HRSS §二(二)2) are marked for the ledger
(台账) with its deadline."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from services.medical.access import check_reader
from services.medical.diagnosis_fee.models import DiagnosisFeeVisit
from services.medical.diagnosis_fee.repository import VisitRepository
from services.medical.diagnosis_fee.schemas import Ledger, LedgerLine, VisitIn
from services.medical.outpatient.rules import (
    MED_9,
    P_GDF_RATIO,
    GeneralFeeVisit,
    general_diagnosis_fee_refund,
)
from services.medical.registry.service import standing_on
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.policy import ParameterNotFound
from shared.repository import in_jurisdiction
from shared.trace import Trace
from shared.uow import UnitOfWork


def _digest(body: VisitIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def record(uow: UnitOfWork, body: VisitIn) -> tuple[DiagnosisFeeVisit, bool]:
    by = uow.actor
    visits = VisitRepository(uow.session, None)
    digest = _digest(body)
    existing = visits.fresh(body.visit_id)
    if existing is not None:
        return _repeat(existing, digest, by), False
    params = uow.params(body.county_code, body.visit_date)
    try:
        params.policy.resolve(P_GDF_RATIO, params.county, params.on)
    except ParameterNotFound as exc:
        raise InvalidInput(
            f"{MED_9} is not in force on the visit date",
            errors=[FieldError(field="body.visit_date", reason=str(exc))],
        ) from exc
    standing = standing_on(uow, body.id_number, body.visit_date)
    trace = Trace()
    refusal = standing.refusal(MED_9, body.visit_date)
    if refusal is not None:
        trace.step(MED_9, refusal, visit_date=body.visit_date)
    result = general_diagnosis_fee_refund(
        GeneralFeeVisit(
            body.visit_date, body.facility_type, standing.registered_poor, body.fee_self_pay
        ),
        params,
        trace=trace,
    )
    visit = DiagnosisFeeVisit(
        visit_id=body.visit_id,
        submitted_by=by,
        id_number=body.id_number,
        person_id=standing.person.person_id if standing.person else None,
        county_code=body.county_code,
        township_code=body.township_code,
        facility_type=body.facility_type,
        facility_name=body.facility_name,
        visit_date=body.visit_date,
        fee_self_pay=body.fee_self_pay,
        facts_hash=digest,
        poverty_status=standing.status,
        refund=result.refund,
        reason=refusal or result.reason,
        in_cleanup_window=result.in_cleanup_window,
        ledger_deadline=result.ledger_deadline,
        trace=trace.out().model_dump(mode="json"),
    )
    if not visits.add_new(visit):
        # The same visit posted at once by another request, which committed first.
        concurrent = visits.fresh(body.visit_id)
        assert concurrent is not None
        return _repeat(concurrent, digest, by), False
    return visit, True


def _repeat(existing: DiagnosisFeeVisit, digest: str, by: str) -> DiagnosisFeeVisit:
    """A visit id posted again: the same facts by the same facility is the repeat (answered as
    recorded); anything else is a conflict."""
    if existing.facts_hash == digest and existing.submitted_by == by:
        return existing
    raise Conflict("this visit id is already recorded with other facts")


def readable_visit(uow: UnitOfWork, visit_id: str) -> DiagnosisFeeVisit:
    """A facility reads the visits it posted; officers those of their county; else 404."""
    return VisitRepository(uow.session, uow.principal).get_or_404(visit_id)


def ledger(
    uow: UnitOfWork, county: str, township: str | None, start: date | None, end: date | None
) -> Ledger:
    """The ledger (台账) of refunded visits of a county or township in a period."""
    principal = uow.principal
    check_reader(principal, "the general diagnosis fee ledger")
    if not in_jurisdiction(principal, county, county_wide=True):
        raise NotFound("no such county in your jurisdiction")
    if township is not None and not township.startswith(county):
        raise InvalidInput(
            "the township is not in the county",
            errors=[FieldError(field="query.township", reason=f"not in county {county}")],
        )
    if start and end and end < start:
        raise InvalidInput(
            "the period ends before it starts",
            errors=[FieldError(field="query.to", reason="before `from`")],
        )
    lines = [
        LedgerLine(
            visit_id=v.visit_id,
            township_code=v.township_code,
            id_number=v.id_number,
            name=name,
            facility_type=v.facility_type,
            facility_name=v.facility_name,
            visit_date=v.visit_date,
            fee_self_pay=v.fee_self_pay,
            refund=v.refund,
            in_cleanup_window=v.in_cleanup_window,
            ledger_deadline=v.ledger_deadline,
        )
        for v, name in VisitRepository(uow.session, principal).ledger(county, township, start, end)
    ]
    cleanup = [line for line in lines if line.in_cleanup_window]
    return Ledger(
        county=county,
        township=township,
        period_start=start,
        period_end=end,
        visits=len(lines),
        refund=sum((line.refund for line in lines), Decimal("0.00")),
        cleanup_visits=len(cleanup),
        cleanup_refund=sum((line.refund for line in cleanup), Decimal("0.00")),
        lines=lines,
    )
