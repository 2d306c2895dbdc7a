"""HTTP API of temporary relief (临时救助 / 救急难, WEL-6).

Jurisdiction: a case lies in its village (or township, or county when the person is not yet in
the registry read model). Cases outside the caller's scope are left out of lists and answer 404
when named (Principal.guard); 403 is kept for a role that may not do the thing at all."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, or_
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.relief import sources
from services.welfare.relief.models import ReliefCase
from services.welfare.relief.procedure import OPENERS, READERS, CaseSource, CaseStatus
from services.welfare.relief.rules import ReliefKind
from services.welfare.relief.schemas import (
    CaseDetail,
    CaseIn,
    CaseOut,
    CasePage,
    ChildbirthIn,
    DecisionIn,
    DeclarationIn,
    DeclarationOut,
    RelocationIn,
    RelocationOut,
    SpendingIn,
    SpendingOut,
)
from services.welfare.relief.service import approve, get_case, reject
from services.welfare.workflow import StepOut, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal, Role, require

router = APIRouter(prefix="/v1/relief", tags=["temporary relief 临时救助 (WEL-6)"])

Opener = Annotated[Principal, Depends(require(*OPENERS))]
Reader = Annotated[Principal, Depends(require(*READERS))]
County = Annotated[Principal, Depends(require(Role.county_civil))]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code (乡镇)")
]


def _detail(session: Session, case: ReliefCase) -> CaseDetail:
    steps = [
        StepOut.model_validate(s, from_attributes=True)
        for s in steps_of(session, "relief_case", [str(case.id)])
    ]
    return CaseDetail(**CaseOut.of(case).model_dump(), steps=steps)


@router.post(
    "/cases",
    response_model=CaseDetail,
    status_code=201,
    summary="乡镇窗口受理临时救助: open a case for an accident, disaster or serious illness",
    description=(
        "WEL-6 (YA-GOV §三(七), ZA-GOV §三(三)3). Eligibility by the person's registry status on "
        "`occurred_on`; the proposed amount is the assessed need capped by the parameters, with "
        "its trace. A person outside the registry needs `name`, `village_code` and `persons` "
        "(only where the county's parameters open the kind to them)."
    ),
)
def post_case(
    body: CaseIn, session: DbSession, runtime: RuntimeDep, principal: Opener
) -> CaseDetail:
    case = sources.from_window(session, runtime.policy, body, principal)
    return _detail(session, case)


@router.post(
    "/declarations",
    response_model=DeclarationOut,
    status_code=201,
    summary="自然灾害: declare a disaster over many households, one case each",
    description=(
        "WEL-6. All or nothing: any unknown, duplicate, out-of-township or ineligible household "
        "rejects the declaration (422, every error listed) and nothing is recorded."
    ),
)
def post_declaration(
    body: DeclarationIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.township_officer, Role.county_civil))],
) -> DeclarationOut:
    declaration, cases = sources.from_declaration(session, runtime.policy, body, principal)
    return DeclarationOut(
        id=declaration.id,  # type: ignore[arg-type]
        county_code=declaration.county_code,
        township_code=declaration.township_code,
        occurred_on=declaration.occurred_on,
        households=declaration.households,
        cases=[CaseOut.of(c) for c in cases],
    )


@router.post(
    "/childbirths",
    response_model=CaseDetail,
    status_code=201,
    summary="住院分娩一次性生活救助: 400 yuan to the mother per delivery (409 for the same "
    "delivery again)",
    description="WEL-6, YA-GOV §三(七): 对贫困家庭孕产妇住院分娩给予400元/人一次性生活救助. A "
    "delivery is the mother and the birth date: reported twice (twins included) it pays once.",
)
def post_childbirth(
    body: ChildbirthIn, session: DbSession, runtime: RuntimeDep, principal: Opener
) -> CaseDetail:
    return _detail(session, sources.from_childbirth(session, runtime.policy, body, principal))


@router.post(
    "/relocations",
    response_model=RelocationOut,
    status_code=201,
    summary="易地扶贫搬迁一次性临时救助: 1,500 yuan per relocated person, once per person",
    description=(
        "WEL-6, ZA-GOV §三(三)3. Members already relieved are skipped and listed; 409 when "
        "every one of them already was."
    ),
)
def post_relocation(
    body: RelocationIn, session: DbSession, runtime: RuntimeDep, principal: Opener
) -> RelocationOut:
    case, skipped = sources.from_relocation(session, runtime.policy, body, principal)
    return RelocationOut(case=CaseOut.of(case), skipped_already_relieved=skipped)


@router.put(
    "/spending",
    response_model=SpendingOut,
    summary="Declare a household's monthly essential spending; open a case when 3×-for-3-months",
    description=(
        "WEL-6, YA-GOV §三(七): 月人均生活必需支出连续3个月达到家庭人均月收入的3倍及以上. A month "
        "declared again replaces the earlier figures. The rule runs over all the household's "
        "months; a qualifying run of consecutive months opens one case (once per run)."
    ),
)
def put_spending(
    body: SpendingIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(*OPENERS, Role.county_civil))],
) -> SpendingOut:
    months, trigger, case = sources.declare_spending(session, runtime.policy, body, principal)
    return SpendingOut(
        household_id=body.household_id,
        months=[
            {
                "month": m.month.isoformat()[:7],
                "essential_spending_per_capita": f"{m.essential_spending:.2f}",
                "per_capita_monthly_income": f"{m.per_capita_monthly_income:.2f}",
            }
            for m in months
        ],
        triggered=trigger.triggered,
        run=list(trigger.run),
        trace=trigger.trace.out().model_dump(mode="json"),
        case=CaseOut.of(case) if case else None,
        case_opened=case is not None,
    )


@router.get("/cases", response_model=CasePage, summary="Relief cases by township, with filters")
def list_cases(
    session: DbSession,
    principal: Reader,
    township: TownshipQuery = None,
    status: CaseStatus | None = None,
    kind: ReliefKind | None = None,
    source: CaseSource | None = None,
    household_id: Annotated[str | None, Query(max_length=40)] = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CasePage:
    stmt = select(ReliefCase)
    if principal.scope:
        stmt = stmt.where(
            or_(
                ReliefCase.village_code.startswith(principal.scope),  # type: ignore[union-attr]
                (ReliefCase.village_code.is_(None))  # type: ignore[union-attr]
                & ReliefCase.county_code.startswith(principal.scope),  # type: ignore[attr-defined]
            )
        )
    if township:
        stmt = stmt.where(ReliefCase.township_code == township)
    if status:
        stmt = stmt.where(ReliefCase.status == status.value)
    if kind:
        stmt = stmt.where(ReliefCase.kind == kind.value)
    if source:
        stmt = stmt.where(ReliefCase.source == source.value)
    if household_id:
        stmt = stmt.where(ReliefCase.household_id == household_id)
    if occurred_from:
        stmt = stmt.where(ReliefCase.occurred_on >= occurred_from)  # type: ignore[operator]
    if occurred_to:
        stmt = stmt.where(ReliefCase.occurred_on <= occurred_to)  # type: ignore[operator]
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(ReliefCase.id).offset(offset).limit(limit)  # type: ignore[arg-type]
    ).all()
    return CasePage(total=total, offset=offset, limit=limit, items=[CaseOut.of(r) for r in rows])


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="One case with its trace and every step taken on it (audit trail)",
)
def get_one_case(case_id: int, session: DbSession, principal: Reader) -> CaseDetail:
    return _detail(session, get_case(session, case_id, principal))


@router.post(
    "/cases/{case_id}/decision",
    response_model=CaseDetail,
    summary="县民政局审批: approve with an amount, or reject with a reason; once per case",
    description=(
        "WEL-6. Approving computes the amount by the rule (fixed for childbirth and relocation; "
        "otherwise the given amount, or the assessed need, capped by the parameters), stores its "
        "trace and publishes `welfare.temporary_relief_granted` keyed by household. A second "
        "decision is a 409."
    ),
)
def post_decision(
    case_id: int,
    body: DecisionIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: County,
) -> CaseDetail:
    case = get_case(session, case_id, principal)
    today = clock.today()
    if body.decision == CaseStatus.approved:
        approve(
            session,
            runtime.policy,
            runtime.publish_kwargs(),
            case,
            principal,
            body.amount,
            body.reason,
            today,
        )
    else:
        reject(session, case, principal, body.reason, today)
    return _detail(session, case)
