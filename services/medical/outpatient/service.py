"""The shell around the outpatient chronic-disease rules (MED-6, MED-8): the bill id is the
idempotency key, the person's running totals per year and category are taken under a lock, the
registry status on the bill date decides who is covered, and the decision is stored with its
trace. Same bill id with the same facts: the stored decision; with other facts: 409."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.medical.family_doctor.service import note_diagnoses
from services.medical.outpatient.models import OutpatientBill, OutpatientYear
from services.medical.outpatient.repository import BillRepository, YearRepository
from services.medical.outpatient.rules import (
    MED_6,
    MED_8,
    P_CHRONIC36_CAP,
    P_CHRONIC_CAP,
    AdminLevel,
    Chronic36Facts,
    ChronicCategory,
    ChronicOutpatientFacts,
    HospitalLevel,
    chronic36_aid,
    chronic_outpatient_payment,
)
from services.medical.outpatient.schemas import Chronic36BillIn, ChronicBillIn
from services.medical.registry.models import RegistryPerson
from services.medical.registry.service import find_person, standing_on
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.money import ZERO
from shared.policy import ParameterNotFound
from shared.trace import Params, Trace
from shared.uow import UnitOfWork

CATEGORY_RULE = {"chronic_I": MED_6, "chronic_II": MED_6, "chronic36": MED_8}
YEAR_ZEROS = {
    "bills": 0,
    "paid": ZERO,
    "basic_fund": ZERO,
    "commercial_insurer": ZERO,
    "self_pay": ZERO,
}


@dataclass(frozen=True)
class Outcome:
    """What a rule decided for one bill, in the shape the bill row stores."""

    paid: Decimal
    basic_fund: Decimal
    commercial_insurer: Decimal
    self_pay: Decimal
    ytd_before: Decimal
    ytd_after: Decimal


Compute = Callable[[OutpatientYear, Params, Trace], Outcome]


def _digest(rule: str, body: ChronicBillIn | Chronic36BillIn) -> str:
    return hashlib.sha256((rule + body.model_dump_json()).encode()).hexdigest()


def _in_force(params: Params, path: str, rule: str) -> None:
    """Refuse a bill the county's parameters cannot settle (422, nothing written): a county that
    has no figure at all (MED-8 is 正安's programme; no other county's caps are lent), or a bill
    dated before the rule's parameters exist."""
    try:
        params.policy.resolve(path, params.county, params.on)
    except ParameterNotFound as exc:
        try:
            params.policy.resolve(path, params.county, date.max)
        except ParameterNotFound:
            raise InvalidInput(
                f"{rule} has no figure for county {params.county}: the county must publish its "
                f"own {path}",
                errors=[FieldError(field="body.county_code", reason=str(exc))],
            ) from exc
        raise InvalidInput(
            f"{rule} is not in force on the bill date",
            errors=[FieldError(field="body.bill_date", reason=str(exc))],
        ) from exc


def record_chronic(uow: UnitOfWork, body: ChronicBillIn) -> tuple[OutpatientBill, bool]:
    """MED-6: 门诊特殊慢性病, ratio by hospital level within the category's yearly cap."""
    category = ChronicCategory(body.category)

    def compute(row: OutpatientYear, params: Params, trace: Trace) -> Outcome:
        facts = ChronicOutpatientFacts(
            category, HospitalLevel(body.hospital_level), body.covered_cost, Decimal(row.paid)
        )
        r = chronic_outpatient_payment(facts, params, trace=trace)
        return Outcome(
            r.reimbursed, r.basic_fund, r.commercial_insurer, r.self_pay, facts.ytd_reimbursed,
            r.ytd_after,
        )  # fmt: skip

    return _record(
        uow, body, f"chronic_{category.value}", body.covered_cost, P_CHRONIC_CAP[category],
        compute,
    )  # fmt: skip


def record_chronic36(uow: UnitOfWork, body: Chronic36BillIn) -> tuple[OutpatientBill, bool]:
    """MED-8: aid on approved out-of-catalogue drugs so the yearly self-pay stays in the cap."""
    level = AdminLevel(body.hospital_admin_level)

    def compute(row: OutpatientYear, params: Params, trace: Trace) -> Outcome:
        facts = Chronic36Facts(
            level, body.bill_self_pay, body.approved_out_of_catalogue, Decimal(row.self_pay)
        )
        r = chronic36_aid(facts, params, trace=trace)
        return Outcome(r.aid, ZERO, ZERO, r.self_pay_after, facts.ytd_self_pay, r.ytd_after)

    return _record(uow, body, "chronic36", body.bill_self_pay, P_CHRONIC36_CAP[level], compute)


def _record(
    uow: UnitOfWork,
    body: ChronicBillIn | Chronic36BillIn,
    category: str,
    amount: Decimal,
    marker: str,
    compute: Compute,
) -> tuple[OutpatientBill, bool]:
    rule = CATEGORY_RULE[category]
    year = body.bill_date.year
    by = uow.actor
    years = YearRepository(uow.session)
    bills = BillRepository(uow.session, None)
    row = years.lock(body.id_number, year, category, {**YEAR_ZEROS, "updated_at": utcnow()})
    digest = _digest(rule, body)
    existing = bills.fresh(body.bill_id)
    if existing is not None:
        if existing.facts_hash == digest and existing.submitted_by == by:
            return existing, False
        raise Conflict("this bill id is already recorded with other facts")
    params = uow.params(body.county_code, body.bill_date)
    _in_force(params, marker, rule)
    standing = standing_on(uow, body.id_number, body.bill_date)
    trace = Trace()
    refusal = standing.refusal(rule, body.bill_date)
    if refusal is None:
        out = compute(row, params, trace)
        row.bills += 1
        for name in ("paid", "basic_fund", "commercial_insurer", "self_pay"):
            setattr(row, name, Decimal(getattr(row, name)) + getattr(out, name))
        row.updated_at = utcnow()
        years.add(row)
    else:
        # A clear decision, stored like any other; the running totals are untouched.
        trace.step(rule, f"no payment: {refusal}", bill_date=body.bill_date, amount=amount)
        ytd = Decimal(row.paid if rule == MED_6 else row.self_pay)
        out = Outcome(ZERO, ZERO, ZERO, amount, ytd, ytd)
    bill = OutpatientBill(
        bill_id=body.bill_id,
        rule=rule,
        category=category,
        submitted_by=by,
        id_number=body.id_number,
        person_id=standing.person.person_id if standing.person else None,
        county_code=body.county_code,
        year=year,
        bill_date=body.bill_date,
        facts=body.model_dump(mode="json"),
        facts_hash=digest,
        poverty_status=standing.status,
        eligible=refusal is None,
        reason=refusal,
        amount=amount,
        paid=out.paid,
        basic_fund=out.basic_fund,
        commercial_insurer=out.commercial_insurer,
        self_pay=out.self_pay,
        ytd_before=out.ytd_before,
        ytd_after=out.ytd_after,
        trace=trace.out().model_dump(mode="json"),
    )
    if not bills.add_new(bill):
        # The same bill id posted at once with other facts (the same facts take the same year
        # row's lock, so they are answered as the repeat above): nothing of this one is kept.
        raise Conflict("this bill id is already recorded with other facts")
    # MED-12: a chronic diagnosis on the bill enters the chronic-patient register.
    note_diagnoses(
        uow,
        person_id=bill.person_id,
        county_code=body.county_code,
        codes=body.diagnosis_codes,
        seen_on=body.bill_date,
        source="outpatient",
        ref=body.bill_id,
    )
    return bill, True


def readable_bill(uow: UnitOfWork, bill_id: str) -> OutpatientBill:
    """A hospital reads the bills it posted; officers those of their county; else 404."""
    return BillRepository(uow.session, uow.principal).get_or_404(bill_id)


def person_record(
    uow: UnitOfWork, id_number: str, year: int | None
) -> tuple[RegistryPerson | None, Sequence[OutpatientYear], Sequence[OutpatientBill]]:
    """A person's yearly totals per category and bills. A person in the registry is read in
    their village's jurisdiction; one not in it only by county-level users of the bills'
    county."""
    person = find_person(uow, id_number)
    rows = BillRepository(uow.session, None).of_person(id_number, year)
    if person is None and (not rows or not all(uow.principal.covers(b.county_code) for b in rows)):
        raise NotFound("no such person in your jurisdiction")
    return person, YearRepository(uow.session).totals(id_number, year), rows
