"""HTTP API of disability support (残疾人保障): the register of disabled people and their payee
accounts, the subsidy ledger (WEL-4, paid in the monthly cycle without an application), and the
rehabilitation cases of 正安 (WEL-10, WEL-11, WEL-12) from application to decision and grants.

Jurisdiction: a person, a ledger row and a case lie in their village. Records outside the
caller's scope are left out of lists and answer 404 when named."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.welfare.dibao.schemas import WriteOffIn
from services.welfare.disability import cases, register
from services.welfare.disability import service as svc
from services.welfare.disability.repository import DisabledPeople, RehabCases, Subsidies
from services.welfare.disability.schemas import (
    AccountIn,
    DecisionIn,
    EnrolIn,
    GrantIn,
    LedgerPage,
    PersonDetail,
    PersonOut,
    PersonPage,
    RehabDetail,
    RehabIn,
    RehabOut,
    RehabPage,
    VillageTotal,
)
from shared.app import Uow
from shared.errors import FieldError, InvalidInput
from shared.header_values import content_disposition
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(
    prefix="/v1/disability", tags=["disability support 残疾人保障 (WEL-4, WEL-10..12)"]
)

READERS = (
    Role.county_disability,
    Role.county_civil,
    Role.township_officer,
    Role.village_cadre,
    Role.county_poverty,
    Role.auditor,
)
# Who acts on the person and sees ID numbers in full.
ACTORS = (Role.county_disability, Role.county_civil, Role.township_officer, Role.village_cadre)

CountyQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="6-digit county code")]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
VillageQuery = Annotated[
    str | None, Query(pattern=r"^\d{12}$", description="12-digit village code")
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


def _month(value: str | None) -> date | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise InvalidInput(
            "month must be YYYY-MM",
            errors=[FieldError(field="month", reason="must be a month as YYYY-MM", value=value)],
        )
    year, month = value.split("-")
    return date(int(year), int(month), 1)


# --- the register and the subsidies (WEL-4) ------------------------------------------------


@router.post(
    "/persons",
    response_model=PersonDetail,
    status_code=201,
    summary="Enrol a disabled person outside the registry (残疾人登记), with grade and hardship",
    description=(
        "WEL-4. By the township officer or the 县残联. The certificate's grade counts from the "
        "month after today; the subsidies are then paid in the monthly cycle without an "
        "application. A person of the registry is not enrolled here (409): their grade comes "
        "with the registry's events."
    ),
)
def post_person(body: EnrolIn, uow: Uow) -> PersonDetail:
    person = register.enrol(uow, body)
    return svc.detail(uow, person)


@router.get("/persons", response_model=PersonPage, summary="Disabled people in scope")
def list_persons(
    uow: Uow,
    county: CountyQuery = None,
    township: TownshipQuery = None,
    village: VillageQuery = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> PersonPage:
    repo = DisabledPeople(uow.session, uow.principal)
    page = repo.page(
        repo.listed(county=county, village=village, township=township), limit=limit, offset=offset
    )
    return PersonPage(
        total=page.total,
        items=[PersonOut.model_validate(p, from_attributes=True) for p in page.items],
    )


@router.get(
    "/persons/{disabled_person_id}",
    response_model=PersonDetail,
    summary="A disabled person: grades, account and every month's subsidy with its trace",
)
def get_person(disabled_person_id: int, uow: Uow) -> PersonDetail:
    person = DisabledPeople(uow.session, uow.principal).get_or_404(disabled_person_id)
    return svc.detail(uow, person)


@router.put(
    "/persons/{disabled_person_id}/account",
    response_model=PersonDetail,
    summary="Record the payee account (惠民惠农“一卡通”); held months are paid with the next cycle",
)
def put_account(disabled_person_id: int, body: AccountIn, uow: Uow) -> PersonDetail:
    person = DisabledPeople(uow.session, uow.principal).get_or_404(disabled_person_id)
    register.set_account(uow, person, body)
    return svc.detail(uow, person)


@router.post(
    "/persons/{disabled_person_id}/clawback-write-off",
    response_model=PersonDetail,
    summary="Write off what a person still owes of an overpaid subsidy (追回核销): a county "
    "decision",
)
def post_clawback_write_off(disabled_person_id: int, body: WriteOffIn, uow: Uow) -> PersonDetail:
    person = DisabledPeople(uow.session, uow.principal).get_or_404(disabled_person_id)
    register.write_off_clawback(uow, person, body.reason)
    return svc.detail(uow, person)


@router.get(
    "/subsidies",
    response_model=LedgerPage,
    summary="The subsidy ledger (WEL-4) per village, month and scheme, with totals",
)
def list_subsidies(
    uow: Uow,
    county: CountyQuery = None,
    month: Annotated[str | None, Query(description="YYYY-MM")] = None,
    township: TownshipQuery = None,
    village: VillageQuery = None,
    status: Annotated[str | None, Query(pattern="^(paid|held_no_account)$")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> LedgerPage:
    repo = Subsidies(uow.session, uow.principal)
    stmt = repo.listed(
        county=county, month=_month(month), township=township, village=village, status=status
    )
    page = repo.page(stmt, limit=limit, offset=offset)
    totals = [
        VillageTotal(
            village_code=v,
            scheme=s,
            status=st,
            lines=n,
            amount=Decimal(a).quantize(Decimal("0.01")),
        )
        for v, s, st, n, a in repo.totals(stmt)
    ]
    return LedgerPage(
        total=page.total, totals=totals, items=[svc.subsidy_out(r) for r in page.items]
    )


# --- rehabilitation cases (WEL-10, WEL-11, WEL-12) -----------------------------------------


@router.post(
    "/rehab-cases",
    response_model=RehabDetail,
    status_code=201,
    summary="Apply for rehabilitation assistance (康复救助申请)",
    description=(
        "WEL-10 mental illness (in hospital: 300 yuan a month of the stay; at home: 800 yuan of "
        "drugs a year), WEL-11 assistive devices and barrier-free adaptation, WEL-12 rescue "
        "rehabilitation of disabled children 0-6. By the township officer or the 县残联, for a "
        "person of the registry (person_id), of the disability register or newly recorded."
    ),
)
def post_case(body: RehabIn, uow: Uow) -> RehabDetail:
    case = cases.apply_case(uow, body)
    return cases.case_detail(uow, case)


@router.get("/rehab-cases", response_model=RehabPage, summary="Rehabilitation cases in scope")
def list_cases(
    uow: Uow,
    township: TownshipQuery = None,
    kind: Annotated[
        str | None,
        Query(pattern="^(mental_hospital|mental_home|device|adaptation|child_rehab)$"),
    ] = None,
    status: Annotated[str | None, Query(pattern="^(applied|approved|refused)$")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> RehabPage:
    repo = RehabCases(uow.session, uow.principal)
    page = repo.page(
        repo.listed(township=township, kind=kind, status=status), limit=limit, offset=offset
    )
    return RehabPage(
        total=page.total,
        items=[RehabOut.model_validate(c, from_attributes=True) for c in page.items],
    )


@router.get("/rehab-cases/{case_id}", response_model=RehabDetail, summary="A case and its grants")
def get_case(case_id: int, uow: Uow) -> RehabDetail:
    case = RehabCases(uow.session, uow.principal).get_or_404(case_id)
    return cases.case_detail(uow, case)


@router.post(
    "/rehab-cases/{case_id}/decision",
    response_model=RehabDetail,
    summary="Approve or refuse (县残联, not the applicant); the rule's eligibility is traced",
)
def post_decision(case_id: int, body: DecisionIn, uow: Uow) -> RehabDetail:
    case = cases.decide(uow, case_id, body.approve, body.note.strip())
    return cases.case_detail(uow, case)


@router.post(
    "/rehab-cases/{case_id}/grants",
    response_model=RehabDetail,
    status_code=201,
    summary="Record a grant of an approved case: a month of the stay, drugs, a device, ...",
)
def post_grant(case_id: int, body: GrantIn, uow: Uow) -> RehabDetail:
    cases.grant(uow, case_id, body)
    case = RehabCases(uow.session, uow.principal).get_or_404(case_id)
    return cases.case_detail(uow, case)


@router.get(
    "/rehab-grants.xlsx",
    summary="The rehabilitation ledger (康复救助台账) for county staff, Chinese headers",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def export_grants(
    uow: Uow,
    county: CountyQuery = None,
    township: TownshipQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    rows = list(cases.ledger_rows(uow, county, township, year))
    content = write_xlsx(cases.LEDGER_HEADERS, rows, title="康复救助台账")
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition("rehab-ledger.xlsx")},
    )
