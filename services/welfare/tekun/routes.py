"""HTTP API of extreme-poverty support (特困供养, WEL-5) and care homes (敬老院).

Jurisdiction: a case lies in its person's village, a care home in its township. Records outside
the caller's scope are left out of lists and answer 404 when named; 403 is for a role that may
not do the thing at all."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session, select

from services.welfare.tekun import homes
from services.welfare.tekun import service as svc
from services.welfare.tekun.models import CareHome, CarePlacement, TekunAssessment, TekunCase
from services.welfare.tekun.schemas import (
    ApplicationIn,
    AssessmentIn,
    AssessmentOut,
    CaseDetail,
    CaseOut,
    CasePage,
    CountyOccupancy,
    DirectIn,
    EndIn,
    HomeIn,
    HomeOccupancy,
    HomeOut,
    MoveOutIn,
    OccupancyOut,
    PlacementIn,
    PlacementOut,
    StepIn,
)
from services.welfare.tekun.service import TEKUN_WORKFLOW, TekunStatus
from services.welfare.workflow import StepOut, steps_of
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal, Role, require
from shared.bus.tables import utcnow
from shared.errors import FieldError, Forbidden, InvalidInput, NotFound
from shared.ids import CountyCode

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


def _in_county(principal: Principal, county: str) -> None:
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise Forbidden(f"county {county} is outside your jurisdiction")


# --- cases ---------------------------------------------------------------------------------


def _detail(session: Session, case: TekunCase) -> CaseDetail:
    steps = steps_of(session, TEKUN_WORKFLOW.entity, [str(case.id)])
    assessments = session.exec(
        select(TekunAssessment)
        .where(TekunAssessment.case_id == case.id)
        .order_by(TekunAssessment.id)  # type: ignore[arg-type]
    ).all()
    placements = session.exec(
        select(CarePlacement).where(CarePlacement.case_id == case.id).order_by(CarePlacement.id)  # type: ignore[arg-type]
    ).all()
    return CaseDetail(
        **CaseOut.of(case).model_dump(),
        steps=[StepOut.model_validate(s, from_attributes=True) for s in steps],
        assessments=[AssessmentOut.model_validate(a, from_attributes=True) for a in assessments],
        placements=[PlacementOut.model_validate(p, from_attributes=True) for p in placements],
    )


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
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Role.village_cadre, Role.township_officer))],
) -> CaseDetail:
    person = svc.registry_person(session, body.person_id, principal)
    case = svc.apply(session, person, body.self_care, body.assessed_on, body.note, principal)
    return _detail(session, case)


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
def post_certification(
    body: DirectIn, session: DbSession, runtime: RuntimeDep, principal: County
) -> CaseDetail:
    person = svc.registry_person(session, body.person_id, principal)
    case = svc.certify_direct(
        session,
        runtime.policy,
        runtime.publish_kwargs(),
        person,
        body.self_care,
        body.assessed_on,
        body.effective_from,
        body.basis,
        principal,
    )
    return _detail(session, case)


@router.get("/cases", response_model=CasePage, summary="特困 cases in your jurisdiction")
def list_cases(
    session: DbSession,
    principal: Readers,
    county: CountyCode | None = None,
    status: TekunStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CasePage:
    stmt = select(TekunCase)
    if principal.scope:
        stmt = stmt.where(TekunCase.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if county:
        stmt = stmt.where(TekunCase.county_code == county)
    if status:
        stmt = stmt.where(TekunCase.status == status.value)
    rows = session.exec(stmt.order_by(TekunCase.id)).all()  # type: ignore[arg-type]
    return CasePage(total=len(rows), items=[CaseOut.of(c) for c in rows[offset : offset + limit]])


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="A case with its audit trail")
def get_case(case_id: int, session: DbSession, principal: Readers) -> CaseDetail:
    return _detail(session, svc.get_case(session, case_id, principal))


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
def post_step(
    case_id: int, body: StepIn, session: DbSession, runtime: RuntimeDep, principal: Readers
) -> CaseDetail:
    case = svc.get_case(session, case_id, principal, lock=True)
    svc.take_step(
        session,
        runtime.policy,
        runtime.publish_kwargs(),
        case,
        body.to,
        principal,
        body.note.strip(),
        body.effective_from,
    )
    return _detail(session, case)


@router.post(
    "/cases/{case_id}/assessments",
    response_model=CaseDetail,
    status_code=201,
    summary="Reassess self-care (生活自理能力评估); a certified case's amount is recomputed",
)
def post_assessment(
    case_id: int,
    body: AssessmentIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CountyOrTownship,
) -> CaseDetail:
    case = svc.get_case(session, case_id, principal, lock=True)
    svc.reassess(
        session, runtime.policy, case, body.self_care, body.assessed_on, body.note, principal
    )
    return _detail(session, case)


@router.post(
    "/cases/{case_id}/end",
    response_model=CaseDetail,
    summary="End support (终止供养) with its reason; publishes `welfare.tekun_ended`",
)
def post_end(
    case_id: int, body: EndIn, session: DbSession, runtime: RuntimeDep, principal: County
) -> CaseDetail:
    case = svc.get_case(session, case_id, principal, lock=True)
    svc.end_case(
        session,
        runtime.publish_kwargs(),
        case,
        body.reason,
        body.effective_from,
        principal,
        body.note.strip(),
    )
    return _detail(session, case)


# --- care homes ----------------------------------------------------------------------------


def _home_out(session: Session, home: CareHome, on: date) -> HomeOut:
    rows = session.exec(
        select(CarePlacement)
        .where(CarePlacement.home_id == home.id, homes.present_on(on))
        .order_by(CarePlacement.id)  # type: ignore[arg-type]
    ).all()
    return HomeOut(
        id=home.id,  # type: ignore[arg-type]
        name=home.name,
        county_code=home.county_code,
        township_code=home.township_code,
        beds=home.beds,
        residents=[PlacementOut.model_validate(p, from_attributes=True) for p in rows],
    )


@router.post("/care-homes", response_model=HomeOut, status_code=201, summary="Add a 敬老院")
def post_home(body: HomeIn, session: DbSession, principal: County) -> HomeOut:
    if not body.township_code.startswith(body.county_code):
        raise InvalidInput(
            "the township is not in the county",
            errors=[FieldError(field="township_code", reason="not in county_code")],
        )
    _in_county(principal, body.county_code)
    home = CareHome(**body.model_dump(), created_by=principal.subject)
    session.add(home)
    session.flush()
    return _home_out(session, home, utcnow().date())


@router.get("/care-homes/{home_id}", response_model=HomeOut, summary="A 敬老院 and its residents")
def get_home(
    home_id: int, session: DbSession, principal: Readers, on: date | None = None
) -> HomeOut:
    home = homes.get_home(session, home_id, principal)
    return _home_out(session, home, on or utcnow().date())


@router.post(
    "/care-homes/{home_id}/placements",
    response_model=PlacementOut,
    status_code=201,
    summary="Move a certified 特困 person into the home (集中供养)",
    description="One home at a time per person; a full home (every bed taken) answers 409.",
)
def post_placement(
    home_id: int, body: PlacementIn, session: DbSession, principal: CountyOrTownship
) -> PlacementOut:
    home = homes.get_home(session, home_id, principal, lock=True)
    case = svc.get_case(session, body.case_id, principal, lock=True)
    row = homes.place(session, home, case, body.moved_in, principal)
    return PlacementOut.model_validate(row, from_attributes=True)


@router.post(
    "/placements/{placement_id}/move-out",
    response_model=PlacementOut,
    summary="Move a person out of the home (back to 分散供养)",
)
def post_move_out(
    placement_id: int, body: MoveOutIn, session: DbSession, principal: CountyOrTownship
) -> PlacementOut:
    placement = session.get(CarePlacement, placement_id)
    if placement is None:
        raise NotFound("no such placement")
    homes.get_home(session, placement.home_id, principal, lock=True)
    case = svc.get_case(session, placement.case_id, principal)
    row = homes.move_out(session, placement, case, body.moved_out, body.reason)
    return PlacementOut.model_validate(row, from_attributes=True)


@router.get(
    "/care-homes/{home_id}/occupancy",
    response_model=OccupancyOut,
    summary="入住率 of a 敬老院 on a date against the WEL-5 target",
)
def get_home_occupancy(
    home_id: int, on: date, session: DbSession, runtime: RuntimeDep, principal: Readers
) -> OccupancyOut:
    home = homes.get_home(session, home_id, principal)
    occupied = homes.occupied_on(session, [home.id], on).get(home.id, 0)  # type: ignore[list-item,arg-type]
    fig = homes.measure(runtime.policy, home.county_code, occupied, home.beds, on)
    return OccupancyOut(on=on, **fig.__dict__)


@router.get(
    "/occupancy",
    response_model=CountyOccupancy,
    summary="入住率 per 敬老院 and for the county on a date (WEL-5: 70% / 85% / 100%)",
)
def get_county_occupancy(
    county: CountyCode, on: date, session: DbSession, runtime: RuntimeDep, principal: Readers
) -> CountyOccupancy:
    _in_county(principal, county)
    stmt = select(CareHome).where(CareHome.county_code == county)
    if principal.scope:
        stmt = stmt.where(CareHome.township_code.startswith(principal.scope[:9]))  # type: ignore[attr-defined]
    rows = session.exec(stmt.order_by(CareHome.township_code, CareHome.id)).all()  # type: ignore[arg-type]
    counts = homes.occupied_on(session, [h.id for h in rows], on)  # type: ignore[misc]
    out = []
    for h in rows:
        fig = homes.measure(runtime.policy, county, counts.get(h.id, 0), h.beds, on)  # type: ignore[arg-type]
        out.append(
            HomeOccupancy(
                home_id=h.id,  # type: ignore[arg-type]
                name=h.name,
                township_code=h.township_code,
                on=on,
                **fig.__dict__,
            )
        )
    total = homes.measure(
        runtime.policy, county, sum(counts.values()), sum(h.beds for h in rows), on
    )
    return CountyOccupancy(
        county_code=county, on=on, homes=out, total=OccupancyOut(on=on, **total.__dict__)
    )
