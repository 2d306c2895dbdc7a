"""The annual cross-check of dynamic management (动态管理, WEL-8): every living registered person
of a county on a date, their economic facts, and whether they are on dibao or 特困供养 on that
date, judged by the pure rule `services.welfare.crosscheck.rules.cross_check`.

Set-based and streaming: one query returns only the people who *could* be reported — 两无 by
their economic facts, exited (已脱贫), or whose status changed after the date — and a second
narrows them in Python against the dibao and 特困 sets; the rule is then applied to each of
those, and only the rule decides. `could_be_reported` is the necessary condition both filters
express; tests/unit/test_welfare_crosscheck_predicate.py checks over every combination of facts
that the rule never reports anyone it excludes, and that a run finds exactly what applying the
rule to everyone finds.

Readings of the seeds: ZA-GOV §三(三)2 (两无人员逐一比对核实, 全部纳入低保保障) and YA-GOV §三(四)
(已脱贫的低保对象及时复核退出) — see the rule's docstring. A person with no economic facts on
file (not surveyed) cannot be shown to be 两无; they are checked for the exit review only and
counted in `people_without_facts`, so the county sees how much of the registry the survey
covered. The registry status on the date is the read model's current one unless it changed
after the date, in which case the status history gives the one in force then."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session

from services.welfare.crosscheck.models import CrossCheckRun
from services.welfare.crosscheck.repository import (
    CHUNK,
    add_run,
    candidates,
    people_checked,
    status_then,
    stream,
    write_findings,
)
from services.welfare.crosscheck.rules import RegistryPerson as Facts
from services.welfare.crosscheck.rules import cross_check
from services.welfare.dibao.rules import WorkAbility
from services.welfare.dibao.service import persons_on_dibao
from services.welfare.tekun.repository import persons_on_tekun
from shared.domain import PovertyStatus
from shared.errors import FieldError, InvalidInput
from shared.policy.loader import ParameterNotFound
from shared.trace import Trace
from shared.uow import UnitOfWork

DibaoLookup = Callable[[Session, str, date], set[str]]


def dibao_lookup() -> tuple[DibaoLookup, str]:
    """Who is on dibao on a date, and where that answer comes from (recorded with the run)."""
    return persons_on_dibao, "services.welfare.dibao.service.persons_on_dibao"


def could_be_reported(
    two_without: bool, status: PovertyStatus, on_dibao: bool, on_tekun: bool
) -> bool:
    """WEL-8's necessary condition: a registered poor 两无 person outside dibao and 特困 (not a
    marginal household, ZA-GOV §三(三)2 扶贫系统中的“两无”人员), or an exited person on dibao. The
    rule may still report no one of these (an exit not yet due for review)."""
    return (two_without and status.is_registered_poor and not (on_dibao or on_tekun)) or (
        status is PovertyStatus.exited and on_dibao
    )


def run_crosscheck(
    uow: UnitOfWork, county: str, on: date, *, dibao: DibaoLookup | None = None
) -> CrossCheckRun:
    """Check the county on `on`, store the run and its findings (a new run every time), as
    `uow.actor`."""
    session = uow.session
    started = time.perf_counter()
    lookup, source = dibao_lookup() if dibao is None else (dibao, "given")
    params = uow.params(county, on)
    on_dibao = lookup(session, county, on)
    on_tekun = persons_on_tekun(session, county, on)
    then = status_then(session, county, on)
    checked, with_facts = people_checked(session, county, on)

    run = add_run(
        session,
        CrossCheckRun(
            county_code=county,
            on=on,
            people_checked=checked,
            people_without_facts=checked - with_facts,
            created_by=uow.actor,
            dibao_source=source[:60],
        ),
    )
    parameters: dict[str, Any] = {}
    pending: list[dict[str, Any]] = []
    found = 0
    for row in stream(session, candidates(county, on)):
        pid = row.person_id
        status_raw, since = row.poverty_status, row.status_since
        if since > on:
            if pid not in then:
                continue  # not yet registered on that date
            status_raw, since = then[pid]
        status = PovertyStatus(status_raw)
        surveyed = row.work_ability is not None
        ability = WorkAbility(row.work_ability) if surveyed else WorkAbility.full
        income = bool(row.has_income) if surveyed else True
        dib, tek = pid in on_dibao, pid in on_tekun
        two_without = not income and ability is WorkAbility.none
        if not could_be_reported(two_without, status, dib, tek):
            continue
        facts = Facts(
            person_id=pid,
            household_id=row.household_id,
            division_code=row.village_code,
            poverty_status=status,
            has_income=income,
            work_ability=ability,
            on_dibao=dib,
            on_tekun=tek,
            exited_on=since if status is PovertyStatus.exited and since > date.min else None,
        )
        trace = Trace()
        try:
            finding = cross_check(facts, on, params, trace=trace)
        except ParameterNotFound as exc:
            raise InvalidInput(
                f"a WEL-8 parameter is not in force for county {county} on {on.isoformat()}",
                errors=[FieldError(field="on", reason=str(exc), value=on.isoformat())],
            ) from exc
        if finding is None:
            continue
        out = trace.out().model_dump(mode="json")
        for p in out["parameters"]:
            parameters.setdefault(p["path"], p)
        pending.append(
            {
                "run_id": run.id,
                "kind": finding.kind.value,
                "person_id": pid,
                "household_id": row.household_id,
                "name": row.name,
                "id_number": row.id_number,
                "township_code": row.township_code,
                "village_code": row.village_code,
                "poverty_status": status.value,
                "work_ability": row.work_ability,
                "has_income": row.has_income,
                "on_dibao": dib,
                "on_tekun": tek,
                "detail": finding.detail[:300],
                "due_since": finding.due_since,
                "trace": out,
                "status": "open",
            }
        )
        if len(pending) >= CHUNK:
            found += write_findings(session, pending)
    found += write_findings(session, pending)
    run.findings = found
    run.parameters = {"rule": "WEL-8", "used": list(parameters.values())}
    run.seconds = round(time.perf_counter() - started, 3)
    return add_run(session, run)
