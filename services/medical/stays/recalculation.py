"""Stays already settled, settled again when their county publishes figures that apply to them
after the fact (a guarantee ratio, the rural per-capita income of the annual cap, published in
June and in force from January): the recalculator the medical service runs on publication
(shared.policy.recalculation).

A stay's amounts depend on the stays of its person-year settled before it (deductibles, yearly
caps, the annual-cap cover), so each person-year with a stay admitted since the set takes effect
is replayed whole, in the order its stays were recorded, from zero: once under the policy
without this set and once with it. A stay whose amounts the set changes gets a new version of
its decision (the one due now), a `recalculated` adjustment between the versions and one entry
in the ledger of policy adjustments (back-pay or claw-back) with an event; a second run of the
same publication finds the ledger entry and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from services.medical.settlement.rules import StayDecision as Decision
from services.medical.settlement.rules import YearToDate, settle_stay
from services.medical.stays.models import HospitalStay, StayAdjustment, StayDecision
from services.medical.stays.repository import STAY_SCHEME, StayTables
from services.medical.stays.service import (
    decision_row,
    household_key,
    stay_facts,
    store_year_to_date,
    stored_layers,
    year_to_date,
)
from shared.bus.tables import utcnow
from shared.events.medical import StayData, StayRecalculated
from shared.policy import PolicySet
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation import service as recalculation
from shared.policy.recalculation.service import Decided, policy_without
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import Params
from shared.uow import UnitOfWork

# The amounts of a decision: a stay is touched by a set when any of them differs.
LAYERS = ("basic", "critical_illness", "assistance", "topup", "annual_cap", "self_pay")
REIMBURSED = LAYERS[:-1]


@dataclass(frozen=True)
class _Replayed:
    """One stay of a person-year settled again under both policies."""

    stay: HospitalStay
    stored: StayDecision
    data: StayData
    person: Any
    before: Decision
    after: Decision


def recalculate_stays(
    uow: UnitOfWork, publication: PolicyPublication, since: date
) -> list[PolicyAdjustment]:
    """Settle again the county's active stays admitted from `since` to today, with every stay of
    their person-years, under the policy without and with the publication (`uow.policy` has it);
    record each stay it changes as a new version and a policy adjustment, and publish
    `medical.stay_recalculated` for it."""
    assert publication.id is not None
    tables = StayTables(uow.session)
    before = policy_without(uow, publication)
    out: list[PolicyAdjustment] = []
    years = tables.person_years_admitted(publication.county_code, since, uow.today())
    for id_number, year in years:
        # Locked before its stays are read, as a correction does: no stay of the person-year
        # settles against totals this run is about to change.
        year_row = tables.lock_person_year(id_number, year)
        replayed = _replay(uow, tables, id_number, year, before)
        done = tables.recalculated_by(publication.id, [r.stay.claim_id for r in replayed])
        ytd = year_to_date(year_row)
        changed = False
        for r in replayed:
            if r.stay.claim_id in done or not _differs(r.before, r.after):
                continue
            due = _due(r)
            if not _differs(r.stored, due):
                continue  # already settled as now due (recorded after the set was published)
            new_row = decision_row(r.stay.claim_id, r.stored.version + 1, r.data, due)
            key = household_key(uow, r.stay.person_id, r.stay.claim_id)
            adjustment = _record(uow, publication, r, new_row, key)
            if adjustment is None and _reimbursed(new_row) != _reimbursed(r.stored):
                continue  # a concurrent run of the same publication recorded it
            _new_version(uow, tables, publication, r, new_row)
            ytd = ytd.minus(stored_layers(r.stored)).plus(due)
            changed = True
            if adjustment is not None:
                out.append(adjustment)
        if changed:
            # The totals move by what the new versions changed, so they stay the sum of the
            # stays' latest decisions (what a later correction or cancellation takes out).
            store_year_to_date(year_row, ytd)
            tables.add(year_row)
    tables.flush()
    return out


def _replay(
    uow: UnitOfWork, tables: StayTables, id_number: str, year: int, before: PolicySet
) -> list[_Replayed]:
    """Every active stay of the person-year from zero, in the order recorded, under both
    policies; each with the parameters in force on its admission date."""
    out: list[_Replayed] = []
    ytd_before, ytd_after = YearToDate(), YearToDate()
    for stay, stored in tables.active_stays_as_recorded(id_number, year):
        data = StayData.model_validate(stored.facts)
        facts, person = stay_facts(uow, data)
        old = settle_stay(facts, ytd_before, Params(before, data.county_code, data.admission))
        new = settle_stay(facts, ytd_after, uow.params(data.county_code, data.admission))
        ytd_before, ytd_after = ytd_before.plus(old), ytd_after.plus(new)
        out.append(_Replayed(stay, stored, data, person, old, new))
    return out


def _due(r: _Replayed) -> Decision:
    """The decision now due: the replay under the set when the stored decision replays as it was
    settled; else the stored amounts moved by what the set alone changes (each layer's
    difference between the replays), so a correction or cancellation of another stay of the
    year, settled in another order, is not taken for a change of figures."""
    if not _differs(r.stored, r.before):
        return r.after
    moved = {
        name: Decimal(getattr(r.stored, name)) + getattr(r.after, name) - getattr(r.before, name)
        for name in (*LAYERS, "compliant_self_pay")
    }
    return replace(r.after, **moved)


def _differs(a: Decision | StayDecision, b: Decision | StayDecision) -> bool:
    return any(Decimal(getattr(a, name)) != Decimal(getattr(b, name)) for name in LAYERS)


def _reimbursed(d: Decision | StayDecision) -> Decimal:
    return sum((Decimal(getattr(d, name)) for name in REIMBURSED), Decimal("0.00"))


def _record(
    uow: UnitOfWork,
    publication: PolicyPublication,
    r: _Replayed,
    new_row: StayDecision,
    key: str,
) -> PolicyAdjustment | None:
    """The ledger entry: what the stored decision reimbursed and what the new one does, with
    both traces (so both parameter versions); None when the total is unchanged (the layers only
    moved) or this publication's run recorded it already."""
    stay, person = r.stay, r.person
    return recalculation.record_and_publish(
        uow,
        publication,
        Decided(
            scheme=STAY_SCHEME,
            subject=stay.claim_id,
            county_code=stay.county_code,
            period=stay.admission,
            paid=_reimbursed(r.stored),
            due=_reimbursed(new_row),
            old_trace=r.stored.trace,
            new_trace=new_row.trace,
            person_id=stay.person_id,
            household_id=person.household_id if person is not None else None,
            township_code=stay.township_code or (person.township_code if person else None),
        ),
        StayRecalculated,
        key,
        stay.claim_id,
    )


def _new_version(
    uow: UnitOfWork,
    tables: StayTables,
    publication: PolicyPublication,
    r: _Replayed,
    new_row: StayDecision,
) -> None:
    """The decision as now due becomes the stay's latest version, the difference recorded as a
    `recalculated` adjustment (as a correction records its own)."""
    stay, old = r.stay, r.stored
    stay.version = new_row.version
    stay.updated_at = utcnow()
    tables.add(
        stay,
        new_row,
        StayAdjustment(
            claim_id=stay.claim_id,
            kind="recalculated",
            from_version=old.version,
            to_version=new_row.version,
            topup_delta=new_row.topup - old.topup,
            annual_cap_delta=new_row.annual_cap - old.annual_cap,
            self_pay_delta=new_row.self_pay - old.self_pay,
            reason=f"recalculated under publication {publication.id}: {publication.reason}"[:500],
            created_by=uow.actor,
        ),
    )
