"""The imperative shell around the settlement rules: fetch the facts (registry and welfare read
models, year-to-date totals), call `settle_stay`, persist the decision and publish its events.

The claim id is the idempotency key: the same claim posted again returns the same decision and
pays nothing twice; different facts under the same claim id are a correction (PUT), never a
silent overwrite."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from services.medical.models import (
    HospitalStay,
    PersonYear,
    RegistryPerson,
    StayAdjustment,
    StayDecision,
)
from services.medical.registry.consumers import status_on
from services.medical.settlement.rules import (
    HIGH_BURDEN_THRESHOLD,
    StayFacts,
    Upstream,
    YearToDate,
    settle_stay,
)
from services.medical.settlement.rules import StayDecision as Decision
from services.medical.welfare.flags import flags_on
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, NotFound
from shared.events.medical import (
    HighBurdenDetected,
    HospitalizationRecorded,
    StayAdjusted,
    StayData,
    TopupGranted,
)
from shared.ids import parse_resident_id
from shared.policy import PolicySet
from shared.trace import Params, illustrative_of

YTD_FIELDS = tuple(f.name for f in fields(YearToDate))
ZERO = Decimal("0.00")
PY = PersonYear.__table__  # type: ignore[attr-defined]
HS = HospitalStay.__table__  # type: ignore[attr-defined]
SD = StayDecision.__table__  # type: ignore[attr-defined]
RP = RegistryPerson.__table__  # type: ignore[attr-defined]
PERSON_COLUMNS = (RP.c.person_id, RP.c.household_id, RP.c.township_code, RP.c.poverty_status)


def facts_hash(data: StayData) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def person_year(session: Session, id_number: str, year: int) -> PersonYear:
    """Lock the person's year-to-date row before reading anything else, so that two stays of one
    person never settle against the same totals. The insert comes first: on SQLite it takes the
    write lock (later reads then see every committed stay); on PostgreSQL FOR UPDATE holds the row
    until commit."""
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert_fn(PersonYear.__table__)  # type: ignore[attr-defined]
        .values(
            id_number=id_number,
            year=year,
            high_burden_reported=False,
            updated_at=utcnow(),
            **dict.fromkeys(YTD_FIELDS, ZERO),
        )
        .on_conflict_do_nothing()
    )
    stmt = select(PersonYear).where(PersonYear.id_number == id_number, PersonYear.year == year)
    if dialect == "postgresql":
        stmt = stmt.with_for_update()
    row = session.exec(stmt.execution_options(populate_existing=True)).one()
    return row


def _locked_year(session: Session, id_number: str, year: int) -> SimpleNamespace:
    """The hot path's `person_year`: one statement that creates the row if missing and returns
    it locked (ON CONFLICT DO UPDATE takes the row lock on PostgreSQL; on SQLite the write lock),
    read as plain values rather than an ORM object."""
    values = {
        "id_number": id_number,
        "year": year,
        "high_burden_reported": False,
        "updated_at": utcnow(),
        **dict.fromkeys(YTD_FIELDS, ZERO),
    }
    stmt = _year_upsert(session.get_bind().dialect.name)
    return SimpleNamespace(**session.execute(stmt, values).mappings().one())


@lru_cache(maxsize=4)
def _year_upsert(dialect: str) -> Any:
    # Built once and executed with parameters: no statement construction per claim.
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(PY)
    return stmt.on_conflict_do_update(
        index_elements=["id_number", "year"], set_={"updated_at": stmt.excluded.updated_at}
    ).returning(*PY.c)


_YEAR_UPDATE = (
    update(PY)
    .where(PY.c.id_number == bindparam("key_id_number"), PY.c.year == bindparam("key_year"))
    .values({name: bindparam(name) for name in (*YTD_FIELDS, "high_burden_reported", "updated_at")})
)
_STAY_EXISTS = core_select(HS.c.facts_hash, HS.c.status).where(
    HS.c.claim_id == bindparam("claim_id")
)
_PERSON = core_select(*PERSON_COLUMNS).where(RP.c.id_number == bindparam("id_number"))


def _ytd(row: PersonYear | SimpleNamespace) -> YearToDate:
    return YearToDate(**{name: Decimal(getattr(row, name)) for name in YTD_FIELDS})


def _store_ytd(row: PersonYear | SimpleNamespace, ytd: YearToDate) -> None:
    for name in YTD_FIELDS:
        setattr(row, name, getattr(ytd, name))
    row.updated_at = utcnow()


def _facts(session: Session, data: StayData) -> tuple[StayFacts, Any]:
    """The stay's facts and the registry person (a row with person_id, household_id,
    township_code and poverty_status), or None when not registered."""
    person = session.execute(_PERSON, {"id_number": data.id_number}).first()
    # MED-5: the dibao / 特困 flags in force on the admission date, not today's.
    flags = flags_on(session, person.person_id if person else None, data.admission)
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
        poverty_status=_status_at_admission(session, person, data),
        tekun=flags.tekun,
        dibao=flags.dibao,
        upstream=upstream,
        diagnosis_codes=tuple(data.diagnosis_codes),
        age=parse_resident_id(data.id_number).age_on(data.admission),
    )
    return facts, person


def _status_at_admission(session: Session, person: Any, data: StayData) -> str | None:
    """The registry status on the admission date (REG-2), else the current one."""
    if person is None:
        return None
    return status_on(session, person.person_id, data.admission) or str(person.poverty_status)


def _decision_row(claim_id: str, version: int, data: StayData, d: Decision) -> StayDecision:
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


def latest_decision(session: Session, claim_id: str) -> StayDecision:
    row = session.exec(
        select(StayDecision)
        .where(StayDecision.claim_id == claim_id)
        .order_by(StayDecision.version.desc())  # type: ignore[attr-defined]
    ).first()
    assert row is not None
    return row


def _as_rule_decision(row: StayDecision) -> Any:
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


class StayService:
    def __init__(self, policy: PolicySet, publish_kwargs: dict[str, str]) -> None:
        self.policy = policy
        self.publish_kwargs = publish_kwargs

    def record(
        self, session: Session, data: StayData, submitted_by: str
    ) -> tuple[HospitalStay | SimpleNamespace, StayDecision | SimpleNamespace, bool]:
        """Settle a new stay (MED-1, MED-2, MED-3, MED-4, MED-5, MED-7). The hot path of the
        service: Core statements only, no ORM unit of work; what it returns reads like the stored
        rows."""
        year_row = _locked_year(session, data.id_number, data.admission.year)
        digest = facts_hash(data)
        known = session.execute(_STAY_EXISTS, {"claim_id": data.claim_id}).first()
        if known is not None:
            if known.facts_hash == digest and known.status == "active":
                stay = session.get(HospitalStay, data.claim_id, populate_existing=True)
                assert stay is not None
                return stay, latest_decision(session, data.claim_id), False
            raise Conflict(
                "this claim id is already recorded with other facts; correct it with "
                f"PUT /v1/hospitalizations/{data.claim_id}"
            )
        facts, person = _facts(session, data)
        decision = settle_stay(facts, _ytd(year_row), self._params(data))
        _store_ytd(year_row, _ytd(year_row).plus(decision))
        now = utcnow()
        stay = dict(
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
        session.execute(insert(HS), stay)
        row = _decision_values(data.claim_id, 1, data, decision)
        session.execute(insert(SD), row)
        self._publish(session, data, decision, person, year_row)
        session.execute(
            _YEAR_UPDATE,
            {
                "key_id_number": data.id_number,
                "key_year": data.admission.year,
                "high_burden_reported": year_row.high_burden_reported,
                "updated_at": year_row.updated_at,
                **{name: getattr(year_row, name) for name in YTD_FIELDS},
            },
        )
        return SimpleNamespace(**stay), SimpleNamespace(**row), True

    def correct(
        self, session: Session, claim_id: str, data: StayData | None, by: str, reason: str
    ) -> tuple[HospitalStay, StayDecision]:
        """A new version (data) or a cancellation (data is None); the difference is recorded."""
        stay = session.get(HospitalStay, claim_id)
        if stay is None:
            raise NotFound("no stay with that claim id")
        year_row = person_year(session, stay.id_number, stay.year)
        session.refresh(stay)
        if stay.status == "cancelled":
            raise Conflict("the stay is cancelled")
        old = latest_decision(session, claim_id)
        old_data = StayData.model_validate(old.facts)
        if data is not None and data.id_number != stay.id_number:
            raise Conflict("a correction cannot change the patient; cancel and post anew")
        without = _ytd(year_row).minus(_as_rule_decision(old))
        if data is not None and data.admission.year != stay.year:
            raise Conflict("a correction cannot move the stay to another year")
        if data is None:
            new_row = _zero_row(claim_id, old.version + 1, old_data, old.trace)
            _store_ytd(year_row, without)
            stay.status = "cancelled"
        else:
            facts, _ = _facts(session, data)
            decision = settle_stay(facts, without, self._params(data))
            _store_ytd(year_row, without.plus(decision))
            new_row = _decision_row(claim_id, old.version + 1, data, decision)
            stay.facts_hash = facts_hash(data)
        stay.version = new_row.version
        stay.updated_at = utcnow()
        session.add(stay)
        session.add(new_row)
        kind = "cancelled" if data is None else "corrected"
        adjustment = StayAdjustment(
            claim_id=claim_id,
            kind=kind,
            from_version=old.version,
            to_version=new_row.version,
            topup_delta=new_row.topup - old.topup,
            annual_cap_delta=new_row.annual_cap - old.annual_cap,
            self_pay_delta=new_row.self_pay - old.self_pay,
            reason=reason[:500],
            created_by=by,
        )
        session.add(adjustment)
        publish(
            session,
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
            key=self._key(session, stay.person_id, claim_id),
            subject=claim_id,
            **self.publish_kwargs,
        )
        return stay, new_row

    def _params(self, data: StayData) -> Params:
        # Parameters in force on the admission date: an old claim uses the old values.
        return Params(self.policy, data.county_code, data.admission)

    def _key(self, session: Session, person_id: str | None, claim_id: str) -> str:
        if person_id is None:
            return claim_id
        person = session.get(RegistryPerson, person_id)
        return person.household_id if person else claim_id

    def _publish(
        self,
        session: Session,
        data: StayData,
        d: Decision,
        person: Any,
        year_row: PersonYear | SimpleNamespace,
    ) -> None:
        key = person.household_id if person else data.claim_id
        person_id = person.person_id if person else None
        reimbursed = d.basic + d.critical_illness + d.assistance + d.topup + d.annual_cap
        illustrative = d.trace.illustrative()
        publish(
            session,
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
            **self.publish_kwargs,
        )
        if person is None:
            return
        if d.topup > 0 or d.annual_cap > 0:
            publish(
                session,
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
                **self.publish_kwargs,
            )
        if d.high_burden and not year_row.high_burden_reported:
            year_row.high_burden_reported = True  # one referral per person and year
            # The figure the decision's trace used (MED-4), not a second read.
            threshold = d.trace.parameters[HIGH_BURDEN_THRESHOLD].value
            publish(
                session,
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
                **self.publish_kwargs,
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
