"""Where temporary-relief cases (临时救助, WEL-6) come from: the township window, medical's
high-burden event (MED-4), a disaster declaration over many households, childbirth, relocation
and the essential-spending detector. Each source builds an `Opening` from the registry read model
and lets `service.open_case` open it once.

Reading of the seeds (WEL-6)
----------------------------
- Childbirth: YA-GOV §三(七) 对贫困家庭孕产妇住院分娩给予400元/人一次性生活救助 — 400 yuan for
  each hospital delivery, paid in one lump sum (一次性) from the temporary-relief fund; not once
  in a mother's life. A delivery is the mother and the birth date (`delivery_key`): the same
  delivery reported twice, or twins of one delivery, open one case (409 the second time); a
  child born a year later is a new delivery and pays again.
- Relocation: ZA-GOV §三(三)3 易地扶贫搬迁贫困移民一次性临时救助…按每人1500元 — once per relocated
  person; one case per household move, covering the members not yet relieved.
- High burden: ZA-GOV §三(二)2 补偿90%后自付费用仍然过高导致生活有严重困难的贫困人口，由县民政局
  给予生活性临时救助 (MED-4): one case per person and year; the assessed need opened with is the
  year's self-pay above medical's threshold, which the county may change at the decision.
- Essential spending: YA-GOV §三(七) compares per-capita spending (月人均生活必需支出) with
  per-capita income; the seed wins over the spec's wording, so the declared spending is per
  capita. One case per qualifying run of months: a run that grows, or a later month that keeps
  it going, opens nothing new.
- The status that decides eligibility is the one in force on the case's date (the event's day,
  the birth, the move, the last month of the run), from the registry history (REG-2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import uuid4

from services.welfare.registry.models import RegistryPerson
from services.welfare.relief import facts
from services.welfare.relief.models import ReliefCase, ReliefDeclaration, SpendingMonth
from services.welfare.relief.procedure import WEL_6, CaseSource
from services.welfare.relief.repository import ReliefCases, add_declaration, declare_month
from services.welfare.relief.rules import (
    MonthlySpending,
    ReliefKind,
    SpendingTrigger,
    essential_spending_trigger,
)
from services.welfare.relief.schemas import (
    CaseIn,
    ChildbirthIn,
    DeclarationIn,
    RelocationIn,
    SpendingIn,
)
from services.welfare.relief.service import Opening, check_eligible, open_case
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput
from shared.events.medical import HighBurdenDetected
from shared.logging import get_logger
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

log = get_logger("welfare.relief")


def _invalid(detail: str, field: str, reason: str) -> InvalidInput:
    return InvalidInput(detail, errors=[FieldError(field=field, reason=reason)])


def _role(principal: Principal, *roles: Role) -> Role:
    mine = [r for r in roles if r in principal.roles]
    return mine[0] if mine else Role.admin


def _require_eligible(uow: UnitOfWork, opening: Opening, trace: Trace, field: str) -> None:
    verdict = check_eligible(uow, opening, trace)
    if not verdict:
        raise _invalid(
            f"not eligible for {opening.kind.value} relief (WEL-6): {verdict.reason}",
            field,
            f"poverty status on {opening.occurred_on} is {verdict.status}",
        )


def _household(uow: UnitOfWork, household_id: str, on: date, field: str) -> list[RegistryPerson]:
    members = facts.household_members(uow.session, household_id, on)
    if not members:
        raise _invalid("unknown household", field, "no living member in the registry")
    uow.principal.guard(members[0].village_code)
    return members


# --- the township window ------------------------------------------------------------------------


def from_window(uow: UnitOfWork, body: CaseIn, window_request_id: int | None = None) -> ReliefCase:
    """乡镇窗口受理: accident, disaster or serious illness of one person's household."""
    kind = ReliefKind(body.kind.value)
    session = uow.session
    person = facts.person_by_id_number(session, body.id_number)
    if person is not None:
        uow.principal.guard(person.village_code)
        members = facts.household_members(session, person.household_id, body.occurred_on)
        opening = Opening(
            kind=kind,
            source=CaseSource.window,
            household_id=person.household_id,
            county_code=person.county_code,
            township_code=person.township_code,
            village_code=person.village_code,
            persons=body.persons or max(len(members), 1),
            occurred_on=body.occurred_on,
            poverty_status=facts.person_status(session, person, body.occurred_on),
            person=person,
            assessed_need=body.assessed_need,
            description=body.description,
            window_request_id=window_request_id,
        )
    else:
        missing = [n for n in ("name", "village_code", "persons") if getattr(body, n) is None]
        if missing:
            raise InvalidInput(
                "the person is not in the poverty registry: name, village_code and persons "
                "are needed",
                errors=[
                    FieldError(field=n, reason="required outside the registry") for n in missing
                ],
            )
        assert body.village_code is not None and body.persons is not None
        uow.principal.guard(body.village_code)
        opening = Opening(
            kind=kind,
            source=CaseSource.window,
            household_id="NR-" + uuid4().hex[:12],
            county_code=body.village_code[:6],
            township_code=body.village_code[:9],
            village_code=body.village_code,
            persons=body.persons,
            occurred_on=body.occurred_on,
            poverty_status=None,
            id_number=body.id_number,
            name=body.name,
            assessed_need=body.assessed_need,
            description=body.description,
            window_request_id=window_request_id,
        )
    trace = Trace()
    _require_eligible(uow, opening, trace, "id_number")
    case = open_case(uow, opening, _role(uow.principal, *OPENER_ROLES), trace)
    assert case is not None  # no dedup key: a window case always opens
    return case


OPENER_ROLES = (Role.township_officer, Role.village_cadre)


# --- medical's high-burden event (MED-4) ---------------------------------------------------------


def from_high_burden(uow: UnitOfWork, data: HighBurdenDetected) -> ReliefCase | None:
    """One case per (person, year): the same event twice, or a second event for the same
    person-year, opens nothing new (unique `dedup_key`). The case is opened by the event
    (`event:<id>`) on the day of its instant in UTC."""
    session, envelope = uow.session, uow.envelope
    on = envelope.time.date()
    person = facts.person(session, data.person_id)
    status = facts.person_status(session, person, on) if person else None
    members = facts.household_members(session, data.household_id, on)
    need = max(data.ytd_self_pay - data.threshold, Decimal("0.00"))
    opening = Opening(
        kind=ReliefKind.high_medical_burden,
        source=CaseSource.medical_event,
        household_id=data.household_id,
        county_code=data.county_code,
        township_code=person.township_code if person else None,
        village_code=person.village_code if person else None,
        persons=max(len(members), 1),
        occurred_on=on,
        poverty_status=status,
        person=person,
        assessed_need=need if need > 0 else None,
        description=(
            f"MED-4: self-pay {data.ytd_self_pay} in {data.year} above {data.threshold} "
            f"(stay {data.claim_id})"
        ),
        dedup_key=f"high_burden:{data.person_id}:{data.year}",
        facts={
            "event_id": envelope.id,
            "claim_id": data.claim_id,
            "year": data.year,
            "ytd_self_pay": str(data.ytd_self_pay),
            "threshold": str(data.threshold),
        },
    )
    # Registry events travel on another topic and may come later: a person not yet in the read
    # model gets the case on the county's desk, status unknown; the county decides with what it
    # knows.
    trace = Trace()
    trace.step(
        "MED-4",
        "still in hardship after the 90% guarantee: referred to civil affairs",
        ytd_self_pay=data.ytd_self_pay,
        threshold=data.threshold,
        assessed_need=need,
    )
    if person is not None and not check_eligible(uow, opening, trace):
        log.info("high_burden_not_eligible", event_id=envelope.id, status=status)
        return None
    system = Principal(subject=f"event:{envelope.id}", roles=frozenset({Role.service}), scope="")
    return open_case(replace(uow, principal=system), opening, Role.service, trace)


# --- disaster declarations ----------------------------------------------------------------------


def from_declaration(
    uow: UnitOfWork, body: DeclarationIn
) -> tuple[ReliefDeclaration, list[ReliefCase]]:
    """自然灾害: one case per household, in one transaction; any bad household rejects the whole
    declaration with every error listed, nothing written."""
    session, principal = uow.session, uow.principal
    uow.principal.guard(body.township_code)
    errors: list[FieldError] = []
    openings: list[tuple[Opening, Trace]] = []
    seen: set[str] = set()
    for i, item in enumerate(body.households):
        field = f"households[{i}].household_id"
        if item.household_id in seen:
            errors.append(FieldError(field=field, reason="listed twice", value=item.household_id))
            continue
        seen.add(item.household_id)
        members = facts.household_members(session, item.household_id, body.occurred_on)
        if not members:
            errors.append(
                FieldError(field=field, reason="unknown household", value=item.household_id)
            )
            continue
        head = members[0]
        if head.township_code != body.township_code:
            errors.append(
                FieldError(
                    field=field,
                    reason=f"the household lives in township {head.township_code}",
                    value=item.household_id,
                )
            )
            continue
        opening = Opening(
            kind=ReliefKind.disaster,
            source=CaseSource.disaster_declaration,
            household_id=item.household_id,
            county_code=head.county_code,
            township_code=head.township_code,
            village_code=head.village_code,
            persons=len(members),
            occurred_on=body.occurred_on,
            poverty_status=facts.household_status(session, members, body.occurred_on),
            person=head,
            assessed_need=item.assessed_need,
            description=body.description,
            dedup_key=None,
        )
        trace = Trace()
        verdict = check_eligible(uow, opening, trace)
        if not verdict:
            errors.append(
                FieldError(
                    field=field, reason=f"not eligible: {verdict.reason}", value=item.household_id
                )
            )
            continue
        openings.append((opening, trace))
    if errors:
        raise InvalidInput(
            f"{len(errors)} household(s) of the declaration are not valid; nothing was recorded",
            errors=errors,
        )
    declaration = add_declaration(
        session,
        ReliefDeclaration(
            county_code=body.county_code,
            township_code=body.township_code,
            occurred_on=body.occurred_on,
            description=body.description,
            households=len(openings),
            declared_by=principal.subject,
        ),
    )
    role = _role(principal, *OPENER_ROLES, Role.county_civil)
    cases = []
    for opening, trace in openings:
        opening.declaration_id = declaration.id
        opening.dedup_key = f"disaster:{declaration.id}:{opening.household_id}"
        case = open_case(uow, opening, role, trace)
        assert case is not None
        cases.append(case)
    return declaration, cases


# --- childbirth and relocation ------------------------------------------------------------------


def delivery_key(person_id: str, birth_date: date) -> str:
    """WEL-6: a hospital delivery (住院分娩) is the mother and the day she gave birth. The birth
    date is on the birth certificate (出生医学证明) the township sees; a hospital's record number
    differs between hospitals and is often not given, so it is kept as a fact, not the key. One
    mother cannot deliver twice on one day: twins are one delivery, paid once."""
    return f"childbirth:{person_id}:{birth_date.isoformat()}"


def from_childbirth(uow: UnitOfWork, body: ChildbirthIn) -> ReliefCase:
    """YA-GOV §三(七) 对贫困家庭孕产妇住院分娩给予400元/人一次性生活救助: a lump sum for each
    delivery (一次性: paid in one go, not once in a life). The same delivery reported twice opens
    one case, also under a race (the unique `dedup_key`); a later delivery pays again."""
    session = uow.session
    person = facts.person_by_id_number(session, body.id_number)
    if person is None:
        raise _invalid("the mother is not in the poverty registry", "id_number", "not registered")
    uow.principal.guard(person.village_code)
    key = delivery_key(person.person_id, body.birth_date)
    if ReliefCases(session, None).with_key(key) is not None:
        raise _same_delivery(uow, key)
    members = facts.household_members(session, person.household_id, body.birth_date)
    opening = Opening(
        kind=ReliefKind.childbirth,
        source=CaseSource.childbirth,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        persons=1,
        occurred_on=body.birth_date,
        poverty_status=facts.person_status(session, person, body.birth_date),
        person=person,
        description=f"住院分娩 {body.hospital}",
        dedup_key=key,
        facts={
            "hospital": body.hospital,
            "hospital_record_number": body.hospital_record_number,
            "household_size": len(members),
        },
    )
    trace = Trace()
    _require_eligible(uow, opening, trace, "id_number")
    case = open_case(uow, opening, _role(uow.principal, *OPENER_ROLES), trace)
    if case is None:
        raise _same_delivery(uow, key)
    return case


def _same_delivery(uow: UnitOfWork, key: str) -> Conflict:
    case_id = ReliefCases(uow.session, None).with_key(key)
    return Conflict(
        f"this delivery already has childbirth relief (case {case_id}): 400 yuan once per "
        "delivery (WEL-6)"
    )


def from_relocation(uow: UnitOfWork, body: RelocationIn) -> tuple[ReliefCase, list[str]]:
    """易地扶贫搬迁: one case for the household's move, covering the members not yet relieved."""
    members = _household(uow, body.household_id, body.relocated_on, "household_id")
    by_id = {m.person_id: m for m in members}
    if body.person_ids is not None:
        unknown = [p for p in body.person_ids if p not in by_id]
        if unknown or len(set(body.person_ids)) != len(body.person_ids):
            raise InvalidInput(
                "person_ids must be distinct living members of the household",
                errors=[
                    FieldError(
                        field=f"person_ids[{body.person_ids.index(p)}]",
                        reason="not a member",
                        value=p,
                    )
                    for p in unknown
                ]
                or [FieldError(field="person_ids", reason="listed twice")],
            )
        movers = [by_id[p] for p in body.person_ids]
    else:
        movers = members
    done = ReliefCases(uow.session, None).already_relieved(
        ReliefKind.relocation.value, [m.person_id for m in movers]
    )
    todo = [m for m in movers if m.person_id not in done]
    if not todo:
        raise Conflict("every relocated member already has relocation relief (once; WEL-6)")
    head = members[0]
    opening = Opening(
        kind=ReliefKind.relocation,
        source=CaseSource.relocation,
        household_id=body.household_id,
        county_code=head.county_code,
        township_code=head.township_code,
        village_code=head.village_code,
        persons=len(todo),
        occurred_on=body.relocated_on,
        poverty_status=facts.household_status(uow.session, members, body.relocated_on),
        person=head,
        description="易地扶贫搬迁一次性临时救助",
        beneficiaries=[m.person_id for m in todo],
        facts={"person_ids": [m.person_id for m in todo], "already_relieved": sorted(done)},
    )
    trace = Trace()
    _require_eligible(uow, opening, trace, "household_id")
    case = open_case(uow, opening, _role(uow.principal, *OPENER_ROLES), trace)
    if case is None:
        raise Conflict("relocation relief was opened for these people meanwhile; read again")
    return case, sorted(done)


# --- essential-spending detector ----------------------------------------------------------------


def declare_spending(
    uow: UnitOfWork, body: SpendingIn
) -> tuple[list[SpendingMonth], SpendingTrigger, ReliefCase | None]:
    """Record (or correct) one month, run the 3×-for-3-months rule over the household's months,
    and open one case for a qualifying run that has none yet."""
    members = _household(uow, body.household_id, body.month, "household_id")
    head = members[0]
    months = declare_month(
        uow.session,
        {
            "household_id": body.household_id,
            "county_code": head.county_code,
            "township_code": head.township_code,
            "village_code": head.village_code,
            "month": body.month,
            "essential_spending": body.essential_spending_per_capita,
            "per_capita_monthly_income": body.per_capita_monthly_income,
            "declared_by": uow.actor,
            "declared_at": utcnow(),
        },
    )
    latest = months[-1].month
    trace = Trace()
    trigger = essential_spending_trigger(
        [
            MonthlySpending(
                m.month, Decimal(m.essential_spending), Decimal(m.per_capita_monthly_income)
            )
            for m in months
        ],
        uow.params(head.county_code, latest),
        trace=trace,
    )
    if not trigger.triggered:
        return months, trigger, None
    run_start, run_end = trigger.run[0], trigger.run[-1]
    if _run_has_case(uow, body.household_id, run_start, run_end):
        return months, trigger, None
    opening = Opening(
        kind=ReliefKind.essential_spending,
        source=CaseSource.spending_detector,
        household_id=body.household_id,
        county_code=head.county_code,
        township_code=head.township_code,
        village_code=head.village_code,
        persons=len(members),
        occurred_on=run_end,
        poverty_status=facts.household_status(uow.session, members, run_end),
        person=head,
        description="月人均生活必需支出连续3个月达到家庭人均月收入的3倍及以上",
        dedup_key=f"spending:{body.household_id}:{run_start.isoformat()}",
        facts={"run": [m.isoformat() for m in trigger.run]},
    )
    if not check_eligible(uow, opening, trace):
        trace.step(WEL_6, "the run qualifies but the household's status is not eligible: no case")
        return months, trigger, None
    case = open_case(uow, opening, _role(uow.principal, *OPENER_ROLES, Role.county_civil), trace)
    return months, trigger, case


def _run_has_case(uow: UnitOfWork, household_id: str, run_start: date, run_end: date) -> bool:
    """A run that keeps going (or grows) is the same occasion: a spending case whose run overlaps
    this one covers it."""
    return any(
        run and run[0] <= run_end and run_start <= run[-1]
        for run in ReliefCases(uow.session, None).spending_runs(household_id)
    )
