"""Households on dibao (低保户): opening a case, reviews (WEL-2), gradual exit (渐退, WEL-8),
deaths in the household and registry status changes, and the events enrollment and medical
follow (welfare.dibao_granted / dibao_changed / dibao_ended)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from services.welfare.dibao.facts import compute, member_facts
from services.welfare.dibao.models import (
    DibaoApplication,
    DibaoCase,
    DibaoCaseMember,
    DibaoReview,
)
from services.welfare.dibao.rules import (
    P_GRADUAL_EXIT_MONTHS,
    DibaoCategory,
    gradual_exit_until,
    review_due,
)
from services.welfare.dibao.schemas import ReviewIn
from services.welfare.registry.models import RegistryPerson
from services.welfare.workflow import Workflow, record_step
from shared.auth import Principal, Role
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted
from shared.money import ZERO
from shared.policy import PolicySet
from shared.trace import Params, Trace, illustrative_of

ACTIVE, GRADUAL_EXIT, ENDED = "active", "gradual_exit", "ended"
ON_DIBAO = (ACTIVE, GRADUAL_EXIT)


class CaseStatus(StrEnum):
    """A dibao household's standing; changes are workflow steps so one audit trail tells its
    whole story."""

    active = ACTIVE
    gradual_exit = GRADUAL_EXIT
    ended = ENDED


CASE = Workflow[CaseStatus](
    entity="dibao_case",
    transitions={},
    labels_zh={
        CaseStatus.active: "在保",
        CaseStatus.gradual_exit: "渐退期",
        CaseStatus.ended: "已退出",
    },
)


def system_principal(event_id: str) -> Principal:
    """Who acts when an event changes a case: the event itself, named in the audit trail."""
    return Principal(subject=f"event:{event_id}", roles=frozenset({Role.service}), scope="")


def load(session: Session, case_id: int, principal: Principal, *, lock: bool = False) -> DibaoCase:
    stmt = select(DibaoCase).where(DibaoCase.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    case = session.exec(stmt).first()
    if case is None:
        raise NotFound("no such dibao household")
    principal.guard(case.village_code)
    return case


def members_of(session: Session, case_id: int) -> list[DibaoCaseMember]:
    return list(
        session.exec(
            select(DibaoCaseMember)
            .where(DibaoCaseMember.case_id == case_id)
            .order_by(DibaoCaseMember.id)  # type: ignore[arg-type]
        )
    )


def _person_ids(session: Session, case_id: int) -> list[str]:
    return [m.person_id for m in members_of(session, case_id) if m.person_id and m.active]


def _publish(session: Session, publish_kwargs: dict[str, Any], data: Any, case: DibaoCase) -> None:
    publish(session, data, key=case.household_id, subject=f"dibao_case/{case.id}", **publish_kwargs)


def open_case(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    app: DibaoApplication,
    effective: date,
    principal: Principal,
) -> DibaoCase:
    category = DibaoCategory(app.category)  # type: ignore[arg-type]
    params = Params(policy, app.county_code, effective)
    computed = compute(
        policy,
        app.county_code,
        effective,
        member_facts(app.members, effective),
        Decimal(app.annual_income or 0),
        category,
    )
    due = review_due(category, effective, params)
    case = DibaoCase(
        application_id=app.id,  # type: ignore[arg-type]
        household_id=app.household_id,
        county_code=app.county_code,
        township_code=app.township_code,
        village_code=app.village_code,
        payee_name=app.applicant_name,
        payee_id_number=app.applicant_id_number,
        bank_name=app.bank_name,
        bank_account=app.bank_account,
        status=ACTIVE,
        category=category.value,
        members=app.members,
        annual_income=Decimal(app.annual_income or 0),
        monthly_amount=computed.benefit.monthly_amount,
        benefit=computed.trace,
        policy_key=computed.policy_key,
        effective_from=effective,
        last_review_on=effective,
        next_review_due=due,
    )
    session.add(case)
    session.flush()
    numbers = [m["id_number"] for m in app.members]
    registry = dict(
        session.exec(
            select(RegistryPerson.id_number, RegistryPerson.person_id).where(
                RegistryPerson.id_number.in_(numbers)  # type: ignore[attr-defined]
            )
        ).all()
    )
    for m in app.members:
        session.add(
            DibaoCaseMember(
                case_id=case.id,  # type: ignore[arg-type]
                id_number=m["id_number"],
                person_id=registry.get(m["id_number"]),
                name=m["name"],
            )
        )
    session.flush()
    record_step(
        session,
        CASE,
        str(case.id),
        None,
        CaseStatus.active,
        principal,
        Role.county_civil,
        note=f"opened from application {app.id}",
        data={"monthly_amount": str(case.monthly_amount), "category": case.category},
    )
    _publish(
        session,
        publish_kwargs,
        DibaoGranted(
            household_id=case.household_id,
            county_code=case.county_code,
            person_ids=[registry[n] for n in numbers if n in registry],
            category=category.value,
            monthly_amount=case.monthly_amount,
            effective_from=effective,
            illustrative_parameters=illustrative_of(computed.trace),
        ),
        case,
    )
    return case


def end_case(
    session: Session,
    publish_kwargs: dict[str, Any],
    case: DibaoCase,
    on: date,
    reason: str,
    principal: Principal,
    role: Role | str,
    person_ids: list[str] | None = None,
    illustrative: list[str] | None = None,
) -> None:
    """Leave dibao; `illustrative` lists the figures the ending rests on that are no document's
    of the county (a recomputation, the gradual-exit window), none for a review's decision."""
    before = CaseStatus(case.status)
    moved = session.execute(
        update(DibaoCase)
        .where(DibaoCase.id == case.id, DibaoCase.status == case.status)  # type: ignore[arg-type]
        .values(
            status=ENDED,
            ended_on=on,
            end_reason=reason,
            version=case.version + 1,
            updated_at=utcnow(),
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the household was changed by someone else meanwhile; read it again")
    record_step(session, CASE, str(case.id), before, CaseStatus.ended, principal, role, reason)
    _publish(
        session,
        publish_kwargs,
        DibaoEnded(
            household_id=case.household_id,
            county_code=case.county_code,
            person_ids=person_ids if person_ids is not None else _person_ids(session, case.id),  # type: ignore[arg-type]
            effective_from=on,
            reason=reason,
            illustrative_parameters=illustrative or [],
        ),
        case,
    )
    session.flush()
    session.refresh(case)


def change_case(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    case: DibaoCase,
    on: date,
    *,
    members: list[dict[str, Any]],
    annual_income: Decimal,
    category: DibaoCategory,
    outcome: str,
    reason: str,
    principal: Principal,
    role: Role | str,
    review_date: date | None,
) -> DibaoReview:
    """Recompute the benefit on new facts; a review row records before and after, and a
    changed amount, category or membership is published as welfare.dibao_changed."""
    computed = compute(
        policy, case.county_code, on, member_facts(members, on), annual_income, category
    )
    review = DibaoReview(
        case_id=case.id,  # type: ignore[arg-type]
        reviewed_on=on,
        outcome=outcome,
        reason=reason,
        category_before=case.category,
        category_after=category.value,
        amount_before=case.monthly_amount,
        amount_after=computed.benefit.monthly_amount,
        trace=computed.trace,
        actor=principal.subject,
        actor_role=str(role),
    )
    session.add(review)
    # Compared before the UPDATE: an ORM-enabled UPDATE refreshes `case` in the session.
    changed = (
        computed.benefit.monthly_amount != case.monthly_amount
        or category.value != case.category
        or members != case.members
    )
    values: dict[str, Any] = {
        "members": members,
        "annual_income": annual_income,
        "category": category.value,
        "monthly_amount": computed.benefit.monthly_amount,
        "benefit": computed.trace,
        "policy_key": computed.policy_key,
        "version": case.version + 1,
        "updated_at": utcnow(),
    }
    if review_date is not None:
        values["last_review_on"] = review_date
        values["next_review_due"] = review_due(
            category, review_date, Params(policy, case.county_code, review_date)
        )
    moved = session.execute(
        update(DibaoCase)
        .where(DibaoCase.id == case.id, DibaoCase.version == case.version)  # type: ignore[arg-type]
        .values(**values)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the household was changed by someone else meanwhile; read it again")
    session.flush()
    session.refresh(case)
    if changed and case.status in ON_DIBAO:
        _publish(
            session,
            publish_kwargs,
            DibaoChanged(
                household_id=case.household_id,
                county_code=case.county_code,
                person_ids=_person_ids(session, case.id),  # type: ignore[arg-type]
                category=category.value,
                monthly_amount=case.monthly_amount,
                effective_from=on,
                illustrative_parameters=illustrative_of(computed.trace),
            ),
            case,
        )
    return review


def review(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    case: DibaoCase,
    body: ReviewIn,
    principal: Principal,
    today: date,
) -> DibaoReview | None:
    """复核 (WEL-2): keep, adjust or end. Ending a household in its gradual-exit window (a
    member found work, WEL-8) keeps it on until the window closes instead."""
    if not principal.has(Role.township_officer, Role.county_civil):
        raise Forbidden("reviews are taken by township_officer or county_civil")
    if case.status == ENDED:
        raise Conflict("the household has left dibao; a new application is needed")
    on = body.reviewed_on or today
    if on > today:
        raise Conflict("a review cannot be dated in the future")
    role = Role.county_civil if principal.has(Role.county_civil) else Role.township_officer
    category = DibaoCategory(case.category)
    if body.outcome == "end":
        if case.gradual_exit_until is not None and on < case.gradual_exit_until:
            if case.status == GRADUAL_EXIT:
                raise Conflict(f"already on gradual exit until {case.gradual_exit_until}")
            session.execute(
                update(DibaoCase)
                .where(DibaoCase.id == case.id, DibaoCase.version == case.version)  # type: ignore[arg-type]
                .values(
                    status=GRADUAL_EXIT,
                    last_review_on=on,
                    version=case.version + 1,
                    updated_at=utcnow(),
                )
            )
            record_step(
                session,
                CASE,
                str(case.id),
                CaseStatus.active,
                CaseStatus.gradual_exit,
                principal,
                role,
                body.reason,
                data={"until": case.gradual_exit_until.isoformat()},
            )
            rev = _review_row(case, on, "gradual_exit", body.reason, principal, role)
            session.add(rev)
            session.flush()
            session.refresh(case)
            return rev
        rev = _review_row(case, on, "end", body.reason, principal, role, amount_after=ZERO)
        session.add(rev)
        end_case(session, publish_kwargs, case, on, body.reason, principal, role)
        return rev
    if body.outcome == "keep":
        next_due = review_due(category, on, Params(policy, case.county_code, on))
        session.execute(
            update(DibaoCase)
            .where(DibaoCase.id == case.id, DibaoCase.version == case.version)  # type: ignore[arg-type]
            .values(
                last_review_on=on,
                next_review_due=next_due,
                version=case.version + 1,
                updated_at=utcnow(),
            )
        )
        rev = _review_row(case, on, "keep", body.reason, principal, role)
        session.add(rev)
        session.flush()
        session.refresh(case)
        return rev
    members = [m.model_dump(mode="json") for m in body.members] if body.members else case.members
    income = body.annual_income if body.annual_income is not None else Decimal(case.annual_income)
    new_category = body.category or category
    computed = compute(
        policy, case.county_code, on, member_facts(members, on), income, new_category
    )
    if not computed.benefit.eligible:
        raise Conflict(
            f"on these facts the household no longer qualifies ({computed.benefit.reason}); "
            "review with outcome end"
        )
    _sync_members(session, case, members)
    return change_case(
        session,
        policy,
        publish_kwargs,
        case,
        on,
        members=members,
        annual_income=income,
        category=new_category,
        outcome="adjust",
        reason=body.reason,
        principal=principal,
        role=role,
        review_date=on,
    )


def _review_row(
    case: DibaoCase,
    on: date,
    outcome: str,
    reason: str,
    principal: Principal,
    role: Role | str,
    amount_after: Decimal | None = None,
) -> DibaoReview:
    return DibaoReview(
        case_id=case.id,  # type: ignore[arg-type]
        reviewed_on=on,
        outcome=outcome,
        reason=reason,
        category_before=case.category,
        category_after=case.category,
        amount_before=case.monthly_amount,
        amount_after=case.monthly_amount if amount_after is None else amount_after,
        actor=principal.subject,
        actor_role=str(role),
    )


def _sync_members(session: Session, case: DibaoCase, members: list[dict[str, Any]]) -> None:
    numbers = {m["id_number"] for m in members}
    existing = {m.id_number: m for m in members_of(session, case.id)}  # type: ignore[arg-type]
    for number, row in existing.items():
        if row.active != (number in numbers):
            row.active = number in numbers
            session.add(row)
    new = [m for m in members if m["id_number"] not in existing]
    if new:
        registry = dict(
            session.exec(
                select(RegistryPerson.id_number, RegistryPerson.person_id).where(
                    RegistryPerson.id_number.in_([m["id_number"] for m in new])  # type: ignore[attr-defined]
                )
            ).all()
        )
        for m in new:
            session.add(
                DibaoCaseMember(
                    case_id=case.id,  # type: ignore[arg-type]
                    id_number=m["id_number"],
                    person_id=registry.get(m["id_number"]),
                    name=m["name"],
                )
            )
    session.flush()


def cases_of_person(session: Session, person_id: str) -> list[DibaoCase]:
    return list(
        session.exec(
            select(DibaoCase)
            .join(DibaoCaseMember, DibaoCaseMember.case_id == DibaoCase.id)  # type: ignore[arg-type]
            .where(
                DibaoCaseMember.person_id == person_id,
                DibaoCaseMember.active == True,  # noqa: E712
                DibaoCase.status.in_(ON_DIBAO),  # type: ignore[attr-defined]
            )
            .with_for_update()
        )
    )


def member_found_work(
    session: Session, policy: PolicySet, case: DibaoCase, placed_on: date, event_id: str
) -> None:
    """WEL-8: a member found work: the household is due for review now and, should the review
    end it, stays on until the gradual-exit window closes (渐退)."""
    until = gradual_exit_until(placed_on, Params(policy, case.county_code, placed_on))
    values: dict[str, Any] = {
        "next_review_due": min(case.next_review_due, placed_on),
        "version": case.version + 1,
        "updated_at": utcnow(),
    }
    if case.gradual_exit_until is None or until > case.gradual_exit_until:
        values["gradual_exit_until"] = until
    session.execute(update(DibaoCase).where(DibaoCase.id == case.id).values(**values))  # type: ignore[arg-type]
    record_step(
        session,
        CASE,
        str(case.id),
        CaseStatus(case.status),
        CaseStatus(case.status),
        system_principal(event_id),
        Role.service,
        note="a member found work: review scheduled, gradual exit window set",
        data={"placed_on": placed_on.isoformat(), "gradual_exit_until": until.isoformat()},
    )


def member_deceased(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    case: DibaoCase,
    person_id: str,
    deceased_on: date,
    event_id: str,
) -> None:
    """A death in a dibao household: the household is recomputed on the living members, or
    leaves dibao with its last member."""
    principal = system_principal(event_id)
    rows = members_of(session, case.id)  # type: ignore[arg-type]
    gone = {r.id_number for r in rows if r.person_id == person_id}
    living = [m for m in case.members if m["id_number"] not in gone]
    for r in rows:
        if r.person_id == person_id:
            r.active = False
            session.add(r)
    session.flush()
    if not living:
        end_case(
            session,
            publish_kwargs,
            case,
            deceased_on,
            "the last member died",
            principal,
            Role.service,
            person_ids=[person_id],
        )
        return
    on = max(deceased_on, case.effective_from)
    computed = compute(
        policy,
        case.county_code,
        on,
        member_facts(living, on),
        Decimal(case.annual_income),
        DibaoCategory(case.category),
    )
    if not computed.benefit.eligible:
        end_case(
            session,
            publish_kwargs,
            case,
            on,
            f"recomputed after a death: {computed.benefit.reason}",
            principal,
            Role.service,
            illustrative=illustrative_of(computed.trace),
        )
        return
    change_case(
        session,
        policy,
        publish_kwargs,
        case,
        on,
        members=living,
        annual_income=Decimal(case.annual_income),
        category=DibaoCategory(case.category),
        outcome="recompute",
        reason="a member died: benefit recomputed on the living members",
        principal=principal,
        role=Role.service,
        review_date=None,
    )


def status_changed(
    session: Session, case: DibaoCase, on: date, new_status: str, event_id: str
) -> None:
    """household.poverty_status_changed: the household's dibao is due for review (WEL-8)."""
    session.execute(
        update(DibaoCase)
        .where(DibaoCase.id == case.id)  # type: ignore[arg-type]
        .values(
            next_review_due=min(case.next_review_due, on),
            version=case.version + 1,
            updated_at=utcnow(),
        )
    )
    record_step(
        session,
        CASE,
        str(case.id),
        CaseStatus(case.status),
        CaseStatus(case.status),
        system_principal(event_id),
        Role.service,
        note=f"registry status now {new_status}: review scheduled",
        data={"new_status": new_status, "review_due": min(case.next_review_due, on).isoformat()},
    )


def expire_gradual_exits(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    county: str,
    on: date,
    principal: Principal,
) -> int:
    """Households whose gradual-exit window closed before `on` leave dibao (WEL-8)."""
    due = list(
        session.exec(
            select(DibaoCase).where(
                DibaoCase.county_code == county,
                DibaoCase.status == GRADUAL_EXIT,
                DibaoCase.gradual_exit_until < on,  # type: ignore[operator]
            )
        )
    )
    for case in due:
        assert case.gradual_exit_until is not None
        # The window's length is the parameter that dates this ending (set when work was found).
        window = Trace()
        Params(policy, county, case.gradual_exit_until).get(P_GRADUAL_EXIT_MONTHS, window)
        end_case(
            session,
            publish_kwargs,
            case,
            case.gradual_exit_until,
            "gradual exit (渐退) window closed",
            principal,
            Role.county_civil,
            illustrative=illustrative_of(window),
        )
    return len(due)


def persons_on_dibao(session: Session, county_code: str, on: date) -> set[str]:
    """Registry person ids covered by dibao in the county on `on` (for the WEL-8 cross-check)."""
    rows = session.exec(
        select(DibaoCaseMember.person_id)
        .join(DibaoCase, DibaoCase.id == DibaoCaseMember.case_id)  # type: ignore[arg-type]
        .where(
            DibaoCase.county_code == county_code,
            DibaoCase.status.in_(ON_DIBAO),  # type: ignore[attr-defined]
            DibaoCase.effective_from <= on,
            DibaoCaseMember.active == True,  # noqa: E712
            DibaoCaseMember.person_id.is_not(None),  # type: ignore[union-attr]
        )
    )
    return {r for r in rows if r}
