"""A person as the welfare service knows them (GET /v1/persons/{id_number}): who they are and,
per kind of record, the latest of civil affairs' records about them or their household.

A person the registry read model does not know is still found when a welfare record that names
people by ID number does (the disability register, a dibao application or membership, a relief
case) and lies in the caller's jurisdiction; who they are is then that record's word."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from services.welfare.dibao.models import DibaoApplication, DibaoCase
from services.welfare.dibao.repository import Applications, Cases, member_named
from services.welfare.disability.models import DisabilitySubsidy, DisabledPerson
from services.welfare.disability.repository import DisabledPeople, Subsidies
from services.welfare.registry.models import RegistryPerson
from services.welfare.registry.repository import RegistryPeople, registry_accounts
from services.welfare.relief.models import ReliefCase
from services.welfare.relief.repository import ReliefCases
from services.welfare.tekun.models import CarePlacement, TekunCase
from services.welfare.tekun.repository import TekunCases
from shared.errors import NotFound
from shared.ids import mask_account, parse_resident_id
from shared.repository import Page
from shared.uow import UnitOfWork

LATEST = 50
UNKNOWN = "no person with that ID number in your jurisdiction"
REGISTRY_FACTS = (
    "person_id",
    "id_number",
    "household_id",
    "name",
    "sex",
    "birth_date",
    "county_code",
    "township_code",
    "village_code",
    "poverty_status",
    "disability_grade",
    "deceased_on",
)
# Sections a role may be withheld, each the records of one procedure.
DIBAO, TEKUN, RELIEF, DISABILITY = "dibao", "tekun", "relief", "disability"
# The record sections of `PersonRecords`, as the response names them.
SECTIONS = (
    "dibao_applications",
    "dibao_cases",
    "tekun_cases",
    "care_placements",
    "relief_cases",
    "disability",
    "disability_subsidies",
    "account",
)


@dataclass
class PersonRecords:
    """Who the person is (`facts`, the fields of the response's PersonFacts) and what the service
    holds about them; None: a section withheld from the caller's role, or nothing to show."""

    facts: dict[str, Any]
    dibao_applications: Page[DibaoApplication] | None = None
    dibao_cases: Page[DibaoCase] | None = None
    tekun_cases: Page[TekunCase] | None = None
    care_placements: Page[CarePlacement] | None = None
    relief_cases: Page[ReliefCase] | None = None
    disability: DisabledPerson | None = None
    disability_subsidies: Page[DisabilitySubsidy] | None = None
    account: dict[str, str] | None = None
    withheld: list[str] = field(default_factory=list)


def person_records(
    uow: UnitOfWork, id_number: str, withheld: Collection[str] = ()
) -> PersonRecords:
    """The person with this ID number in the caller's jurisdiction (else 404, never 403) and the
    latest records of each kind about them, each list counted in full; the sections named in
    `withheld` are not read (nor used to find the person)."""
    session, principal = uow.session, uow.principal
    people = RegistryPeople(session, principal)
    person = people.by_id_number(id_number)
    if person is not None and not people.visible(person):
        raise NotFound(people.missing)
    pid = person.person_id if person is not None else None
    household = person.household_id if person is not None else None
    found = PersonRecords(facts={}, withheld=sorted(withheld))
    if DISABILITY not in withheld:
        entry = DisabledPeople(session, principal).entry_of(pid, id_number)
        if entry is not None:
            found.disability = entry
            subsidies = Subsidies(session, principal)
            found.disability_subsidies = subsidies.newest_of(entry.id or 0, limit=LATEST)
            pid = pid or entry.person_id
            household = household or entry.household_id or None
        else:
            found.disability_subsidies = Page(items=[], total=0, limit=LATEST, offset=0)
    if DIBAO not in withheld:
        found.dibao_applications = Applications(session, principal).newest_of(
            household, id_number, limit=LATEST
        )
        found.dibao_cases = Cases(session, principal).newest_of(
            household, pid, id_number, limit=LATEST
        )
        account = registry_accounts(session, [pid]).get(pid) if pid else None
        if account is not None:
            masked = mask_account(account.bank_account)
            found.account = {"bank_name": account.bank_name, "bank_account": masked}
    if TEKUN not in withheld:
        tekun = TekunCases(session, principal)
        empty: Page[Any] = Page(items=[], total=0, limit=LATEST, offset=0)
        found.tekun_cases = tekun.newest_of(pid, limit=LATEST) if pid else empty
        found.care_placements = tekun.placements_of(pid, limit=LATEST) if pid else empty
    if RELIEF not in withheld:
        found.relief_cases = ReliefCases(session, principal).newest_of(
            household, pid, id_number, limit=LATEST
        )
    facts = registered(person) if person is not None else unregistered(uow, id_number, found)
    if facts is None:
        raise NotFound(UNKNOWN)
    found.facts = facts
    return found


def registered(person: RegistryPerson) -> dict[str, Any]:
    return {"in_registry": True, **{name: getattr(person, name) for name in REGISTRY_FACTS}}


def unregistered(uow: UnitOfWork, id_number: str, found: PersonRecords) -> dict[str, Any] | None:
    """Who the person is by the first of their in-scope records that names them by ID number:
    the disability register, a dibao application they made, a dibao household they are a member
    of, a relief case; None when there is none."""
    resident = parse_resident_id(id_number)
    facts: dict[str, Any] = {
        "in_registry": False,
        "id_number": id_number,
        "sex": resident.sex,
        "birth_date": resident.birth_date,
    }
    entry = found.disability
    if entry is not None:
        return {
            **facts,
            **_placed(entry),
            "name": entry.name,
            "person_id": entry.person_id,
            "household_id": entry.household_id or None,
            "disability_grade": entry.grade,
            "deceased_on": entry.deceased_on,
        }
    applications = found.dibao_applications.items if found.dibao_applications else []
    for application in applications:
        if application.applicant_id_number == id_number:
            return {
                **facts,
                **_placed(application),
                "name": application.applicant_name,
                "household_id": application.household_id,
            }
    cases = found.dibao_cases.items if found.dibao_cases else []
    member = member_named(uow.session, id_number) if cases else None
    if cases and member is not None:
        case = next((c for c in cases if c.id == member.case_id), cases[0])
        return {**facts, **_placed(case), "name": member.name, "household_id": case.household_id}
    relief = found.relief_cases.items if found.relief_cases else []
    for opened in relief:
        if opened.id_number == id_number:
            return {
                **facts,
                **_placed(opened),
                "name": opened.name or "",
                "household_id": opened.household_id,
            }
    return None


def _placed(row: Any) -> dict[str, str | None]:
    return {
        "county_code": row.county_code,
        "township_code": row.township_code,
        "village_code": row.village_code,
    }
