"""Applying a validated roster in bulk: upsert by ID number; registry events in the same
transaction. A person already registered in another household is a conflict, never an overwrite;
people missing from the new roster are flagged, never deleted."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from services.enrollment.models import Household, Person
from services.enrollment.registry.roster import RosterRow
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdRegistered,
    PersonMissingFromRoster,
    PersonRegistered,
    PersonUpdated,
)

CHUNK = 500  # well under SQLite's bound-parameter limit
PERSON_FIELDS = ("name", "relation", "disability_grade", "student", "employee_pension")
P = Person.__table__  # type: ignore[attr-defined]
H = Household.__table__  # type: ignore[attr-defined]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing_people(session: Session, id_numbers: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(id_numbers):
        for row in session.execute(select(P).where(P.c.id_number.in_(chunk))).mappings():
            found[row["id_number"]] = dict(row)
    return found


def _existing_households(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for row in session.execute(select(H).where(H.c.id.in_(chunk))).mappings():
            found[row["id"]] = dict(row)
    return found


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
        "county_code": household["county_code"],
        "township_code": household["township_code"],
        "village_code": household["village_code"],
        "poverty_status": household["poverty_status"],
    }


def apply_roster(
    session: Session,
    rows: list[RosterRow],
    *,
    import_id: str,
    publish_kwargs: dict[str, str],
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, int]:
    people = _existing_people(session, [r.id_number for r in rows])
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
    households = _existing_households(session, sorted({r.household_id for r in rows}))
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
            publish(
                session,
                HouseholdRegistered(
                    household_id=household["id"],
                    county_code=row.county_code,
                    township_code=row.township_code,
                    village_code=row.village_code,
                    poverty_status=row.poverty_status,
                ),
                key=household["id"],
                subject=household["id"],
                **publish_kwargs,
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
                "deceased_on": None,
                "missing_since_import": None,
                "created_at": now,
                "updated_at": now,
            }
            new_people.append(person)
            counts["persons_created"] += 1
            if household["head_person_id"] is None and row.relation in ("户主", "head"):
                household["head_person_id"] = person["id"]
            publish(
                session,
                PersonRegistered(**person_facts(person, household)),
                key=household["id"],
                subject=person["id"],
                **publish_kwargs,
            )
        else:
            incoming = {
                "name": row.name,
                "relation": row.relation,
                "disability_grade": row.disability_grade,
                "student": row.student,
                "employee_pension": row.employee_pension,
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
                publish(
                    session,
                    PersonUpdated(**person_facts(person, household), changed=changed),
                    key=household["id"],
                    subject=person["id"],
                    **publish_kwargs,
                )
            else:
                counts["persons_unchanged"] += 1
        members.setdefault(row.household_id, []).append(person["id"])
        if done % 10_000 == 0:
            progress(done)

    for chunk in chunks(new_households, 2_000):
        session.execute(insert(H), list(chunk))
    for chunk in chunks(new_people, 2_000):
        session.execute(insert(P), list(chunk))
    if person_updates:
        session.execute(
            update(P)
            .where(P.c.id == bindparam("b_id"))
            .values({k: bindparam(k) for k in person_updates[0] if k != "b_id"}),
            person_updates,
            execution_options={"synchronize_session": False},
        )
    if household_updates:
        session.execute(
            update(H)
            .where(H.c.id == bindparam("b_id"))
            .values(
                poverty_status=bindparam("poverty_status"),
                relocated=bindparam("relocated"),
                updated_at=bindparam("updated_at"),
            ),
            household_updates,
            execution_options={"synchronize_session": False},
        )
    heads = [
        {"b_id": h["id"], "head_person_id": h["head_person_id"]}
        for h in new_households
        if h["head_person_id"]
    ]
    if heads:
        session.execute(
            update(H)
            .where(H.c.id == bindparam("b_id"))
            .values(head_person_id=bindparam("head_person_id")),
            heads,
            execution_options={"synchronize_session": False},
        )
    for household_id, (old, new) in status_changes.items():
        household = households[household_id]
        counts["households_status_changed"] += 1
        publish(
            session,
            HouseholdPovertyStatusChanged(
                household_id=household_id,
                county_code=household["county_code"],
                township_code=household["township_code"],
                village_code=household["village_code"],
                old_status=old,
                new_status=new,
                person_ids=members.get(household_id, []),
            ),
            key=household_id,
            subject=household_id,
            **publish_kwargs,
        )
    counts["persons_flagged_missing"] = _flag_missing(
        session, rows, households, import_id, publish_kwargs
    )
    progress(len(rows))
    return counts


def _flag_missing(
    session: Session,
    rows: list[RosterRow],
    households: dict[str, dict[str, Any]],
    import_id: str,
    publish_kwargs: dict[str, str],
) -> int:
    """People of the roster's counties who are absent from it: flagged for checking (REG-5)."""
    counties = sorted({r.county_code for r in rows})
    present = {r.id_number for r in rows}
    stmt = (
        select(P.c.id, P.c.id_number, P.c.household_id, H.c.county_code, H.c.village_code)
        .join(H, H.c.id == P.c.household_id)
        .where(
            H.c.county_code.in_(counties),
            P.c.deceased_on.is_(None),
            P.c.missing_since_import.is_(None),
        )
    )
    missing = [r for r in session.execute(stmt) if r.id_number not in present]
    for chunk in chunks([r.id for r in missing]):
        session.execute(
            update(P).where(P.c.id.in_(chunk)).values(missing_since_import=import_id),
            execution_options={"synchronize_session": False},
        )
    for r in missing:
        publish(
            session,
            PersonMissingFromRoster(
                person_id=r.id,
                household_id=r.household_id,
                county_code=r.county_code,
                village_code=r.village_code,
                import_id=import_id,
            ),
            key=r.household_id,
            subject=r.id,
            **publish_kwargs,
        )
    return len(missing)
