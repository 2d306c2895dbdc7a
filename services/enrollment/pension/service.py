"""The resident pension's work for the registered poor (ENR-P1, P3..P9): each amount computed by
the rules with the county's parameters, returned with its trace and the figures of it that are
illustrative for the county; on a death, the funeral grant (ENR-P8)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from services.enrollment.pension import rules
from services.enrollment.pension.models import FuneralGrant
from services.enrollment.pension.repository import (
    FuneralGrantRepository,
    ledger_people,
    roll_entry,
    roll_lines,
    years_paid,
)
from services.enrollment.pension.schemas import (
    BenefitIn,
    BenefitOut,
    BenefitResult,
    ContributionOut,
    Decision,
    EarlySubsidyOut,
    EarlySubsidyResult,
    EligibilityOut,
    FuneralGrantOut,
    LedgerEntry,
    LedgerPage,
    LedgerRowOut,
    SubsidyResult,
    TransferIn,
    TransferOut,
    TransferResult,
)
from services.enrollment.registry.repository import PersonRepository
from services.enrollment.registry.service import find_person
from shared.domain import PovertyStatus
from shared.errors import FieldError, Forbidden, InvalidInput, NotFound
from shared.events.enrollment import FuneralGrantPaid
from shared.events.registry import PersonDeceased
from shared.trace import Trace, illustrative_of
from shared.uow import UnitOfWork

DecisionT = TypeVar("DecisionT", bound=Decision)


def result_out(model: type[DecisionT], result: Any) -> DecisionT:
    """A rule's frozen result as its response model: the amounts as fields, with its trace."""
    fields = {k: v for k, v in vars(result).items() if k != "trace"}
    return model(**fields, trace=result.trace.out())


def subsidy(uow: UnitOfWork, id_number: str, year: int, tier: int | None) -> SubsidyResult:
    """The contribution subsidy for `year` (ENR-P3) of an eligible person (ENR-P1), at `tier` or
    the tier on the roll."""
    person, household = find_person(uow, id_number)
    params = uow.params(household.county_code, date(year, 1, 1))
    trace = Trace()
    eligibility = rules.pension_eligibility(
        rules.EligibilityFacts(
            birth_date=person.birth_date,
            full_time_student=person.student,
            employee_pension_covered=person.employee_pension,
        ),
        date(year, 12, 31),
        params,
        trace=trace,
    )
    if not eligibility.eligible:
        return SubsidyResult(
            rule="ENR-P1",
            person_id=person.id,
            result=result_out(EligibilityOut, eligibility),
            illustrative_parameters=illustrative_of(eligibility.trace),
        )
    if tier is None:
        entry = roll_entry(uow.session, person.id_number, year)
        if entry is None:
            raise NotFound("not on the pension roll for that year; give ?tier= to simulate")
        tier = entry.tier
    try:
        result = rules.contribution_subsidy(
            rules.ContributionFacts(
                tier=tier,
                disability_grade=person.disability_grade,
                poverty_status=PovertyStatus(household.poverty_status),
            ),
            params,
            trace=trace,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="tier", reason=str(exc))]) from exc
    return SubsidyResult(
        rule="ENR-P3",
        person_id=person.id,
        result=result_out(ContributionOut, result),
        illustrative_parameters=illustrative_of(result.trace),
    )


def early_subsidy(uow: UnitOfWork, id_number: str, on: date | None) -> EarlySubsidyResult:
    """The 55-60 subsidy of the certified severely disabled (ENR-P4), on `on` or today."""
    person, household = find_person(uow, id_number)
    today = on or uow.today()
    result = rules.severe_disability_early_subsidy(
        rules.EarlySubsidyFacts(
            birth_date=person.birth_date,
            disability_grade=person.disability_grade,
            poverty_status=PovertyStatus(household.poverty_status),
        ),
        today,
        uow.params(household.county_code, today),
    )
    return EarlySubsidyResult(
        rule="ENR-P4",
        person_id=person.id,
        result=result_out(EarlySubsidyOut, result),
        illustrative_parameters=illustrative_of(result.trace),
    )


def ledger(uow: UnitOfWork, division: str, on: date | None, offset: int, limit: int) -> LedgerPage:
    """The registered poor at or near 60 without a pension (ENR-P6), with the back-payment."""
    division = division or uow.principal.scope
    if not division or not uow.principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    today = on or uow.today()
    trace = Trace()
    near = int(uow.params(division[:6], today).decimal(rules.P_NEAR_FROM, trace))
    born_by = date(today.year - near, today.month, min(today.day, 28))
    total, rows = ledger_people(
        PersonRepository(uow.session, uow.principal), division, born_by, offset, limit
    )
    paid = years_paid(uow.session, [p.id_number for p, _ in rows])
    items = []
    for person, household in rows:
        years, drawing = paid.get(person.id_number, (0, False))
        result = rules.pension_claim_ledger_row(
            rules.LedgerFacts(
                birth_date=person.birth_date, years_paid=years, draws_pension=drawing
            ),
            today,
            uow.params(household.county_code, today),
        )
        items.append(
            LedgerEntry(
                person_id=person.id,
                name=person.name,
                id_number=person.id_number,
                township_code=household.township_code,
                village_code=household.village_code,
                birth_date=person.birth_date,
                result=result_out(LedgerRowOut, result),
                illustrative_parameters=illustrative_of(result.trace),
            )
        )
    return LedgerPage(
        division=division, on=today, total=total, offset=offset, limit=limit, items=items
    )


def benefit(uow: UnitOfWork, body: BenefitIn) -> BenefitResult:
    """The monthly pension (ENR-P7)."""
    result = rules.monthly_benefit(
        rules.BenefitFacts(
            contribution_years=body.contribution_years, account_balance=body.account_balance
        ),
        uow.params(body.county_code, body.on),
    )
    return BenefitResult(
        rule="ENR-P7",
        result=result_out(BenefitOut, result),
        illustrative_parameters=illustrative_of(result.trace),
    )


def transfer_in(uow: UnitOfWork, body: TransferIn) -> TransferResult:
    """A transfer in from the employee pension with fewer than 15 years (ENR-P9)."""
    result = rules.transfer_in_from_employee_scheme(
        rules.TransferFacts(
            employee_contribution_months=body.employee_contribution_months,
            employee_account_balance=body.employee_account_balance,
            resident_contribution_years=body.resident_contribution_years,
            resident_account_balance=body.resident_account_balance,
        ),
        uow.params(body.county_code, body.on),
    )
    return TransferResult(
        rule="ENR-P9",
        result=result_out(TransferOut, result),
        illustrative_parameters=illustrative_of(result.trace),
    )


def funeral_grant(uow: UnitOfWork, id_number: str) -> FuneralGrantOut:
    """The funeral grant paid on the person's death (ENR-P8), as recorded; 404 when none was
    paid (alive, not on the pension roll, or no grant in the county's parameters)."""
    person, _household = find_person(uow, id_number)
    grant = FuneralGrantRepository(uow.session).of(person.id)
    if grant is None:
        raise NotFound("no funeral grant was paid for this person")
    return FuneralGrantOut(
        person_id=grant.person_id,
        id_number=person.id_number,
        amount=grant.amount,
        deceased_on=grant.deceased_on,
        paid_at=grant.created_at,
        trace=grant.trace,
    )


def settle_death(uow: UnitOfWork, data: PersonDeceased) -> None:
    """ENR-P8: the funeral grant, once per person ever (the row's key is the person)."""
    grants = FuneralGrantRepository(uow.session)
    if grants.paid(data.person_id):
        return
    roll = roll_lines(uow.session, data.id_number)
    trace = Trace()
    result = rules.death_settlement(
        rules.DeathFacts(
            date_of_death=data.deceased_on,
            # ENR-P8 covers contributors and pensioners: anyone on the pension roll.
            insured=bool(roll),
            draws_pension=any(r.drawing for r in roll),
        ),
        uow.today(),  # the day the death was recorded, not the day of the replay
        uow.params(data.county_code, data.deceased_on),
        trace=trace,
    )
    if result.funeral_grant <= 0:
        return
    amount = result.funeral_grant
    grants.add(
        FuneralGrant(
            person_id=data.person_id,
            amount=amount,
            deceased_on=data.deceased_on,
            trace=trace.out().model_dump(mode="json"),
        )
    )
    uow.publish(
        FuneralGrantPaid(
            person_id=data.person_id,
            household_id=data.household_id,
            amount=amount,
            illustrative_parameters=illustrative_of(trace),
        ),
        key=data.household_id,
        subject=data.person_id,
    )
