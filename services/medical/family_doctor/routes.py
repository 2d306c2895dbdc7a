"""HTTP API of family-doctor signing (家庭医生签约服务, MED-12): teams, diagnoses seen at visits,
signings (renewal, end), follow-up visits, and the signing rate per township with the unsigned
patients per village and the overdue follow-ups; the rate as XLSX with Chinese headers.

Jurisdiction: a patient, a signing or a visit lies in the patient's village, a team in its
division; outside the caller's scope they answer 404 (never 403) and lists leave them out."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.medical.family_doctor.rules import TeamLevel
from services.medical.family_doctor.schemas import (
    DiagnosesRecorded,
    DiagnosisIn,
    DiagnosisOut,
    EndIn,
    OverdueOut,
    OverdueSigning,
    PatientVisits,
    RateOut,
    RenewIn,
    SigningIn,
    SigningOut,
    TeamIn,
    TeamOut,
    TownshipRate,
    UnsignedOut,
    UnsignedPatient,
    VillageUnsigned,
    VisitIn,
    VisitOut,
)
from services.medical.family_doctor.service import (
    SIGNERS,
    TEAM_WRITERS,
    VISITORS,
    TownshipCount,
    end,
    get_signing,
    get_team,
    overdue,
    patient_visits,
    rates,
    record_diagnosis,
    record_visit,
    register_team,
    renew,
    sign,
    teams,
    unsigned,
)
from shared.app import Uow
from shared.auth import require
from shared.header_values import content_disposition, ext_value
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1/family-doctor", tags=["family-doctor signing (MED-12)"])

CountyQuery = Annotated[str, Query(pattern=r"^\d{6}$", description="6-digit county code")]
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]
VillageQuery = Annotated[str | None, Query(pattern=r"^\d{12}$", description="12-digit village")]
OnQuery = Annotated[date | None, Query(description="the day (default: today)")]


@router.post(
    "/teams",
    response_model=TeamOut,
    status_code=201,
    summary="Register a county, township or village family-doctor team (县卫计局)",
    dependencies=[Depends(require(*TEAM_WRITERS))],
)
def post_team(body: TeamIn, uow: Uow) -> TeamOut:
    return TeamOut.of(register_team(uow, body))


@router.get("/teams", response_model=list[TeamOut], summary="Teams in your jurisdiction")
def list_teams(
    uow: Uow,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    level: TeamLevel | None = None,
) -> list[TeamOut]:
    return [TeamOut.of(t) for t in teams(uow, county_code, level)]


@router.get("/teams/{team_id}", response_model=TeamOut, summary="One team")
def one_team(team_id: int, uow: Uow) -> TeamOut:
    return TeamOut.of(get_team(uow, team_id))


@router.post(
    "/diagnoses",
    response_model=DiagnosesRecorded,
    status_code=201,
    summary="Record a chronic diagnosis seen at a visit: the patient enters the register",
    description="Only codes naming one of the 36 chronic diseases of the county's catalogue "
    "(medical.chronic36.diseases) are kept; none of them: 422 naming body.diagnosis_codes.",
    dependencies=[Depends(require(*SIGNERS))],
)
def post_diagnosis(body: DiagnosisIn, uow: Uow) -> DiagnosesRecorded:
    person, rows, trace = record_diagnosis(uow, body)
    return DiagnosesRecorded(
        id_number=person.id_number,
        recorded=[DiagnosisOut.model_validate(r, from_attributes=True) for r in rows],
        trace=trace.out().model_dump(mode="json"),
    )


@router.post(
    "/signings",
    response_model=SigningOut,
    status_code=201,
    summary="Sign a chronic patient with a team covering the patient's village (签约)",
    description="The patient must be registered poor with a diagnosis among the 36 chronic "
    "diseases (else 422 naming body.id_number); the team must cover the patient's village "
    "(422 naming body.team_id); one active signing per patient (409). A doctor signs for a team "
    "they are a member of; county_health for any team of the county.",
    dependencies=[Depends(require(*SIGNERS))],
)
def post_signing(body: SigningIn, uow: Uow) -> SigningOut:
    return SigningOut.of(sign(uow, body))


@router.get("/signings/{signing_id}", response_model=SigningOut, summary="One signing")
def one_signing(signing_id: int, uow: Uow) -> SigningOut:
    return SigningOut.of(get_signing(uow, signing_id))


@router.post(
    "/signings/{signing_id}/renew",
    response_model=SigningOut,
    status_code=201,
    summary="Renew a signing for another contract period (续约)",
    dependencies=[Depends(require(*SIGNERS))],
)
def post_renewal(signing_id: int, body: RenewIn, uow: Uow) -> SigningOut:
    return SigningOut.of(renew(uow, signing_id, body))


@router.post(
    "/signings/{signing_id}/end",
    response_model=SigningOut,
    summary="End a signing: moved out of the team's area, or declined (death: from the registry)",
    dependencies=[Depends(require(*SIGNERS))],
)
def post_end(signing_id: int, body: EndIn, uow: Uow) -> SigningOut:
    return SigningOut.of(end(uow, signing_id, body))


@router.post(
    "/signings/{signing_id}/visits",
    response_model=VisitOut,
    status_code=201,
    summary="Record a follow-up visit (随访) with the indicators of the patient's diseases",
    description="By a doctor of the signed team (403 otherwise); the day within the signing and "
    "not in the future; the indicators every group of the patient's diseases requires "
    "(hypertension: systolic_bp and diastolic_bp; diabetes: fasting_glucose; …) within their "
    "ranges: each problem is a 422 error naming body.indicators.<name>.",
    dependencies=[Depends(require(*VISITORS))],
)
def post_visit(signing_id: int, body: VisitIn, uow: Uow) -> VisitOut:
    return VisitOut.of(record_visit(uow, signing_id, body))


@router.get(
    "/persons/{id_number}/visits",
    response_model=PatientVisits,
    summary="A patient's chronic diseases, signings and follow-up visits",
)
def person_visits(id_number: str, uow: Uow) -> PatientVisits:
    person, diseases, signings, visits = patient_visits(uow, id_number)
    return PatientVisits(
        id_number=person.id_number,
        person_id=person.person_id,
        diseases=diseases,
        signings=[SigningOut.of(s) for s in signings],
        visits=[VisitOut.of(v) for v in visits],
    )


def _rate(row: TownshipCount) -> TownshipRate:
    return TownshipRate(
        township_code=row.township_code,
        chronic_patients=row.chronic_patients,
        must_sign=row.rate.must_sign,
        signed=row.rate.signed,
        rate=row.rate.rate,
        target=row.rate.target,
        met=row.rate.met,
    )


@router.get(
    "/signing-rate",
    response_model=RateOut,
    summary="Signing rate (签约服务率) per township against the county's target",
    description="Must be signed: registered poor (not exited or exited) with a diagnosis among "
    "the 36 chronic diseases, in your jurisdiction; signed: a signing in force on the day. "
    "`total` is the county's (of your jurisdiction); a township with nobody to sign meets it.",
)
def signing_rate(uow: Uow, county_code: CountyQuery, on: OnQuery = None) -> RateOut:
    day = on or uow.today()
    rows, total, trace = rates(uow, county_code, day)
    return RateOut(
        county_code=county_code,
        on=day,
        townships=[_rate(r) for r in rows],
        total=_rate(total),
        trace=trace.out().model_dump(mode="json"),
    )


RATE_HEADERS = [
    "乡镇代码",
    "慢病患者人数",
    "应签约人数",
    "已签约人数",
    "签约服务率",
    "目标签约服务率",
    "是否达标",
]


@router.get(
    "/signing-rate/export",
    summary="The signing rate per township: XLSX, Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def export_rate(uow: Uow, county_code: CountyQuery, on: OnQuery = None) -> Response:
    day = on or uow.today()
    rows, total, _ = rates(uow, county_code, day)

    def line(row: TownshipCount, label: str) -> list[object]:
        r = row.rate
        return [
            label,
            row.chronic_patients,
            r.must_sign,
            r.signed,
            f"{r.rate * 100:.2f}%" if r.rate is not None else "—",
            f"{r.target * 100:.0f}%",
            "是" if r.met else "否",
        ]

    lines = [line(r, r.township_code) for r in rows] + [line(total, f"合计 {county_code}")]
    stamp = uow.now().strftime("%Y-%m-%d %H:%M UTC")
    body = write_xlsx(
        RATE_HEADERS,
        lines,
        title="签约服务率",
        preamble=[
            "农村建档立卡贫困人口慢病患者家庭医生签约服务率"
            f"（县 {county_code}，{day.isoformat()}）",
            f"导出人: {uow.actor}  导出时间: {stamp}",
        ],
    )
    return Response(
        body,
        media_type=XLSX_MEDIA,
        headers={
            "Content-Disposition": content_disposition(f"signing-rate-{county_code}.xlsx"),
            "X-Exported-By": ext_value(uow.actor),
            "X-Exported-At": stamp,
        },
    )


@router.get(
    "/unsigned",
    response_model=UnsignedOut,
    summary="Chronic patients who must be signed and are not, per village, for teams to visit",
)
def list_unsigned(
    uow: Uow,
    county_code: CountyQuery,
    township: TownshipQuery = None,
    village: VillageQuery = None,
    on: OnQuery = None,
) -> UnsignedOut:
    day = on or uow.today()
    by_village, trace = unsigned(uow, county_code, day, township, village)
    return UnsignedOut(
        county_code=county_code,
        on=day,
        villages=[
            VillageUnsigned(
                village_code=code,
                township_code=code[:9],
                patients=[
                    UnsignedPatient(
                        person_id=p.person.person_id,
                        id_number=p.person.id_number,
                        name=p.person.name,
                        household_id=p.person.household_id,
                        diseases=p.diseases,
                    )
                    for p in patients
                ],
            )
            for code, patients in sorted(by_village.items())
        ],
        trace=trace.out().model_dump(mode="json"),
    )


@router.get(
    "/overdue",
    response_model=OverdueOut,
    summary="Signings in force whose home follow-up (入户随访) is past the interval",
)
def list_overdue(uow: Uow, county_code: CountyQuery, on: OnQuery = None) -> OverdueOut:
    day = on or uow.today()
    rows, trace = overdue(uow, county_code, day)
    return OverdueOut(
        county_code=county_code,
        on=day,
        signings=[
            OverdueSigning(
                signing_id=o.signing.id or 0,
                person_id=o.signing.person_id,
                id_number=o.signing.id_number,
                team_id=o.signing.team_id,
                village_code=o.signing.village_code,
                last_home_visit=o.last_home_visit,
                due=o.due,
                days_overdue=o.days_overdue,
            )
            for o in rows
        ],
        trace=trace.out().model_dump(mode="json"),
    )
