"""The imperative shell around the settlement rules: fetch the facts (registry and welfare read
models, year-to-date totals), call `settle_stay`, persist the decision and publish its events.

The claim id is the idempotency key: the same claim posted again returns the same decision and
pays nothing twice; different facts under the same claim id are a correction (PUT), never a
silent overwrite."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Literal

from services.medical.access import guard
from services.medical.family_doctor.service import note_diagnoses
from services.medical.outpatient.rules import RehabilitationCharge
from services.medical.registry.repository import PersonRepository
from services.medical.settlement.rules import (
    HIGH_BURDEN_THRESHOLD,
    StayFacts,
    Upstream,
    YearToDate,
    settle_stay,
)
from services.medical.settlement.rules import StayDecision as Decision
from services.medical.stays.models import HospitalStay, PersonYear, StayAdjustment, StayDecision
from services.medical.stays.repository import YTD_FIELDS, ZERO, StayRepository, StayTables
from services.medical.welfare.repository import FlagRepository
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, Forbidden
from shared.events.medical import (
    HighBurdenDetected,
    HospitalizationRecorded,
    StayAdjusted,
    StayData,
    TopupGranted,
)
from shared.ids import parse_resident_id
from shared.roles import Role
from shared.trace import Params, illustrative_of
from shared.uow import UnitOfWork

WRITERS = (Role.hospital, Role.county_medical)
READERS = (Role.hospital, Role.county_medical, Role.auditor, Role.service)


def facts_hash(data: StayData) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def year_to_date(row: PersonYear | SimpleNamespace) -> YearToDate:
    return YearToDate(**{name: Decimal(getattr(row, name)) for name in YTD_FIELDS})


def store_year_to_date(row: PersonYear | SimpleNamespace, ytd: YearToDate) -> None:
    for name in YTD_FIELDS:
        setattr(row, name, getattr(ytd, name))
    row.updated_at = utcnow()


def stay_facts(uow: UnitOfWork, data: StayData) -> tuple[StayFacts, Any]:
    """The stay's facts and the registry person (a row with person_id, household_id,
    township_code and poverty_status), or None when not registered."""
    people = PersonRepository(uow.session, None)
    person = people.settling_facts(data.id_number)
    # MED-5: the dibao / 特困 flags in force on the admission date, not today's.
    flags = FlagRepository(uow.session).flags_on(
        person.person_id if person else None, data.admission
    )
    upstream = (
        Upstream(
            basic=data.upstream.basic,
            critical_illness=data.upstream.critical_illness,
            assistance=data.upstream.assistance,
        )
        if data.upstream
        else None
    )
    facts = StayFacts(
        admission=data.admission,
        discharge=data.discharge,
        hospital_level=data.hospital_level,
        admin_level=data.admin_level,
        referral_compliant=data.referral_compliant,
        total_cost=data.total_cost,
        covered_cost=data.covered_cost,
        poverty_status=_status_at_admission(people, person, data),
        tekun=flags.tekun,
        dibao=flags.dibao,
        upstream=upstream,
        diagnosis_codes=tuple(data.diagnosis_codes),
        age=parse_resident_id(data.id_number).age_on(data.admission),
        rehabilitation=tuple(RehabilitationCharge(r.item, r.cost) for r in data.rehabilitation),
    )
    return facts, person


def _status_at_admission(people: PersonRepository, person: Any, data: StayData) -> str | None:
    """The registry status on the admission date (REG-2), else the current one."""
    if person is None:
        return None
    return people.status_on(person.person_id, data.admission) or str(person.poverty_status)


def decision_row(claim_id: str, version: int, data: StayData, d: Decision) -> StayDecision:
    return StayDecision(**_decision_values(claim_id, version, data, d))


def _decision_values(claim_id: str, version: int, data: StayData, d: Decision) -> dict[str, Any]:
    return dict(
        claim_id=claim_id,
        version=version,
        facts=data.model_dump(mode="json"),
        total_cost=data.total_cost,
        basic=d.basic,
        critical_illness=d.critical_illness,
        assistance=d.assistance,
        topup=d.topup,
        annual_cap=d.annual_cap,
        self_pay=d.self_pay,
        compliant_self_pay=d.compliant_self_pay,
        cost_basis=d.cost_basis,
        ratio_before_topup=d.ratio_before_topup,
        ratio_after=d.ratio_after,
        eligible_for_guarantee=d.eligible_for_guarantee,
        basic_deductible=d.basic_deductible,
        critical_illness_counted=d.critical_illness_counted,
        ytd_self_pay=d.ytd_self_pay,
        high_burden=d.high_burden,
        trace=d.trace.out().model_dump(mode="json"),
        created_at=utcnow(),
    )


def stay_status(trace: dict[str, Any] | None) -> str | None:
    """The registry status on the admission date, as the decision's trace recorded it (the first
    step that names it); None when not in the registry or not recorded."""
    for step in (trace or {}).get("steps") or ():
        status = (step.get("figures") or {}).get("poverty_status")
        if status is not None:
            return None if status == "none" else str(status)
    return None


def registered_poor_at_admission(trace: dict[str, Any] | None) -> bool:
    """建档立卡 (not exited or exited) on the admission date; a marginal household is not."""
    status = stay_status(trace)
    return status is not None and PovertyStatus(status).is_registered_poor


def stored_layers(row: StayDecision) -> Any:
    """The stored layers in the shape YearToDate.minus expects."""
    return SimpleNamespace(
        **{
            name: Decimal(getattr(row, name))
            for name in (
                "basic",
                "critical_illness",
                "assistance",
                "topup",
                "annual_cap",
                "self_pay",
                "compliant_self_pay",
                "basic_deductible",
                "critical_illness_counted",
            )
        }
    )


def readable(uow: UnitOfWork, claim_id: str) -> HospitalStay:
    """The stay, if the caller may read it: 404 when there is none, 403 for a role that may not
    read stays, 404 when it lies outside the caller's jurisdiction (a hospital sees its own
    stays in its jurisdiction only; others by jurisdiction). Either way: 404, no leak."""
    stay = StayRepository(uow.session, None).get_or_404(claim_id)
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read hospital stays")
    guard(StayRepository(uow.session, uow.principal), stay)
    return stay


def latest_decision(uow: UnitOfWork, claim_id: str) -> StayDecision:
    return StayTables(uow.session).latest_decision(claim_id)


def history(
    uow: UnitOfWork, claim_id: str
) -> tuple[HospitalStay, list[StayDecision], list[StayAdjustment]]:
    """A readable stay with every version of its decision and the adjustments between them."""
    stay = readable(uow, claim_id)
    tables = StayTables(uow.session)
    return stay, list(tables.decisions(claim_id)), list(tables.adjustments(claim_id))


def record(
    uow: UnitOfWork, data: StayData, submitted_by: str
) -> tuple[HospitalStay | SimpleNamespace, StayDecision | SimpleNamespace, bool]:
    """Settle a new stay (MED-1, MED-2, MED-3, MED-4, MED-5, MED-7). The hot path of the
    service: Core statements only, no ORM unit of work; what it returns reads like the stored
    rows."""
    tables = StayTables(uow.session)
    year_row = tables.locked_year_values(data.id_number, data.admission.year)
    digest = facts_hash(data)
    known = tables.known(data.claim_id)
    if known is not None:
        if known.facts_hash == digest and known.status == "active":
            stay = StayRepository(uow.session, None).fresh(data.claim_id)
            assert stay is not None
            return stay, tables.latest_decision(data.claim_id), False
        raise Conflict(
            "this claim id is already recorded with other facts; correct it with "
            f"PUT /v1/hospitalizations/{data.claim_id}"
        )
    facts, person = stay_facts(uow, data)
    decision = settle_stay(facts, year_to_date(year_row), _params(uow, data))
    store_year_to_date(year_row, year_to_date(year_row).plus(decision))
    now = utcnow()
    stay_values: dict[str, Any] = dict(
        claim_id=data.claim_id,
        submitted_by=submitted_by,
        id_number=data.id_number,
        person_id=person.person_id if person else None,
        county_code=data.county_code,
        township_code=person.township_code if person else None,
        year=data.admission.year,
        admission=data.admission,
        status="active",
        version=1,
        facts_hash=digest,
        created_at=now,
        updated_at=now,
    )
    tables.insert_stay(stay_values)
    decision_values = _decision_values(data.claim_id, 1, data, decision)
    tables.insert_decision(decision_values)
    _publish(uow, data, decision, person, year_row)
    tables.store_year_values(year_row)
    _note_diagnoses(uow, data, person.person_id if person else None, fresh=True)
    return SimpleNamespace(**stay_values), SimpleNamespace(**decision_values), True


def correct(
    uow: UnitOfWork, claim_id: str, data: StayData | None, reason: str
) -> tuple[HospitalStay, StayDecision]:
    """A new version (data) or a cancellation (data is None); the difference is recorded."""
    stays = StayRepository(uow.session, None)
    tables = StayTables(uow.session)
    stay = stays.get_or_404(claim_id)
    year_row = tables.lock_person_year(stay.id_number, stay.year)
    stays.refresh(stay)
    if stay.status == "cancelled":
        raise Conflict("the stay is cancelled")
    old = tables.latest_decision(claim_id)
    old_data = StayData.model_validate(old.facts)
    if data is not None and data.id_number != stay.id_number:
        raise Conflict("a correction cannot change the patient; cancel and post anew")
    without = year_to_date(year_row).minus(stored_layers(old))
    if data is not None and data.admission.year != stay.year:
        raise Conflict("a correction cannot move the stay to another year")
    if data is None:
        new_row = _zero_row(claim_id, old.version + 1, old_data, old.trace)
        store_year_to_date(year_row, without)
        stay.status = "cancelled"
    else:
        facts, _ = stay_facts(uow, data)
        decision = settle_stay(facts, without, _params(uow, data))
        store_year_to_date(year_row, without.plus(decision))
        new_row = decision_row(claim_id, old.version + 1, data, decision)
        stay.facts_hash = facts_hash(data)
    stay.version = new_row.version
    stay.updated_at = utcnow()
    kind: Literal["corrected", "cancelled"] = "cancelled" if data is None else "corrected"
    adjustment = StayAdjustment(
        claim_id=claim_id,
        kind=kind,
        from_version=old.version,
        to_version=new_row.version,
        topup_delta=new_row.topup - old.topup,
        annual_cap_delta=new_row.annual_cap - old.annual_cap,
        self_pay_delta=new_row.self_pay - old.self_pay,
        reason=reason[:500],
        created_by=uow.actor,
    )
    tables.add(stay, new_row, adjustment)
    # MED-12: the stay's chronic diagnoses follow its correction; a cancelled stay has none.
    _note_diagnoses(uow, data or old_data, stay.person_id if data is not None else None)
    uow.publish(
        StayAdjusted(
            claim_id=claim_id,
            person_id=stay.person_id,
            county_code=stay.county_code,
            kind=kind,
            from_version=old.version,
            to_version=new_row.version,
            topup_delta=adjustment.topup_delta,
            annual_cap_delta=adjustment.annual_cap_delta,
            self_pay_delta=adjustment.self_pay_delta,
            # The difference is made of the figures of both versions.
            illustrative_parameters=illustrative_of(old.trace, new_row.trace),
        ),
        key=household_key(uow, stay.person_id, claim_id),
        subject=claim_id,
    )
    return stay, new_row


def _note_diagnoses(
    uow: UnitOfWork, data: StayData, person_id: str | None, *, fresh: bool = False
) -> None:
    """MED-12: the stay's diagnoses of the 36 chronic diseases in the chronic-patient register
    (none for a patient outside the registry or a cancelled stay)."""
    note_diagnoses(
        uow,
        person_id=person_id,
        county_code=data.county_code,
        codes=data.diagnosis_codes,
        seen_on=data.discharge,
        source="stay",
        ref=data.claim_id,
        fresh=fresh,
    )


def _params(uow: UnitOfWork, data: StayData) -> Params:
    # Parameters in force on the admission date: an old claim uses the old values.
    return uow.params(data.county_code, data.admission)


def household_key(uow: UnitOfWork, person_id: str | None, claim_id: str) -> str:
    """The key of a stay's events: the patient's household, else the claim itself."""
    if person_id is None:
        return claim_id
    return PersonRepository(uow.session, None).household_of(person_id) or claim_id


def _publish(
    uow: UnitOfWork,
    data: StayData,
    d: Decision,
    person: Any,
    year_row: PersonYear | SimpleNamespace,
) -> None:
    key = person.household_id if person else data.claim_id
    person_id = person.person_id if person else None
    reimbursed = d.basic + d.critical_illness + d.assistance + d.topup + d.annual_cap
    illustrative = d.trace.illustrative()
    uow.publish(
        HospitalizationRecorded(
            claim_id=data.claim_id,
            person_id=person_id,
            county_code=data.county_code,
            admission=data.admission,
            discharge=data.discharge,
            referral_compliant=data.referral_compliant,
            total_cost=data.total_cost,
            reimbursed=reimbursed,
            self_pay=d.self_pay,
            ratio_after=str(d.ratio_after),
            illustrative_parameters=illustrative,
        ),
        key=key,
        subject=data.claim_id,
    )
    if person is None:
        return
    if d.topup > 0 or d.annual_cap > 0:
        uow.publish(
            TopupGranted(
                claim_id=data.claim_id,
                person_id=person.person_id,
                county_code=data.county_code,
                year=data.admission.year,
                topup=d.topup,
                annual_cap=d.annual_cap,
                ratio_before=str(d.ratio_before_topup),
                ratio_after=str(d.ratio_after),
                illustrative_parameters=illustrative,
            ),
            key=key,
            subject=data.claim_id,
        )
    if d.high_burden and not year_row.high_burden_reported:
        year_row.high_burden_reported = True  # one referral per person and year
        # The figure the decision's trace used (MED-4), not a second read.
        threshold = d.trace.parameters[HIGH_BURDEN_THRESHOLD].value
        uow.publish(
            HighBurdenDetected(
                person_id=person.person_id,
                household_id=person.household_id,
                county_code=data.county_code,
                year=data.admission.year,
                claim_id=data.claim_id,
                ytd_self_pay=d.ytd_self_pay,
                threshold=Decimal(threshold).quantize(Decimal("0.01")),
                illustrative_parameters=illustrative,
            ),
            key=key,
            subject=person.person_id,
        )


def _zero_row(
    claim_id: str, version: int, data: StayData, old_trace: dict[str, Any]
) -> StayDecision:
    """A cancelled stay's last version: nothing paid, the full cost back with the hospital. Its
    trace keeps the patient's status at admission (for `registered_poor`) and uses no figure."""
    status = stay_status(old_trace)
    return StayDecision(
        claim_id=claim_id,
        version=version,
        facts=data.model_dump(mode="json"),
        total_cost=data.total_cost,
        basic=ZERO,
        critical_illness=ZERO,
        assistance=ZERO,
        topup=ZERO,
        annual_cap=ZERO,
        self_pay=ZERO,
        compliant_self_pay=ZERO,
        cost_basis=ZERO,
        ratio_before_topup=Decimal("0"),
        ratio_after=Decimal("0"),
        eligible_for_guarantee=False,
        basic_deductible=ZERO,
        critical_illness_counted=ZERO,
        ytd_self_pay=ZERO,
        high_burden=False,
        trace={
            "rules": ["MED-1"],
            "parameters": [],
            "steps": [
                {
                    "rule": "MED-1",
                    "text": "cancelled",
                    "figures": {"poverty_status": status or "none"},
                }
            ],
            "illustrative_parameters": [],
        },
    )
