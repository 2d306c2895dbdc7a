"""The insurance rolls' work: importing a roll file (validate, then upsert by (ID number, year)
in one transaction), with enrollment events for the registered poor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.enrollment.jobs.service import InvalidRoster, Progress, Work
from services.enrollment.registry.roster import RosterFormatError
from services.enrollment.rolls import repository as repo
from services.enrollment.rolls.parse import RollLine, parse_roll
from services.enrollment.rolls.schemas import Scheme
from shared.bus.tables import utcnow
from shared.events.enrollment import MedicalEnrolled, PensionEnrolled
from shared.policy import ParameterNotFound
from shared.tabular import TableFormatError, read_rows
from shared.uow import UnitOfWork


def allowed_tiers(uow: UnitOfWork) -> frozenset[int] | None:
    """The county's pension contribution tiers today (None: the county sets none)."""
    scope = uow.principal.scope
    county = scope[:6] if len(scope) >= 6 else None
    try:
        tiers = uow.policy.value("enrollment.pension.tiers.allowed", county, uow.today())
    except ParameterNotFound:
        return None
    return frozenset(int(t) for t in tiers)


def roll_import(scheme: Scheme, content: bytes, filename: str) -> Work:
    """The job importing a roll file: every line valid, or nothing is written."""

    def work(uow: UnitOfWork, job_id: str, progress: Progress) -> dict[str, Any]:
        tiers = allowed_tiers(uow) if scheme == "pension" else None
        try:
            roll = parse_roll(scheme, read_rows(content, filename), allowed_tiers=tiers)
        except RosterFormatError as exc:
            raise InvalidRoster(str(exc), exc.errors, 1) from exc
        except TableFormatError as exc:
            raise InvalidRoster(str(exc), [], 1) from exc
        if roll.errors:
            raise InvalidRoster(
                f"{roll.error_count} error(s) in the roll; nothing was imported",
                roll.errors,
                roll.error_count,
            )
        return apply_roll(uow, scheme, roll.lines, import_id=job_id, progress=progress)

    return work


def apply_roll(
    uow: UnitOfWork,
    scheme: Scheme,
    lines: list[RollLine],
    *,
    import_id: str,
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, Any]:
    numbers = sorted({line.id_number for line in lines})
    existing = repo.existing_lines(uow.session, scheme, numbers)
    registered = repo.registered(uow.session, numbers)
    now = utcnow()
    values = []
    created = changed = unchanged = 0
    for line in lines:
        old = existing.get((line.id_number, line.year))
        value: dict[str, Any] = {
            "id_number": line.id_number,
            "year": line.year,
            "paid": line.paid,
            "import_id": import_id,
            "updated_at": now,
        }
        if scheme == "pension":
            value["tier"] = line.tier
            value["drawing"] = line.drawing
            same = old is not None and (old.paid, old.tier, old.drawing) == (
                line.paid,
                line.tier,
                line.drawing,
            )
        else:
            value["critical_illness"] = line.critical_illness
            same = old is not None and (old.paid, old.critical_illness) == (
                line.paid,
                line.critical_illness,
            )
        if same:
            unchanged += 1
            continue
        created += old is None
        changed += old is not None
        values.append(value)
        person = registered.get(line.id_number)
        if person is not None:
            uow.publish(
                PensionEnrolled(
                    person_id=person[0],
                    household_id=person[1],
                    year=line.year,
                    tier=line.tier or 0,
                    paid=line.paid,
                )
                if scheme == "pension"
                else MedicalEnrolled(
                    person_id=person[0],
                    household_id=person[1],
                    year=line.year,
                    paid=line.paid,
                    critical_illness=bool(line.critical_illness),
                ),
                key=person[1],
                subject=person[0],
            )
    repo.upsert_lines(uow.session, scheme, values)
    progress(len(lines))
    return {
        "rows": len(lines),
        "entries_created": created,
        "entries_changed": changed,
        "entries_unchanged": unchanged,
        "not_in_registry": sum(1 for n in numbers if n not in registered),
    }
