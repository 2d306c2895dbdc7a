"""The register of disabled people (残疾人保障): kept from the registry's events (grade, death,
moves), dibao households' facts and enrolments of people outside the registry, with the grade's
history; and the payee accounts recorded for them (WEL-4).

No application is needed for the subsidies: whoever the register holds with a grade is computed
every month (services/welfare/disability/subsidies.py). Events: none is published. Enrollment's
pension (ENR-P4) and medical read the grade from the registry's own events, and no other
department pays on these subsidies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col

from services.welfare.disability.models import (
    DisabilityGrade,
    DisabledPerson,
    PayeeAccount,
)
from services.welfare.disability.repository import (
    Accounts,
    DisabledPeople,
    Grades,
)
from services.welfare.disability.schemas import (
    AccountIn,
    EnrolIn,
    PersonIn,
)
from services.welfare.registry.repository import RegistryPeople
from services.welfare.workflow import Workflow, record_step
from shared.bus.tables import utcnow
from shared.errors import Conflict
from shared.events.catalogue import EventData
from shared.events.registry import (
    PersonDeceased,
    PersonDisabilityCertified,
    PersonFacts,
    PersonMoved,
)
from shared.ids import parse_resident_id
from shared.money import ZERO
from shared.roles import Role
from shared.uow import UnitOfWork

ENROLLERS = (Role.township_officer, Role.county_disability)


# --- the register -------------------------------------------------------------------------


def set_grade(
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
        set_grade(uow, person, data.disability_grade, uow.today(), _event_source(uow))
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
    set_grade(uow, person, data.grade, uow.today(), _event_source(uow))


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


def new_person(uow: UnitOfWork, body: PersonIn, source: str) -> DisabledPerson:
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
    if not people.add_new(person):
        # Enrolled at the same moment by another request, which committed first.
        raise Conflict("the person is in the disability register already")
    if body.grade is not None:
        set_grade(uow, person, body.grade, today, f"enrolled by {uow.actor}")
    return person


def enrol(uow: UnitOfWork, body: EnrolIn) -> DisabledPerson:
    """A disabled person outside the registry enters the register (township or 县残联), with
    their certificate's grade from today, their hardship and, if known, their account."""
    person = new_person(uow, body, "application")
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
        if accounts.add_new(row):
            return row
        # Recorded at the same moment by another request: this one is written over it.
        row = accounts.of([person.id])[person.id]
    row.payee_name, row.payee_id_number = body.payee_name, body.payee_id_number
    row.bank_name, row.bank_account = body.bank_name, body.bank_account
    row.source, row.recorded_by, row.updated_at = "recorded", uow.actor, utcnow()
    accounts.add(row)
    uow.session.flush()
    return row


class Owing(StrEnum):
    """A disabled person's claw-back balance (追回): owed, or written off by the county."""

    owed = "owed"
    written_off = "written_off"


CLAWBACK = Workflow[Owing](
    entity="disability_clawback",
    transitions={(Owing.owed, Owing.written_off): frozenset({Role.county_civil})},
    labels_zh={Owing.owed: "待追回", Owing.written_off: "已核销"},
)


def write_off_clawback(uow: UnitOfWork, person: DisabledPerson, reason: str) -> Decimal:
    """The county decides not to recover what is left of an overpaid subsidy (核销): the balance
    is written off, the decision a step of the person's record with its reason and amount."""
    role = CLAWBACK.check(Owing.owed, Owing.written_off, uow.principal)
    balance = Decimal(person.clawback_balance)
    if balance <= 0:
        raise Conflict("the person owes nothing: there is no claw-back balance to write off")
    moved = uow.session.execute(
        update(DisabledPerson)
        .where(
            col(DisabledPerson.id) == person.id,
            col(DisabledPerson.clawback_balance) == balance,
        )
        .values(clawback_balance=ZERO, updated_at=utcnow())
    )
    if getattr(moved, "rowcount", 1) != 1:
        raise Conflict(
            "the balance changed meanwhile (a payment cycle withheld some); read it again"
        )
    record_step(
        uow.session, CLAWBACK, str(person.id), Owing.owed, Owing.written_off, uow.principal, role,
        note=reason, data={"clawback_written_off": str(balance)},
    )  # fmt: skip
    uow.session.flush()
    uow.session.refresh(person)
    return balance
