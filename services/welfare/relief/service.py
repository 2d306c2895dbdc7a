"""The shell of temporary relief (临时救助, WEL-6): open a case from any of its sources, decide it
once, publish the grant.

Facts come from the registry read model (the status on the case's date, REG-2), amounts and
eligibility from the pure rules (services/welfare/relief/rules.py) with their traces, which are
stored with the case. A case is opened once per occasion (`dedup_key`, unique: a childbirth's is
its delivery) and relocation relief once per person (`relief_beneficiary`, unique per kind and
person); both are inserted with ON CONFLICT DO NOTHING (services/welfare/relief/repository.py) so
that a race opens one case, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.registry.models import RegistryPerson
from services.welfare.relief.models import ReliefCase
from services.welfare.relief.procedure import CASE, WEL_6, CaseSource, CaseStatus
from services.welfare.relief.repository import ReliefCases
from services.welfare.relief.rules import (
    FIXED_KINDS,
    ReliefEligibility,
    ReliefKind,
    relief_amount,
    relief_eligible,
)
from services.welfare.relief.schemas import CaseDetail, CaseOut
from services.welfare.window.follow import linked_case_decided
from services.welfare.workflow import StepOut, advance, record_step
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput
from shared.events.welfare import TemporaryReliefGranted
from shared.roles import Role
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork

ZERO = Decimal("0.00")


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


def detail(uow: UnitOfWork, case: ReliefCase) -> CaseDetail:
    """A case with every step taken on it (its audit trail)."""
    assert case.id is not None
    steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in ReliefCases(uow.session, uow.principal).steps(case.id)
    ]
    return CaseDetail(**CaseOut.of(case).model_dump(), steps=steps)


def check_eligible(uow: UnitOfWork, opening: Opening, trace: Trace) -> ReliefEligibility:
    params = uow.params(opening.county_code, opening.occurred_on)
    return relief_eligible(opening.kind, opening.poverty_status, params, trace=trace)


def open_case(
    uow: UnitOfWork, opening: Opening, role: Role | str, trace: Trace | None = None
) -> ReliefCase | None:
    """Open one case (WEL-6) for `uow.principal`; None when its occasion already has a case
    (`dedup_key`) or every beneficiary already had this once-per-person relief. The caller has
    checked eligibility (`check_eligible`, which writes into `trace`)."""
    trace = trace or Trace()
    params = uow.params(opening.county_code, opening.occurred_on)
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
    cases = ReliefCases(uow.session, None)
    case_id = cases.insert(
        {
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
            "opened_by": uow.actor,
            "created_at": now,
            "updated_at": now,
        }
    )
    if case_id is None:
        return None
    if opening.beneficiaries and not cases.claim_people(
        case_id, opening.kind.value, opening.beneficiaries
    ):
        cases.drop(case_id)
        return None
    case = cases.find(case_id)
    assert case is not None
    record_step(
        uow.session,
        CASE,
        str(case_id),
        None,
        CaseStatus.opened,
        uow.principal,
        role,
        note=f"{opening.source.value}: {opening.kind.value}",
        data={"rule": WEL_6, "dedup_key": opening.dedup_key},
    )
    uow.session.flush()
    return case


def approve(uow: UnitOfWork, case_id: int, amount: Decimal | None, note: str) -> ReliefCase:
    """批准救助 (WEL-6): the amount from the rule, capped by its parameters; once per case; the
    grant is published with the household as key."""
    case = ReliefCases(uow.session, uow.principal).get_or_404(case_id)
    today = uow.today()
    kind = ReliefKind(case.kind)
    trace = Trace()
    params = uow.params(case.county_code, case.occurred_on)
    need: Decimal | None
    if kind in FIXED_KINDS:
        need = ZERO
    else:
        need = amount if amount is not None else case.assessed_need
        if need is None:
            raise InvalidInput(
                "this case has no assessed need: give the amount to grant",
                errors=[_field("amount", "required: the case has no assessed need")],
            )
    CASE.check(CaseStatus(case.status), CaseStatus.approved, uow.principal)
    result = relief_amount(kind, case.persons, need, params, trace=trace)
    if result.amount <= 0:
        raise InvalidInput(
            "nothing to grant: reject the case instead",
            errors=[_field("amount", "the amount to grant is zero")],
        )
    decision = trace.out().model_dump(mode="json")
    advance(
        uow.session,
        CASE,
        ReliefCase,
        case,
        CaseStatus.approved,
        uow.principal,
        note=note or result.reason,
        changes={
            "amount": result.amount,
            "cap": result.cap,
            "decided_by": uow.actor,
            "decided_on": today,
            "decision_trace": decision,
        },
        data={"rule": WEL_6, "amount": str(result.amount), "reason": result.reason},
        status_enum=CaseStatus,
    )
    uow.publish(
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
    )
    _window_follows(uow, case, approved=True, note=note or result.reason)
    return case


def reject(uow: UnitOfWork, case_id: int, reason: str) -> ReliefCase:
    """不予救助 (WEL-6), with the reason. The people of a once-per-person relief are released, so
    that a correct case may be opened for them later."""
    cases = ReliefCases(uow.session, uow.principal)
    case = cases.get_or_404(case_id)
    assert case.id is not None
    advance(
        uow.session,
        CASE,
        ReliefCase,
        case,
        CaseStatus.rejected,
        uow.principal,
        note=reason,
        changes={"reject_reason": reason, "decided_by": uow.actor, "decided_on": uow.today()},
        data={"rule": WEL_6},
        status_enum=CaseStatus,
    )
    cases.release_people(case.id)
    _window_follows(uow, case, approved=False, note=reason)
    return case


def _window_follows(uow: UnitOfWork, case: ReliefCase, *, approved: bool, note: str) -> None:
    if case.window_request_id is None:
        return
    linked_case_decided(uow, case, approved=approved, note=note)


def _field(name: str, reason: str) -> FieldError:
    return FieldError(field=name, reason=reason)
