"""The shell of the retroactive top-up campaign (MED-10): extract the stays, issue one form per
stay, move forms through their steps, and pay a form as a new version of the stay's decision.

A step first locks its form row, then reads it, and changes the status by a conditional UPDATE
(`WHERE status = <the status read>`): two people taking the same step at once give one step and
one 409, on SQLite and PostgreSQL alike.
Paying first locks the person's year-to-date row as the stay service does, so a payment and a
correction of the same stay never interleave; the decision's unique (claim_id, version) is the
last guard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.medical.access import guard
from services.medical.campaign.models import TopupCampaign, TopupForm, TopupFormStep
from services.medical.campaign.repository import CampaignRepository, FormRepository
from services.medical.campaign.rules import (
    MED_10,
    STATUS_ZH,
    ConfirmMethod,
    ConfirmRelation,
    FormStatus,
    SettledStay,
    check_separation,
    check_transition,
    ratio,
    topup_due,
)
from services.medical.campaign.schemas import CampaignOut, StatusCount, TownshipSummary
from services.medical.registry.models import RegistryPerson
from services.medical.registry.repository import PersonRepository
from services.medical.settlement.rules import HIGH_BURDEN_THRESHOLD, REGISTERED_POOR
from services.medical.stays.models import HospitalStay, StayAdjustment, StayDecision
from services.medical.stays.repository import ACTIVE, StayRepository, StayTables
from shared.bus.tables import utcnow
from shared.clock import CHINA
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from shared.events.medical import TopupGranted
from shared.money import ZERO, yuan
from shared.repository import Page
from shared.roles import Role
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork

READERS = (
    Role.county_medical,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)


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


def create_campaign(uow: UnitOfWork, county: str, start: date, end: date) -> TopupCampaign:
    """Extract the below-standard compliant stays of the county admitted in the period and issue
    one form per stay (MED-10)."""
    principal = uow.principal
    campaigns = CampaignRepository(uow.session, principal)
    forms = FormRepository(uow.session, principal)
    campaign = TopupCampaign(
        county_code=county, period_start=start, period_end=end, created_by=principal.subject
    )
    campaigns.add(campaign, flush=True)
    assert campaign.id is not None
    issuer_role = (Role.county_medical if principal.has(Role.county_medical) else Role.admin).value
    for stay, decision, person in campaigns.candidates(county, start, end):
        result = topup_due(settled(stay, decision, person), uow.params(county, stay.admission))
        if result.due == 0:
            continue
        assert result.target is not None
        values = _form_values(campaign.id, stay, decision, person, result.due, result.target)
        values["trace"] = result.trace.out().model_dump(mode="json")
        form_id = forms.issue(values)
        if form_id is None:
            campaign.skipped_existing_form += 1
            continue
        campaign.forms_created += 1
        forms.add_step(
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
    campaigns.add(campaign, flush=True)
    return campaign


def get_campaign(uow: UnitOfWork, campaign_id: int) -> TopupCampaign:
    """The campaign, for a role that reads campaigns (403 otherwise); 404 outside the county."""
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the top-up campaign")
    return CampaignRepository(uow.session, uow.principal).get_or_404(campaign_id)


def summary(uow: UnitOfWork, campaign: TopupCampaign) -> CampaignOut:
    """The campaign's forms in the caller's jurisdiction, by township and status."""
    assert campaign.id is not None
    rows = FormRepository(uow.session, uow.principal).by_township_and_status(campaign.id)
    townships: dict[str, list[StatusCount]] = {}
    for township, status, count, due in rows:
        townships.setdefault(township, []).append(
            StatusCount(
                status=FormStatus(status),
                label=STATUS_ZH[FormStatus(status)],
                forms=count,
                topup_due=yuan(Decimal(str(due or 0))),
            )
        )

    def paid(counts: list[StatusCount]) -> Decimal:
        return sum((c.topup_due for c in counts if c.status == FormStatus.paid), Decimal("0.00"))

    groups = [
        TownshipSummary(
            township_code=t,
            forms=sum(c.forms for c in counts),
            topup_due=sum((c.topup_due for c in counts), Decimal("0.00")),
            topup_paid=paid(counts),
            by_status=counts,
        )
        for t, counts in townships.items()
    ]
    overall: dict[FormStatus, StatusCount] = {}
    for counts in townships.values():
        for c in counts:
            seen = overall.setdefault(
                c.status,
                StatusCount(status=c.status, label=c.label, forms=0, topup_due=Decimal("0")),
            )
            seen.forms += c.forms
            seen.topup_due += c.topup_due
    by_status = [overall[s] for s in FormStatus if s in overall]
    return CampaignOut(
        id=campaign.id,
        county_code=campaign.county_code,
        period_start=campaign.period_start,
        period_end=campaign.period_end,
        created_by=campaign.created_by,
        created_at=campaign.created_at,
        forms_created=campaign.forms_created,
        skipped_existing_form=campaign.skipped_existing_form,
        forms=sum(g.forms for g in groups),
        topup_due=sum((g.topup_due for g in groups), Decimal("0.00")),
        topup_paid=sum((g.topup_paid for g in groups), Decimal("0.00")),
        by_status=by_status,
        townships=groups,
    )


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


def forms_page(
    uow: UnitOfWork,
    campaign_id: int,
    township: str | None,
    status: FormStatus | None,
    *,
    offset: int,
    limit: int,
) -> Page[TopupForm]:
    """One page of the campaign's forms in the caller's jurisdiction, by township, village."""
    get_campaign(uow, campaign_id)
    forms = FormRepository(uow.session, uow.principal)
    return forms.page_of(campaign_id, township, status, offset=offset, limit=limit)


def forms_to_export(
    uow: UnitOfWork, campaign_id: int, township: str | None
) -> tuple[TopupCampaign, Sequence[TopupForm]]:
    """The campaign and its forms in the caller's jurisdiction, in the order of the sheet."""
    campaign = get_campaign(uow, campaign_id)
    return campaign, FormRepository(uow.session, uow.principal).for_export(campaign_id, township)


def get_form(uow: UnitOfWork, campaign_id: int, form_id: int, *, lock: bool = False) -> TopupForm:
    forms = FormRepository(uow.session, uow.principal)
    if lock:
        forms.lock(form_id)
    form = forms.fresh(form_id)
    if form is None or form.campaign_id != campaign_id:
        raise NotFound("no such form in this campaign")
    # Out of the caller's jurisdiction: reported as missing, never 403.
    guard(forms, form)
    return form


def steps(uow: UnitOfWork, form: TopupForm) -> list[TopupFormStep]:
    assert form.id is not None
    return list(FormRepository(uow.session, uow.principal).steps(form.id))


@dataclass
class StepResult:
    form: TopupForm
    step: TopupFormStep


def take_step(
    uow: UnitOfWork,
    form: TopupForm,
    to: FormStatus,
    note: str,
    confirmation: dict[str, Any] | None = None,
) -> StepResult:
    principal = uow.principal
    forms = FormRepository(uow.session, principal)
    assert form.id is not None
    current = FormStatus(form.status)
    role = check_transition(current, to, principal.roles)
    taken = forms.steps(form.id)
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
        who = _household_confirmation(uow, form, confirmation, visited)
    now = utcnow()
    changes: dict[str, Any] = {"status": to.value, "updated_at": now}
    if to == FormStatus.rejected:
        changes["reject_reason"] = note
    if not forms.move(form.id, current.value, changes):
        raise Conflict("the form was moved by someone else meanwhile; read it again")
    if to == FormStatus.paid:
        paid_version = _pay(uow, form)
        forms.set_paid_version(form.id, paid_version)
        note = note or f"paid {form.topup_due} as decision version {paid_version}"
    step = TopupFormStep(
        form_id=form.id,
        claim_id=form.claim_id,
        from_status=current.value,
        to_status=to.value,
        actor_scope=principal.scope,
        recorded_by=principal.subject,
        note=note,
        at=now,
        **who,
    )
    forms.add_step(step, flush=True)
    fresh = forms.fresh(form.id)
    assert fresh is not None
    return StepResult(fresh, step)


# The confirmation is written on the form at the household (China Standard Time).


def _household_confirmation(
    uow: UnitOfWork, form: TopupForm, confirmation: dict[str, Any], visited: datetime | None
) -> dict[str, Any]:
    """Check the household's confirmation (经贫困户认定, MED-10) and give the step's attribution:
    the household, not the cadre who writes it down. 422 naming the field on a confirmer who is
    not of the patient's household, a name or relation that does not fit, or a day in the
    future or before the home visit."""
    number = str(confirmation["id_number"])
    # The confirmer may live anywhere: what counts is the household on the form.
    member = PersonRepository(uow.session, None).by_id_number(number)

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
    today = uow.now().astimezone(CHINA).date()
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


def _pay(uow: UnitOfWork, form: TopupForm) -> int:
    """The secondary reimbursement: a new decision version carrying the top-up, an adjustment of
    kind `campaign`, the year-to-date totals moved; the earlier versions stay as they were."""
    stays = StayRepository(uow.session, None)
    tables = StayTables(uow.session)
    stay = stays.find(form.claim_id)
    if stay is None:
        raise Conflict("the stay of this form no longer exists")
    year_row = tables.lock_person_year(stay.id_number, stay.year)
    stays.refresh(stay)
    if stay.status != ACTIVE:
        raise Conflict("the stay was cancelled after the form was issued; reject the form")
    if stay.version != form.decision_version:
        raise Conflict(
            f"the stay was corrected (now version {stay.version}) after the form was issued on "
            f"version {form.decision_version}; reject the form (a corrected stay is settled anew)"
        )
    old = tables.latest_decision(stay.claim_id)
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
    params = uow.params(stay.county_code, stay.admission)
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
    stay.version = version
    stay.updated_at = utcnow()
    tables.add(
        row,
        stay,
        year_row,
        StayAdjustment(
            claim_id=stay.claim_id,
            kind="campaign",
            from_version=old.version,
            to_version=version,
            topup_delta=due,
            annual_cap_delta=ZERO,
            self_pay_delta=-due,
            reason=f"MED-10 campaign {form.campaign_id}, form {form.id}",
            created_by=uow.actor,
        ),
    )
    household = PersonRepository(uow.session, None).household_of(form.person_id)
    uow.publish(
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
        key=household or form.household_id,
        subject=stay.claim_id,
    )
    tables.flush()
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
