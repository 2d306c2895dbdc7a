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

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.welfare.registry.models import RegistryPerson
from services.welfare.tekun.models import CarePlacement, TekunAssessment, TekunCase
from services.welfare.tekun.rules import SelfCare, tekun_support
from services.welfare.workflow import Workflow, advance, record_step
from shared.auth import Principal, Role
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.events.welfare import TekunCertified, TekunEnded
from shared.policy import PolicySet
from shared.policy.loader import ParameterNotFound
from shared.trace import Params, Trace, illustrative_of

WEL_5 = "WEL-5"


class TekunStatus(StrEnum):
    applied = "applied"
    township_reviewed = "township_reviewed"
    certified = "certified"
    rejected = "rejected"
    ended = "ended"


class EndReason(StrEnum):
    deceased = "deceased"  # 死亡
    no_longer_eligible = "no_longer_eligible"  # 不再符合特困供养条件
    moved_away = "moved_away"  # 迁出本县


END_REASON_ZH = {
    EndReason.deceased: "死亡",
    EndReason.no_longer_eligible: "不再符合特困供养条件",
    EndReason.moved_away: "迁出本县",
}
OPEN = (TekunStatus.applied, TekunStatus.township_reviewed, TekunStatus.certified)
SUPPORTED = (TekunStatus.certified.value, TekunStatus.ended.value)

TEKUN_WORKFLOW: Workflow[TekunStatus] = Workflow(
    entity="tekun_case",
    transitions={
        (TekunStatus.applied, TekunStatus.township_reviewed): frozenset({Role.township_officer}),
        (TekunStatus.applied, TekunStatus.rejected): frozenset({Role.township_officer}),
        (TekunStatus.township_reviewed, TekunStatus.certified): frozenset({Role.county_civil}),
        (TekunStatus.township_reviewed, TekunStatus.rejected): frozenset({Role.county_civil}),
        (TekunStatus.certified, TekunStatus.ended): frozenset({Role.county_civil, Role.service}),
        # An applicant who dies before certification: the case is closed by the death event.
        (TekunStatus.applied, TekunStatus.ended): frozenset({Role.service}),
        (TekunStatus.township_reviewed, TekunStatus.ended): frozenset({Role.service}),
    },
    labels_zh={
        TekunStatus.applied: "已申请",
        TekunStatus.township_reviewed: "乡镇已审核",
        TekunStatus.certified: "县民政局已认定",
        TekunStatus.rejected: "不予认定",
        TekunStatus.ended: "已终止供养",
    },
)


def registry_person(session: Session, person_id: str, principal: Principal) -> RegistryPerson:
    person = session.get(RegistryPerson, person_id)
    if person is None:
        raise NotFound("no such person in the registry")
    principal.guard(person.village_code)
    return person


def get_case(
    session: Session, case_id: int, principal: Principal, *, lock: bool = False
) -> TekunCase:
    if lock:
        # Write first: PostgreSQL holds the row, SQLite takes its write lock now.
        session.execute(
            update(TekunCase)
            .where(TekunCase.id == case_id)  # type: ignore[arg-type]
            .values(updated_at=TekunCase.updated_at)
        )
    case = session.get(TekunCase, case_id, populate_existing=True)
    if case is None:
        raise NotFound("no such 特困 case")
    principal.guard(case.village_code)
    return case


def compute_support(
    policy: PolicySet, county: str, self_care: SelfCare, on: date, field: str
) -> tuple[Any, dict[str, Any]]:
    """WEL-5 amount for `self_care` on `on`; a county or date with no standard is a 422."""
    trace = Trace()
    try:
        support = tekun_support(self_care, Params(policy, county, on), trace=trace)
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
    session: Session,
    person: RegistryPerson,
    route: str,
    status: TekunStatus,
    basis: str,
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
    session.add(case)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("the person already has an open 特困 case") from exc
    return case


def _check_person(session: Session, person: RegistryPerson) -> None:
    if person.deceased_on is not None:
        raise Conflict(f"the person died on {person.deceased_on.isoformat()}")
    if session.execute(
        select(TekunCase.id).where(TekunCase.open_person_id == person.person_id)
    ).first():
        raise Conflict("the person already has an open 特困 case")


def _assessment(
    session: Session,
    case: TekunCase,
    self_care: SelfCare,
    assessed_on: date,
    principal: Principal,
    note: str,
) -> TekunAssessment:
    row = TekunAssessment(
        case_id=case.id,  # type: ignore[arg-type]
        self_care=self_care.value,
        assessed_on=assessed_on,
        note=note,
        assessed_by=principal.subject,
    )
    session.add(row)
    case.self_care = self_care.value
    return row


def _price(policy: PolicySet, case: TekunCase, row: TekunAssessment, on: date, field: str) -> None:
    support, trace = compute_support(policy, case.county_code, SelfCare(row.self_care), on, field)
    row.applies_from = on
    row.monthly_basic = support.monthly_basic
    row.care_monthly = support.care_monthly
    row.monthly_amount = support.monthly_amount
    row.trace = trace
    case.monthly_amount = support.monthly_amount
    case.trace = trace


def apply(
    session: Session,
    person: RegistryPerson,
    self_care: SelfCare,
    assessed_on: date,
    note: str,
    principal: Principal,
) -> TekunCase:
    """An application (申请) taken at the township or village, with its first assessment."""
    _check_person(session, person)
    case = _new_case(session, person, "application", TekunStatus.applied, note)
    role = Role.township_officer if principal.has(Role.township_officer) else Role.village_cadre
    record_step(
        session, TEKUN_WORKFLOW, str(case.id), None, TekunStatus.applied, principal, role, note
    )
    _assessment(session, case, self_care, assessed_on, principal, "initial assessment")
    session.flush()
    return case


def certify_direct(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    person: RegistryPerson,
    self_care: SelfCare,
    assessed_on: date,
    effective_from: date,
    basis: str,
    principal: Principal,
) -> TekunCase:
    """A certification recorded by the county civil-affairs bureau with its basis (e.g. the
    existing 五保 certificate), without the application steps."""
    _check_person(session, person)
    case = _new_case(session, person, "direct", TekunStatus.certified, basis)
    row = _assessment(session, case, self_care, assessed_on, principal, "assessed at certification")
    _price(policy, case, row, max(assessed_on, effective_from), "effective_from")
    case.effective_from = effective_from
    record_step(
        session,
        TEKUN_WORKFLOW,
        str(case.id),
        None,
        TekunStatus.certified,
        principal,
        Role.county_civil,
        basis,
        {"effective_from": effective_from.isoformat(), "route": "direct"},
    )
    _publish_certified(session, publish_kwargs, case)
    session.flush()
    return case


def _publish_certified(session: Session, publish_kwargs: dict[str, Any], case: TekunCase) -> None:
    assert case.effective_from is not None
    publish(
        session,
        TekunCertified(
            person_id=case.person_id,
            household_id=case.household_id,
            county_code=case.county_code,
            effective_from=case.effective_from,
            illustrative_parameters=illustrative_of(case.trace),
        ),
        key=case.household_id,
        subject=str(case.id),
        **publish_kwargs,
    )


def take_step(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    case: TekunCase,
    to: TekunStatus,
    principal: Principal,
    note: str,
    effective_from: date | None,
) -> TekunCase:
    """Township review, county certification or rejection (WEL-5 via the workflow)."""
    if to == TekunStatus.ended:
        raise Conflict("support is ended with POST /v1/tekun/cases/{id}/end, with its reason")
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if to == TekunStatus.certified:
        TEKUN_WORKFLOW.check(TekunStatus(case.status), to, principal)
        start = effective_from or utcnow().date()
        latest = _latest_assessment(session, case.id)  # type: ignore[arg-type]
        _price(policy, case, latest, max(latest.assessed_on, start), "effective_from")
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
        session,
        TEKUN_WORKFLOW,
        TekunCase,
        case,
        to,
        principal,
        note=note,
        changes=changes,
        data=data,
        status_enum=TekunStatus,
    )
    if to == TekunStatus.certified:
        _publish_certified(session, publish_kwargs, case)
    return case


def _latest_assessment(session: Session, case_id: int) -> TekunAssessment:
    row = session.execute(
        select(TekunAssessment)
        .where(TekunAssessment.case_id == case_id)  # type: ignore[arg-type]
        .order_by(TekunAssessment.assessed_on.desc(), TekunAssessment.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise Conflict("the case has no self-care assessment yet")
    return row


def reassess(
    session: Session,
    policy: PolicySet,
    case: TekunCase,
    self_care: SelfCare,
    assessed_on: date,
    note: str,
    principal: Principal,
) -> TekunAssessment:
    """A new assessment (history kept); a certified case's amount is recomputed at once."""
    status = TekunStatus(case.status)
    if status not in OPEN:
        raise Conflict(f"the case is {status.value}; it takes no more assessments")
    row = _assessment(session, case, self_care, assessed_on, principal, note)
    if status == TekunStatus.certified:
        assert case.effective_from is not None
        _price(policy, case, row, max(assessed_on, case.effective_from), "assessed_on")
    case.updated_at = utcnow()
    session.add(case)
    session.flush()
    return row


def end_case(
    session: Session,
    publish_kwargs: dict[str, Any],
    case: TekunCase,
    reason: EndReason,
    on: date,
    principal: Principal,
    note: str = "",
) -> TekunCase:
    """End support from `on` (the last day supported is the day before); a placement in a care
    home ends the same day. A case still under application is closed likewise."""
    if case.effective_from is not None and on < case.effective_from:
        raise InvalidInput(
            "support cannot end before it started",
            errors=[FieldError(field="effective_from", reason="before the case's start")],
        )
    advance(
        session,
        TEKUN_WORKFLOW,
        TekunCase,
        case,
        TekunStatus.ended,
        principal,
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
    session.execute(
        update(CarePlacement)
        .where(CarePlacement.case_id == case.id, CarePlacement.moved_out.is_(None))  # type: ignore[arg-type,union-attr]
        .values(moved_out=on, out_reason=f"support ended: {reason.value}")
    )
    if case.effective_from is not None:  # only support that started is announced as ended
        publish(
            session,
            TekunEnded(
                person_id=case.person_id,
                household_id=case.household_id,
                county_code=case.county_code,
                effective_from=on,
                reason=reason.value,
            ),
            key=case.household_id,
            subject=str(case.id),
            **publish_kwargs,
        )
    session.flush()
    return case


def end_on_death(
    session: Session, publish_kwargs: dict[str, Any], person_id: str, deceased_on: date, by: str
) -> TekunCase | None:
    """`person.deceased`: the open case ends from the day after death (that day still
    supported). A redelivered event finds no open case and changes nothing."""
    case_id = session.execute(
        select(TekunCase.id).where(TekunCase.open_person_id == person_id)
    ).scalar_one_or_none()
    if case_id is None:
        return None
    system = Principal(subject=by[:120], roles=frozenset({Role.service}), scope="")
    case = get_case(session, case_id, system, lock=True)
    on = deceased_on + timedelta(days=1)
    if case.effective_from is not None and on < case.effective_from:
        on = case.effective_from
    return end_case(session, publish_kwargs, case, EndReason.deceased, on, system, "死亡")


def supported_on(county_code: str, on: date) -> Any:
    """WHERE clause: the case's support is in force on `on`."""
    return and_(
        TekunCase.county_code == county_code,
        TekunCase.status.in_(SUPPORTED),  # type: ignore[attr-defined]
        TekunCase.effective_from <= on,  # type: ignore[operator]
        or_(TekunCase.ended_on.is_(None), TekunCase.ended_on > on),  # type: ignore[union-attr,operator]
    )


def persons_on_tekun(session: Session, county_code: str, on: date) -> set[str]:
    """People whose 特困供养 is in force on `on` (the WEL-8 cross-check's tekun flag)."""
    rows = session.execute(select(TekunCase.person_id).where(supported_on(county_code, on)))
    return {r[0] for r in rows}


def _month_last(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def active_tekun(
    session: Session, county_code: str, month_first_day: date
) -> list[tuple[str, str, str, Decimal]]:
    """Who is paid 特困供养 for the month starting `month_first_day` (WEL-5), for the monthly
    payment cycle: (person_id, household_id, village_code, monthly_amount), by person id.

    A person is paid for a month when support is in force on any day of it (certified on or
    before its last day, not ended on or before its first). The amount is that of the latest
    priced assessment applying on the month's first day, or on the first day of support when
    support starts within the month. Household and village are the registry's current ones."""
    first = month_first_day.replace(day=1)
    last = _month_last(first)
    in_month = and_(
        TekunCase.county_code == county_code,
        TekunCase.status.in_(SUPPORTED),  # type: ignore[attr-defined]
        TekunCase.effective_from <= last,  # type: ignore[operator]
        or_(TekunCase.ended_on.is_(None), TekunCase.ended_on > first),  # type: ignore[union-attr,operator]
    )
    cases = session.execute(
        select(
            TekunCase.id,
            TekunCase.person_id,
            TekunCase.effective_from,
            RegistryPerson.household_id,
            RegistryPerson.village_code,
            TekunCase.household_id,
            TekunCase.village_code,
        )
        .select_from(TekunCase)
        .outerjoin(RegistryPerson, RegistryPerson.person_id == TekunCase.person_id)  # type: ignore[arg-type]
        .where(in_month)
    ).all()
    priced = session.execute(
        select(
            TekunAssessment.case_id,
            TekunAssessment.applies_from,
            TekunAssessment.monthly_amount,
        )
        .where(
            TekunAssessment.case_id.in_(select(TekunCase.id).where(in_month)),  # type: ignore[attr-defined,union-attr]
            TekunAssessment.monthly_amount.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(TekunAssessment.case_id, TekunAssessment.applies_from, TekunAssessment.id)  # type: ignore[arg-type]
    ).all()
    amounts: dict[int, list[tuple[date, Decimal]]] = {}
    for case_id, applies_from, amount in priced:
        amounts.setdefault(case_id, []).append((applies_from, Decimal(amount)))
    out = []
    for case_id, person_id, start, household, village, case_household, case_village in cases:
        history = amounts.get(case_id)
        if not history:
            continue
        ref = max(first, start)
        amount = _in_force(history, ref)
        out.append((person_id, household or case_household, village or case_village, amount))
    return sorted(out)


def _in_force(history: Iterable[tuple[date, Decimal]], on: date) -> Decimal:
    chosen: Decimal | None = None
    for applies_from, amount in history:
        if applies_from <= on or chosen is None:
            chosen = amount
    assert chosen is not None
    return chosen
