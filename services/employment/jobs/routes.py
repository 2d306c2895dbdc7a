"""HTTP API of job recommendation (岗位推荐, EMP-3): the vacancy database, recommendations and
their outcomes, placements and job losses, the list of labourers with fewer than the yearly
minimum of recommendations, recruitment fairs (招聘会) by township and quarter.

Jurisdiction: see services/employment/jobs/access.py (out of scope 404, wrong role 403)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.employment import clock
from services.employment.jobs import recording
from services.employment.jobs.access import (
    ORGANISERS,
    RECORDERS,
    can_read,
    guard_area,
    scoped,
)
from services.employment.jobs.models import (
    JobPlacement,
    JobRecommendation,
    JobVacancy,
    RecruitmentFair,
)
from services.employment.jobs.rules import fair_schedule, quarter_of
from services.employment.jobs.schemas import (
    OUTCOME_ZH,
    CloseIn,
    CoverageOut,
    FairIn,
    FairOut,
    FairReport,
    LossIn,
    Outcome,
    OutcomeIn,
    PlacementIn,
    PlacementOut,
    QuarterOut,
    RecommendationIn,
    RecommendationOut,
    Shortfall,
    TownshipCoverage,
    TownshipFairs,
    VacancyIn,
    VacancyOut,
)
from services.employment.jobs.service import coverage_report
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, require
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import Params, Trace

router = APIRouter(prefix="/v1/jobs", tags=["job recommendation 岗位推荐 (EMP-3)"])

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]


def _vacancy_out(session: Session, v: JobVacancy) -> VacancyOut:
    recs = session.exec(
        select(JobRecommendation.outcome, func.count())
        .where(JobRecommendation.vacancy_id == v.id)
        .group_by(JobRecommendation.outcome)
    ).all()
    by = {outcome: int(n) for outcome, n in recs}
    return VacancyOut(
        **v.model_dump(), recommended=sum(by.values()), hired=by.get(Outcome.hired.value, 0)
    )


def _rec_out(r: JobRecommendation) -> RecommendationOut:
    return RecommendationOut(**r.model_dump(), outcome_zh=OUTCOME_ZH[Outcome(r.outcome)])


@router.post(
    "/vacancies",
    status_code=201,
    response_model=VacancyOut,
    summary="Add a vacancy to the vacancy database (用工岗位信息库)",
    description="EMP-3: the county's database of vacancies offered to poor labourers.",
)
def post_vacancy(body: VacancyIn, session: DbSession, principal: Organiser) -> VacancyOut:
    return _vacancy_out(session, recording.create_vacancy(session, body, principal))


@router.get("/vacancies", response_model=list[VacancyOut], summary="Vacancies (EMP-3)")
def list_vacancies(
    session: DbSession,
    principal: CurrentPrincipal,
    county: CountyCode,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    township: TownshipQuery = None,
) -> list[VacancyOut]:
    can_read(principal)
    guard_area(principal, county)
    stmt = select(JobVacancy).where(JobVacancy.county_code == county)
    if status:
        stmt = stmt.where(JobVacancy.status == status)
    if township:
        stmt = stmt.where(JobVacancy.township_code == township)
    return [_vacancy_out(session, v) for v in session.exec(stmt.order_by(JobVacancy.id))]  # type: ignore[arg-type]


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut)
def get_vacancy(vacancy_id: int, session: DbSession, principal: CurrentPrincipal) -> VacancyOut:
    can_read(principal)
    return _vacancy_out(session, recording.load_vacancy(session, vacancy_id, principal))


@router.post("/vacancies/{vacancy_id}/close", response_model=VacancyOut, summary="Close")
def close_vacancy(
    vacancy_id: int, body: CloseIn, session: DbSession, principal: Organiser
) -> VacancyOut:
    vacancy = recording.load_vacancy(session, vacancy_id, principal, lock=True)
    return _vacancy_out(session, recording.close_vacancy(session, vacancy, body))


@router.post(
    "/recommendations",
    status_code=201,
    response_model=RecommendationOut,
    summary="Recommend a vacancy to a registered poor labourer (岗位推荐)",
    description="EMP-3: at least 3 recommendations per labourer per year (ZA-GOV §三(四)5). "
    "The person must be registered poor and of working age on the day; the vacancy open.",
)
def post_recommendation(
    body: RecommendationIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> RecommendationOut:
    return _rec_out(recording.recommend(session, runtime.policy, body, principal))


@router.get("/recommendations", response_model=list[RecommendationOut])
def list_recommendations(
    session: DbSession,
    principal: CurrentPrincipal,
    person_id: str | None = None,
    year: int | None = None,
    township: TownshipQuery = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecommendationOut]:
    can_read(principal)
    stmt = scoped(select(JobRecommendation), col(JobRecommendation.village_code), principal)
    if person_id:
        stmt = stmt.where(JobRecommendation.person_id == person_id)
    if year:
        stmt = stmt.where(JobRecommendation.year == year)
    if township:
        stmt = stmt.where(JobRecommendation.township_code == township)
    if outcome:
        stmt = stmt.where(JobRecommendation.outcome == outcome.value)
    rows = session.exec(stmt.order_by(JobRecommendation.id).offset(offset).limit(limit))
    return [_rec_out(r) for r in rows]


@router.get("/recommendations/{rec_id}", response_model=RecommendationOut)
def get_recommendation(
    rec_id: int, session: DbSession, principal: CurrentPrincipal
) -> RecommendationOut:
    can_read(principal)
    return _rec_out(recording.load_recommendation(session, rec_id, principal))


@router.post(
    "/recommendations/{rec_id}/outcome",
    response_model=RecommendationOut,
    summary="Record what came of a recommendation; a hire records the placement",
    description="EMP-3: interviewed, hired, declined or no_response. `hired` creates the "
    "placement and publishes employment.job_placed once (key: household id).",
)
def post_outcome(
    rec_id: int, body: OutcomeIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> RecommendationOut:
    rec = recording.load_recommendation(session, rec_id, principal, lock=True)
    return _rec_out(recording.set_outcome(session, runtime.publish_kwargs(), rec, body, principal))


@router.get(
    "/recommendation-coverage",
    response_model=CoverageOut,
    summary="Labourers with fewer than the yearly minimum of recommendations, per township",
    description="EMP-3: registered poor labourers (working age, not found by the census unable "
    "or unwilling to work) with fewer than employment.recommendations.min_per_year (3) "
    "recommendations in `year`. `format=xlsx` gives the list with Chinese headers.",
)
def get_coverage(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    county: CountyCode,
    year: Annotated[int, Query(ge=2000, le=2100)],
    township: TownshipQuery = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    can_read(principal)
    guard_area(principal, county)
    on = min(clock.today(), date(year, 12, 31))
    trace = Trace()
    report = coverage_report(
        session, runtime.policy, county, year, on, scope=principal.scope, township=township,
        trace=trace,
    )  # fmt: skip
    coverage, by_id = report.coverage, report.people
    short = [
        Shortfall(
            person_id=s.person_id,
            name=by_id[s.person_id].name,
            household_id=by_id[s.person_id].household_id,
            township_code=by_id[s.person_id].township_code,
            village_code=by_id[s.person_id].village_code,
            recommendations=s.recommendations,
            missing=s.missing,
        )
        for s in coverage.below
    ]
    short.sort(key=lambda s: (s.township_code, s.village_code, s.recommendations, s.person_id))
    if format == "xlsx":
        content = write_xlsx(
            ["乡镇", "行政村", "户编号", "姓名", "人员编号", "本年推荐岗位次数", "尚差次数"],
            [
                [
                    s.township_code,
                    s.village_code,
                    s.household_id,
                    s.name,
                    s.person_id,
                    s.recommendations,
                    s.missing,
                ]
                for s in short
            ],
            title="岗位推荐不足名单",
            preamble=[f"{year}年推荐就业岗位不足{coverage.minimum}次的贫困劳动力 (EMP-3)"],
        )
        return Response(content, media_type=XLSX_MEDIA)
    return CoverageOut(
        county_code=county,
        year=year,
        on=on,
        minimum=coverage.minimum,
        labourers=coverage.labourers,
        recommended=coverage.recommended,
        coverage_rate=str(coverage.coverage_rate),
        below_minimum=len(coverage.below),
        townships=[TownshipCoverage(**t.__dict__) for t in report.townships],
        people=short,
        trace=trace.out().model_dump(mode="json"),
    )


@router.post(
    "/placements",
    status_code=201,
    response_model=PlacementOut,
    summary="Record a placement (就业) found otherwise than by a recommendation",
    description="EMP-3: publishes employment.job_placed once (key: household id); the same "
    "person and start date twice is a 409.",
)
def post_placement(
    body: PlacementIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> PlacementOut:
    placement = recording.record_placement(session, runtime.publish_kwargs(), body, principal)
    return PlacementOut.model_validate(placement, from_attributes=True)


@router.get("/placements", response_model=list[PlacementOut])
def list_placements(
    session: DbSession,
    principal: CurrentPrincipal,
    person_id: str | None = None,
    township: TownshipQuery = None,
    active_on: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PlacementOut]:
    can_read(principal)
    stmt = scoped(select(JobPlacement), col(JobPlacement.village_code), principal)
    if person_id:
        stmt = stmt.where(JobPlacement.person_id == person_id)
    if township:
        stmt = stmt.where(JobPlacement.township_code == township)
    if active_on:
        stmt = stmt.where(
            JobPlacement.start_on <= active_on,
            or_(col(JobPlacement.ended_on).is_(None), col(JobPlacement.ended_on) >= active_on),
        )
    rows = session.exec(
        stmt.order_by(JobPlacement.start_on, JobPlacement.id).offset(offset).limit(limit)
    )
    return [PlacementOut.model_validate(p, from_attributes=True) for p in rows]


@router.get("/placements/{placement_id}", response_model=PlacementOut)
def get_placement(
    placement_id: str, session: DbSession, principal: CurrentPrincipal
) -> PlacementOut:
    can_read(principal)
    placement = recording.load_placement(session, placement_id, principal)
    return PlacementOut.model_validate(placement, from_attributes=True)


@router.post(
    "/placements/{placement_id}/loss",
    response_model=PlacementOut,
    summary="Record that the job ended (失业)",
    description="EMP-3: publishes employment.job_lost once; a placement ends once (409 after).",
)
def post_loss(
    placement_id: str, body: LossIn, session: DbSession, runtime: RuntimeDep, principal: Recorder
) -> PlacementOut:
    placement = recording.load_placement(session, placement_id, principal, lock=True)
    placement = recording.record_loss(session, runtime.publish_kwargs(), placement, body)
    return PlacementOut.model_validate(placement, from_attributes=True)


def _fair_out(f: RecruitmentFair) -> FairOut:
    return FairOut(**f.model_dump(), quarter=quarter_of(f.held_on))


@router.post(
    "/fairs",
    status_code=201,
    response_model=FairOut,
    summary="Record a recruitment fair (招聘会 / 送岗下乡) held in a township",
    description="EMP-3: at least one per quarter in towns where the poor are concentrated.",
)
def post_fair(body: FairIn, session: DbSession, principal: Organiser) -> FairOut:
    return _fair_out(recording.record_fair(session, body, principal))


@router.get(
    "/fairs",
    response_model=FairReport,
    summary="Recruitment fairs of a year by township and quarter, against the minimum",
)
def list_fairs(
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    county: CountyCode,
    year: Annotated[int, Query(ge=2000, le=2100)],
    township: TownshipQuery = None,
) -> FairReport:
    can_read(principal)
    guard_area(principal, county)
    stmt = select(RecruitmentFair).where(
        RecruitmentFair.county_code == county,
        RecruitmentFair.held_on >= date(year, 1, 1),
        RecruitmentFair.held_on <= date(year, 12, 31),
    )
    stmt = scoped(stmt, col(RecruitmentFair.township_code), principal)
    if township:
        stmt = stmt.where(RecruitmentFair.township_code == township)
    stmt = stmt.order_by(RecruitmentFair.township_code, RecruitmentFair.held_on)
    fairs = list(session.exec(stmt))
    today = clock.today()
    params = Params(runtime.policy, county, min(today, date(year, 12, 31)))
    trace = Trace()
    towns: list[TownshipFairs] = []
    minimum = 0
    for code in sorted({f.township_code for f in fairs}):
        mine = [f for f in fairs if f.township_code == code]
        schedule = fair_schedule([f.held_on for f in mine], year, today, params, trace=trace)
        minimum = schedule.minimum
        quarters = []
        for q in schedule.quarters:
            held = [f for f in mine if quarter_of(f.held_on) == q.quarter]
            quarters.append(
                QuarterOut(
                    quarter=q.quarter,
                    fairs=q.fairs,
                    met=q.met,
                    employers=sum(f.employers for f in held),
                    vacancies=sum(f.vacancies for f in held),
                    attendees=sum(f.attendees for f in held),
                    hires=sum(f.hires for f in held),
                )
            )
        towns.append(TownshipFairs(township_code=code, quarters=quarters))
    return FairReport(
        county_code=county,
        year=year,
        minimum_per_quarter=minimum,
        fairs=[_fair_out(f) for f in fairs],
        townships=towns,
        trace=trace.out().model_dump(mode="json"),
    )
