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
from sqlalchemy import func, select
from sqlmodel import Session

from services.employment import clock
from services.employment.registry.models import RegistryPerson
from services.employment.training import service
from services.employment.training.indicators import AreaResult, training_indicators
from services.employment.training.models import (
    JobSeekingSubsidyGrant,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingProgramme,
)
from services.employment.training.rules import (
    CERTIFICATE_KIND_ZH,
    PROGRAMME_KIND_ZH,
    CertificateKind,
    ProgrammeKind,
)
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
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import Forbidden
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1/training", tags=["training 技能培训 (EMP-2, EMP-7)"])

RECORDERS = (Role.county_hrss, Role.township_officer, Role.village_cadre)
READERS = (*RECORDERS, Role.auditor, Role.county_poverty)
OUTCOME_ZH = {"passed": "合格", "failed": "不合格"}
STATUS_ZH = {"enrolled": "在训", "completed": "结业", "withdrawn": "退出"}


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read training records")


def _programme_out(session: Session, p: TrainingProgramme) -> ProgrammeOut:
    counts = dict(
        session.execute(
            select(TrainingEnrolment.status, func.count())
            .where(TrainingEnrolment.programme_id == p.id)
            .group_by(TrainingEnrolment.status)
        ).all()
    )
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
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    county: Annotated[str, Query(pattern=r"^\d{6}$")],
    on: date | None = None,
) -> dict[str, Any]:
    _reader(principal)
    day = on or clock.today()
    table = runtime.policy.resolve("employment.training.department_townships", county, day)
    two_after = runtime.policy.resolve("employment.training.two_after_department", county, day)
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
def post_programme(
    body: ProgrammeIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_hrss))],
) -> ProgrammeOut:
    programme = service.create_programme(session, runtime.policy, body, principal)
    return _programme_out(session, programme)


@router.get("/programmes", response_model=list[ProgrammeOut], summary="Programmes in scope")
def list_programmes(
    session: DbSession,
    principal: CurrentPrincipal,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> list[ProgrammeOut]:
    _reader(principal)
    stmt = select(TrainingProgramme).order_by(TrainingProgramme.id)  # type: ignore[arg-type]
    if county:
        stmt = stmt.where(TrainingProgramme.county_code == county)
    rows = session.execute(stmt).scalars()
    return [_programme_out(session, p) for p in rows if service.covers_programme(principal, p)]


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut)
def get_programme(
    programme_id: int, session: DbSession, principal: CurrentPrincipal
) -> ProgrammeOut:
    _reader(principal)
    return _programme_out(session, service.load_programme(session, programme_id, principal))


@router.post(
    "/programmes/{programme_id}/enrolments",
    status_code=201,
    response_model=EnrolmentOut,
    summary="Enrol a surveyed person (劳动力调查) in a programme (EMP-2)",
)
def post_enrolment(
    programme_id: int,
    body: EnrolmentIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*RECORDERS))],
) -> EnrolmentOut:
    programme = service.load_programme(session, programme_id, principal)
    enrolment = service.enrol(session, programme, body, principal, clock.today())
    return EnrolmentOut.model_validate(enrolment, from_attributes=True)


@router.get(
    "/programmes/{programme_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="Enrolments of a programme in scope",
)
def list_enrolments(
    programme_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[EnrolmentOut]:
    _reader(principal)
    service.load_programme(session, programme_id, principal)
    stmt = select(TrainingEnrolment).where(TrainingEnrolment.programme_id == programme_id)
    if principal.scope:
        stmt = stmt.where(TrainingEnrolment.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    rows = session.execute(stmt.order_by(TrainingEnrolment.id)).scalars()  # type: ignore[arg-type]
    return [EnrolmentOut.model_validate(e, from_attributes=True) for e in rows]


@router.post(
    "/enrolments/{enrolment_id}/completion",
    response_model=EnrolmentOut,
    summary="Record a completion (结业) and its outcome; publishes employment.training_completed",
    description="Once per enrolment: a second completion answers 409 and publishes nothing "
    "(EMP-2). The event's key is the household id.",
)
def post_completion(
    enrolment_id: int,
    body: CompletionIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_hrss, Role.township_officer))],
) -> EnrolmentOut:
    enrolment = service.load_enrolment(session, enrolment_id, principal)
    programme = session.get(TrainingProgramme, enrolment.programme_id)
    assert programme is not None
    enrolment = service.complete(
        session, programme, enrolment, body, principal, clock.today(), runtime.publish_kwargs()
    )
    return EnrolmentOut.model_validate(enrolment, from_attributes=True)


@router.post(
    "/enrolments/{enrolment_id}/certificates",
    status_code=201,
    response_model=CertificateOut,
    summary="Record a certificate (职业资格证书 / 技能等级证书) obtained after training",
)
def post_certificate(
    enrolment_id: int,
    body: CertificateIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Role.county_hrss, Role.township_officer))],
) -> CertificateOut:
    enrolment = service.load_enrolment(session, enrolment_id, principal)
    certificate = service.add_certificate(session, enrolment, body, principal)
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
def post_job_seeking_subsidy(
    certificate_id: int,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_hrss))],
) -> Any:
    certificate, enrolment = service.load_certificate(session, certificate_id, principal)
    grant, created = service.grant_job_seeking_subsidy(
        session, runtime.policy, certificate, enrolment, principal, clock.today()
    )
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
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    county: Annotated[str, Query(pattern=r"^\d{6}$")],
    on: date | None = None,
    by: Literal["township", "village"] = "township",
) -> IndicatorsOut:
    _reader(principal)
    if principal.scope and not (
        county.startswith(principal.scope) or principal.scope.startswith(county)
    ):
        raise Forbidden("the county is outside your jurisdiction")
    day = on or clock.today()
    prefix = principal.scope if len(principal.scope) > 6 else ""
    result = training_indicators(session, county, day, by, runtime.policy, prefix)
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


LEDGER_HEADERS = (
    "培训项目",
    "培训类型",
    "承办部门",
    "培训开始日期",
    "培训结束日期",
    "学时",
    "户编号",
    "姓名",
    "证件号码",
    "乡镇",
    "行政村",
    "报名日期",
    "状态",
    "结业日期",
    "培训结果",
    "证书类型",
    "证书编号",
    "发证日期",
    "求职创业补贴(元)",
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
    session: DbSession,
    principal: CurrentPrincipal,
    programme_id: int | None = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> Response:
    _reader(principal)

    stmt = (
        select(TrainingEnrolment, TrainingProgramme, RegistryPerson)
        .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)  # type: ignore[arg-type]
        .join(RegistryPerson, RegistryPerson.person_id == TrainingEnrolment.person_id)  # type: ignore[arg-type]
    )
    if principal.scope:
        stmt = stmt.where(TrainingEnrolment.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if programme_id is not None:
        stmt = stmt.where(TrainingEnrolment.programme_id == programme_id)
    if township:
        stmt = stmt.where(TrainingEnrolment.township_code == township)
    rows = session.execute(
        stmt.order_by(TrainingProgramme.id, TrainingEnrolment.village_code, TrainingEnrolment.id)  # type: ignore[arg-type]
    ).all()
    ids = [e.id for e, _, _ in rows]
    certs: dict[int, list[TrainingCertificate]] = {}
    for start in range(0, len(ids), 900):
        for c in session.execute(
            select(TrainingCertificate).where(
                TrainingCertificate.enrolment_id.in_(ids[start : start + 900])  # type: ignore[attr-defined]
            )
        ).scalars():
            certs.setdefault(c.enrolment_id, []).append(c)
    grants = {
        g.certificate_id: g.amount
        for g in session.execute(select(JobSeekingSubsidyGrant)).scalars()
    }
    lines = []
    for e, p, person in rows:
        base = [
            p.name,
            PROGRAMME_KIND_ZH[ProgrammeKind(p.kind)],
            p.provider_department,
            p.starts_on,
            p.ends_on,
            p.hours,
            e.household_id,
            person.name,
            person.id_number,
            e.township_code,
            e.village_code,
            e.enrolled_on,
            STATUS_ZH.get(e.status, e.status),
            e.completed_on,
            OUTCOME_ZH.get(e.outcome or "", ""),
        ]
        for c in certs.get(e.id or 0, []) or [None]:
            if c is None:
                lines.append([*base, "", "", "", ""])
            else:
                lines.append(
                    [
                        *base,
                        CERTIFICATE_KIND_ZH[CertificateKind(c.kind)],
                        c.number,
                        c.issued_on,
                        grants.get(c.id or 0, ""),
                    ]
                )
    content = write_xlsx(LEDGER_HEADERS, lines, title="培训台账")
    return Response(
        content,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": 'attachment; filename="training-ledger.xlsx"'},
    )
