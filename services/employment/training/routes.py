"""HTTP API of training (技能培训, EMP-2) and of the job-seeking subsidy (求职创业补贴, EMP-7):
programmes by department and township, enrolments, completions, certificates, indicators per
township and village, and the training ledger (培训台账) as XLSX.

Jurisdiction: an enrolment lies in the person's village; a programme in its townships. Records
outside the caller's scope are left out of lists and answer 404 when named; 403 is for a role
that may not act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from services.employment.training import service
from services.employment.training.indicators import AreaResult, indicators
from services.employment.training.ledger import ledger
from services.employment.training.models import TrainingProgramme
from services.employment.training.repository import Programmes
from services.employment.training.rules import PROGRAMME_KIND_ZH, ProgrammeKind
from services.employment.training.schemas import (
    AreaIndicators,
    CertificateIn,
    CertificateOut,
    CompletionIn,
    EnrolmentIn,
    EnrolmentOut,
    IndicatorsOut,
    ProgrammeIn,
    ProgrammeOut,
    SubsidyOut,
)
from shared.app import Uow
from shared.auth import Principal, require
from shared.errors import Forbidden
from shared.header_values import content_disposition
from shared.roles import Role
from shared.tabular import XLSX_MEDIA
from shared.uow import UnitOfWork

router = APIRouter(prefix="/v1/training", tags=["training 技能培训 (EMP-2, EMP-7)"])

RECORDERS = (Role.county_hrss, Role.township_officer, Role.village_cadre)
READERS = (*RECORDERS, Role.auditor, Role.county_poverty)
Recorder = Annotated[Principal, Depends(require(*RECORDERS))]
Officer = Annotated[Principal, Depends(require(Role.county_hrss, Role.township_officer))]
County = Annotated[Principal, Depends(require(Role.county_hrss))]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read training records")


def _programme_out(uow: UnitOfWork, p: TrainingProgramme) -> ProgrammeOut:
    counts = Programmes(uow.session, uow.principal).enrolment_counts(p.id)
    return ProgrammeOut(
        **p.model_dump(exclude={"kind"}),
        kind=ProgrammeKind(p.kind),
        kind_zh=PROGRAMME_KIND_ZH[ProgrammeKind(p.kind)],
        enrolled=sum(counts.values()),
        completed=counts.get("completed", 0),
    )


@router.get(
    "/assignments",
    summary="Departments and the townships they train (部门包乡镇, YA-HRSS §三(二)1, EMP-2)",
)
def get_assignments(
    uow: Uow,
    county: Annotated[str, Query(pattern=r"^\d{6}$")],
    on: date | None = None,
) -> dict[str, Any]:
    _reader(uow.principal)
    day = on or uow.today()
    table = uow.policy.resolve("employment.training.department_townships", county, day)
    two_after = uow.policy.resolve("employment.training.two_after_department", county, day)
    return {
        "county_code": county,
        "on": day.isoformat(),
        "departments": table.as_trace()["value"],
        "two_after_department": two_after.value,
        "reference": table.reference,
        "illustrative": table.illustrative,
    }


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammeOut,
    summary="Create a training programme (引导性培训 / 技能培训 / 创业培训)",
    description="The provider department must be assigned every township listed "
    "(部门包乡镇, YA-HRSS §三(二)1, EMP-2); the 两后生 department trains 两后生 county-wide. "
    "County 人社局 only.",
)
def post_programme(body: ProgrammeIn, uow: Uow, _: County) -> ProgrammeOut:
    return _programme_out(uow, service.create_programme(uow, body))


@router.get("/programmes", response_model=list[ProgrammeOut], summary="Programmes in scope")
def list_programmes(
    uow: Uow, county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> list[ProgrammeOut]:
    _reader(uow.principal)
    programmes = Programmes(uow.session, uow.principal).listed(county)
    return [_programme_out(uow, p) for p in programmes]


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut)
def get_programme(programme_id: int, uow: Uow) -> ProgrammeOut:
    _reader(uow.principal)
    return _programme_out(uow, Programmes(uow.session, uow.principal).get_or_404(programme_id))


@router.post(
    "/programmes/{programme_id}/enrolments",
    status_code=201,
    response_model=EnrolmentOut,
    summary="Enrol a surveyed person (劳动力调查) in a programme (EMP-2)",
)
def post_enrolment(programme_id: int, body: EnrolmentIn, uow: Uow, _: Recorder) -> EnrolmentOut:
    enrolment = service.enrol(uow, programme_id, body)
    return EnrolmentOut.model_validate(enrolment, from_attributes=True)


@router.get(
    "/programmes/{programme_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="Enrolments of a programme in scope",
)
def list_enrolments(programme_id: int, uow: Uow) -> list[EnrolmentOut]:
    _reader(uow.principal)
    rows = service.enrolments_of(uow, programme_id)
    return [EnrolmentOut.model_validate(e, from_attributes=True) for e in rows]


@router.post(
    "/enrolments/{enrolment_id}/completion",
    response_model=EnrolmentOut,
    summary="Record a completion (结业) and its outcome; publishes employment.training_completed",
    description="Once per enrolment: a second completion answers 409 and publishes nothing "
    "(EMP-2). The event's key is the household id.",
)
def post_completion(enrolment_id: int, body: CompletionIn, uow: Uow, _: Officer) -> EnrolmentOut:
    enrolment = service.complete(uow, enrolment_id, body)
    return EnrolmentOut.model_validate(enrolment, from_attributes=True)


@router.post(
    "/enrolments/{enrolment_id}/certificates",
    status_code=201,
    response_model=CertificateOut,
    summary="Record a certificate (职业资格证书 / 技能等级证书) obtained after training",
)
def post_certificate(
    enrolment_id: int, body: CertificateIn, uow: Uow, _: Officer
) -> CertificateOut:
    certificate = service.add_certificate(uow, enrolment_id, body)
    return CertificateOut.model_validate(certificate, from_attributes=True)


@router.post(
    "/certificates/{certificate_id}/job-seeking-subsidy",
    status_code=201,
    response_model=SubsidyOut,
    summary="Grant the one-off job-seeking subsidy (求职创业补贴, 500 yuan) on a certificate",
    description="EMP-7 (FL-HRSS §三(一)6): a trained registered poor labourer who obtains an "
    "accepted vocational certificate gets the subsidy once, ever. 201 with the grant and its "
    "trace; a person already granted gets the first grant back with 200 (concurrent requests "
    "give one grant); not eligible: 422 with the reasons. County 人社局 only.",
    responses={200: {"model": SubsidyOut, "description": "the person's earlier grant"}},
)
def post_job_seeking_subsidy(certificate_id: int, uow: Uow, _: County) -> Any:
    grant, created = service.grant_job_seeking_subsidy(uow, certificate_id)
    out = SubsidyOut.model_validate(grant, from_attributes=True)
    if created:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Training coverage, 两后生 coverage and placement rate per township or village",
    description="EMP-2 at a date: share of the labourers to be trained who are trained, share "
    "of 两后生 trained, and placed / (placed + not placed) within the parameter months after "
    "training (target ≥ 50%, ZA-GOV §三(四)1). Registered poor only.",
)
def get_indicators(
    uow: Uow,
    county: Annotated[str, Query(pattern=r"^\d{6}$")],
    on: date | None = None,
    by: Literal["township", "village"] = "township",
) -> IndicatorsOut:
    principal = uow.principal
    _reader(principal)
    if principal.scope and not (
        county.startswith(principal.scope) or principal.scope.startswith(county)
    ):
        raise Forbidden("the county is outside your jurisdiction")
    day = on or uow.today()
    result = indicators(uow, county, day, by)
    return IndicatorsOut(
        county_code=county,
        on=day,
        by=by,
        placement_window_months=result.window_months,
        total=_area(result.total),
        areas=[_area(a) for a in result.areas],
        trace=result.trace.out().model_dump(mode="json"),
    )


def _area(a: AreaResult) -> AreaIndicators:
    c = a.counts
    return AreaIndicators(
        code=a.code,
        labourers=c.labourers,
        willing=c.willing,
        base=c.base,
        trained=c.trained,
        two_after=c.two_after,
        two_after_base=c.two_after_base,
        two_after_trained=c.two_after_trained,
        training_rate=a.training_rate,
        two_after_rate=a.two_after_rate,
        placed=a.placed,
        not_placed=a.not_placed,
        pending=a.pending,
        placement_rate=a.placement_rate,
    )


@router.get(
    "/ledger",
    summary="Training ledger (培训台账) as XLSX with Chinese headers (EMP-2)",
    description="One row per enrolment (and per certificate) in scope; kept in quadruplicate "
    "by township, village, department and the county employment centre (YA-HRSS §三(二)1).",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_ledger(
    uow: Uow,
    programme_id: int | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> Response:
    _reader(uow.principal)
    return Response(
        ledger(uow, programme_id, township),
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": content_disposition("training-ledger.xlsx")},
    )
