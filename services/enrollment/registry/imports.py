"""Applying a validated roster in bulk: upsert by ID number; registry events in the same
transaction. A person already registered in another household is a conflict, never an overwrite;
people missing from the new roster are flagged, never deleted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from services.enrollment.registry import repository as repo
from services.enrollment.registry.roster import RosterRow
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, FieldError
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdRegistered,
    PersonMissingFromRoster,
    PersonRegistered,
    PersonUpdated,
)
from shared.uow import UnitOfWork

PERSON_FIELDS = (
    "name",
    "relation",
    "disability_grade",
    "student",
    "employee_pension",
    "bank_name",
    "bank_account",
)


def person_facts(person: dict[str, Any], household: dict[str, Any]) -> dict[str, Any]:
    return {
        "person_id": person["id"],
        "household_id": household["id"],
        "id_number": person["id_number"],
        "name": person["name"],
        "sex": person["sex"],
        "birth_date": person["birth_date"],
        "relation": person["relation"],
        "disability_grade": person["disability_grade"],
        "bank_name": person.get("bank_name"),
        "bank_account": person.get("bank_account"),
        "county_code": household["county_code"],
        "township_code": household["township_code"],
        "village_code": household["village_code"],
        "poverty_status": household["poverty_status"],
    }


def apply_roster(
    uow: UnitOfWork,
    rows: list[RosterRow],
    *,
    import_id: str,
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, int]:
    session = uow.session
    # Two imports at once would both find a person missing and both insert them: one imports
    # at a time, and the later one finds what the earlier one wrote, as a re-import does.
    repo.one_import_at_a_time(session)
    people = repo.existing_people(session, [r.id_number for r in rows])
    conflicts = [
        FieldError(
            field="household_id",
            reason="person is already registered in household "
            f"{people[r.id_number]['household_id']}; moving a member is an explicit household "
            "operation",
            value=r.household_id,
            row=r.row,
        )
        for r in rows
        if r.id_number in people and people[r.id_number]["household_id"] != r.household_id
    ]
    if conflicts:
        raise Conflict(
            f"{len(conflicts)} row(s) name people registered in another household; nothing was "
            "imported",
            errors=conflicts[:10_000],
        )
    households = repo.existing_households(session, sorted({r.household_id for r in rows}))
    now = utcnow()
    counts = dict.fromkeys(
        (
            "households_created",
            "households_status_changed",
            "persons_created",
            "persons_updated",
            "persons_unchanged",
            "persons_flagged_missing",
        ),
        0,
    )
    new_households: list[dict[str, Any]] = []
    new_people: list[dict[str, Any]] = []
    person_updates: list[dict[str, Any]] = []
    household_updates: list[dict[str, Any]] = []
    status_changes: dict[str, tuple[str, str]] = {}
    members: dict[str, list[str]] = {}

    for done, row in enumerate(rows, start=1):
        household = households.get(row.household_id)
        if household is None:
            household = {
                "id": row.household_id,
                "county_code": row.county_code,
                "township_code": row.township_code,
                "village_code": row.village_code,
                "poverty_status": row.poverty_status.value,
                "relocated": row.relocated,
                "head_person_id": None,
                "created_at": now,
                "updated_at": now,
            }
            households[row.household_id] = household
            new_households.append(household)
            counts["households_created"] += 1
            uow.publish(
                HouseholdRegistered(
                    household_id=household["id"],
                    county_code=row.county_code,
                    township_code=row.township_code,
                    village_code=row.village_code,
                    poverty_status=row.poverty_status,
                ),
                key=household["id"],
                subject=household["id"],
            )
        elif row.household_id not in status_changes and (
            household["poverty_status"] != row.poverty_status.value
            or household["relocated"] != row.relocated
        ):
            if household["poverty_status"] != row.poverty_status.value:
                status_changes[row.household_id] = (
                    household["poverty_status"],
                    row.poverty_status.value,
                )
            household["poverty_status"] = row.poverty_status.value
            household["relocated"] = row.relocated
            household_updates.append(
                {
                    "b_id": household["id"],
                    "poverty_status": household["poverty_status"],
                    "relocated": household["relocated"],
                    "updated_at": now,
                }
            )
        person = people.get(row.id_number)
        if person is None:
            person = {
                "id": str(uuid.uuid4()),
                "id_number": row.id_number,
                "household_id": row.household_id,
                "name": row.name,
                "sex": row.resident.sex,
                "birth_date": row.resident.birth_date,
                "relation": row.relation,
                "disability_grade": row.disability_grade,
                "student": row.student,
                "employee_pension": row.employee_pension,
                "bank_name": row.bank_name,
                "bank_account": row.bank_account,
                "deceased_on": None,
                "missing_since_import": None,
                "created_at": now,
                "updated_at": now,
            }
            new_people.append(person)
            counts["persons_created"] += 1
            if household["head_person_id"] is None and row.relation in ("户主", "head"):
                household["head_person_id"] = person["id"]
            uow.publish(
                PersonRegistered(**person_facts(person, household)),
                key=household["id"],
                subject=person["id"],
            )
        else:
            incoming = {
                "name": row.name,
                "relation": row.relation,
                "disability_grade": row.disability_grade,
                "student": row.student,
                "employee_pension": row.employee_pension,
                # A roster without the account keeps the one on file.
                "bank_name": row.bank_name or person["bank_name"],
                "bank_account": row.bank_account or person["bank_account"],
            }
            changed = [f for f in PERSON_FIELDS if person[f] != incoming[f]]
            reappeared = person["missing_since_import"] is not None
            if changed or reappeared:
                person.update(incoming)
                person_updates.append(
                    {
                        "b_id": person["id"],
                        **incoming,
                        "missing_since_import": None,
                        "updated_at": now,
                    }
                )
            if changed:
                counts["persons_updated"] += 1
                uow.publish(
                    PersonUpdated(**person_facts(person, household), changed=changed),
                    key=household["id"],
                    subject=person["id"],
                )
            else:
                counts["persons_unchanged"] += 1
        members.setdefault(row.household_id, []).append(person["id"])
        if done % 10_000 == 0:
            progress(done)

    repo.insert_households(session, new_households)
    repo.insert_people(session, new_people)
    repo.update_people(session, person_updates)
    repo.update_household_status(session, household_updates)
    repo.set_heads(
        session,
        [
            {"b_id": h["id"], "head_person_id": h["head_person_id"]}
            for h in new_households
            if h["head_person_id"]
        ],
    )
    for household_id, (old, new) in status_changes.items():
        household = households[household_id]
        counts["households_status_changed"] += 1
        uow.publish(
            HouseholdPovertyStatusChanged(
                household_id=household_id,
                county_code=household["county_code"],
                township_code=household["township_code"],
                village_code=household["village_code"],
                old_status=PovertyStatus(old),
                new_status=PovertyStatus(new),
                person_ids=members.get(household_id, []),
            ),
            key=household_id,
            subject=household_id,
        )
    counts["persons_flagged_missing"] = _flag_missing(uow, rows, import_id)
    progress(len(rows))
    return counts


def _flag_missing(uow: UnitOfWork, rows: list[RosterRow], import_id: str) -> int:
    """People of the roster's counties who are absent from it: flagged for checking (REG-5)."""
    counties = sorted({r.county_code for r in rows})
    present = {r.id_number for r in rows}
    missing = [
        r for r in repo.unflagged_people(uow.session, counties) if r.id_number not in present
    ]
    repo.flag_missing(uow.session, [r.id for r in missing], import_id)
    for r in missing:
        uow.publish(
            PersonMissingFromRoster(
                person_id=r.id,
                household_id=r.household_id,
                county_code=r.county_code,
                village_code=r.village_code,
                import_id=import_id,
            ),
            key=r.household_id,
            subject=r.id,
        )
    return len(missing)
