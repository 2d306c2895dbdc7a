"""The shell of the retroactive top-up campaign (MED-10): extract the stays, issue one form per
stay, move forms through their steps, and pay a form as a new version of the stay's decision.

A step first locks its form row, then reads it, and changes the status by a conditional UPDATE
(`WHERE status = <the status read>`): two people taking the same step at once give one step and
one 409, on SQLite and PostgreSQL alike.
Paying first locks the person's year-to-date row as the stay service does, so a payment and a
correction of the same stay never interleave; the decision's unique (claim_id, version) is the
last guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from services.medical import clock
from services.medical.campaign.rules import (
    MED_10,
    ConfirmMethod,
    ConfirmRelation,
    FormStatus,
    SettledStay,
    check_separation,
    check_transition,
    ratio,
    topup_due,
)
from services.medical.models import (
    HospitalStay,
    RegistryPerson,
    StayAdjustment,
    StayDecision,
    TopupCampaign,
    TopupForm,
    TopupFormStep,
)
from services.medical.settlement.rules import HIGH_BURDEN_THRESHOLD, REGISTERED_POOR
from services.medical.stays.service import latest_decision, person_year
from shared.auth import Principal, Role
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.clock import CHINA
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.events.medical import TopupGranted
from shared.money import ZERO
from shared.policy import PolicySet
from shared.trace import Params, Trace, illustrative_of

ACTIVE = "active"


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def settled(stay: HospitalStay, d: StayDecision, person: RegistryPerson) -> SettledStay:
    return SettledStay(
        admission=stay.admission,
        referral_compliant=bool(d.facts.get("referral_compliant")),
        registered_poor=person.poverty_status in REGISTERED_POOR,
        cost_basis=Decimal(d.cost_basis),
        basic=Decimal(d.basic),
        critical_illness=Decimal(d.critical_illness),
        assistance=Decimal(d.assistance),
        topup=Decimal(d.topup),
        annual_cap=Decimal(d.annual_cap),
        self_pay=Decimal(d.self_pay),
        ratio_after=Decimal(d.ratio_after),
    )


def current_stays(session: Session) -> Any:
    """Active stays of people in the registry read model, each with its latest decision."""
    return (
        select(HospitalStay, StayDecision, RegistryPerson)
        .join(
            StayDecision,
            and_(
                StayDecision.claim_id == HospitalStay.claim_id,
                StayDecision.version == HospitalStay.version,
            ),
        )
        .join(RegistryPerson, RegistryPerson.person_id == HospitalStay.person_id)  # type: ignore[arg-type]
        .where(HospitalStay.status == ACTIVE)
    )


def create_campaign(
    session: Session,
    policy: PolicySet,
    county: str,
    start: date,
    end: date,
    principal: Principal,
) -> TopupCampaign:
    campaign = TopupCampaign(
        county_code=county, period_start=start, period_end=end, created_by=principal.subject
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    rows = session.exec(
        current_stays(session)
        .where(
            HospitalStay.county_code == county,
            HospitalStay.admission >= start,  # type: ignore[operator]
            HospitalStay.admission <= end,  # type: ignore[operator]
            StayDecision.topup == 0,  # topped up once, ever: live or by a campaign
        )
        .order_by(HospitalStay.claim_id)  # type: ignore[arg-type]
    ).all()
    insert_fn = _insert(session)
    issuer_role = (Role.county_medical if principal.has(Role.county_medical) else Role.admin).value
    for stay, decision, person in rows:
        result = topup_due(settled(stay, decision, person), Params(policy, county, stay.admission))
        if result.due == 0:
            continue
        assert result.target is not None
        values = _form_values(campaign.id, stay, decision, person, result.due, result.target)
        values["trace"] = result.trace.out().model_dump(mode="json")
        # The unique claim id makes a second form for the stay a no-op, even under a race.
        form_id = session.execute(
            insert_fn(TopupForm.__table__)  # type: ignore[attr-defined]
            .values(**values)
            .on_conflict_do_nothing(index_elements=["claim_id"])
            .returning(TopupForm.__table__.c.id)  # type: ignore[attr-defined]
        ).scalar()
        if form_id is None:
            campaign.skipped_existing_form += 1
            continue
        campaign.forms_created += 1
        session.add(
            TopupFormStep(
                form_id=form_id,
                claim_id=stay.claim_id,
                from_status=None,
                to_status=FormStatus.issued.value,
                actor=principal.subject,
                actor_role=issuer_role,
                actor_scope=principal.scope,
                note=f"campaign {campaign.id}: sent to township {person.township_code}",
            )
        )
    session.add(campaign)
    return campaign


def _form_values(
    campaign_id: int,
    stay: HospitalStay,
    d: StayDecision,
    person: RegistryPerson,
    due: Decimal,
    target: Decimal,
) -> dict[str, Any]:
    now = utcnow()
    return {
        "campaign_id": campaign_id,
        "claim_id": stay.claim_id,
        "decision_version": d.version,
        "status": FormStatus.issued.value,
        "person_id": person.person_id,
        "id_number": stay.id_number,
        "household_id": person.household_id,
        "name": person.name,
        "county_code": stay.county_code,
        # Sent to the township and village the registry gives on the day of issue.
        "township_code": person.township_code,
        "village_code": person.village_code,
        "hospital": stay.submitted_by,
        "hospital_level": int(d.facts.get("hospital_level", 0)),
        "admin_level": str(d.facts.get("admin_level", "")),
        "admission": stay.admission,
        "discharge": date.fromisoformat(d.facts["discharge"]),
        "total_cost": d.total_cost,
        "cost_basis": d.cost_basis,
        "basic": d.basic,
        "critical_illness": d.critical_illness,
        "assistance": d.assistance,
        "reimbursed": d.basic + d.critical_illness + d.assistance + d.topup + d.annual_cap,
        "self_pay": d.self_pay,
        "ratio_before": d.ratio_after,
        "target_ratio": target,
        "topup_due": due,
        "paid_version": None,
        "reject_reason": None,
        "created_at": now,
        "updated_at": now,
    }


def get_form(
    session: Session, campaign_id: int, form_id: int, principal: Principal, *, lock: bool = False
) -> TopupForm:
    if lock:
        # Write before reading: PostgreSQL holds the row, SQLite takes its write lock now rather
        # than failing to upgrade a stale read snapshot when two steps race.
        session.execute(
            update(TopupForm)
            .where(TopupForm.id == form_id)  # type: ignore[arg-type]
            .values(updated_at=TopupForm.updated_at)
        )
    form = session.get(TopupForm, form_id, populate_existing=True)
    if form is None or form.campaign_id != campaign_id:
        raise NotFound("no such form in this campaign")
    # Out of the caller's jurisdiction: reported as missing (Principal.guard), never 403.
    principal.guard(form.village_code)
    return form


@dataclass
class StepResult:
    form: TopupForm
    step: TopupFormStep


def take_step(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    form: TopupForm,
    to: FormStatus,
    principal: Principal,
    note: str,
    confirmation: dict[str, Any] | None = None,
) -> StepResult:
    current = FormStatus(form.status)
    role = check_transition(current, to, principal.roles)
    taken = session.exec(
        select(TopupFormStep).where(TopupFormStep.form_id == form.id).order_by(TopupFormStep.id)  # type: ignore[arg-type]
    ).all()
    check_separation(
        to,
        principal.subject,
        [(FormStatus(s.to_status), s.recorded_by or s.actor) for s in taken],
    )
    who: dict[str, Any] = {"actor": principal.subject, "actor_role": role.value}
    if to == FormStatus.household_confirmed:
        if confirmation is None:
            raise InvalidInput(
                "the household's confirmation is missing",
                errors=[FieldError(field="body.confirmation", reason="required")],
            )
        visited = next((s.at for s in taken if s.to_status == FormStatus.home_visited), None)
        who = _household_confirmation(session, form, confirmation, visited)
    now = utcnow()
    changes: dict[str, Any] = {"status": to.value, "updated_at": now}
    if to == FormStatus.rejected:
        changes["reject_reason"] = note
    moved = session.execute(
        update(TopupForm)
        .where(TopupForm.id == form.id, TopupForm.status == current.value)  # type: ignore[arg-type]
        .values(**changes)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the form was moved by someone else meanwhile; read it again")
    if to == FormStatus.paid:
        changes["paid_version"] = _pay(session, policy, publish_kwargs, form, principal)
        session.execute(
            update(TopupForm)
            .where(TopupForm.id == form.id)  # type: ignore[arg-type]
            .values(paid_version=changes["paid_version"])
        )
        note = note or f"paid {form.topup_due} as decision version {changes['paid_version']}"
    step = TopupFormStep(
        form_id=form.id,  # type: ignore[arg-type]
        claim_id=form.claim_id,
        from_status=current.value,
        to_status=to.value,
        actor_scope=principal.scope,
        recorded_by=principal.subject,
        note=note,
        at=now,
        **who,
    )
    session.add(step)
    session.flush()
    fresh = session.get(TopupForm, form.id, populate_existing=True)
    assert fresh is not None
    return StepResult(fresh, step)


# The confirmation is written on the form at the household (China Standard Time).


def _household_confirmation(
    session: Session, form: TopupForm, confirmation: dict[str, Any], visited: datetime | None
) -> dict[str, Any]:
    """Check the household's confirmation (经贫困户认定, MED-10) and give the step's attribution:
    the household, not the cadre who writes it down. 422 naming the field on a confirmer who is
    not of the patient's household, a name or relation that does not fit, or a day in the
    future or before the home visit."""
    number = str(confirmation["id_number"])
    member = session.exec(select(RegistryPerson).where(RegistryPerson.id_number == number)).first()

    def bad(field: str, reason: str) -> InvalidInput:
        return InvalidInput(
            "the household's confirmation does not fit the form",
            errors=[FieldError(field=f"body.confirmation.{field}", reason=reason)],
        )

    if member is None or member.household_id != form.household_id:
        raise bad("id_number", f"not a member of household {form.household_id} in the registry")
    if str(confirmation["name"]).strip() != member.name:
        raise bad("name", "differs from the registry's name for this ID number")
    relation = ConfirmRelation(confirmation["relation"])
    if (relation is ConfirmRelation.self) != (number == form.id_number):
        raise bad("relation", "`self` exactly when the confirmer is the patient")
    day: date = confirmation["confirmed_on"]
    today = clock.now().astimezone(CHINA).date()
    if day > today:
        raise bad("confirmed_on", f"in the future (today is {today.isoformat()})")
    if visited is not None and day < visited.astimezone(CHINA).date():
        raise bad("confirmed_on", "before the home visit")
    return {
        "actor": f"household:{form.household_id}",
        "actor_role": "household",
        "confirmed_by_id_number": number,
        "confirmed_by_name": member.name,
        "confirmed_relation": relation.value,
        "confirmed_method": ConfirmMethod(confirmation["method"]).value,
        "confirmed_on": day,
    }


def _pay(
    session: Session,
    policy: PolicySet,
    publish_kwargs: dict[str, Any],
    form: TopupForm,
    principal: Principal,
) -> int:
    """The secondary reimbursement: a new decision version carrying the top-up, an adjustment of
    kind `campaign`, the year-to-date totals moved; the earlier versions stay as they were."""
    stay = session.get(HospitalStay, form.claim_id)
    if stay is None:
        raise Conflict("the stay of this form no longer exists")
    year_row = person_year(session, stay.id_number, stay.year)
    session.refresh(stay)
    if stay.status != ACTIVE:
        raise Conflict("the stay was cancelled after the form was issued; reject the form")
    if stay.version != form.decision_version:
        raise Conflict(
            f"the stay was corrected (now version {stay.version}) after the form was issued on "
            f"version {form.decision_version}; reject the form (a corrected stay is settled anew)"
        )
    old = latest_decision(session, stay.claim_id)
    if old.topup > 0:
        raise Conflict("the stay is already topped up; a stay is topped up once")
    due = Decimal(form.topup_due)
    if due <= 0 or due > old.self_pay:
        raise Conflict("the amount due no longer fits the stay's self-pay")

    year_row.topup_paid = Decimal(year_row.topup_paid) + due
    year_row.self_pay = Decimal(year_row.self_pay) - due
    # Campaign forms are issued for compliant stays only: the MED-3 total moves with the self-pay.
    year_row.compliant_self_pay = Decimal(year_row.compliant_self_pay) - due
    year_row.updated_at = utcnow()
    reimbursed = old.basic + old.critical_illness + old.assistance + old.annual_cap + due
    trace = Trace()
    params = Params(policy, stay.county_code, stay.admission)
    threshold = params.decimal(HIGH_BURDEN_THRESHOLD, trace)
    ytd_self_pay = Decimal(year_row.self_pay)
    new_ratio = ratio(reimbursed, Decimal(old.cost_basis))
    trace.step(
        MED_10,
        "secondary reimbursement paid after the verification form was checked and approved",
        campaign=form.campaign_id,
        form=form.id,
        topup=due,
        self_pay=old.self_pay - due,
        ratio_after=new_ratio,
        ytd_self_pay=ytd_self_pay,
        high_burden_threshold=threshold,
    )
    version = old.version + 1
    row = StayDecision(
        claim_id=stay.claim_id,
        version=version,
        facts=old.facts,
        total_cost=old.total_cost,
        basic=old.basic,
        critical_illness=old.critical_illness,
        assistance=old.assistance,
        topup=due,
        annual_cap=old.annual_cap,
        self_pay=old.self_pay - due,
        compliant_self_pay=old.compliant_self_pay - due,
        cost_basis=old.cost_basis,
        ratio_before_topup=old.ratio_before_topup,
        ratio_after=new_ratio,
        eligible_for_guarantee=True,
        basic_deductible=old.basic_deductible,
        critical_illness_counted=old.critical_illness_counted,
        ytd_self_pay=ytd_self_pay,
        high_burden=ytd_self_pay > threshold,
        trace=_merge_traces(old.trace, form.trace, trace.out().model_dump(mode="json")),
    )
    session.add(row)
    stay.version = version
    stay.updated_at = utcnow()
    session.add(stay)
    session.add(year_row)
    session.add(
        StayAdjustment(
            claim_id=stay.claim_id,
            kind="campaign",
            from_version=old.version,
            to_version=version,
            topup_delta=due,
            annual_cap_delta=ZERO,
            self_pay_delta=-due,
            reason=f"MED-10 campaign {form.campaign_id}, form {form.id}",
            created_by=principal.subject,
        )
    )
    person = session.get(RegistryPerson, form.person_id)
    publish(
        session,
        TopupGranted(
            claim_id=stay.claim_id,
            person_id=form.person_id,
            county_code=stay.county_code,
            year=stay.year,
            topup=due,
            annual_cap=ZERO,
            ratio_before=str(old.ratio_after),
            ratio_after=str(new_ratio),
            illustrative_parameters=illustrative_of(row.trace),
        ),
        key=person.household_id if person else form.household_id,
        subject=stay.claim_id,
        **publish_kwargs,
    )
    session.flush()
    return version


def _merge_traces(*traces: dict[str, Any]) -> dict[str, Any]:
    rules: list[str] = []
    parameters: dict[str, Any] = {}
    steps: list[Any] = []
    for t in traces:
        rules.extend(r for r in t.get("rules", []) if r not in rules)
        for p in t.get("parameters", []):
            parameters.setdefault(p["path"], p)
        steps.extend(t.get("steps", []))
    merged = {"rules": rules, "parameters": list(parameters.values()), "steps": steps}
    # Each stored parameter keeps its own `illustrative` flag; the list is theirs (and any older
    # trace's list), so a merged trace states its provenance like a live one.
    merged["illustrative_parameters"] = illustrative_of(*traces)
    return merged
