"""HTTP API of the outpatient chronic-disease bills (MED-6 门诊特殊慢性病, MED-8 36种慢性病):
hospitals post bills, county medical insurance officers and auditors read them and a person's
yearly outpatient summary. Posting the same bill again answers 200 with the stored decision;
other facts under the same bill id answer 409."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from services.medical.access import BILL_POSTERS, check_post_county, check_reader
from services.medical.outpatient.models import OutpatientBill
from services.medical.outpatient.schemas import (
    BillOut,
    CategoryYear,
    Chronic36BillIn,
    ChronicBillIn,
    OutpatientSummary,
)
from services.medical.outpatient.service import (
    CATEGORY_RULE,
    person_record,
    readable_bill,
    record_chronic,
    record_chronic36,
)
from shared.app import Uow
from shared.auth import require
from shared.ids import ResidentIdNumber

bills = APIRouter(prefix="/v1/outpatient", tags=["outpatient chronic diseases (MED-6, MED-8)"])
persons = APIRouter(prefix="/v1/persons", tags=["persons"])
Poster = Depends(require(*BILL_POSTERS))
CREATED: dict[int | str, dict[str, Any]] = {
    200: {"model": BillOut, "description": "the same bill, posted again"}
}


def _out(bill: OutpatientBill) -> BillOut:
    return BillOut.model_validate(bill, from_attributes=True)


def _answer(bill: OutpatientBill, created: bool) -> JSONResponse:
    return JSONResponse(_out(bill).model_dump(mode="json"), status_code=201 if created else 200)


@bills.post(
    "/chronic-bills",
    response_model=BillOut,
    status_code=201,
    responses=CREATED,
    dependencies=[Poster],
    summary="Record an outpatient special chronic disease bill and pay it (MED-6)",
    description=(
        "Registered poor (not exited or exited, by the registry status on the bill date): "
        "90% / 80% / 60% of the covered cost at level-1/2/3 institutions, within the yearly "
        "cap of the category (I: 100,000, the part of the year's payments above 60,000 paid by "
        "the commercial critical-illness insurer; II: 5,000). Anyone else: a decision saying "
        "why nothing is paid."
    ),
)
def post_chronic_bill(body: ChronicBillIn, uow: Uow) -> JSONResponse:
    check_post_county(uow.principal, body.county_code)
    return _answer(*record_chronic(uow, body))


@bills.post(
    "/chronic36-bills",
    response_model=BillOut,
    status_code=201,
    responses=CREATED,
    dependencies=[Poster],
    summary="Record a 36-chronic-disease bill and grant the self-pay aid (MED-8)",
    description=(
        "After basic insurance, critical illness and assistance: aid on the approved "
        "out-of-catalogue drug cost so that the registered poor patient's yearly self-pay stays "
        "within 1,000 / 3,000 / 5,000 at county / city / province public hospitals."
    ),
)
def post_chronic36_bill(body: Chronic36BillIn, uow: Uow) -> JSONResponse:
    check_post_county(uow.principal, body.county_code)
    return _answer(*record_chronic36(uow, body))


@bills.get("/bills/{bill_id}", response_model=BillOut, summary="One outpatient bill's decision")
def get_bill(bill_id: str, uow: Uow) -> BillOut:
    check_reader(uow.principal, "outpatient bills", hospital_too=True)
    return _out(readable_bill(uow, bill_id))


@persons.get(
    "/{id_number}/outpatient-summary",
    response_model=OutpatientSummary,
    summary="A person's outpatient chronic bills and yearly totals per category (MED-6, MED-8)",
)
def outpatient_summary(
    id_number: ResidentIdNumber,
    uow: Uow,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> OutpatientSummary:
    check_reader(uow.principal, "a person's outpatient record")
    person, totals, rows = person_record(uow, id_number, year)
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
