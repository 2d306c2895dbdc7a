"""The shell of the dibao procedure (WEL-1): create an application, take its steps, resolve
objections during the public notice, and put the household on dibao.

Each step locks the application row, checks the role and the transition (services/welfare/
workflow.py) and moves the status by a conditional UPDATE, so concurrent officers get one step
and one 409. Facts are computed by the pure rules (services/welfare/dibao/rules.py) through
facts.py."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from services.welfare.dibao import service
from services.welfare.dibao.facts import compute, member_facts, propose
from services.welfare.dibao.models import DibaoApplication, DibaoObjection
from services.welfare.dibao.procedure import APPLICATION, ApplicationStatus
from services.welfare.dibao.repository import Applications, objection_on, objections_of
from services.welfare.dibao.rules import DibaoCategory, public_notice_end
from services.welfare.dibao.schemas import (
    AcceptanceIn,
    ActivationIn,
    ApplicationIn,
    DecisionIn,
    EconomicReviewIn,
    NoticeIn,
    ObjectionIn,
    ResolutionIn,
)
from services.welfare.registry.repository import RegistryPeople
from services.welfare.workflow import advance, record_step
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.money import yuan
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

A = ApplicationStatus
# The steps after which the household may apply again (the application no longer in progress).
CLOSING = frozenset({A.refused, A.rejected, A.active})
# 建档立卡 on the public notice (YA-GOV §三(二)): not exited and exited, never marginal (边缘户).
REGISTERED_POOR = tuple(s.value for s in PovertyStatus if s.is_registered_poor)


def _invalid(field: str, reason: str, value: Any = None) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason, value=value)])


def create(uow: UnitOfWork, body: ApplicationIn) -> DibaoApplication:
    principal = uow.principal
    village = body.village_code
    principal.guard(village)
    household_id = body.household_id
    registry = RegistryPeople(uow.session)
    if household_id is not None:
        if not registry.household_known(household_id):
            raise _invalid("household_id", "no registered household with this id", household_id)
    else:
        household_id = registry.household_of(body.applicant_id_number)
    # One application in progress per household; a household not in the registry is known by
    # its applicant until the registry has it.
    open_key = household_id or f"applicant:{body.applicant_id_number}"
    household_id = household_id or f"WH{uuid.uuid4().hex[:16].upper()}"
    applications = Applications(uow.session, principal)
    in_progress = applications.in_progress_of(open_key)
    if in_progress is not None:
        raise _in_progress(in_progress)
    app = DibaoApplication(
        household_id=household_id,
        open_household_id=open_key,
        county_code=village[:6],
        township_code=village[:9],
        village_code=village,
        applicant_name=body.applicant_name,
        applicant_id_number=body.applicant_id_number,
        reason=body.reason,
        bank_name=body.bank_name,
        bank_account=body.bank_account,
        status=A.submitted.value,
        members=[m.model_dump(mode="json") for m in body.members],
        created_by=principal.subject,
    )
    if not applications.add_new(app):  # a concurrent submission for the household won
        raise _in_progress(applications.in_progress_of(open_key))
    role = next(
        r for r in (Role.village_cadre, Role.township_officer, Role.admin) if principal.has(r)
    )
    record_step(uow.session, APPLICATION, str(app.id), None, A.submitted, principal, role)
    return app


def _in_progress(app: DibaoApplication | None) -> Conflict:
    which = f" (no. {app.id}, {app.status})" if app is not None else ""
    return Conflict(
        f"the household already has a dibao application in progress{which}: "
        "one application per household at a time"
    )


def _step(
    uow: UnitOfWork,
    app: DibaoApplication,
    to: ApplicationStatus,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    if to in CLOSING:
        changes = {**(changes or {}), "open_household_id": None}
    advance(
        uow.session,
        APPLICATION,
        DibaoApplication,
        app,
        to,
        uow.principal,
        note=note,
        changes=changes,
        data=data,
        status_enum=ApplicationStatus,
    )


def acceptance(uow: UnitOfWork, app: DibaoApplication, body: AcceptanceIn) -> None:
    _step(uow, app, A.accepted if body.accept else A.refused, body.note)


def economic_review(uow: UnitOfWork, app: DibaoApplication, body: EconomicReviewIn) -> None:
    """家庭经济状况核查: record the verified facts and propose a category and an amount."""
    APPLICATION.check(ApplicationStatus(app.status), A.reviewed, uow.principal)
    policy, today = uow.policy, uow.today()
    members = [m.model_dump(mode="json") for m in body.members]
    facts = member_facts(members, today)
    annual_income = yuan(sum((i.annual_amount for i in body.incomes), Decimal(0)))
    trace = Trace()
    proposal = propose(policy, app.county_code, today, facts)
    computed = compute(
        policy, app.county_code, today, facts, annual_income, proposal.category, trace=trace
    )
    for step in proposal.trace.steps:
        trace.steps.insert(0, step)
    trace.parameters.update(proposal.trace.parameters)
    inconsistent = [c.model_dump() for c in body.cross_checks if not c.consistent]
    _step(
        uow,
        app,
        A.reviewed,
        body.note,
        changes={
            "members": members,
            "incomes": [i.model_dump(mode="json") for i in body.incomes],
            "assets": [a.model_dump(mode="json") for a in body.assets]
            + [{"kind": "limits", "within_limits": body.assets_within_limits}],
            "cross_checks": [c.model_dump(mode="json") for c in body.cross_checks],
            "annual_income": annual_income,
            "proposed_category": proposal.category.value,
            "monthly_amount": computed.benefit.monthly_amount,
            "benefit": trace.out().model_dump(mode="json")
            | {"eligible": computed.benefit.eligible, "reason": computed.benefit.reason},
        },
        data={
            "proposed_category": proposal.category.value,
            "reasons": list(proposal.reasons),
            "eligible": computed.benefit.eligible,
            "monthly_amount": str(computed.benefit.monthly_amount),
            "assets_within_limits": body.assets_within_limits,
            "inconsistent_cross_checks": inconsistent,
        },
    )


def decision(uow: UnitOfWork, app: DibaoApplication, body: DecisionIn) -> None:
    """County approval (审批) with the confirmed category, or rejection with its reason."""
    if not body.approve:
        _step(uow, app, A.rejected, body.reason, {"decision_reason": body.reason})
        return
    APPLICATION.check(ApplicationStatus(app.status), A.approved, uow.principal)
    today = uow.today()
    proposed = DibaoCategory(app.proposed_category) if app.proposed_category else None
    category = body.category or proposed
    if category is None:
        raise _invalid("category", "no proposed category; give one")
    if proposed is not None and category != proposed and len(body.reason.strip()) < 2:
        raise _invalid(
            "reason",
            f"category {category.value} differs from the proposal "
            f"{proposed.value}; give the reason",
        )
    facts = member_facts(app.members, today)
    computed = compute(
        uow.policy, app.county_code, today, facts, Decimal(app.annual_income or 0), category
    )
    if not computed.benefit.eligible:
        raise Conflict(
            "the household's per-capita income is not below the dibao standard "
            f"({computed.benefit.reason}); it cannot be approved (WEL-3)"
        )
    limits: dict[str, Any] = next((a for a in app.assets if a.get("kind") == "limits"), {})
    if limits and not limits.get("within_limits", True):
        raise Conflict("the economic review found assets beyond the limits; it cannot be approved")
    _step(
        uow,
        app,
        A.approved,
        body.reason,
        changes={
            "category": category.value,
            "monthly_amount": computed.benefit.monthly_amount,
            "benefit": computed.trace | {"eligible": True, "reason": None},
            "decision_reason": body.reason or None,
        },
        data={"category": category.value, "monthly_amount": str(computed.benefit.monthly_amount)},
    )


def notice(uow: UnitOfWork, app: DibaoApplication, body: NoticeIn) -> None:
    """公示: the notice runs for the parameter number of days from its first day."""
    today = uow.today()
    start = body.start or today
    if start > today:
        raise _invalid("start", "a notice cannot start in the future", start.isoformat())
    end = public_notice_end(start, uow.params(app.county_code, start))
    # 建档立卡: whether any member is a registered poor person (not exited or exited).
    poor = RegistryPeople(uow.session).any_with_status(
        [m["id_number"] for m in app.members], REGISTERED_POOR
    )
    _step(
        uow,
        app,
        A.in_notice,
        body.note,
        changes={"notice_start": start, "notice_end": end, "registered_poor": poor},
        data={
            "notice_start": start.isoformat(),
            "notice_end": end.isoformat(),
            "registered_poor": poor,
        },
    )


def lodge_objection(uow: UnitOfWork, app: DibaoApplication, body: ObjectionIn) -> DibaoObjection:
    """An objection (异议) is taken only while the notice runs."""
    principal, today = uow.principal, uow.today()
    assert app.id is not None
    lodged = body.lodged_on or today
    if lodged > today:
        raise _invalid("lodged_on", "an objection cannot be lodged in the future")
    if app.status != A.in_notice.value or app.notice_start is None or app.notice_end is None:
        raise Conflict(f"the application is {app.status}, not under public notice")
    if not app.notice_start <= lodged <= app.notice_end:
        raise Conflict(
            f"objections are taken during the notice {app.notice_start}..{app.notice_end}"
        )
    objection = DibaoObjection(
        application_id=app.id,
        lodged_on=lodged,
        objector=body.objector,
        content=body.content,
        created_by=principal.subject,
    )
    uow.session.add(objection)
    uow.session.flush()
    role = next(
        r
        for r in (Role.township_officer, Role.county_civil, Role.village_cadre, Role.admin)
        if principal.has(r)
    )
    record_step(
        uow.session,
        APPLICATION,
        str(app.id),
        A.in_notice,
        A.in_notice,
        principal,
        role,
        note=f"objection {objection.id} lodged",
        data={"objection_id": objection.id},
    )
    return objection


def resolve_objection(
    uow: UnitOfWork, app: DibaoApplication, objection_id: int, body: ResolutionIn
) -> DibaoObjection:
    principal = uow.principal
    assert app.id is not None
    objection = objection_on(uow.session, app.id, objection_id)
    if objection is None:
        raise NotFound("no such objection on this application")
    if objection.status != "open":
        raise Conflict(f"the objection was already resolved ({objection.status})")
    objection.status = "upheld" if body.upheld else "dismissed"
    objection.resolution = body.resolution
    objection.resolved_by = principal.subject
    objection.resolved_at = utcnow()
    uow.session.add(objection)
    role = Role.county_civil if principal.has(Role.county_civil) else Role.township_officer
    record_step(
        uow.session,
        APPLICATION,
        str(app.id),
        ApplicationStatus(app.status),
        ApplicationStatus(app.status),
        principal,
        role,
        note=f"objection {objection.id} {objection.status}: {body.resolution}",
        data={"objection_id": objection.id, "upheld": body.upheld},
    )
    uow.session.flush()
    return objection


def activate(uow: UnitOfWork, app: DibaoApplication, body: ActivationIn) -> None:
    """After the notice with every objection dismissed, the household goes on dibao: a case is
    opened and welfare.dibao_granted is published (enrollment: ENR-M3 subsidy; medical: MED-5)."""
    APPLICATION.check(ApplicationStatus(app.status), A.active, uow.principal)
    assert app.id is not None and app.notice_end is not None and app.category is not None
    today = uow.today()
    if today <= app.notice_end:
        raise Conflict(f"the public notice runs until {app.notice_end}; activate after it")
    effective = body.effective_from or today
    if effective <= app.notice_end:
        raise _invalid("effective_from", f"must be after the notice's last day {app.notice_end}")
    if effective > today:
        raise _invalid("effective_from", "must not be in the future")
    pending = [o for o in objections_of(uow.session, app.id) if o.status != "dismissed"]
    if any(o.status == "open" for o in pending):
        ids = ", ".join(str(o.id) for o in pending if o.status == "open")
        raise Conflict(f"objection(s) {ids} are not resolved yet")
    if pending:
        raise Conflict("an objection was upheld: the application must be rejected")
    case = service.open_case(uow, app, effective)
    _step(
        uow,
        app,
        A.active,
        body.note,
        changes={"case_id": case.id},
        data={"case_id": case.id, "effective_from": effective.isoformat()},
    )
