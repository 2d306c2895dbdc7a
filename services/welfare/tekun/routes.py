"""HTTP API of extreme-poverty support (特困供养, WEL-5) and care homes (敬老院).

Jurisdiction: a case lies in its person's village, a care home in its township. Records outside
the caller's scope are left out of lists and answer 404 when named; 403 is for a role that may
not do the thing at all."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.welfare.tekun import homes
from services.welfare.tekun import service as svc
from services.welfare.tekun.procedure import TekunStatus
from services.welfare.tekun.repository import CareHomes, TekunCases
from services.welfare.tekun.schemas import (
    ApplicationIn,
    AssessmentIn,
    CaseDetail,
    CaseOut,
    CasePage,
    CountyOccupancy,
    DirectIn,
    EndIn,
    HomeIn,
    HomeOut,
    MoveOutIn,
    OccupancyOut,
    PlacementIn,
    PlacementOut,
    StepIn,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.roles import Role

router = APIRouter(prefix="/v1/tekun", tags=["extreme-poverty support 特困供养 (WEL-5)"])

READERS = (
    Role.county_civil,
    Role.township_officer,
    Role.village_cadre,
    Role.county_poverty,
    Role.auditor,
    Role.service,
)
Readers = Annotated[Principal, Depends(require(*READERS))]
County = Annotated[Principal, Depends(require(Role.county_civil))]
CountyOrTownship = Annotated[Principal, Depends(require(Role.county_civil, Role.township_officer))]


# --- cases ---------------------------------------------------------------------------------


@router.post(
    "/cases",
    response_model=CaseDetail,
    status_code=201,
    summary="特困供养 application (申请), with the first self-care assessment",
    description=(
        "WEL-5. Taken by the village cadre or the township officer; then township review "
        "(township_officer) and certification (county_civil) via `/steps`. One open case per "
        "person (409)."
    ),
)
def post_application(
    body: ApplicationIn,
    uow: Uow,
    _: Annotated[Principal, Depends(require(Role.village_cadre, Role.township_officer))],
) -> CaseDetail:
    case = svc.apply(uow, body.person_id, body.self_care, body.assessed_on, body.note)
    return svc.detail(uow, case)


@router.post(
    "/certifications",
    response_model=CaseDetail,
    status_code=201,
    summary="Record a 特困 certification directly (county civil affairs), with its basis",
    description=(
        "WEL-5. The case is certified at once, its monthly amount computed from the self-care "
        "assessment with the trace, and `welfare.tekun_certified` published (key: household)."
    ),
)
def post_certification(body: DirectIn, uow: Uow, _: County) -> CaseDetail:
    case = svc.certify_direct(
        uow, body.person_id, body.self_care, body.assessed_on, body.effective_from, body.basis
    )
    return svc.detail(uow, case)


@router.get("/cases", response_model=CasePage, summary="特困 cases in your jurisdiction")
def list_cases(
    uow: Uow,
    _: Readers,
    county: CountyCode | None = None,
    status: TekunStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CasePage:
    rows = TekunCases(uow.session, uow.principal).listed(
        county=county, status=status.value if status else None
    )
    return CasePage(total=len(rows), items=[CaseOut.of(c) for c in rows[offset : offset + limit]])


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="A case with its audit trail")
def get_case(case_id: int, uow: Uow, _: Readers) -> CaseDetail:
    return svc.detail(uow, TekunCases(uow.session, uow.principal).get_or_404(case_id))


@router.post(
    "/cases/{case_id}/steps",
    response_model=CaseDetail,
    summary="Township review, county certification or rejection",
    description=(
        "applied → township_reviewed (township_officer) → certified (county_civil); rejected "
        "from either with a reason in `note`. Certifying computes the WEL-5 monthly amount and "
        "publishes `welfare.tekun_certified`. 403 wrong role, 409 not the next step, 404 out "
        "of your jurisdiction."
    ),
)
def post_step(case_id: int, body: StepIn, uow: Uow, _: Readers) -> CaseDetail:
    case = svc.take_step(uow, case_id, body.to, body.note.strip(), body.effective_from)
    return svc.detail(uow, case)


@router.post(
    "/cases/{case_id}/assessments",
    response_model=CaseDetail,
    status_code=201,
    summary="Reassess self-care (生活自理能力评估); a certified case's amount is recomputed",
)
def post_assessment(case_id: int, body: AssessmentIn, uow: Uow, _: CountyOrTownship) -> CaseDetail:
    case = svc.reassess(uow, case_id, body.self_care, body.assessed_on, body.note)
    return svc.detail(uow, case)


@router.post(
    "/cases/{case_id}/end",
    response_model=CaseDetail,
    summary="End support (终止供养) with its reason; publishes `welfare.tekun_ended`",
)
def post_end(case_id: int, body: EndIn, uow: Uow, _: County) -> CaseDetail:
    case = svc.end_case(uow, case_id, body.reason, body.effective_from, body.note.strip())
    return svc.detail(uow, case)


# --- care homes ----------------------------------------------------------------------------


@router.post("/care-homes", response_model=HomeOut, status_code=201, summary="Add a 敬老院")
def post_home(body: HomeIn, uow: Uow, _: County) -> HomeOut:
    home = homes.add_home(uow, body)
    return homes.home_out(uow, home, uow.today())


@router.get("/care-homes/{home_id}", response_model=HomeOut, summary="A 敬老院 and its residents")
def get_home(home_id: int, uow: Uow, _: Readers, on: date | None = None) -> HomeOut:
    home = CareHomes(uow.session, uow.principal).get_or_404(home_id)
    return homes.home_out(uow, home, on or uow.today())


@router.post(
    "/care-homes/{home_id}/placements",
    response_model=PlacementOut,
    status_code=201,
    summary="Move a certified 特困 person into the home (集中供养)",
    description="One home at a time per person; a full home (every bed taken) answers 409.",
)
def post_placement(home_id: int, body: PlacementIn, uow: Uow, _: CountyOrTownship) -> PlacementOut:
    row = homes.place(uow, home_id, body.case_id, body.moved_in)
    return PlacementOut.model_validate(row, from_attributes=True)


@router.post(
    "/placements/{placement_id}/move-out",
    response_model=PlacementOut,
    summary="Move a person out of the home (back to 分散供养)",
)
def post_move_out(
    placement_id: int, body: MoveOutIn, uow: Uow, _: CountyOrTownship
) -> PlacementOut:
    row = homes.move_out(uow, placement_id, body.moved_out, body.reason)
    return PlacementOut.model_validate(row, from_attributes=True)


@router.get(
    "/care-homes/{home_id}/occupancy",
    response_model=OccupancyOut,
    summary="入住率 of a 敬老院 on a date against the WEL-5 target",
)
def get_home_occupancy(home_id: int, on: date, uow: Uow, _: Readers) -> OccupancyOut:
    return homes.home_occupancy(uow, home_id, on)


@router.get(
    "/occupancy",
    response_model=CountyOccupancy,
    summary="入住率 per 敬老院 and for the county on a date (WEL-5: 70% / 85% / 100%)",
)
def get_county_occupancy(county: CountyCode, on: date, uow: Uow, _: Readers) -> CountyOccupancy:
    return homes.county_occupancy(uow, county, on)
