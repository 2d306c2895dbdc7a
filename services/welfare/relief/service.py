"""The shell of temporary relief (临时救助, WEL-6): open a case from any of its sources, decide it
once, publish the grant.

Facts come from the registry read model (the status on the case's date, REG-2), amounts and
eligibility from the pure rules (services/welfare/relief/rules.py) with their traces, which are
stored with the case. A case is opened once per occasion (`dedup_key`, unique: a childbirth's is
its delivery) and relocation relief once per person (`relief_beneficiary`, unique per kind and
person); both are inserted with ON CONFLICT DO NOTHING so that a race opens one case, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from services.welfare.registry.models import RegistryPerson
from services.welfare.relief.models import ReliefBeneficiary, ReliefCase
from services.welfare.relief.procedure import CASE, WEL_6, CaseSource, CaseStatus
from services.welfare.relief.rules import (
    FIXED_KINDS,
    ReliefEligibility,
    ReliefKind,
    relief_amount,
    relief_eligible,
)
from services.welfare.window.follow import linked_case_decided
from services.welfare.workflow import advance, record_step
from shared.auth import Principal, Role
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput, NotFound
from shared.events.welfare import TemporaryReliefGranted
from shared.policy import PolicySet
from shared.trace import Params, Trace, illustrative_of

ZERO = Decimal("0.00")


def insert_fn(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


@dataclass
class Opening:
    """Everything a case is opened from, whatever its source."""

    kind: ReliefKind
    source: CaseSource
    household_id: str
    county_code: str
    township_code: str | None
    village_code: str | None
    persons: int
    occurred_on: date
    poverty_status: str | None
    person: RegistryPerson | None = None
    id_number: str | None = None
    name: str | None = None
    assessed_need: Decimal | None = None
    description: str = ""
    dedup_key: str | None = None
    beneficiaries: Sequence[str] = ()  # person ids, for once-per-person kinds
    facts: dict[str, Any] = field(default_factory=dict)
    declaration_id: int | None = None
    window_request_id: int | None = None


def check_eligible(policy: PolicySet, opening: Opening, trace: Trace) -> ReliefEligibility:
    params = Params(policy, opening.county_code, opening.occurred_on)
    return relief_eligible(opening.kind, opening.poverty_status, params, trace=trace)


def open_case(
    session: Session,
    policy: PolicySet,
    opening: Opening,
    principal: Principal,
    role: Role | str,
    trace: Trace | None = None,
) -> ReliefCase | None:
    """Open one case (WEL-6); None when its occasion already has a case (`dedup_key`) or every
    beneficiary already had this once-per-person relief. The caller has checked eligibility
    (`check_eligible`, which writes into `trace`)."""
    trace = trace or Trace()
    params = Params(policy, opening.county_code, opening.occurred_on)
    proposed: Decimal | None = None
    cap: Decimal | None = None
    need = opening.assessed_need
    if opening.kind in FIXED_KINDS:
        result = relief_amount(opening.kind, opening.persons, ZERO, params, trace=trace)
        proposed, cap = result.amount, result.cap
    elif need is not None:
        result = relief_amount(opening.kind, opening.persons, need, params, trace=trace)
        proposed, cap = result.amount, result.cap
    else:
        trace.step(WEL_6, "no assessed need yet: the amount is set at the decision")
    person = opening.person
    now = utcnow()
    values = {
        "kind": opening.kind.value,
        "source": opening.source.value,
        "status": CaseStatus.opened.value,
        "dedup_key": opening.dedup_key,
        "person_id": person.person_id if person else None,
        "id_number": person.id_number if person else opening.id_number,
        "name": person.name if person else opening.name,
        "household_id": opening.household_id,
        "county_code": opening.county_code,
        "township_code": opening.township_code,
        "village_code": opening.village_code,
        "persons": opening.persons,
        "occurred_on": opening.occurred_on,
        "poverty_status": opening.poverty_status,
        "assessed_need": need,
        "proposed_amount": proposed,
        "cap": cap,
        "description": opening.description,
        "facts": opening.facts,
        "trace": trace.out().model_dump(mode="json"),
        "decision_trace": {},
        "declaration_id": opening.declaration_id,
        "window_request_id": opening.window_request_id,
        "opened_by": principal.subject,
        "created_at": now,
        "updated_at": now,
    }
    table = ReliefCase.__table__  # type: ignore[attr-defined]
    stmt = insert_fn(session)(table).values(**values)
    if opening.dedup_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
    case_id = session.execute(stmt.returning(table.c.id)).scalar()
    if case_id is None:
        return None
    if opening.beneficiaries and not _claim_people(session, case_id, opening):
        session.execute(delete(table).where(table.c.id == case_id))
        return None
    case = session.get(ReliefCase, case_id)
    assert case is not None
    record_step(
        session,
        CASE,
        str(case_id),
        None,
        CaseStatus.opened,
        principal,
        role,
        note=f"{opening.source.value}: {opening.kind.value}",
        data={"rule": WEL_6, "dedup_key": opening.dedup_key},
    )
    session.flush()
    return case


def _claim_people(session: Session, case_id: int, opening: Opening) -> bool:
    """Once per person: each beneficiary row is unique per (kind, person). All or none."""
    table = ReliefBeneficiary.__table__  # type: ignore[attr-defined]
    for person_id in opening.beneficiaries:
        claimed = session.execute(
            insert_fn(session)(table)
            .values(case_id=case_id, kind=opening.kind.value, person_id=person_id)
            .on_conflict_do_nothing(index_elements=["kind", "person_id"])
            .returning(table.c.id)
        ).scalar()
        if claimed is None:
            session.execute(delete(table).where(table.c.case_id == case_id))
            return False
    return True


def already_relieved(session: Session, kind: ReliefKind, person_ids: Sequence[str]) -> set[str]:
    """People who already have (a standing case of) this once-per-person relief."""
    if not person_ids:
        return set()
    rows = session.execute(
        select(ReliefBeneficiary.person_id).where(  # type: ignore[call-overload]
            ReliefBeneficiary.kind == kind.value,
            ReliefBeneficiary.person_id.in_(list(person_ids)),  # type: ignore[attr-defined]
        )
    ).scalars()
    return set(rows)


def get_case(session: Session, case_id: int, principal: Principal) -> ReliefCase:
    case = session.get(ReliefCase, case_id, populate_existing=True)
    if case is None:
        raise NotFound("no such relief case")
    principal.guard(case_division(case))
    return case


def case_division(case: ReliefCase) -> str:
    return case.village_code or case.township_code or case.county_code


def approve(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    case: ReliefCase,
    principal: Principal,
    amount: Decimal | None,
    note: str,
    today: date,
) -> ReliefCase:
    """批准救助 (WEL-6): the amount from the rule, capped by its parameters; once per case; the
    grant is published with the household as key."""
    kind = ReliefKind(case.kind)
    trace = Trace()
    params = Params(policy, case.county_code, case.occurred_on)
    if kind in FIXED_KINDS:
        need = ZERO
    else:
        need = amount if amount is not None else case.assessed_need  # type: ignore[assignment]
        if need is None:
            raise InvalidInput(
                "this case has no assessed need: give the amount to grant",
                errors=[_field("amount", "required: the case has no assessed need")],
            )
    CASE.check(CaseStatus(case.status), CaseStatus.approved, principal)
    result = relief_amount(kind, case.persons, need, params, trace=trace)
    if result.amount <= 0:
        raise InvalidInput(
            "nothing to grant: reject the case instead",
            errors=[_field("amount", "the amount to grant is zero")],
        )
    decision = trace.out().model_dump(mode="json")
    advance(
        session,
        CASE,
        ReliefCase,
        case,
        CaseStatus.approved,
        principal,
        note=note or result.reason,
        changes={
            "amount": result.amount,
            "cap": result.cap,
            "decided_by": principal.subject,
            "decided_on": today,
            "decision_trace": decision,
        },
        data={"rule": WEL_6, "amount": str(result.amount), "reason": result.reason},
        status_enum=CaseStatus,
    )
    publish(
        session,
        TemporaryReliefGranted(
            case_id=str(case.id),
            person_id=case.person_id,
            household_id=case.household_id,
            county_code=case.county_code,
            kind=case.kind,
            amount=result.amount,
            decided_on=today,
            # Who may have it (the opening's trace) and how much (the decision's).
            illustrative_parameters=illustrative_of(case.trace, decision),
        ),
        key=case.household_id,
        subject=f"relief_case/{case.id}",
        **publish_kwargs,
    )
    _window_follows(session, case, principal, approved=True, note=note or result.reason)
    return case


def reject(
    session: Session, case: ReliefCase, principal: Principal, reason: str, today: date
) -> ReliefCase:
    """不予救助 (WEL-6), with the reason. The people of a once-per-person relief are released, so
    that a correct case may be opened for them later."""
    advance(
        session,
        CASE,
        ReliefCase,
        case,
        CaseStatus.rejected,
        principal,
        note=reason,
        changes={"reject_reason": reason, "decided_by": principal.subject, "decided_on": today},
        data={"rule": WEL_6},
        status_enum=CaseStatus,
    )
    session.execute(delete(ReliefBeneficiary).where(ReliefBeneficiary.case_id == case.id))  # type: ignore[arg-type]
    _window_follows(session, case, principal, approved=False, note=reason)
    return case


def _window_follows(
    session: Session, case: ReliefCase, principal: Principal, *, approved: bool, note: str
) -> None:
    if case.window_request_id is None:
        return
    linked_case_decided(session, case, principal, approved=approved, note=note)


def _field(name: str, reason: str) -> FieldError:
    return FieldError(field=name, reason=reason)
