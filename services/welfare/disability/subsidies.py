"""The monthly disability subsidies (WEL-4) in the payment cycle: every disabled person of the
register is computed each month (nursing by grade, living in hardship), a ledger row per person,
scheme and month with its trace, paid as the cycle's own lines into the person's account —
recorded, their dibao household's, or their social security card from the registry — or held
until one is known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from services.welfare.disability.models import (
    DisabilitySubsidy,
    DisabledPerson,
    PayeeAccount,
)
from services.welfare.disability.register import set_grade
from services.welfare.disability.repository import (
    Accounts,
    DisabledPeople,
    Grades,
    Subsidies,
    dibao_members_in,
    tekun_in,
)
from services.welfare.disability.rules import (
    GradeChange,
    Hardship,
    Scheme,
    SubsidyFacts,
    month_first,
    month_last,
    month_subsidy,
)
from services.welfare.payments.withholding import DISABILITY_SHARE, withhold
from services.welfare.registry.repository import RegistryPeople, registry_accounts
from shared.bus.tables import utcnow
from shared.ids import parse_resident_id
from shared.money import ZERO
from shared.trace import Trace
from shared.uow import UnitOfWork

SCHEME_ZH = {
    Scheme.nursing.value: "重度残疾人护理补贴",
    Scheme.living.value: "困难残疾人生活补贴",
    "nursing_bp": "重度残疾人护理补贴调标补发",
    "living_bp": "困难残疾人生活补贴调标补发",
}


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
            set_grade(uow, person, grade, since, f"dibao_case {case.id} v{case.version}")
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


def payees(uow: UnitOfWork, people: dict[int, DisabledPerson]) -> dict[int, Payee]:
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
    accounts = payees(uow, people)
    now = utcnow()
    lines: list[dict[str, Any]] = []
    still, amount = 0, ZERO
    # What each person still owes of an overpayment (WEL-4 recalculated), less what is withheld.
    owed = {k: Decimal(p.clawback_balance) for k, p in people.items() if p.clawback_balance}
    for row in held:
        account = accounts.get(row.disabled_person_id)
        if account is None:
            still, amount = still + 1, amount + Decimal(row.amount)
            continue
        person = people[row.disabled_person_id]
        row.status, row.cycle_id, row.updated_at = "paid", cycle_id, now
        uow.session.add(row)
        pay, basis = Decimal(row.amount), f"{row.basis}; ledger {row.id}"
        held_back = withhold(
            uow, county, row.month, pay, owed.get(person.id or 0, ZERO), DISABILITY_SHARE
        )
        if held_back:
            owed[person.id or 0] -= held_back
            pay -= held_back
            basis = f"{row.basis}; {held_back} withheld towards an overpayment; ledger {row.id}"
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
                "amount": pay,
                "basis": basis[:200],
                "status": "due",
                "failure_reason": None,
                "updated_at": now,
            }
        )
    for key, left in owed.items():
        withheld = Decimal(people[key].clawback_balance) - left
        if withheld:
            # Relative, never below zero: a write-off committed meanwhile stays written off.
            uow.session.execute(
                update(DisabledPerson)
                .where(
                    col(DisabledPerson.id) == key,
                    col(DisabledPerson.clawback_balance) >= withheld,
                )
                .values(clawback_balance=DisabledPerson.clawback_balance - withheld)
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
