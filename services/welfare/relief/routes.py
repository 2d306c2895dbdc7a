"""HTTP API of temporary relief (临时救助 / 救急难, WEL-6).

Jurisdiction: a case lies in its village (or township, or county when the person is not yet in
the registry read model). Cases outside the caller's scope are left out of lists and answer 404
when named (Principal.guard); 403 is kept for a role that may not do the thing at all."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.welfare.relief import service, sources
from services.welfare.relief.procedure import OPENERS, READERS, CaseSource, CaseStatus
from services.welfare.relief.repository import CaseFilter, ReliefCases
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
from shared.app import Uow
from shared.auth import Principal, require
from shared.roles import Role

router = APIRouter(prefix="/v1/relief", tags=["temporary relief 临时救助 (WEL-6)"])

Opener = Annotated[Principal, Depends(require(*OPENERS))]
Reader = Annotated[Principal, Depends(require(*READERS))]
County = Annotated[Principal, Depends(require(Role.county_civil))]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code (乡镇)")
]


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
def post_case(body: CaseIn, uow: Uow, _: Opener) -> CaseDetail:
    return service.detail(uow, sources.from_window(uow, body))


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
    uow: Uow,
    _: Annotated[Principal, Depends(require(Role.township_officer, Role.county_civil))],
) -> DeclarationOut:
    declaration, cases = sources.from_declaration(uow, body)
    assert declaration.id is not None
    return DeclarationOut(
        id=declaration.id,
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
def post_childbirth(body: ChildbirthIn, uow: Uow, _: Opener) -> CaseDetail:
    return service.detail(uow, sources.from_childbirth(uow, body))


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
def post_relocation(body: RelocationIn, uow: Uow, _: Opener) -> RelocationOut:
    case, skipped = sources.from_relocation(uow, body)
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
    uow: Uow,
    _: Annotated[Principal, Depends(require(*OPENERS, Role.county_civil))],
) -> SpendingOut:
    months, trigger, case = sources.declare_spending(uow, body)
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
    uow: Uow,
    _: Reader,
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
    wanted = CaseFilter(
        township=township,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        source=source.value if source else None,
        household_id=household_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    page = ReliefCases(uow.session, uow.principal).page_of(wanted, limit=limit, offset=offset)
    return CasePage(
        total=page.total, offset=offset, limit=limit, items=[CaseOut.of(r) for r in page.items]
    )


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="One case with its trace and every step taken on it (audit trail)",
)
def get_one_case(case_id: int, uow: Uow, _: Reader) -> CaseDetail:
    return service.detail(uow, ReliefCases(uow.session, uow.principal).get_or_404(case_id))


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
def post_decision(case_id: int, body: DecisionIn, uow: Uow, _: County) -> CaseDetail:
    if body.decision == CaseStatus.approved:
        case = service.approve(uow, case_id, body.amount, body.reason)
    else:
        case = service.reject(uow, case_id, body.reason)
    return service.detail(uow, case)
