"""The shell of disability support (残疾人保障): the register of disabled people kept from the
registry's events, dibao households' facts and enrolments; payee accounts; the monthly subsidies
(WEL-4) the payment cycle pays as their own schemes, with a ledger per person and month; and the
rehabilitation cases of 正安 (WEL-10, WEL-11, WEL-12).

No application is needed for the subsidies: whoever the register holds with a grade is
computed every month. Who is in hardship is read from welfare's own records in the month (a
dibao household the person is an active member of, with its category; 特困供养 in force),
else, for a person enrolled from outside the registry, the hardship the officer recorded.

The payee account of a member of a household on dibao is the household's (its 一卡通 account,
taken from the dibao case at each cycle); a 特困 case holds no account, so 特困 people and
everyone else have theirs recorded by the township or the 县残联 (which then wins). A line
without an account is kept in the ledger as `held_no_account` and paid, as arrears month by
month, by the first cycle after an account is recorded.

Events: none is published. Enrollment's pension (ENR-P4) and medical read the grade from the
registry's own events, and no other department pays on these subsidies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.disability.models import (
    DisabilityGrade,
    DisabilitySubsidy,
    DisabledPerson,
    PayeeAccount,
    RehabCase,
    RehabGrant,
)
from services.welfare.disability.repository import (
    Accounts,
    DisabledPeople,
    Grades,
    RehabCases,
    RehabGrants,
    Subsidies,
    dibao_category_on,
    dibao_members_in,
    tekun_in,
    tekun_on,
)
from services.welfare.disability.rules import (
    RULE_OF,
    GradeChange,
    Hardship,
    RehabFacts,
    RehabKind,
    Scheme,
    SubsidyFacts,
    drug_issue,
    hospital_month,
    month_first,
    month_last,
    month_subsidy,
    rehab_eligibility,
)
from services.welfare.disability.schemas import (
    GRANTS_OF,
    AccountIn,
    AccountOut,
    EnrolIn,
    GradeOut,
    GrantIn,
    GrantOut,
    PersonDetail,
    PersonIn,
    PersonOut,
    RehabDetail,
    RehabIn,
    RehabOut,
    SubsidyOut,
)
from services.welfare.registry.repository import RegistryPeople, registry_accounts
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.events.catalogue import EventData
from shared.events.registry import (
    PersonDeceased,
    PersonDisabilityCertified,
    PersonFacts,
    PersonMoved,
)
from shared.ids import mask_account, parse_resident_id
from shared.money import ZERO
from shared.policy.loader import ParameterNotFound
from shared.roles import Role
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork

SCHEME_ZH = {Scheme.nursing.value: "重度残疾人护理补贴", Scheme.living.value: "困难残疾人生活补贴"}
ENROLLERS = (Role.township_officer, Role.county_disability)
DECIDERS = (Role.county_disability,)


# --- the register -------------------------------------------------------------------------


def _set_grade(
    uow: UnitOfWork, person: DisabledPerson, grade: int | None, valid_from: date, source: str
) -> None:
    """A new grade in force from `valid_from`, kept in the history when it changes."""
    if person.id is not None and person.grade == grade:
        return
    person.grade = grade
    person.updated_at = utcnow()
    uow.session.add(person)
    uow.session.flush()
    assert person.id is not None
    Grades(uow.session).add(
        DisabilityGrade(
            disabled_person_id=person.id,
            grade=grade,
            valid_from=valid_from,
            source=source[:120],
        )
    )


def _event_source(uow: UnitOfWork) -> str:
    return f"event:{uow.envelope.id}"


def on_person_facts(uow: UnitOfWork, data: EventData) -> None:
    """person.registered / person.updated: a registered person with a grade enters the register
    (or has it changed, from the event's day); a grade withdrawn is recorded as none."""
    assert isinstance(data, PersonFacts)
    people = DisabledPeople(uow.session, None)
    person = people.by_person_id(data.person_id) or people.by_id_number(data.id_number)
    if person is None and data.disability_grade is None:
        return
    if person is None:
        person = DisabledPerson(
            id_number=data.id_number,
            name=data.name,
            birth_date=data.birth_date,
            county_code=data.county_code,
            township_code=data.township_code,
            village_code=data.village_code,
            source="registry",
            created_by=_event_source(uow)[:120],
        )
    person.person_id = data.person_id
    person.name = data.name
    person.household_id = data.household_id
    person.county_code, person.township_code = data.county_code, data.township_code
    person.village_code = data.village_code
    if data.disability_grade is not None or person.source == "registry":
        person.source = "registry"
        _set_grade(uow, person, data.disability_grade, uow.today(), _event_source(uow))
    uow.session.add(person)


def on_certified(uow: UnitOfWork, data: EventData) -> None:
    """person.disability_certified: the certificate's grade, from the day welfare learns it."""
    assert isinstance(data, PersonDisabilityCertified)
    people = DisabledPeople(uow.session, None)
    person = people.by_person_id(data.person_id) or people.by_id_number(data.id_number)
    if person is None:
        registered = RegistryPeople(uow.session).by_id_number(data.id_number)
        if registered is None:
            return  # the registry's own event comes first; nothing to pay on yet
        person = DisabledPerson(
            id_number=data.id_number,
            person_id=data.person_id,
            name=registered.name,
            birth_date=registered.birth_date,
            household_id=data.household_id,
            county_code=data.county_code,
            township_code=registered.township_code,
            village_code=data.village_code,
            source="registry",
            created_by=_event_source(uow)[:120],
        )
    person.person_id = data.person_id
    person.source = "registry"
    _set_grade(uow, person, data.grade, uow.today(), _event_source(uow))


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """person.deceased: paid through the month of death, nothing after (WEL-4)."""
    assert isinstance(data, PersonDeceased)
    person = DisabledPeople(uow.session, None).by_person_id(data.person_id)
    if person is not None:
        person.deceased_on = data.deceased_on
        person.updated_at = utcnow()
        uow.session.add(person)


def on_moved(uow: UnitOfWork, data: EventData) -> None:
    """person.moved: the person's subsidies follow them to the new village."""
    assert isinstance(data, PersonMoved)
    person = DisabledPeople(uow.session, None).by_person_id(data.person_id)
    if person is not None:
        person.household_id = data.to_household_id
        person.county_code, person.township_code = data.county_code, data.township_code
        person.village_code = data.village_code
        person.updated_at = utcnow()
        uow.session.add(person)


def _new_person(uow: UnitOfWork, body: PersonIn, source: str) -> DisabledPerson:
    uow.principal.guard(body.village_code)
    people = DisabledPeople(uow.session, None)
    if people.by_id_number(body.id_number) is not None:
        raise Conflict("the person is in the disability register already")
    registered = RegistryPeople(uow.session).by_id_number(body.id_number)
    if registered is not None:
        raise Conflict(
            f"the person is in the registry ({registered.person_id}): the grade comes with the "
            "registry's certificate event; name them by person_id"
        )
    today = uow.today()
    born = parse_resident_id(body.id_number, today=today).birth_date
    village = body.village_code
    person = DisabledPerson(
        id_number=body.id_number,
        name=body.name,
        birth_date=born,
        household_id="",
        county_code=village[:6],
        township_code=village[:9],
        village_code=village,
        source=source,
        certificate_no=body.certificate_no,
        hardship=body.hardship.value,
        dibao_category=body.dibao_category,
        diagnosis=body.diagnosis,
        created_by=uow.actor,
    )
    people.add(person, flush=True)
    if body.grade is not None:
        _set_grade(uow, person, body.grade, today, f"enrolled by {uow.actor}")
    return person


def enrol(uow: UnitOfWork, body: EnrolIn) -> DisabledPerson:
    """A disabled person outside the registry enters the register (township or 县残联), with
    their certificate's grade from today, their hardship and, if known, their account."""
    person = _new_person(uow, body, "application")
    if body.account is not None:
        set_account(uow, person, body.account)
    uow.session.flush()
    return person


def set_account(uow: UnitOfWork, person: DisabledPerson, body: AccountIn) -> PayeeAccount:
    """Record the person's payee account (一卡通); it wins over the dibao household's."""
    assert person.id is not None
    accounts = Accounts(uow.session)
    row = accounts.of([person.id]).get(person.id)
    if row is None:
        row = PayeeAccount(
            disabled_person_id=person.id,
            village_code=person.village_code,
            payee_name=body.payee_name,
            payee_id_number=body.payee_id_number,
            bank_name=body.bank_name,
            bank_account=body.bank_account,
            source="recorded",
            recorded_by=uow.actor,
        )
    else:
        row.payee_name, row.payee_id_number = body.payee_name, body.payee_id_number
        row.bank_name, row.bank_account = body.bank_name, body.bank_account
        row.source, row.recorded_by, row.updated_at = "recorded", uow.actor, utcnow()
    accounts.add(row)
    uow.session.flush()
    return row


# --- the monthly subsidies (WEL-4) in the payment cycle ------------------------------------


def _sync_dibao(uow: UnitOfWork, county: str, first: date, last: date) -> dict[str, str]:
    """Members of households on dibao in the month: a member's grade in the dibao facts enters
    the register (when the registry has none), the household's account becomes theirs (unless
    one was recorded). Returns id_number -> dibao category."""
    people = DisabledPeople(uow.session, None)
    categories: dict[str, str] = {}
    for id_number, case in dibao_members_in(uow.session, county, first, last):
        categories.setdefault(id_number, case.category)
        facts = next((m for m in case.members if m.get("id_number") == id_number), None)
        grade = facts.get("disability_grade") if facts else None
        person = people.by_id_number(id_number)
        if person is None and grade is not None:
            registered = RegistryPeople(uow.session).by_id_number(id_number)
            person = DisabledPerson(
                id_number=id_number,
                person_id=registered.person_id if registered else None,
                name=facts["name"] if facts else id_number,
                birth_date=parse_resident_id(id_number, today=last).birth_date,
                household_id=case.household_id,
                county_code=case.county_code,
                township_code=case.township_code,
                village_code=case.village_code,
                source="dibao",
                created_by=f"dibao_case {case.id}",
            )
        if person is None:
            continue
        if person.source == "dibao" and grade != person.grade:
            since = max(case.effective_from, case.last_review_on)
            _set_grade(uow, person, grade, since, f"dibao_case {case.id} v{case.version}")
        assert person.id is not None or person.grade is None
        if person.id is None:
            continue
        accounts = Accounts(uow.session)
        account = accounts.of([person.id]).get(person.id)
        if account is None or account.source == "dibao":
            account = account or PayeeAccount(
                disabled_person_id=person.id,
                village_code=case.village_code,
                payee_name="",
                payee_id_number="",
                bank_name="",
                bank_account="",
                source="dibao",
                recorded_by=f"dibao_case {case.id}",
            )
            account.payee_name, account.payee_id_number = case.payee_name, case.payee_id_number
            account.bank_name, account.bank_account = case.bank_name, case.bank_account
            account.village_code, account.updated_at = case.village_code, utcnow()
            accounts.add(account)
    uow.session.flush()
    return categories


def _hardship(
    person: DisabledPerson, categories: dict[str, str], tekun: set[str]
) -> tuple[Hardship, str | None]:
    category = categories.get(person.id_number)
    if category is not None:
        return Hardship.dibao, category
    if person.person_id is not None and person.person_id in tekun:
        return Hardship.tekun, None
    if person.source == "application" and person.hardship != Hardship.none.value:
        return Hardship(person.hardship), person.dibao_category
    return Hardship.none, None


@dataclass
class CycleSubsidies:
    lines: list[dict[str, Any]]
    held_lines: int
    held_amount: Decimal


def cycle_subsidies(uow: UnitOfWork, cycle_id: int, county: str, month: date) -> CycleSubsidies:
    """WEL-4 for the county's cycle of `month`: every disabled person of the register alive in
    the month gets a ledger row per scheme owed (nursing by grade, living in hardship); the
    rows with an account and those held before whose account has since been recorded become
    the cycle's payment lines (returned); the rest stay held."""
    first, last = month_first(month), month_last(month)
    categories = _sync_dibao(uow, county, first, last)
    tekun = tekun_in(uow.session, county, first, last)
    people = DisabledPeople(uow.session, None).of_county(county, first)
    ids = [p.id for p in people if p.id is not None]
    history = Grades(uow.session).history(ids)
    ledger = Subsidies(uow.session, None)
    done = ledger.keys_of_month(county, first)
    params = uow.params(county, first)
    for person in people:
        assert person.id is not None
        grades = tuple(GradeChange(g.grade, g.valid_from) for g in history.get(person.id, []))
        if not grades:
            continue
        hardship, category = _hardship(person, categories, tekun)
        trace = Trace()
        result = month_subsidy(
            SubsidyFacts(first, grades, hardship, category, person.deceased_on),
            params,
            trace=trace,
        )
        stored = trace.out().model_dump(mode="json")
        for scheme, amount in ((Scheme.nursing, result.nursing), (Scheme.living, result.living)):
            if amount <= 0 or (person.id, scheme.value) in done:
                continue
            assert result.grade is not None
            what = f"category {category}" if category else hardship.value
            basis = f"WEL-4 {SCHEME_ZH[scheme.value]} grade {result.grade}" + (
                f", {what}" if scheme is Scheme.living else ""
            )
            ledger.add(
                DisabilitySubsidy(
                    disabled_person_id=person.id,
                    scheme=scheme.value,
                    month=first,
                    amount=amount,
                    grade=result.grade,
                    hardship=hardship.value,
                    county_code=county,
                    township_code=person.township_code,
                    village_code=person.village_code,
                    basis=basis,
                    status="held_no_account",
                    trace=stored,
                )
            )
    uow.session.flush()
    return _pay_held(uow, cycle_id, county)


@dataclass(frozen=True)
class Payee:
    payee_name: str
    payee_id_number: str
    bank_name: str
    bank_account: str
    source: str  # recorded | dibao | registry (社保卡)
    recorded_by: str


def _payees(uow: UnitOfWork, people: dict[int, DisabledPerson]) -> dict[int, Payee]:
    """Where each person is paid: an account recorded for them (or their dibao household's),
    else the social security card account the registry reported (社保卡, in their own name)."""
    recorded = Accounts(uow.session).of(sorted(people))
    cards = registry_accounts(
        uow.session, {p.person_id for p in people.values() if p.person_id is not None}
    )
    payees: dict[int, Payee] = {}
    for key, person in people.items():
        account = recorded.get(key)
        card = cards.get(person.person_id) if person.person_id else None
        if account is not None:
            payees[key] = Payee(
                account.payee_name,
                account.payee_id_number,
                account.bank_name,
                account.bank_account,
                account.source,
                account.recorded_by,
            )
        elif card is not None:
            payees[key] = Payee(
                person.name,
                person.id_number,
                card.bank_name,
                card.bank_account,
                "registry",
                f"event:{card.source_event_id}",
            )
    return payees


def _pay_held(uow: UnitOfWork, cycle_id: int, county: str) -> CycleSubsidies:
    """Held ledger rows whose person now has an account become lines of the cycle."""
    ledger = Subsidies(uow.session, None)
    held = ledger.held(county)
    ids = sorted({row.disabled_person_id for row in held})
    people = DisabledPeople(uow.session, None).by_ids(ids)
    accounts = _payees(uow, people)
    now = utcnow()
    lines: list[dict[str, Any]] = []
    still, amount = 0, ZERO
    for row in held:
        account = accounts.get(row.disabled_person_id)
        if account is None:
            still, amount = still + 1, amount + Decimal(row.amount)
            continue
        person = people[row.disabled_person_id]
        row.status, row.cycle_id, row.updated_at = "paid", cycle_id, now
        uow.session.add(row)
        lines.append(
            {
                "cycle_id": cycle_id,
                "county_code": county,
                "township_code": row.township_code,
                "village_code": row.village_code,
                "scheme": row.scheme,
                "beneficiary": person.person_id or person.id_number,
                "household_id": person.household_id or "-",
                "month": row.month,
                "attempt": 1,
                "payee_name": account.payee_name,
                "payee_id_number": account.payee_id_number,
                "bank_name": account.bank_name,
                "bank_account": account.bank_account,
                "amount": row.amount,
                "basis": f"{row.basis}; ledger {row.id}"[:200],
                "status": "due",
                "failure_reason": None,
                "updated_at": now,
            }
        )
    uow.session.flush()
    return CycleSubsidies(lines, still, amount)


def held_totals(uow: UnitOfWork, county: str, month: date) -> list[tuple[str, str, int, Decimal]]:
    """(township, scheme, rows, amount) held for want of an account, months up to `month`, in
    the caller's jurisdiction (the payment summary lists them)."""
    return [
        (t, s, n, Decimal(a).quantize(Decimal("0.01")))
        for t, s, n, a in Subsidies(uow.session, uow.principal).held_totals(county, month)
    ]


# --- reading the register and the ledger ---------------------------------------------------


def subsidy_out(row: DisabilitySubsidy) -> SubsidyOut:
    return SubsidyOut.model_validate(row, from_attributes=True)


def detail(uow: UnitOfWork, person: DisabledPerson) -> PersonDetail:
    assert person.id is not None
    grades = Grades(uow.session).history([person.id]).get(person.id, [])
    account = _payees(uow, {person.id: person}).get(person.id)
    subsidies = [subsidy_out(r) for r in Subsidies(uow.session, None).of_person(person.id)]
    return PersonDetail(
        **PersonOut.model_validate(person, from_attributes=True).model_dump(),
        grades=[GradeOut.model_validate(g, from_attributes=True) for g in grades],
        account=None
        if account is None
        else AccountOut(
            payee_name=account.payee_name,
            bank_name=account.bank_name,
            bank_account=mask_account(account.bank_account),
            source=account.source,
            recorded_by=account.recorded_by,
        ),
        subsidies=subsidies,
        illustrative_parameters=illustrative_of(*(s.trace for s in subsidies)),
    )


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
        people.add(person, flush=True)
        if registered.disability_grade is not None:
            _set_grade(uow, person, registered.disability_grade, uow.today(), "registry")
        return person
    assert body.person is not None
    return _new_person(uow, body.person, "application")


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
    grants.add(row, flush=True)
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
