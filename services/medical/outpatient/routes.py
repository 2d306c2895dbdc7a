"""HTTP API of the outpatient chronic-disease bills (MED-6 门诊特殊慢性病, MED-8 36种慢性病):
hospitals post bills, county medical insurance officers and auditors read them and a person's
yearly outpatient summary. Posting the same bill again answers 200 with the stored decision;
other facts under the same bill id answer 409."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlmodel import select

from services.medical.access import (
    BILL_POSTERS,
    check_post_county,
    check_reader,
    guard_record,
)
from services.medical.models import OutpatientBill, OutpatientYear, RegistryPerson
from services.medical.outpatient.schemas import (
    BillOut,
    CategoryYear,
    Chronic36BillIn,
    ChronicBillIn,
    OutpatientSummary,
)
from services.medical.outpatient.service import CATEGORY_RULE, OutpatientService
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.errors import NotFound
from shared.ids import ResidentIdNumber

bills = APIRouter(prefix="/v1/outpatient", tags=["outpatient chronic diseases (MED-6, MED-8)"])
persons = APIRouter(prefix="/v1/persons", tags=["persons"])
Poster = Annotated[Principal, Depends(require(*BILL_POSTERS))]
CREATED = {200: {"model": BillOut, "description": "the same bill, posted again"}}


def service(runtime: RuntimeDep) -> OutpatientService:
    return OutpatientService(runtime.policy)


Svc = Annotated[OutpatientService, Depends(service)]


def _out(bill: OutpatientBill) -> BillOut:
    return BillOut.model_validate(bill, from_attributes=True)


def _answer(bill: OutpatientBill, created: bool) -> JSONResponse:
    return JSONResponse(_out(bill).model_dump(mode="json"), status_code=201 if created else 200)


@bills.post(
    "/chronic-bills",
    response_model=BillOut,
    status_code=201,
    responses=CREATED,
    summary="Record an outpatient special chronic disease bill and pay it (MED-6)",
    description=(
        "Registered poor (not exited or exited, by the registry status on the bill date): "
        "90% / 80% / 60% of the covered cost at level-1/2/3 institutions, within the yearly "
        "cap of the category (I: 100,000, the part of the year's payments above 60,000 paid by "
        "the commercial critical-illness insurer; II: 5,000). Anyone else: a decision saying "
        "why nothing is paid."
    ),
)
def post_chronic_bill(
    body: ChronicBillIn, session: DbSession, svc: Svc, principal: Poster
) -> JSONResponse:
    check_post_county(principal, body.county_code)
    return _answer(*svc.record_chronic(session, body, principal.subject))


@bills.post(
    "/chronic36-bills",
    response_model=BillOut,
    status_code=201,
    responses=CREATED,
    summary="Record a 36-chronic-disease bill and grant the self-pay aid (MED-8)",
    description=(
        "After basic insurance, critical illness and assistance: aid on the approved "
        "out-of-catalogue drug cost so that the registered poor patient's yearly self-pay stays "
        "within 1,000 / 3,000 / 5,000 at county / city / province public hospitals."
    ),
)
def post_chronic36_bill(
    body: Chronic36BillIn, session: DbSession, svc: Svc, principal: Poster
) -> JSONResponse:
    check_post_county(principal, body.county_code)
    return _answer(*svc.record_chronic36(session, body, principal.subject))


@bills.get("/bills/{bill_id}", response_model=BillOut, summary="One outpatient bill's decision")
def get_bill(bill_id: str, session: DbSession, principal: CurrentPrincipal) -> BillOut:
    check_reader(principal, "outpatient bills", hospital_too=True)
    bill = session.get(OutpatientBill, bill_id)
    if bill is None:
        raise NotFound("no bill with that id")
    guard_record(principal, bill.county_code, bill.submitted_by, "bill")
    return _out(bill)


@persons.get(
    "/{id_number}/outpatient-summary",
    response_model=OutpatientSummary,
    summary="A person's outpatient chronic bills and yearly totals per category (MED-6, MED-8)",
)
def outpatient_summary(
    id_number: ResidentIdNumber,
    session: DbSession,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> OutpatientSummary:
    check_reader(principal, "a person's outpatient record")
    person = session.exec(
        select(RegistryPerson).where(RegistryPerson.id_number == id_number)
    ).first()
    stmt = select(OutpatientBill).where(OutpatientBill.id_number == id_number)
    if year is not None:
        stmt = stmt.where(OutpatientBill.year == year)
    rows = session.exec(stmt.order_by(OutpatientBill.bill_date, OutpatientBill.bill_id)).all()  # type: ignore[arg-type]
    if person is not None:
        principal.guard(person.village_code)
    elif not rows or not all(principal.covers(b.county_code) for b in rows):
        raise NotFound("no such person in your jurisdiction")
    year_stmt = select(OutpatientYear).where(
        OutpatientYear.id_number == id_number,
        OutpatientYear.bills > 0,  # type: ignore[operator]
    )
    if year is not None:
        year_stmt = year_stmt.where(OutpatientYear.year == year)
    totals = session.exec(year_stmt.order_by(OutpatientYear.year, OutpatientYear.category)).all()  # type: ignore[arg-type]
    return OutpatientSummary(
        id_number=id_number,
        person_id=person.person_id if person else None,
        year=year,
        totals=[
            CategoryYear(
                year=t.year,
                category=t.category,
                rule=CATEGORY_RULE[t.category],
                bills=t.bills,
                paid=t.paid,
                basic_fund=t.basic_fund,
                commercial_insurer=t.commercial_insurer,
                self_pay=t.self_pay,
            )
            for t in totals
        ],
        bills=[_out(b) for b in rows],
    )
