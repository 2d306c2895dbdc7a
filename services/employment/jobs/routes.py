"""HTTP API of job recommendation (岗位推荐, EMP-3): the vacancy database, recommendations and
their outcomes, placements and job losses, the list of labourers with fewer than the yearly
minimum of recommendations, recruitment fairs (招聘会) by township and quarter.

Jurisdiction: see services/employment/jobs/access.py (out of scope 404, wrong role 403)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.employment.jobs import recording
from services.employment.jobs.access import ORGANISERS, RECORDERS, can_read, guard_area
from services.employment.jobs.models import JobRecommendation, JobVacancy
from services.employment.jobs.repository import Placements, Recommendations, Vacancies
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
    RecommendationIn,
    RecommendationOut,
    Shortfall,
    TownshipCoverage,
    VacancyIn,
    VacancyOut,
)
from services.employment.jobs.service import coverage_report
from shared.app import Uow
from shared.auth import Principal, require
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.trace import Trace
from shared.uow import UnitOfWork

router = APIRouter(prefix="/v1/jobs", tags=["job recommendation 岗位推荐 (EMP-3)"])

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]


def _vacancy_out(uow: UnitOfWork, v: JobVacancy) -> VacancyOut:
    by = Vacancies(uow.session, uow.principal).outcomes(v.id)
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
def post_vacancy(body: VacancyIn, uow: Uow, _: Organiser) -> VacancyOut:
    return _vacancy_out(uow, recording.create_vacancy(uow, body))


@router.get("/vacancies", response_model=list[VacancyOut], summary="Vacancies (EMP-3)")
def list_vacancies(
    uow: Uow,
    county: CountyCode,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    township: TownshipQuery = None,
) -> list[VacancyOut]:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    vacancies = Vacancies(uow.session, uow.principal).of_county(county, status, township)
    return [_vacancy_out(uow, v) for v in vacancies]


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut)
def get_vacancy(vacancy_id: int, uow: Uow) -> VacancyOut:
    can_read(uow.principal)
    return _vacancy_out(uow, Vacancies(uow.session, uow.principal).get_or_404(vacancy_id))


@router.post("/vacancies/{vacancy_id}/close", response_model=VacancyOut, summary="Close")
def close_vacancy(vacancy_id: int, body: CloseIn, uow: Uow, _: Organiser) -> VacancyOut:
    return _vacancy_out(uow, recording.close_vacancy(uow, vacancy_id, body))


@router.post(
    "/recommendations",
    status_code=201,
    response_model=RecommendationOut,
    summary="Recommend a vacancy to a registered poor labourer (岗位推荐)",
    description="EMP-3: at least 3 recommendations per labourer per year (ZA-GOV §三(四)5). "
    "The person must be registered poor and of working age on the day; the vacancy open.",
)
def post_recommendation(body: RecommendationIn, uow: Uow, _: Recorder) -> RecommendationOut:
    return _rec_out(recording.recommend(uow, body))


@router.get("/recommendations", response_model=list[RecommendationOut])
def list_recommendations(
    uow: Uow,
    person_id: str | None = None,
    year: int | None = None,
    township: TownshipQuery = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecommendationOut]:
    can_read(uow.principal)
    rows = Recommendations(uow.session, uow.principal).listed(
        person_id,
        year,
        township,
        outcome.value if outcome else None,
        limit=limit,
        offset=offset,
    )
    return [_rec_out(r) for r in rows]


@router.get("/recommendations/{rec_id}", response_model=RecommendationOut)
def get_recommendation(rec_id: int, uow: Uow) -> RecommendationOut:
    can_read(uow.principal)
    return _rec_out(Recommendations(uow.session, uow.principal).get_or_404(rec_id))


@router.post(
    "/recommendations/{rec_id}/outcome",
    response_model=RecommendationOut,
    summary="Record what came of a recommendation; a hire records the placement",
    description="EMP-3: interviewed, hired, declined or no_response. `hired` creates the "
    "placement and publishes employment.job_placed once (key: household id).",
)
def post_outcome(rec_id: int, body: OutcomeIn, uow: Uow, _: Recorder) -> RecommendationOut:
    return _rec_out(recording.set_outcome(uow, rec_id, body))


@router.get(
    "/recommendation-coverage",
    response_model=CoverageOut,
    summary="Labourers with fewer than the yearly minimum of recommendations, per township",
    description="EMP-3: registered poor labourers (working age, not found by the census unable "
    "or unwilling to work) with fewer than employment.recommendations.min_per_year (3) "
    "recommendations in `year`. `format=xlsx` gives the list with Chinese headers.",
)
def get_coverage(
    uow: Uow,
    county: CountyCode,
    year: Annotated[int, Query(ge=2000, le=2100)],
    township: TownshipQuery = None,
    format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
) -> Any:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    on = min(uow.today(), date(year, 12, 31))
    trace = Trace()
    report = coverage_report(
        uow, county, year, on, scope=uow.principal.scope, township=township, trace=trace
    )
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
def post_placement(body: PlacementIn, uow: Uow, _: Recorder) -> PlacementOut:
    placement = recording.record_placement(uow, body)
    return PlacementOut.model_validate(placement, from_attributes=True)


@router.get("/placements", response_model=list[PlacementOut])
def list_placements(
    uow: Uow,
    person_id: str | None = None,
    township: TownshipQuery = None,
    active_on: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PlacementOut]:
    can_read(uow.principal)
    rows = Placements(uow.session, uow.principal).listed(
        person_id, township, active_on, limit=limit, offset=offset
    )
    return [PlacementOut.model_validate(p, from_attributes=True) for p in rows]


@router.get("/placements/{placement_id}", response_model=PlacementOut)
def get_placement(placement_id: str, uow: Uow) -> PlacementOut:
    can_read(uow.principal)
    placement = Placements(uow.session, uow.principal).get_or_404(placement_id)
    return PlacementOut.model_validate(placement, from_attributes=True)


@router.post(
    "/placements/{placement_id}/loss",
    response_model=PlacementOut,
    summary="Record that the job ended (失业)",
    description="EMP-3: publishes employment.job_lost once; a placement ends once (409 after).",
)
def post_loss(placement_id: str, body: LossIn, uow: Uow, _: Recorder) -> PlacementOut:
    placement = recording.record_loss(uow, placement_id, body)
    return PlacementOut.model_validate(placement, from_attributes=True)


@router.post(
    "/fairs",
    status_code=201,
    response_model=FairOut,
    summary="Record a recruitment fair (招聘会 / 送岗下乡) held in a township",
    description="EMP-3: at least one per quarter in towns where the poor are concentrated.",
)
def post_fair(body: FairIn, uow: Uow, _: Organiser) -> FairOut:
    return recording.fair_out(recording.record_fair(uow, body))


@router.get(
    "/fairs",
    response_model=FairReport,
    summary="Recruitment fairs of a year by township and quarter, against the minimum",
)
def list_fairs(
    uow: Uow,
    county: CountyCode,
    year: Annotated[int, Query(ge=2000, le=2100)],
    township: TownshipQuery = None,
) -> FairReport:
    can_read(uow.principal)
    guard_area(uow.principal, county)
    return recording.fair_report(uow, county, year, township)
