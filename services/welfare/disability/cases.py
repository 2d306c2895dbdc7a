"""Rehabilitation cases of 正安 (WEL-10, WEL-11, WEL-12): application by the township or the
县残联, the decision by a 县残联 officer other than the applicant (eligibility by the rule, with
its trace), the grants ledger and its export for county staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.disability.models import (
    DisabledPerson,
    RehabCase,
    RehabGrant,
)
from services.welfare.disability.register import ENROLLERS, new_person, set_grade
from services.welfare.disability.repository import (
    DisabledPeople,
    RehabCases,
    RehabGrants,
    dibao_category_on,
    tekun_on,
)
from services.welfare.disability.rules import (
    RULE_OF,
    Hardship,
    RehabFacts,
    RehabKind,
    drug_issue,
    hospital_month,
    rehab_eligibility,
)
from services.welfare.disability.schemas import (
    GRANTS_OF,
    GrantIn,
    GrantOut,
    RehabDetail,
    RehabIn,
    RehabOut,
)
from services.welfare.registry.repository import RegistryPeople
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.money import ZERO
from shared.policy.loader import ParameterNotFound
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

DECIDERS = (Role.county_disability,)


# --- rehabilitation cases (WEL-10, WEL-11, WEL-12) -----------------------------------------


def _person_for_case(uow: UnitOfWork, body: RehabIn) -> DisabledPerson:
    people = DisabledPeople(uow.session, uow.principal)
    if body.disabled_person_id is not None:
        return people.get_or_404(body.disabled_person_id)
    if body.person_id is not None:
        registered = RegistryPeople(uow.session, uow.principal).get_or_404(body.person_id)
        if registered.deceased_on is not None:
            raise Conflict(f"the person died on {registered.deceased_on.isoformat()}")
        found = DisabledPeople(uow.session, None).by_id_number(registered.id_number)
        if found is not None:
            return found
        person = DisabledPerson(
            id_number=registered.id_number,
            person_id=registered.person_id,
            name=registered.name,
            birth_date=registered.birth_date,
            household_id=registered.household_id,
            county_code=registered.county_code,
            township_code=registered.township_code,
            village_code=registered.village_code,
            source="registry",
            created_by=uow.actor,
        )
        if not people.add_new(person):
            # Entered from the registry at the same moment by another request.
            concurrent = DisabledPeople(uow.session, None).by_id_number(registered.id_number)
            assert concurrent is not None
            return concurrent
        if registered.disability_grade is not None:
            set_grade(uow, person, registered.disability_grade, uow.today(), "registry")
        return person
    assert body.person is not None
    return new_person(uow, body.person, "application")


def _require(uow: UnitOfWork, roles: tuple[Role, ...], what: str) -> Role:
    for role in roles:
        if uow.principal.has(role):
            return role
    raise Forbidden(f"{what} is for {', '.join(r.value for r in roles)}")


def apply_case(uow: UnitOfWork, body: RehabIn) -> RehabCase:
    """An application for rehabilitation assistance, by the township or the 县残联."""
    _require(uow, ENROLLERS, "an application")
    person = _person_for_case(uow, body)
    assert person.id is not None
    if body.diagnosis and not person.diagnosis:
        person.diagnosis = body.diagnosis
        uow.session.add(person)
    case = RehabCase(
        disabled_person_id=person.id,
        kind=body.kind.value,
        rule=RULE_OF[body.kind],
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        request=body.request,
        stay_from=body.stay_from,
        stay_to=body.stay_to,
        status="applied",
        applied_on=uow.today(),
        applied_by=uow.actor,
    )
    RehabCases(uow.session, None).add(case, flush=True)
    return case


def _hardship_on(uow: UnitOfWork, person: DisabledPerson, on: date) -> Hardship:
    if dibao_category_on(uow.session, person.id_number, on) is not None:
        return Hardship.dibao
    if person.person_id is not None and tekun_on(uow.session, person.person_id, on):
        return Hardship.tekun
    if person.source == "application":
        return Hardship(person.hardship)
    return Hardship.none


def _missing_parameter(exc: ParameterNotFound, county: str, rule: str) -> InvalidInput:
    return InvalidInput(
        f"county {county} has no figure for this assistance ({rule}: 正安's programme, "
        "ZA-GOV §三(二)5)",
        errors=[FieldError(field=str(exc.args[0]) if exc.args else "parameter", reason=str(exc))],
    )


def decide(uow: UnitOfWork, case_id: int, approve: bool, note: str) -> RehabCase:
    """The 县残联 decides, never the officer who applied; the rule's eligibility is checked and
    kept with its trace: an ineligible case cannot be approved (409)."""
    _require(uow, DECIDERS, "a decision")
    case = RehabCases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    if case.status != "applied":
        raise Conflict(f"the case is {case.status} already")
    if case.applied_by == uow.actor:
        raise Forbidden("the officer who applied may not decide the case")
    person = DisabledPeople(uow.session, None).get_or_404(case.disabled_person_id)
    on = uow.today()
    registered = RegistryPeople(uow.session).find(person.person_id) if person.person_id else None
    facts = RehabFacts(
        kind=RehabKind(case.kind),
        on=on,
        birth_date=person.birth_date,
        grade=person.grade,
        diagnosis=bool(person.diagnosis),
        hardship=_hardship_on(uow, person, on),
        poverty_status=None if registered is None else str(registered.poverty_status),
    )
    try:
        result = rehab_eligibility(facts, uow.params(case.county_code, on))
    except ParameterNotFound as exc:
        raise _missing_parameter(exc, case.county_code, case.rule) from exc
    if approve and not result.eligible:
        raise Conflict(
            "the case does not meet the rule: " + "; ".join(result.reasons),
        )
    case.status = "approved" if approve else "refused"
    case.decided_on, case.decided_by = on, uow.actor
    case.decision_note = note or None
    case.eligible, case.reasons = result.eligible, list(result.reasons)
    case.trace = result.trace.out().model_dump(mode="json")
    case.updated_at = utcnow()
    uow.session.add(case)
    uow.session.flush()
    return case


def grant(uow: UnitOfWork, case_id: int, body: GrantIn) -> RehabGrant:
    """Record what an approved case was given: a month of the stay paid (once), drugs against
    the year's entitlement, a device, an adaptation, sessions."""
    _require(uow, (Role.county_disability, Role.township_officer), "a grant")
    case = RehabCases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    if case.status != "approved":
        raise Conflict(f"the case is {case.status}; only an approved case is granted")
    kind = RehabKind(case.kind)
    if body.kind not in GRANTS_OF[kind]:
        raise InvalidInput(
            f"a {kind.value} case is granted {', '.join(GRANTS_OF[kind])}",
            errors=[FieldError(field="kind", reason="not a grant of this case", value=body.kind)],
        )
    if body.on > uow.today():
        raise InvalidInput(
            "a grant cannot be dated in the future",
            errors=[FieldError(field="on", reason="after today", value=body.on.isoformat())],
        )
    grants = RehabGrants(uow.session, None)
    params = uow.params(case.county_code, body.on)
    trace = Trace()
    amount: Decimal | None = None
    month = body.first_day
    try:
        if body.kind == "hospital_month":
            assert month is not None and case.stay_from is not None
            if grants.month_paid(case_id, month):
                raise Conflict(f"{month:%Y-%m} of the stay is paid already")
            try:
                amount = hospital_month(
                    month, case.stay_from, case.stay_to, params, bill=body.amount, trace=trace
                ).amount
            except ValueError as exc:
                raise InvalidInput(
                    str(exc), errors=[FieldError(field="month", reason=str(exc), value=body.month)]
                ) from exc
        elif body.kind == "drugs":
            assert body.amount is not None
            issued = grants.drugs_issued(case.disabled_person_id, body.on.year)
            try:
                amount = drug_issue(body.on, body.amount, issued, params, trace=trace).amount
            except ValueError as exc:
                raise Conflict(str(exc)) from exc
        else:
            trace.step(case.rule, f"{body.kind} granted in kind", item=body.item or "-")
    except ParameterNotFound as exc:
        raise _missing_parameter(exc, case.county_code, case.rule) from exc
    row = RehabGrant(
        case_id=case_id,
        kind=body.kind,
        on=body.on,
        month=month,
        amount=amount,
        quantity=body.quantity,
        item=body.item,
        village_code=case.village_code,
        township_code=case.township_code,
        trace=trace.out().model_dump(mode="json"),
        recorded_by=uow.actor,
    )
    if not grants.add_new(row):
        # The same month granted at the same moment by another request, which committed first.
        raise Conflict(f"{month:%Y-%m} of the stay is paid already")
    return row


def case_detail(uow: UnitOfWork, case: RehabCase) -> RehabDetail:
    assert case.id is not None
    grants = [
        GrantOut.model_validate(g, from_attributes=True)
        for g in RehabGrants(uow.session, None).of_case(case.id)
    ]
    total = sum((Decimal(g.amount) for g in grants if g.amount is not None), ZERO)
    return RehabDetail(
        **RehabOut.model_validate(case, from_attributes=True).model_dump(),
        grants=grants,
        granted_amount=total,
    )


LEDGER_HEADERS = [
    "乡镇",
    "村",
    "姓名",
    "身份证号码",
    "救助类别",
    "依据",
    "发放内容",
    "日期",
    "月份",
    "金额（元）",
    "数量",
]
KIND_ZH = {
    "mental_hospital": "住院精神病人住院费补助",
    "mental_home": "在家治疗精神病人免费药品",
    "device": "基础型辅助器具",
    "adaptation": "家居环境无障碍改造",
    "child_rehab": "0-6岁残疾儿童抢救性康复",
}
GRANT_ZH = {
    "hospital_month": "住院月补助",
    "drugs": "精神类药品",
    "device": "辅助器具",
    "adaptation": "无障碍改造",
    "sessions": "康复训练",
}


def ledger_rows(
    uow: UnitOfWork, county: str | None, township: str | None, year: int | None
) -> Iterator[list[Any]]:
    """The grants in the caller's jurisdiction, for the county staff's export (Chinese)."""
    found = RehabGrants(uow.session, uow.principal).ledger(
        county=county, township=township, year=year
    )
    people = DisabledPeople(uow.session, None).by_ids(
        sorted({case.disabled_person_id for _, case in found})
    )
    for g, case in found:
        person = people[case.disabled_person_id]
        yield [
            g.township_code,
            g.village_code,
            person.name,
            person.id_number,  # masked in the export for a role that does not act on the person
            KIND_ZH.get(case.kind, case.kind),
            case.rule,
            f"{GRANT_ZH.get(g.kind, g.kind)} {g.item}".strip(),
            g.on.isoformat(),
            f"{g.month:%Y-%m}" if g.month else "",
            f"{g.amount:.2f}" if g.amount is not None else "",
            g.quantity if g.quantity is not None else "",
        ]
