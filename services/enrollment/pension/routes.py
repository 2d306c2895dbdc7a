"""HTTP API of the resident pension for the registered poor (ENR-P1, P3..P9): every amount is
returned with its trace and the figures of it that are illustrative for the county."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import case
from sqlmodel import Session, col, func, select

from services.enrollment import clock
from services.enrollment.models import Household, PensionRollEntry, Person
from services.enrollment.pension import rules
from services.enrollment.pension.schemas import (
    BenefitIn,
    LedgerEntry,
    LedgerPage,
    RuleResult,
    TransferIn,
)
from services.enrollment.registry import operations as ops
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal
from shared.domain import PovertyStatus
from shared.errors import FieldError, Forbidden, InvalidInput, NotFound
from shared.ids import ResidentIdNumber
from shared.trace import Params, Trace, illustrative_of

router = APIRouter(prefix="/v1", tags=["pension"])
YearQuery = Annotated[int, Query(ge=2000, le=2100)]
REGISTERED_POOR = [s.value for s in PovertyStatus if s.is_registered_poor]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def result_out(result: Any) -> dict[str, Any]:
    """A rule's frozen result as JSON: amounts as strings, with its trace."""
    fields = {k: _jsonable(v) for k, v in vars(result).items() if k != "trace"}
    return {**fields, "trace": result.trace.out().model_dump(mode="json")}


def rule_result(rule: str, result: Any, person_id: str | None = None) -> RuleResult:
    return RuleResult(
        rule=rule,
        person_id=person_id,
        result=result_out(result),
        illustrative_parameters=illustrative_of(result.trace),
    )


def _params(runtime: Any, household: Household | None, county: str | None, on: date) -> Params:
    return Params(runtime.policy, household.county_code if household else county, on)


@router.get(
    "/persons/{id_number}/pension/subsidy",
    response_model=RuleResult,
    summary="Contribution subsidy for a year (ENR-P1 eligibility, ENR-P3, ENR-P4, ENR-P5)",
)
def get_subsidy(
    id_number: ResidentIdNumber,
    year: YearQuery,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    tier: Annotated[int | None, Query(ge=1, description="default: the tier on the roll")] = None,
) -> RuleResult:
    person, household = ops.find_person(session, id_number, principal)
    params = _params(runtime, household, None, date(year, 1, 1))
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
        return rule_result("ENR-P1", eligibility, person.id)
    if tier is None:
        entry = session.exec(
            select(PensionRollEntry).where(
                PensionRollEntry.id_number == person.id_number, PensionRollEntry.year == year
            )
        ).first()
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
    return rule_result("ENR-P3", result, person.id)


@router.get(
    "/persons/{id_number}/pension/early-subsidy",
    response_model=RuleResult,
    summary="The 55-60 subsidy of the certified severely disabled (ENR-P4)",
)
def get_early_subsidy(
    id_number: ResidentIdNumber,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    on: date | None = None,
) -> RuleResult:
    person, household = ops.find_person(session, id_number, principal)
    today = on or clock.today()
    result = rules.severe_disability_early_subsidy(
        rules.EarlySubsidyFacts(
            birth_date=person.birth_date,
            disability_grade=person.disability_grade,
            poverty_status=PovertyStatus(household.poverty_status),
        ),
        today,
        _params(runtime, household, None, today),
    )
    return rule_result("ENR-P4", result, person.id)


def _years_paid(session: Session, numbers: list[str]) -> dict[str, tuple[int, bool]]:
    stmt = (
        select(
            PensionRollEntry.id_number,
            func.sum(case((col(PensionRollEntry.paid), 1), else_=0)),
            func.max(case((col(PensionRollEntry.drawing), 1), else_=0)),
        )
        .where(col(PensionRollEntry.id_number).in_(numbers))
        .group_by(PensionRollEntry.id_number)
    )
    return {n: (int(paid or 0), bool(drawing)) for n, paid, drawing in session.exec(stmt)}


@router.get(
    "/pension/ledger",
    response_model=LedgerPage,
    summary="Ledger of registered poor at or near 60 without a pension (ENR-P6), with the "
    "lump-sum back-payment",
)
def get_ledger(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    division: Annotated[str, Query(pattern=r"^\d{6}(\d{3}){0,2}$")] = "",
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LedgerPage:
    division = division or principal.scope
    if not division or not principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    today = on or clock.today()
    trace = Trace()
    near = int(_params(runtime, None, division[:6], today).decimal(rules.P_NEAR_FROM, trace))
    born_by = date(today.year - near, today.month, min(today.day, 28))
    base = (
        select(Person, Household)
        .join(Household, Household.id == Person.household_id)  # type: ignore[arg-type]
        .where(Household.village_code.startswith(division))  # type: ignore[attr-defined]
        # ENR-P6 lists 贫困人口 (YA-GOV §三(五)二): registered poor, not marginal households.
        .where(col(Household.poverty_status).in_(REGISTERED_POOR))
        .where(Person.deceased_on.is_(None))  # type: ignore[union-attr]
        .where(Person.birth_date <= born_by)
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(Person.birth_date, Person.id).offset(offset).limit(limit)
    ).all()
    paid = _years_paid(session, [p.id_number for p, _ in rows])
    items = []
    for person, household in rows:
        years, drawing = paid.get(person.id_number, (0, False))
        result = rules.pension_claim_ledger_row(
            rules.LedgerFacts(
                birth_date=person.birth_date, years_paid=years, draws_pension=drawing
            ),
            today,
            _params(runtime, household, None, today),
        )
        items.append(
            LedgerEntry(
                person_id=person.id,
                name=person.name,
                id_number=person.id_number,
                township_code=household.township_code,
                village_code=household.village_code,
                birth_date=person.birth_date,
                result=result_out(result),
                illustrative_parameters=illustrative_of(result.trace),
            )
        )
    return LedgerPage(
        division=division, on=today, total=total, offset=offset, limit=limit, items=items
    )


@router.post(
    "/pension/benefit",
    response_model=RuleResult,
    summary="Monthly pension: basic + 2 yuan per year beyond 15 + account / 139 (ENR-P7)",
)
def post_benefit(body: BenefitIn, runtime: RuntimeDep, principal: CurrentPrincipal) -> RuleResult:
    result = rules.monthly_benefit(
        rules.BenefitFacts(
            contribution_years=body.contribution_years, account_balance=body.account_balance
        ),
        _params(runtime, None, body.county_code, body.on),
    )
    return rule_result("ENR-P7", result)


@router.post(
    "/pension/transfer-in",
    response_model=RuleResult,
    summary="Transfer in from the employee pension with fewer than 15 years (ENR-P9)",
)
def post_transfer(body: TransferIn, runtime: RuntimeDep, principal: CurrentPrincipal) -> RuleResult:
    result = rules.transfer_in_from_employee_scheme(
        rules.TransferFacts(
            employee_contribution_months=body.employee_contribution_months,
            employee_account_balance=body.employee_account_balance,
            resident_contribution_years=body.resident_contribution_years,
            resident_account_balance=body.resident_account_balance,
        ),
        _params(runtime, None, body.county_code, body.on),
    )
    return rule_result("ENR-P9", result)
