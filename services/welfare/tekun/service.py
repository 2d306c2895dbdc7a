"""The shell of extreme-poverty support (特困供养, WEL-5): file and certify cases through the
workflow, assess self-care and compute the monthly amount with the rule, end support, and tell
the monthly payment cycle who is supported.

Reading of the seed (ZA-GOV §三(三)6, the seed wins over the spec's summary): 特困对象认定 and the
生活自理能力评估 are done by the end of May and support is paid from June 2018 at 1.3× the urban
dibao standard (741 yuan per person per month, `welfare.tekun.monthly_support`). An assessment
made before support starts therefore gets its amount at certification, computed on the
certification's effective date; a reassessment of a certified case is computed on the later of
its own date and that date. How self-care changes the amount (care on top of the basic support)
is the rule's (services/welfare/tekun/rules.py); this module stores what it returns, with its
trace."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from services.welfare.registry.models import RegistryPerson
from services.welfare.registry.repository import RegistryPeople
from services.welfare.tekun.models import TekunAssessment, TekunCase
from services.welfare.tekun.procedure import (
    END_REASON_ZH,
    OPEN,
    TEKUN_WORKFLOW,
    WEL_5,
    EndReason,
    TekunStatus,
)
from services.welfare.tekun.repository import TekunCases
from services.welfare.tekun.rules import SelfCare, TekunSupport, tekun_support
from services.welfare.tekun.schemas import AssessmentOut, CaseDetail, CaseOut, PlacementOut
from services.welfare.workflow import StepOut, advance, record_step
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput
from shared.events.welfare import TekunCertified, TekunEnded
from shared.policy.loader import ParameterNotFound
from shared.roles import Role
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork


def detail(uow: UnitOfWork, case: TekunCase) -> CaseDetail:
    """A case with its steps (the audit trail), assessments and placements."""
    assert case.id is not None
    cases = TekunCases(uow.session, uow.principal)
    return CaseDetail(
        **CaseOut.of(case).model_dump(),
        steps=[StepOut.model_validate(s, from_attributes=True) for s in cases.steps(case.id)],
        assessments=[
            AssessmentOut.model_validate(a, from_attributes=True)
            for a in cases.assessments(case.id)
        ],
        placements=[
            PlacementOut.model_validate(p, from_attributes=True) for p in cases.placements(case.id)
        ],
    )


def compute_support(
    uow: UnitOfWork, county: str, self_care: SelfCare, on: date, field: str
) -> tuple[TekunSupport, dict[str, Any]]:
    """WEL-5 amount for `self_care` on `on`; a county or date with no standard is a 422."""
    trace = Trace()
    try:
        support = tekun_support(self_care, uow.params(county, on), trace=trace)
    except ParameterNotFound as exc:
        raise InvalidInput(
            f"no 特困供养 standard in force for county {county} on {on.isoformat()} (WEL-5)",
            errors=[FieldError(field=field, reason=str(exc), value=on.isoformat())],
        ) from exc
    trace.step(
        WEL_5,
        "特困供养 monthly amount from the self-care assessment",
        county=county,
        on=on.isoformat(),
        self_care=self_care.value,
        monthly_amount=support.monthly_amount,
    )
    return support, trace.out().model_dump(mode="json")


def _new_case(
    uow: UnitOfWork, person: RegistryPerson, route: str, status: TekunStatus, basis: str
) -> TekunCase:
    case = TekunCase(
        person_id=person.person_id,
        open_person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        route=route,
        status=status.value,
        basis=basis,
    )
    if not TekunCases(uow.session, uow.principal).add_new(case):
        raise Conflict("the person already has an open 特困 case")
    return case


def _eligible_person(uow: UnitOfWork, person_id: str) -> RegistryPerson:
    """The person in the caller's jurisdiction, alive and without an open case."""
    person = RegistryPeople(uow.session, uow.principal).get_or_404(person_id)
    if person.deceased_on is not None:
        raise Conflict(f"the person died on {person.deceased_on.isoformat()}")
    if TekunCases(uow.session, uow.principal).open_case_of(person.person_id) is not None:
        raise Conflict("the person already has an open 特困 case")
    return person


def _assessment(
    uow: UnitOfWork, case: TekunCase, self_care: SelfCare, assessed_on: date, note: str
) -> TekunAssessment:
    assert case.id is not None
    row = TekunAssessment(
        case_id=case.id,
        self_care=self_care.value,
        assessed_on=assessed_on,
        note=note,
        assessed_by=uow.actor,
    )
    uow.session.add(row)
    case.self_care = self_care.value
    return row


def _price(uow: UnitOfWork, case: TekunCase, row: TekunAssessment, on: date, field: str) -> None:
    support, trace = compute_support(uow, case.county_code, SelfCare(row.self_care), on, field)
    row.applies_from = on
    row.monthly_basic = support.monthly_basic
    row.care_monthly = support.care_monthly
    row.monthly_amount = support.monthly_amount
    row.trace = trace
    case.monthly_amount = support.monthly_amount
    case.trace = trace


def apply(
    uow: UnitOfWork, person_id: str, self_care: SelfCare, assessed_on: date, note: str
) -> TekunCase:
    """An application (申请) taken at the township or village, with its first assessment."""
    person = _eligible_person(uow, person_id)
    case = _new_case(uow, person, "application", TekunStatus.applied, note)
    principal = uow.principal
    role = Role.township_officer if principal.has(Role.township_officer) else Role.village_cadre
    record_step(
        uow.session, TEKUN_WORKFLOW, str(case.id), None, TekunStatus.applied, principal, role, note
    )
    _assessment(uow, case, self_care, assessed_on, "initial assessment")
    uow.session.flush()
    return case


def certify_direct(
    uow: UnitOfWork,
    person_id: str,
    self_care: SelfCare,
    assessed_on: date,
    effective_from: date,
    basis: str,
) -> TekunCase:
    """A certification recorded by the county civil-affairs bureau with its basis (e.g. the
    existing 五保 certificate), without the application steps."""
    person = _eligible_person(uow, person_id)
    case = _new_case(uow, person, "direct", TekunStatus.certified, basis)
    row = _assessment(uow, case, self_care, assessed_on, "assessed at certification")
    _price(uow, case, row, max(assessed_on, effective_from), "effective_from")
    case.effective_from = effective_from
    record_step(
        uow.session,
        TEKUN_WORKFLOW,
        str(case.id),
        None,
        TekunStatus.certified,
        uow.principal,
        Role.county_civil,
        basis,
        {"effective_from": effective_from.isoformat(), "route": "direct"},
    )
    _publish_certified(uow, case)
    uow.session.flush()
    return case


def _publish_certified(uow: UnitOfWork, case: TekunCase) -> None:
    assert case.effective_from is not None
    uow.publish(
        TekunCertified(
            person_id=case.person_id,
            household_id=case.household_id,
            county_code=case.county_code,
            effective_from=case.effective_from,
            illustrative_parameters=illustrative_of(case.trace),
        ),
        key=case.household_id,
        subject=str(case.id),
    )


def take_step(
    uow: UnitOfWork, case_id: int, to: TekunStatus, note: str, effective_from: date | None
) -> TekunCase:
    """Township review, county certification or rejection (WEL-5 via the workflow)."""
    cases = TekunCases(uow.session, uow.principal)
    case = cases.get_or_404(case_id, lock=True)
    if to == TekunStatus.ended:
        raise Conflict("support is ended with POST /v1/tekun/cases/{id}/end, with its reason")
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if to == TekunStatus.certified:
        TEKUN_WORKFLOW.check(TekunStatus(case.status), to, uow.principal)
        start = effective_from or uow.today()
        latest = cases.latest_assessment(case_id)
        if latest is None:
            raise Conflict("the case has no self-care assessment yet")
        _price(uow, case, latest, max(latest.assessed_on, start), "effective_from")
        changes = {
            "effective_from": start,
            "monthly_amount": case.monthly_amount,
            "trace": case.trace,
        }
        data = {"effective_from": start.isoformat(), "monthly_amount": str(case.monthly_amount)}
    if to == TekunStatus.rejected:
        if not note:
            raise InvalidInput(
                "a rejection needs its reason",
                errors=[FieldError(field="note", reason="required when rejecting")],
            )
        changes["open_person_id"] = None
    advance(
        uow.session,
        TEKUN_WORKFLOW,
        TekunCase,
        case,
        to,
        uow.principal,
        note=note,
        changes=changes,
        data=data,
        status_enum=TekunStatus,
    )
    if to == TekunStatus.certified:
        _publish_certified(uow, case)
    return case


def reassess(
    uow: UnitOfWork, case_id: int, self_care: SelfCare, assessed_on: date, note: str
) -> TekunCase:
    """A new assessment (history kept); a certified case's amount is recomputed at once."""
    case = TekunCases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    status = TekunStatus(case.status)
    if status not in OPEN:
        raise Conflict(f"the case is {status.value}; it takes no more assessments")
    row = _assessment(uow, case, self_care, assessed_on, note)
    if status == TekunStatus.certified:
        assert case.effective_from is not None
        _price(uow, case, row, max(assessed_on, case.effective_from), "assessed_on")
    case.updated_at = utcnow()
    uow.session.add(case)
    uow.session.flush()
    return case


def end_case(
    uow: UnitOfWork, case_id: int, reason: EndReason, on: date, note: str = ""
) -> TekunCase:
    """End support from `on` (the last day supported is the day before); a placement in a care
    home ends the same day. A case still under application is closed likewise."""
    case = TekunCases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    return _end(uow, case, reason, on, note)


def _end(uow: UnitOfWork, case: TekunCase, reason: EndReason, on: date, note: str) -> TekunCase:
    assert case.id is not None
    if case.effective_from is not None and on < case.effective_from:
        raise InvalidInput(
            "support cannot end before it started",
            errors=[FieldError(field="effective_from", reason="before the case's start")],
        )
    advance(
        uow.session,
        TEKUN_WORKFLOW,
        TekunCase,
        case,
        TekunStatus.ended,
        uow.principal,
        note=note or END_REASON_ZH[reason],
        changes={
            "open_person_id": None,
            "ended_on": on,
            "end_reason": reason.value,
            "end_note": note[:500] or None,
        },
        data={"reason": reason.value, "effective_from": on.isoformat()},
        status_enum=TekunStatus,
    )
    TekunCases(uow.session, None).end_placements(case.id, on, f"support ended: {reason.value}")
    if case.effective_from is not None:  # only support that started is announced as ended
        uow.publish(
            TekunEnded(
                person_id=case.person_id,
                household_id=case.household_id,
                county_code=case.county_code,
                effective_from=on,
                reason=reason.value,
            ),
            key=case.household_id,
            subject=str(case.id),
        )
    uow.session.flush()
    return case


def end_on_death(uow: UnitOfWork, person_id: str, deceased_on: date) -> TekunCase | None:
    """`person.deceased`: the open case ends from the day after death (that day still
    supported). A redelivered event finds no open case and changes nothing. The steps are
    taken by the event (`event:<id>`), everywhere."""
    cases = TekunCases(uow.session, None)
    case_id = cases.open_case_of(person_id)
    if case_id is None:
        return None
    system = Principal(
        subject=f"event:{uow.envelope.id}"[:120], roles=frozenset({Role.service}), scope=""
    )
    case = cases.get_or_404(case_id, lock=True)
    on = deceased_on + timedelta(days=1)
    if case.effective_from is not None and on < case.effective_from:
        on = case.effective_from
    return _end(replace(uow, principal=system), case, EndReason.deceased, on, "死亡")
