"""The shell of family-doctor signing (家庭医生签约服务, MED-12): teams, the chronic-patient
register, signings with their contract period, renewal and end, follow-up visits, and the signing
rate per township with the unsigned patients and the overdue follow-ups.

The register is filled when the service records a stay, an outpatient bill or a family doctor's
diagnosis, in the same unit of work as the record (`note_diagnoses`): the diagnosis codes of a
record live in JSON facts that neither SQLite nor PostgreSQL can search alike, and a row per
chronic diagnosis is what the lists, counted per township, join against. A correction of a stay
replaces its rows; a cancellation removes them.

Who may act: county_health (县卫计局) registers teams; a team's doctors (family_doctor, listed as
members) and county_health sign patients, renew and end signings; only a doctor of the signed
team records its visits. A patient, a signing or a team outside the caller's jurisdiction is
missing (404); a team the doctor is not a member of is missing too."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from services.medical.family_doctor.models import (
    ChronicDiagnosis,
    FamilyDoctorSigning,
    FamilyDoctorTeam,
    FollowUpVisit,
)
from services.medical.family_doctor.repository import (
    DiagnosisRepository,
    RegisterRepository,
    SigningRepository,
    TeamRepository,
    VisitRepository,
)
from services.medical.family_doctor.rules import (
    MED_12,
    P_FOLLOW_UP_DAYS,
    MustSign,
    Rate,
    TeamLevel,
    as_jsonable,
    catalogue,
    chronic_diagnoses,
    contract_end,
    follow_up_status,
    groups_of,
    indicator_errors,
    must_be_signed,
    renewal_start,
    required_indicators,
    signing_rate,
)
from services.medical.family_doctor.schemas import (
    DiagnosisIn,
    EndIn,
    RenewIn,
    SigningIn,
    TeamIn,
    VisitIn,
)
from services.medical.registry.models import RegistryPerson
from services.medical.registry.repository import PersonRepository
from services.medical.registry.service import get_person
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from shared.policy import ParameterNotFound
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

READERS = (
    Role.county_health,
    Role.county_medical,
    Role.township_officer,
    Role.family_doctor,
    Role.auditor,
)
SIGNERS = (Role.family_doctor, Role.county_health)
TEAM_WRITERS = (Role.county_health,)
VISITORS = (Role.family_doctor,)


def _invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason)])


# --- the chronic-patient register ---------------------------------------------------------------


def note_diagnoses(
    uow: UnitOfWork,
    *,
    person_id: str | None,
    county_code: str,
    codes: Sequence[str],
    seen_on: date,
    source: str,
    ref: str,
    fresh: bool = True,
) -> list[ChronicDiagnosis]:
    """MED-12: the chronic diagnoses of one record (a stay, a bill, a visit) in the register, in
    the record's unit of work. `fresh`: a new record (nothing to replace). A person outside the
    registry, or a county with no catalogue on the day, adds nothing."""
    rows: list[ChronicDiagnosis] = []
    if person_id is not None and codes:
        try:
            matches = chronic_diagnoses(codes, uow.params(county_code, seen_on))
        except ParameterNotFound:
            matches = []
        rows = [
            ChronicDiagnosis(
                person_id=person_id,
                county_code=county_code,
                disease=m.disease.key,
                code=m.code,
                source=source,
                source_ref=ref,
                seen_on=seen_on,
                recorded_by=uow.actor[:120],
            )
            for m in matches
        ]
    if rows or not fresh:
        DiagnosisRepository(uow.session, None).replace(source, ref, rows)
    return rows


def record_diagnosis(
    uow: UnitOfWork, body: DiagnosisIn
) -> tuple[RegistryPerson, list[ChronicDiagnosis], Trace]:
    """MED-12: a diagnosis a team saw at a visit enters the register (none of the 36: 422)."""
    person = get_person(uow, body.id_number)
    if body.seen_on > uow.today():
        raise _invalid("body.seen_on", "the day is in the future")
    trace = Trace()
    matches = chronic_diagnoses(
        body.diagnosis_codes, uow.params(person.county_code, body.seen_on), trace=trace
    )
    if not matches:
        raise _invalid(
            "body.diagnosis_codes",
            "none of the codes names one of the 36 chronic diseases of the county's catalogue "
            "(medical.chronic36.diseases)",
        )
    # One record per person, doctor, day and codes: the same diagnosis posted again replaces it.
    seen = f"{person.person_id}|{uow.actor}|{body.seen_on}|{','.join(sorted(body.diagnosis_codes))}"
    ref = hashlib.sha256(seen.encode()).hexdigest()
    rows = note_diagnoses(
        uow,
        person_id=person.person_id,
        county_code=person.county_code,
        codes=body.diagnosis_codes,
        seen_on=body.seen_on,
        source="visit",
        ref=ref,
        fresh=False,
    )
    return person, rows, trace


def diseases_of(uow: UnitOfWork, person_id: str) -> list[str]:
    return list(dict.fromkeys(d.disease for d in DiagnosisRepository(uow.session, None).of_person(
        person_id)))  # fmt: skip


# --- teams ----------------------------------------------------------------------------------------


def register_team(uow: UnitOfWork, body: TeamIn) -> FamilyDoctorTeam:
    """A county, township or village team; its area is its division (MED-12)."""
    if len(body.division_code) != body.level.digits:
        raise _invalid(
            "body.division_code",
            f"a {body.level.value} team covers a {body.level.digits}-digit division",
        )
    if not uow.principal.covers(body.division_code):
        raise Forbidden(f"division {body.division_code} is outside your jurisdiction")
    team = FamilyDoctorTeam(
        county_code=body.division_code[:6],
        division_code=body.division_code,
        level=body.level.value,
        name=body.name.strip(),
        members=[m.model_dump() for m in body.members],
        created_by=uow.actor,
    )
    return TeamRepository(uow.session, uow.principal).add(team, flush=True)


def teams(uow: UnitOfWork, county: str | None, level: TeamLevel | None) -> list[FamilyDoctorTeam]:
    repo = TeamRepository(uow.session, uow.principal)
    return list(repo.listed(county, level.value if level else None))


def get_team(uow: UnitOfWork, team_id: int) -> FamilyDoctorTeam:
    return TeamRepository(uow.session, uow.principal).get_or_404(team_id)


def is_member(uow: UnitOfWork, team: FamilyDoctorTeam) -> bool:
    return any(m.get("subject") == uow.actor for m in team.members)


def acting_team(uow: UnitOfWork, team_id: int) -> FamilyDoctorTeam:
    """The team a caller acts for: a doctor's own team, or any team in county_health's county.
    Otherwise missing (404), as a team outside the jurisdiction."""
    repo = TeamRepository(uow.session, None)
    team = repo.get_or_404(team_id)
    principal = uow.principal
    if principal.has(Role.county_health, Role.admin) and principal.covers(team.division_code):
        return team
    if principal.has(Role.family_doctor) and is_member(uow, team):
        return team
    raise NotFound(repo.missing)


# --- signings -------------------------------------------------------------------------------------


def _verdict(uow: UnitOfWork, person: RegistryPerson, on: date, trace: Trace) -> MustSign:
    status = PersonRepository(uow.session, None).status_on(person.person_id, on)
    return must_be_signed(
        status or str(person.poverty_status), diseases_of(uow, person.person_id), trace=trace
    )


def sign(uow: UnitOfWork, body: SigningIn) -> FamilyDoctorSigning:
    """MED-12: sign a chronic patient with a team covering the patient's village, township or
    county, for the contract period; one active signing per patient."""
    person = get_person(uow, body.id_number)
    team = acting_team(uow, body.team_id)
    if not person.village_code.startswith(team.division_code):
        raise _invalid(
            "body.team_id",
            f"team {team.id} covers {team.division_code}, not the patient's village "
            f"{person.village_code}",
        )
    if body.signed_on > uow.today():
        raise _invalid("body.signed_on", "the day is in the future")
    trace = Trace()
    verdict = _verdict(uow, person, body.signed_on, trace)
    if not verdict.must_sign:
        raise _invalid("body.id_number", f"not a chronic patient to sign: {verdict.reason}")
    signings = SigningRepository(uow.session, None)
    current = signings.active_of(person.person_id)
    if current is not None:
        raise Conflict(
            f"the patient already has an active signing ({current.id}) (MED-12): renew or end it"
        )
    params = uow.params(person.county_code, body.signed_on)
    ends = contract_end(body.signed_on, params, trace=trace)
    trace.step(MED_12, "signed", team_id=team.id, team_division=team.division_code)
    row = FamilyDoctorSigning(
        person_id=person.person_id,
        active_person_id=person.person_id,
        id_number=person.id_number,
        team_id=team.id or 0,
        county_code=person.county_code,
        village_code=person.village_code,
        starts=body.signed_on,
        ends=ends,
        signed_by=uow.actor,
        trace=trace.out().model_dump(mode="json"),
    )
    if not signings.add_new(row):
        # Signed at the same moment by another request, which committed first.
        concurrent = signings.active_of(person.person_id)
        raise Conflict(
            f"the patient already has an active signing ({concurrent.id if concurrent else '?'}) "
            "(MED-12): renew or end it"
        )
    return row


def get_signing(uow: UnitOfWork, signing_id: int, *, lock: bool = False) -> FamilyDoctorSigning:
    return SigningRepository(uow.session, uow.principal).get_or_404(signing_id, lock=lock)


def _end(row: FamilyDoctorSigning, on: date, reason: str) -> None:
    row.status = "ended"
    row.active_person_id = None
    row.ended_on = on
    row.end_reason = reason
    row.updated_at = utcnow()


def renew(uow: UnitOfWork, signing_id: int, body: RenewIn) -> FamilyDoctorSigning:
    """MED-12: a new contract period with the same team: from the day after the current one
    ends, or from the renewal day when it has lapsed."""
    # Locked: two renewals at once take turns, and the second finds the signing renewed.
    old = get_signing(uow, signing_id, lock=True)
    team = acting_team(uow, old.team_id)
    if old.status != "active":
        raise Conflict(f"signing {old.id} has ended ({old.end_reason}) (MED-12): sign anew")
    if body.renewed_on > uow.today():
        raise _invalid("body.renewed_on", "the day is in the future")
    if body.renewed_on < old.starts:
        raise _invalid("body.renewed_on", f"before the signing starts ({old.starts})")
    person = get_person(uow, old.id_number)
    trace = Trace()
    starts = renewal_start(old.ends, body.renewed_on)
    verdict = _verdict(uow, person, starts, trace)
    if not verdict.must_sign:
        raise _invalid("body.renewed_on", f"not a chronic patient to sign: {verdict.reason}")
    ends = contract_end(starts, uow.params(person.county_code, starts), trace=trace)
    trace.step(MED_12, "renewed", renews=old.id, renewed_on=body.renewed_on)
    signings = SigningRepository(uow.session, None)
    _end(old, min(old.ends, starts - timedelta(days=1)), "renewed")
    signings.add(old, flush=True)
    row = FamilyDoctorSigning(
        person_id=old.person_id,
        active_person_id=old.person_id,
        id_number=old.id_number,
        team_id=team.id or 0,
        county_code=old.county_code,
        village_code=person.village_code,
        starts=starts,
        ends=ends,
        renews=old.id,
        signed_by=uow.actor,
        trace=trace.out().model_dump(mode="json"),
    )
    return signings.add(row, flush=True)


def end(uow: UnitOfWork, signing_id: int, body: EndIn) -> FamilyDoctorSigning:
    """MED-12: end a signing (the patient moved out of the team's area, or declined)."""
    row = get_signing(uow, signing_id, lock=True)
    acting_team(uow, row.team_id)
    if row.status != "active":
        raise Conflict(f"signing {row.id} has already ended ({row.end_reason})")
    if body.ended_on > uow.today():
        raise _invalid("body.ended_on", "the day is in the future")
    if body.ended_on < row.starts:
        raise _invalid("body.ended_on", f"before the signing starts ({row.starts})")
    _end(row, min(body.ended_on, row.ends), body.reason)
    return SigningRepository(uow.session, None).add(row, flush=True)


def end_on_death(uow: UnitOfWork, person_id: str, died_on: date) -> None:
    """MED-12: a death in the registry ends the patient's active signing on that day."""
    row = SigningRepository(uow.session, None).active_of(person_id)
    if row is not None:
        _end(row, min(max(died_on, row.starts), row.ends), "death")


def follow_move(uow: UnitOfWork, person_id: str, village_code: str) -> None:
    """MED-12: a patient who moved out of the signed team's area is no longer signed (from the
    event's day); one who moved inside it keeps the signing, placed in the new village."""
    row = SigningRepository(uow.session, None).active_of(person_id)
    if row is None:
        return
    team = TeamRepository(uow.session, None).find(row.team_id)
    if team is not None and village_code.startswith(team.division_code):
        row.village_code = village_code
        row.updated_at = utcnow()
        return
    _end(row, min(max(uow.today(), row.starts), row.ends), "moved")


# --- follow-up visits -----------------------------------------------------------------------------


def record_visit(uow: UnitOfWork, signing_id: int, body: VisitIn) -> FollowUpVisit:
    """MED-12: a follow-up visit (随访) of a signed patient by a doctor of the signed team, with
    the indicators of the patient's disease groups (监测记录有关指标)."""
    signing = get_signing(uow, signing_id)
    team = TeamRepository(uow.session, None).get_or_404(signing.team_id)
    if not is_member(uow, team):
        raise Forbidden("only a doctor of the signed team records its follow-up visits (MED-12)")
    last = min(signing.ends, signing.ended_on or signing.ends)
    if body.visit_date > uow.today():
        raise _invalid("body.visit_date", "the day is in the future")
    if not signing.starts <= body.visit_date <= last:
        raise _invalid(
            "body.visit_date", f"outside the signing ({signing.starts} to {last.isoformat()})"
        )
    trace = Trace()
    params = uow.params(signing.county_code, body.visit_date)
    diseases = set(diseases_of(uow, signing.person_id))
    known = [d for d in catalogue(params, trace) if d.key in diseases]
    groups = groups_of(known)
    errors = indicator_errors(groups, body.indicators)
    if errors:
        raise InvalidInput(
            "the indicators do not fit the patient's diseases (MED-12)",
            errors=[FieldError(field=f"body.indicators.{n}", reason=r) for n, r in errors],
        )
    trace.step(
        MED_12,
        "follow-up visit with the indicators of the patient's disease groups",
        diseases=",".join(sorted(diseases)) or "none",
        groups=",".join(g.value for g in groups) or "none",
        required=",".join(required_indicators(groups)) or "none",
        place=body.place.value,
        counts_as_home_visit=body.place.value == "home",
    )
    visit = FollowUpVisit(
        signing_id=signing.id or 0,
        person_id=signing.person_id,
        team_id=signing.team_id,
        village_code=signing.village_code,
        visit_date=body.visit_date,
        place=body.place.value,
        indicators=as_jsonable(body.indicators),
        advice=body.advice.strip(),
        recorded_by=uow.actor,
        trace=trace.out().model_dump(mode="json"),
    )
    return VisitRepository(uow.session, uow.principal).add(visit, flush=True)


def patient_visits(
    uow: UnitOfWork, id_number: str
) -> tuple[RegistryPerson, list[str], list[FamilyDoctorSigning], list[FollowUpVisit]]:
    person = get_person(uow, id_number)
    return (
        person,
        diseases_of(uow, person.person_id),
        list(SigningRepository(uow.session, uow.principal).history_of(person.person_id)),
        list(VisitRepository(uow.session, uow.principal).of_person(person.person_id)),
    )


# --- the signing rate, the unsigned and the overdue ---------------------------------------------


@dataclass(frozen=True)
class Patient:
    person: RegistryPerson
    diseases: list[str]
    verdict: MustSign
    signing: FamilyDoctorSigning | None


def _check_county(uow: UnitOfWork, county: str) -> None:
    scope = uow.principal.scope
    if scope and county != scope[:6]:
        raise Forbidden(f"county {county} is outside your jurisdiction")


def register(
    uow: UnitOfWork,
    county: str,
    on: date,
    *,
    township: str | None = None,
    village: str | None = None,
) -> list[Patient]:
    """MED-12: the chronic patients of the county in the caller's jurisdiction, each with
    whether they must be signed (registry status on `on`) and the signing in force on `on`."""
    _check_county(uow, county)
    found: dict[str, tuple[RegistryPerson, list[str]]] = {}
    for person, disease in RegisterRepository(uow.session, uow.principal).patients(
        county, township, village
    ):
        found.setdefault(person.person_id, (person, []))[1].append(disease)
    signings = SigningRepository(uow.session, None).in_force_for(list(found), on)
    people = PersonRepository(uow.session, None)
    out = []
    for pid, (person, diseases) in found.items():
        if person.deceased_on is not None and person.deceased_on <= on:
            continue  # the read model keeps the dead, with the day
        status = people.status_on(pid, on) or str(person.poverty_status)
        verdict = must_be_signed(status, diseases)
        out.append(Patient(person, diseases, verdict, signings.get(pid)))
    return out


@dataclass(frozen=True)
class TownshipCount:
    township_code: str
    chronic_patients: int
    rate: Rate


def rates(
    uow: UnitOfWork, county: str, on: date
) -> tuple[list[TownshipCount], TownshipCount, Trace]:
    """MED-12: the signing rate per township against the county's target, and the county's."""
    patients = register(uow, county, on)
    trace = Trace()
    trace.step(
        MED_12,
        "must be signed: registered poor (not exited or exited) with a diagnosis among the 36 "
        "chronic diseases; signed: a signing in force on the day",
        on=on,
        chronic_patients=len(patients),
    )
    params = uow.params(county, on)
    by_township: dict[str, list[Patient]] = {}
    for p in patients:
        by_township.setdefault(p.person.township_code, []).append(p)

    def count(where: str, group: list[Patient]) -> TownshipCount:
        must = [p for p in group if p.verdict.must_sign]
        signed = [p for p in must if p.signing is not None]
        rate = signing_rate(len(must), len(signed), params, trace=trace, where=where)
        return TownshipCount(where, len(group), rate)

    rows = [count(t, g) for t, g in sorted(by_township.items())]
    return rows, count(county, patients), trace


def unsigned(
    uow: UnitOfWork, county: str, on: date, township: str | None, village: str | None
) -> tuple[dict[str, list[Patient]], Trace]:
    """MED-12: village -> the patients who must be signed and hold no signing in force."""
    trace = Trace()
    trace.step(
        MED_12,
        "unsigned: registered poor with a chronic diagnosis and no signing in force on the day",
        on=on,
    )
    out: dict[str, list[Patient]] = {}
    for p in register(uow, county, on, township=township, village=village):
        if p.verdict.must_sign and p.signing is None:
            out.setdefault(p.person.village_code, []).append(p)
    return out, trace


@dataclass(frozen=True)
class Overdue:
    signing: FamilyDoctorSigning
    last_home_visit: date | None
    due: date
    days_overdue: int


def overdue(uow: UnitOfWork, county: str, on: date) -> tuple[list[Overdue], Trace]:
    """MED-12: signings in force on `on` whose home follow-up is past the interval."""
    _check_county(uow, county)
    trace = Trace()
    params = uow.params(county, on)
    params.whole(P_FOLLOW_UP_DAYS, trace, minimum=1)
    signings = SigningRepository(uow.session, uow.principal).in_force_in(county, on)
    last = VisitRepository(uow.session, None).last_home_visits([s.person_id for s in signings], on)
    out = []
    for s in signings:
        status = follow_up_status(s.starts, last.get(s.person_id), on, params, trace=Trace())
        if status.overdue:
            trace.step(
                MED_12,
                "home follow-up overdue",
                signing_id=s.id,
                due=status.due,
                days_overdue=status.days_overdue,
            )
            out.append(Overdue(s, last.get(s.person_id), status.due, status.days_overdue))
    return out, trace
