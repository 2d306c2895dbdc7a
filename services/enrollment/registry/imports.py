"""Applying a roster in bulk: upsert by ID number; registry events in the same transaction. A
person already registered in another household is a conflict, never an overwrite; people missing
from the new roster are flagged, never deleted.

The file is read twice and never held as rows: a first pass validates it (`check_roster`: the
errors, the jurisdiction, the conflicts), a second applies it (`apply_roster`) a batch of rows at
a time: each batch reads what is registered of its people and households, writes in bulk and
publishes its events at once. Both run in the job's one transaction: all or nothing."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.enrollment.registry import repository as repo
from services.enrollment.registry.roster import MAX_ERRORS, RosterReader, RosterRow
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, FieldError
from shared.events.catalogue import EventData
from shared.events.registry import (
    HouseholdPovertyStatusChanged,
    HouseholdRegistered,
    PersonMissingFromRoster,
    PersonRegistered,
    PersonUpdated,
)
from shared.uow import UnitOfWork

BATCH = 10_000  # rows applied at a time: what an import holds in memory
PROGRESS_EVERY = 10_000
COUNTS = (
    "households_created",
    "households_status_changed",
    "persons_created",
    "persons_updated",
    "persons_unchanged",
    "persons_flagged_missing",
)

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
        "poverty_status": PovertyStatus(household["poverty_status"]),
    }


@dataclass
class RosterCheck:
    """What the first pass over a roster found, beside the reader's own errors: rows outside the
    importer's jurisdiction and people registered in another household (the first MAX_ERRORS of
    each, and how many in all)."""

    rows: int = 0
    counties: set[str] = field(default_factory=set)
    outside: list[FieldError] = field(default_factory=list)
    outside_count: int = 0
    conflicts: list[FieldError] = field(default_factory=list)
    conflict_count: int = 0

    def raise_conflicts(self) -> None:
        if self.conflict_count:
            raise Conflict(
                f"{self.conflict_count} row(s) name people registered in another household; "
                "nothing was imported",
                errors=self.conflicts,
            )


def check_roster(
    uow: UnitOfWork, reader: RosterReader, rows: Iterator[list[str]], *, batch: int = BATCH
) -> RosterCheck:
    """The first pass: every row validated (`reader` keeps the errors), placed in the
    jurisdiction, and checked against the registry a batch at a time, writing nothing. Conflicts
    are looked for only while the file has no other error: those are reported first."""
    session = uow.session
    # Two imports at once would both find a person missing and both insert them: one imports
    # at a time, and the later one finds what the earlier one wrote, as a re-import does.
    repo.one_import_at_a_time(session)
    principal = uow.principal
    check = RosterCheck()
    pending: list[RosterRow] = []
    for row in reader.validate(rows):
        check.rows += 1
        check.counties.add(row.county_code)
        if not principal.covers(row.village_code):
            check.outside_count += 1
            if len(check.outside) < MAX_ERRORS:
                check.outside.append(
                    FieldError(
                        field="village_code",
                        reason=f"outside your jurisdiction ({principal.scope})",
                        value=row.village_code,
                        row=row.row,
                    )
                )
        if reader.errors.count or check.outside_count:
            pending.clear()
            continue
        pending.append(row)
        if len(pending) >= batch:
            _find_conflicts(session, pending, check)
            pending.clear()
    if not reader.errors.count and not check.outside_count:
        _find_conflicts(session, pending, check)
    return check


def _find_conflicts(session: Session, rows: list[RosterRow], check: RosterCheck) -> None:
    registered = repo.households_of(session, [r.id_number for r in rows])
    for r in rows:
        household_id = registered.get(r.id_number)
        if household_id is None or household_id == r.household_id:
            continue
        check.conflict_count += 1
        if len(check.conflicts) < MAX_ERRORS:
            check.conflicts.append(
                FieldError(
                    field="household_id",
                    reason=f"person is already registered in household {household_id}; moving "
                    "a member is an explicit household operation",
                    value=r.household_id,
                    row=r.row,
                )
            )


@dataclass
class _Applied:
    """What applying a roster carries from one batch to the next (none of it per row, except
    the members of households whose status changes, for that event)."""

    now: datetime
    counties: set[str]
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    # Created by this import and not yet given a head (the head's row may come in a later batch).
    headless: set[str] = field(default_factory=set)
    # Household id -> its facts and old and new status, and the roster's members in order.
    status_changes: dict[str, tuple[dict[str, Any], str, str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    present: int = 0  # living people of the roster's counties the roster lists


def apply_roster(
    uow: UnitOfWork,
    rows: Iterable[RosterRow],
    *,
    import_id: str,
    present: Container[str],
    counties: Iterable[str],
    progress: Callable[[int], None] = lambda _n: None,
    batch: int = BATCH,
) -> dict[str, int]:
    """The second pass: `rows` (valid, inside the jurisdiction, without conflicts) applied a
    batch at a time; then the households whose status changed, then the people of the roster's
    counties missing from it (`present`: the roster's ID numbers)."""
    session = uow.session
    state = _Applied(now=utcnow(), counties=set(counties))
    done = 0
    it = iter(rows)
    for number in itertools.count(1):
        chunk = list(itertools.islice(it, batch))
        if not chunk:
            break
        _apply_batch(uow, chunk, state)
        for applied in range(done + 1, done + len(chunk) + 1):
            if applied % PROGRESS_EVERY == 0:
                progress(applied)
        done += len(chunk)
        if number & (number - 1) == 0:
            # A fresh registry has no statistics: without them the planner scans where the
            # next batches' lookups should use the indexes.
            repo.refresh_statistics(session)
    counts = state.counts
    uow.publish_many(
        (
            HouseholdPovertyStatusChanged(
                household_id=household_id,
                county_code=household["county_code"],
                township_code=household["township_code"],
                village_code=household["village_code"],
                old_status=PovertyStatus(old),
                new_status=PovertyStatus(new),
                person_ids=state.members.get(household_id, []),
            ),
            household_id,
            household_id,
        )
        for household_id, (household, old, new) in state.status_changes.items()
    )
    counts["households_status_changed"] = len(state.status_changes)
    counts["persons_flagged_missing"] = _flag_missing(
        uow, present, sorted(state.counties), import_id, state.present, batch
    )
    progress(done)
    return counts


def _apply_batch(uow: UnitOfWork, rows: list[RosterRow], state: _Applied) -> None:
    """One batch of rows applied. Its events are built without validating their values again
    (`model_construct`, every field given its model's type): each comes from a validated row or
    the registry, and validating a million events again costs more than writing them."""
    session = uow.session
    people = repo.existing_people(session, [r.id_number for r in rows])
    households = repo.existing_households(session, sorted({r.household_id for r in rows}))
    now, counts = state.now, state.counts
    new_households: list[dict[str, Any]] = []
    new_people: list[dict[str, Any]] = []
    person_updates: list[dict[str, Any]] = []
    household_updates: list[dict[str, Any]] = []
    heads: list[dict[str, Any]] = []
    created: set[str] = set()  # households this batch inserts, with their head if it has one
    events: list[tuple[EventData, str | None, str | None]] = []

    for row in rows:
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
            created.add(row.household_id)
            state.headless.add(row.household_id)
            counts["households_created"] += 1
            events.append(
                (
                    HouseholdRegistered.model_construct(
                        household_id=household["id"],
                        county_code=row.county_code,
                        township_code=row.township_code,
                        village_code=row.village_code,
                        poverty_status=row.poverty_status,
                    ),
                    household["id"],
                    household["id"],
                )
            )
        elif row.household_id not in state.status_changes and (
            household["poverty_status"] != row.poverty_status.value
            or household["relocated"] != row.relocated
        ):
            if household["poverty_status"] != row.poverty_status.value:
                state.status_changes[row.household_id] = (
                    household,
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
                if row.household_id in state.headless:
                    state.headless.discard(row.household_id)
                    if row.household_id not in created:  # inserted by an earlier batch
                        heads.append({"b_id": household["id"], "head_person_id": person["id"]})
            events.append(
                (
                    PersonRegistered.model_construct(**person_facts(person, household)),
                    household["id"],
                    person["id"],
                )
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
                events.append(
                    (
                        PersonUpdated.model_construct(
                            **person_facts(person, household), changed=changed
                        ),
                        household["id"],
                        person["id"],
                    )
                )
            else:
                counts["persons_unchanged"] += 1
        if row.household_id in state.status_changes:
            state.members.setdefault(row.household_id, []).append(person["id"])
        if person["deceased_on"] is None and household["county_code"] in state.counties:
            state.present += 1

    repo.insert_households(session, new_households)
    repo.insert_people(session, new_people)
    repo.update_people(session, person_updates)
    repo.update_household_status(session, household_updates)
    repo.set_heads(session, heads)
    uow.publish_many(events)


def _flag_missing(
    uow: UnitOfWork,
    present: Container[str],
    counties: list[str],
    import_id: str,
    listed: int,
    batch: int,
) -> int:
    """People of the roster's counties who are absent from it: flagged for checking (REG-5).
    `listed`: how many of the living, unflagged people of those counties the roster lists; when
    they are all there are, nobody is missing and nobody need be read."""
    session = uow.session
    if repo.count_unflagged(session, counties) == listed:
        return 0
    flagged = 0
    for page in repo.unflagged_people(session, counties, batch):
        missing = [r for r in page if r.id_number not in present]
        repo.flag_missing(session, [r.id for r in missing], import_id)
        uow.publish_many(
            (
                PersonMissingFromRoster(
                    person_id=r.id,
                    household_id=r.household_id,
                    county_code=r.county_code,
                    village_code=r.village_code,
                    import_id=import_id,
                ),
                r.household_id,
                r.id,
            )
            for r in missing
        )
        flagged += len(missing)
    return flagged
