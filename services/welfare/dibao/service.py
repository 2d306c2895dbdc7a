"""Households on dibao (低保户): opening a case, reviews (WEL-2), gradual exit (渐退, WEL-8),
deaths in the household and registry status changes, and the events enrollment and medical
follow (welfare.dibao_granted / dibao_changed / dibao_ended).

What other welfare code asks of dibao is here too, each with the unit of work: the monthly
payment cycle ends the closed gradual exits, recomputes the amounts whose parameters changed and
reads the households to pay; the cross-check asks who is on dibao."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, update
from sqlmodel import Session, col

from services.welfare.dibao.facts import compute, current_key, member_facts
from services.welfare.dibao.models import (
    DibaoApplication,
    DibaoCase,
    DibaoCaseMember,
    DibaoReview,
)
from services.welfare.dibao.procedure import (
    ACTIVE,
    CASE,
    ENDED,
    GRADUAL_EXIT,
    ON_DIBAO,
    CaseStatus,
)
from services.welfare.dibao.repository import Cases, members_of, person_ids_on_dibao
from services.welfare.dibao.rules import (
    P_GRADUAL_EXIT_MONTHS,
    DibaoCategory,
    gradual_exit_until,
    review_due,
)
from services.welfare.dibao.schemas import ReviewIn
from services.welfare.registry.repository import RegistryPeople
from services.welfare.workflow import record_step
from shared.auth import Principal
from shared.errors import Conflict, Forbidden
from shared.events.catalogue import EventData
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted
from shared.money import ZERO
from shared.roles import Role
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork


def system_principal(event_id: str) -> Principal:
    """Who acts when an event changes a case: the event itself, named in the audit trail."""
    return Principal(subject=f"event:{event_id}", roles=frozenset({Role.service}), scope="")


def acting(uow: UnitOfWork) -> Principal:
    """Who the audit trail names: the event being applied, else the caller."""
    return system_principal(uow.envelope.id) if uow.event is not None else uow.principal


def _person_ids(session: Session, case: DibaoCase) -> list[str]:
    assert case.id is not None
    return [m.person_id for m in members_of(session, case.id) if m.person_id and m.active]


def _publish(uow: UnitOfWork, data: EventData, case: DibaoCase) -> None:
    uow.publish(data, key=case.household_id, subject=f"dibao_case/{case.id}")


def _add_members(uow: UnitOfWork, case: DibaoCase, members: list[dict[str, Any]]) -> list[str]:
    """Member rows for `members`, linked to the registry where it knows them; the registry
    person ids found, in the members' order."""
    assert case.id is not None
    numbers = [m["id_number"] for m in members]
    registry = RegistryPeople(uow.session).person_ids(numbers)
    for m in members:
        uow.session.add(
            DibaoCaseMember(
                case_id=case.id,
                id_number=m["id_number"],
                person_id=registry.get(m["id_number"]),
                name=m["name"],
            )
        )
    uow.session.flush()
    return [registry[n] for n in numbers if n in registry]


def open_case(uow: UnitOfWork, app: DibaoApplication, effective: date) -> DibaoCase:
    assert app.id is not None and app.category is not None
    category = DibaoCategory(app.category)
    computed = compute(
        uow.policy,
        app.county_code,
        effective,
        member_facts(app.members, effective),
        Decimal(app.annual_income or 0),
        category,
    )
    due = review_due(category, effective, uow.params(app.county_code, effective))
    case = DibaoCase(
        application_id=app.id,
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
    if not Cases(uow.session, None).add_new(case):
        # Activated at the same moment by another request, which committed first.
        raise Conflict("the application was moved by someone else meanwhile; read it again")
    person_ids = _add_members(uow, case, app.members)
    record_step(
        uow.session,
        CASE,
        str(case.id),
        None,
        CaseStatus.active,
        uow.principal,
        Role.county_civil,
        note=f"opened from application {app.id}",
        data={"monthly_amount": str(case.monthly_amount), "category": case.category},
    )
    _publish(
        uow,
        DibaoGranted(
            household_id=case.household_id,
            county_code=case.county_code,
            person_ids=person_ids,
            category=category.value,
            monthly_amount=case.monthly_amount,
            effective_from=effective,
            illustrative_parameters=illustrative_of(computed.trace),
        ),
        case,
    )
    return case


def end_case(
    uow: UnitOfWork,
    case: DibaoCase,
    on: date,
    reason: str,
    role: Role,
    *,
    person_ids: list[str] | None = None,
    illustrative: list[str] | None = None,
) -> None:
    """Leave dibao; `illustrative` lists the figures the ending rests on that are no document's
    of the county (a recomputation, the gradual-exit window), none for a review's decision."""
    before = CaseStatus(case.status)
    if not Cases(uow.session, None).update(
        case, match="status", status=ENDED, ended_on=on, end_reason=reason
    ):
        raise Conflict("the household was changed by someone else meanwhile; read it again")
    record_step(
        uow.session, CASE, str(case.id), before, CaseStatus.ended, acting(uow), role, reason
    )
    _publish(
        uow,
        DibaoEnded(
            household_id=case.household_id,
            county_code=case.county_code,
            person_ids=person_ids if person_ids is not None else _person_ids(uow.session, case),
            effective_from=on,
            reason=reason,
            illustrative_parameters=illustrative or [],
        ),
        case,
    )
    uow.session.flush()
    uow.session.refresh(case)


@dataclass(frozen=True)
class Change:
    """New facts of a household on dibao and why they are applied: a review's adjustment, a
    death in the household, parameters no longer in force. `review_date` is set when the change
    is a review (the next one is then due from it)."""

    members: list[dict[str, Any]]
    annual_income: Decimal
    category: DibaoCategory
    outcome: str
    reason: str
    role: Role
    review_date: date | None = None

    @classmethod
    def recompute(cls, case: DibaoCase, reason: str, role: Role) -> Change:
        """The household's own facts, computed again."""
        return cls(
            members=case.members,
            annual_income=Decimal(case.annual_income),
            category=DibaoCategory(case.category),
            outcome="recompute",
            reason=reason,
            role=role,
        )


def change_case(uow: UnitOfWork, case: DibaoCase, on: date, change: Change) -> DibaoReview:
    """Recompute the benefit on new facts; a review row records before and after, and a
    changed amount, category or membership is published as welfare.dibao_changed."""
    assert case.id is not None
    category = change.category
    computed = compute(
        uow.policy,
        case.county_code,
        on,
        member_facts(change.members, on),
        change.annual_income,
        category,
    )
    review = DibaoReview(
        case_id=case.id,
        reviewed_on=on,
        outcome=change.outcome,
        reason=change.reason,
        category_before=case.category,
        category_after=category.value,
        amount_before=case.monthly_amount,
        amount_after=computed.benefit.monthly_amount,
        trace=computed.trace,
        actor=acting(uow).subject,
        actor_role=str(change.role),
    )
    uow.session.add(review)
    # Compared before the UPDATE: an ORM-enabled UPDATE refreshes `case` in the session.
    changed = (
        computed.benefit.monthly_amount != case.monthly_amount
        or category.value != case.category
        or change.members != case.members
    )
    values: dict[str, Any] = {
        "members": change.members,
        "annual_income": change.annual_income,
        "category": category.value,
        "monthly_amount": computed.benefit.monthly_amount,
        "benefit": computed.trace,
        "policy_key": computed.policy_key,
    }
    if change.review_date is not None:
        values["last_review_on"] = change.review_date
        values["next_review_due"] = review_due(
            category, change.review_date, uow.params(case.county_code, change.review_date)
        )
    if not Cases(uow.session, None).update(case, **values):
        raise Conflict("the household was changed by someone else meanwhile; read it again")
    uow.session.flush()
    uow.session.refresh(case)
    if changed and case.status in ON_DIBAO:
        _publish(
            uow,
            DibaoChanged(
                household_id=case.household_id,
                county_code=case.county_code,
                person_ids=_person_ids(uow.session, case),
                category=category.value,
                monthly_amount=case.monthly_amount,
                effective_from=on,
                illustrative_parameters=illustrative_of(computed.trace),
            ),
            case,
        )
    return review


def review(uow: UnitOfWork, case: DibaoCase, body: ReviewIn) -> DibaoReview | None:
    """复核 (WEL-2): keep, adjust or end. Ending a household in its gradual-exit window (a
    member found work, WEL-8) keeps it on until the window closes instead."""
    principal, today = uow.principal, uow.today()
    if not principal.has(Role.township_officer, Role.county_civil):
        raise Forbidden("reviews are taken by township_officer or county_civil")
    if case.status == ENDED:
        raise Conflict("the household has left dibao; a new application is needed")
    on = body.reviewed_on or today
    if on > today:
        raise Conflict("a review cannot be dated in the future")
    role = Role.county_civil if principal.has(Role.county_civil) else Role.township_officer
    category = DibaoCategory(case.category)
    cases = Cases(uow.session, None)
    if body.outcome == "end":
        if case.gradual_exit_until is not None and on < case.gradual_exit_until:
            if case.status == GRADUAL_EXIT:
                raise Conflict(f"already on gradual exit until {case.gradual_exit_until}")
            cases.update(case, status=GRADUAL_EXIT, last_review_on=on)
            record_step(
                uow.session,
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
            uow.session.add(rev)
            uow.session.flush()
            uow.session.refresh(case)
            return rev
        rev = _review_row(case, on, "end", body.reason, principal, role, amount_after=ZERO)
        uow.session.add(rev)
        end_case(uow, case, on, body.reason, role)
        return rev
    if body.outcome == "keep":
        next_due = review_due(category, on, uow.params(case.county_code, on))
        cases.update(case, last_review_on=on, next_review_due=next_due)
        rev = _review_row(case, on, "keep", body.reason, principal, role)
        uow.session.add(rev)
        uow.session.flush()
        uow.session.refresh(case)
        return rev
    members = [m.model_dump(mode="json") for m in body.members] if body.members else case.members
    income = body.annual_income if body.annual_income is not None else Decimal(case.annual_income)
    new_category = body.category or category
    computed = compute(
        uow.policy, case.county_code, on, member_facts(members, on), income, new_category
    )
    if not computed.benefit.eligible:
        raise Conflict(
            f"on these facts the household no longer qualifies ({computed.benefit.reason}); "
            "review with outcome end"
        )
    _sync_members(uow, case, members)
    return change_case(
        uow,
        case,
        on,
        Change(
            members=members,
            annual_income=income,
            category=new_category,
            outcome="adjust",
            reason=body.reason,
            role=role,
            review_date=on,
        ),
    )


def _review_row(
    case: DibaoCase,
    on: date,
    outcome: str,
    reason: str,
    principal: Principal,
    role: Role,
    amount_after: Decimal | None = None,
) -> DibaoReview:
    assert case.id is not None
    return DibaoReview(
        case_id=case.id,
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


def _sync_members(uow: UnitOfWork, case: DibaoCase, members: list[dict[str, Any]]) -> None:
    assert case.id is not None
    numbers = {m["id_number"] for m in members}
    existing = {m.id_number: m for m in members_of(uow.session, case.id)}
    for number, row in existing.items():
        if row.active != (number in numbers):
            row.active = number in numbers
            uow.session.add(row)
    new = [m for m in members if m["id_number"] not in existing]
    if new:
        _add_members(uow, case, new)
    uow.session.flush()


def cases_of_person(uow: UnitOfWork, person_id: str) -> list[DibaoCase]:
    """Households on dibao the person is an active member of (locked)."""
    return Cases(uow.session, None).of_person(person_id)


def member_found_work(uow: UnitOfWork, case: DibaoCase, placed_on: date) -> None:
    """WEL-8: a member found work: the household is due for review now and, should the review
    end it, stays on until the gradual-exit window closes (渐退)."""
    until = gradual_exit_until(placed_on, uow.params(case.county_code, placed_on))
    values: dict[str, Any] = {"next_review_due": min(case.next_review_due, placed_on)}
    if case.gradual_exit_until is None or until > case.gradual_exit_until:
        values["gradual_exit_until"] = until
    Cases(uow.session, None).update(case, match=None, **values)
    record_step(
        uow.session,
        CASE,
        str(case.id),
        CaseStatus(case.status),
        CaseStatus(case.status),
        acting(uow),
        Role.service,
        note="a member found work: review scheduled, gradual exit window set",
        data={"placed_on": placed_on.isoformat(), "gradual_exit_until": until.isoformat()},
    )


def member_deceased(uow: UnitOfWork, case: DibaoCase, person_id: str, deceased_on: date) -> None:
    """A death in a dibao household: the household is recomputed on the living members, or
    leaves dibao with its last member."""
    assert case.id is not None
    rows = members_of(uow.session, case.id)
    gone = {r.id_number for r in rows if r.person_id == person_id}
    living = [m for m in case.members if m["id_number"] not in gone]
    for r in rows:
        if r.person_id == person_id:
            r.active = False
            uow.session.add(r)
    uow.session.flush()
    if not living:
        end_case(
            uow, case, deceased_on, "the last member died", Role.service, person_ids=[person_id]
        )
        return
    on = max(deceased_on, case.effective_from)
    computed = compute(
        uow.policy,
        case.county_code,
        on,
        member_facts(living, on),
        Decimal(case.annual_income),
        DibaoCategory(case.category),
    )
    if not computed.benefit.eligible:
        end_case(
            uow,
            case,
            on,
            f"recomputed after a death: {computed.benefit.reason}",
            Role.service,
            illustrative=illustrative_of(computed.trace),
        )
        return
    change_case(
        uow,
        case,
        on,
        Change(
            members=living,
            annual_income=Decimal(case.annual_income),
            category=DibaoCategory(case.category),
            outcome="recompute",
            reason="a member died: benefit recomputed on the living members",
            role=Role.service,
        ),
    )


def status_changed(uow: UnitOfWork, case: DibaoCase, on: date, new_status: str) -> None:
    """household.poverty_status_changed: the household's dibao is due for review (WEL-8)."""
    due = min(case.next_review_due, on)
    Cases(uow.session, None).update(case, match=None, next_review_due=due)
    record_step(
        uow.session,
        CASE,
        str(case.id),
        CaseStatus(case.status),
        CaseStatus(case.status),
        acting(uow),
        Role.service,
        note=f"registry status now {new_status}: review scheduled",
        data={"new_status": new_status, "review_due": due.isoformat()},
    )


# -- what the monthly payment cycle asks of dibao (WEL-3, WEL-8) -----------------------------


def expire_gradual_exits(uow: UnitOfWork, county: str, on: date) -> int:
    """Households whose gradual-exit window closed before `on` leave dibao (WEL-8)."""
    due = Cases(uow.session, None).gradual_exits_due(county, on)
    for case in due:
        assert case.gradual_exit_until is not None
        # The window's length is the parameter that dates this ending (set when work was found).
        window = Trace()
        uow.params(county, case.gradual_exit_until).get(P_GRADUAL_EXIT_MONTHS, window)
        end_case(
            uow,
            case,
            case.gradual_exit_until,
            "gradual exit (渐退) window closed",
            Role.county_civil,
            illustrative=illustrative_of(window),
        )
    return len(due)


def recompute_stale(uow: UnitOfWork, county: str, month: date, last_day: date) -> int:
    """Households on dibao in the month (from `month` to `last_day`) whose amount was computed
    on parameters no longer in force are recomputed (e.g. the new year's standard, WEL-3); the
    others keep their amount. Returns how many were recomputed (or ended)."""
    cases = Cases(uow.session, None)
    stale = [
        k
        for k in cases.policy_keys(county, last_day)
        if current_key(uow.policy, county, month, k) != k
    ]
    changed = 0
    for key in stale:
        for case_id in cases.ids_with_key(county, last_day, key):
            case = cases.get_or_404(case_id, lock=True)
            computed = compute(
                uow.policy,
                county,
                month,
                member_facts(case.members, month),
                Decimal(case.annual_income),
                DibaoCategory(case.category),
            )
            if not computed.benefit.eligible:
                end_case(
                    uow,
                    case,
                    month,
                    f"no longer below the standard: {computed.benefit.reason}",
                    Role.county_civil,
                )
            else:
                reason = "parameters in force changed (WEL-3): amount recomputed"
                change_case(uow, case, month, Change.recompute(case, reason, Role.county_civil))
            changed += 1
    return changed


def write_off_clawback(uow: UnitOfWork, case: DibaoCase, reason: str) -> Decimal:
    """The county decides not to recover what is left of an overpayment (核销): the balance is
    written off, the decision a step of the household's record with its reason and amount."""
    principal = uow.principal
    if not principal.has(Role.county_civil):
        raise Forbidden("a claw-back is written off by county_civil")
    balance = Decimal(case.clawback_balance)
    if balance <= 0:
        raise Conflict("the household owes nothing: there is no claw-back balance to write off")
    moved = uow.session.execute(
        update(DibaoCase)
        .where(col(DibaoCase.id) == case.id, col(DibaoCase.clawback_balance) == balance)
        .values(clawback_balance=ZERO)
    )
    if getattr(moved, "rowcount", 1) != 1:
        raise Conflict(
            "the balance changed meanwhile (a payment cycle withheld some); read it again"
        )
    status = CaseStatus(case.status)
    record_step(
        uow.session, CASE, str(case.id), status, status, principal, Role.county_civil,
        note=reason, data={"clawback_written_off": str(balance)},
    )  # fmt: skip
    uow.session.flush()
    uow.session.refresh(case)
    return balance


def withhold_clawback(uow: UnitOfWork, case_id: int, amount: Decimal) -> None:
    """`amount` of the household's claw-back balance was withheld from a payment."""
    uow.session.execute(
        update(DibaoCase)
        .where(col(DibaoCase.id) == case_id)
        .values(clawback_balance=DibaoCase.clawback_balance - amount)
    )


def payable(uow: UnitOfWork, county: str, last_day: date) -> Iterable[Row[Any]]:
    """The county's households on dibao in the month ending `last_day` with an amount to pay,
    by case id (the payment lines are written from them)."""
    return Cases(uow.session, None).payable(county, last_day)


def persons_on_dibao(session: Session, county_code: str, on: date) -> set[str]:
    """Registry person ids covered by dibao in the county on `on` (for the WEL-8 cross-check)."""
    return person_ids_on_dibao(session, county_code, on)
