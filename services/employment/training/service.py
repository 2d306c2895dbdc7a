"""The shell of training (技能培训, EMP-2): programmes checked against the department-per-township
table, enrolments of census persons, completions (each publishes employment.training_completed
once), certificates, and the job-seeking subsidy (求职创业补贴, EMP-7) granted once per person.

Once-only is enforced by the database: a completion moves the enrolment by a conditional UPDATE
(status enrolled → completed), so two concurrent completions give one event and one 409; the
subsidy table is unique by person and is written by INSERT .. ON CONFLICT DO NOTHING, so two
concurrent requests give one grant and both answer with it."""

from __future__ import annotations

from typing import Any

from services.employment.census.repository import Census
from services.employment.census.service import evaluate
from services.employment.registry.repository import RegistryPeople
from services.employment.training.models import (
    JobSeekingSubsidyGrant,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingProgramme,
)
from services.employment.training.repository import (
    COMPLETED,
    ENROLLED,
    Certificates,
    Enrolments,
    Grants,
    Programmes,
)
from services.employment.training.rules import (
    CertificateKind,
    JobSeekingFacts,
    check_assignment,
    job_seeking_subsidy,
)
from services.employment.training.schemas import (
    CertificateIn,
    CompletionIn,
    EnrolmentIn,
    ProgrammeIn,
)
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.events.catalogue import EventData
from shared.events.employment import TrainingCompleted
from shared.events.registry import PersonDeceased
from shared.trace import Trace
from shared.uow import UnitOfWork


def _invalid(field: str, reason: str, value: Any = None) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason, value=value)])


def create_programme(uow: UnitOfWork, body: ProgrammeIn) -> TrainingProgramme:
    """EMP-2: a department trains the townships assigned to it (YA-HRSS §三(二)1)."""
    uow.principal.guard(body.county_code)
    trace = Trace()
    check = check_assignment(
        body.provider_department,
        body.townships,
        body.for_two_after,
        uow.params(body.county_code, body.starts_on),
        trace=trace,
    )
    if not check.allowed:
        raise InvalidInput(
            "the department is not assigned these townships (部门包乡镇, EMP-2)",
            errors=[
                FieldError(
                    field=f"townships[{body.townships.index(code)}]",
                    reason=f"not assigned to {body.provider_department}",
                    value=code,
                )
                for code in check.outside
            ],
        )
    programme = TrainingProgramme(
        county_code=body.county_code,
        name=body.name,
        kind=body.kind.value,
        provider_department=body.provider_department,
        townships=list(body.townships),
        for_two_after=body.for_two_after,
        hours=body.hours,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        assignment_trace=trace.out().model_dump(mode="json"),
        created_by=uow.actor,
    )
    return Programmes(uow.session, uow.principal).add(programme, flush=True)


def enrol(uow: UnitOfWork, programme_id: int, body: EnrolmentIn) -> TrainingEnrolment:
    """EMP-2: a surveyed person of one of the programme's townships joins it."""
    programme = Programmes(uow.session, uow.principal).get_or_404(programme_id)
    people = RegistryPeople(uow.session, uow.principal)
    person = RegistryPeople(uow.session, None).find(body.person_id)
    if person is None:
        raise _invalid("person_id", "not in the poverty registry", body.person_id)
    if not people.visible(person):
        raise NotFound(people.missing)
    record = Census(uow.session, None).record_of(person.person_id)
    if record is None:
        raise _invalid("person_id", "not surveyed in the labour census (EMP-1)", body.person_id)
    if record.closed_on is not None or person.deceased_on is not None:
        raise _invalid("person_id", "the census record is closed", body.person_id)
    if person.township_code not in programme.townships:
        raise _invalid("person_id", "the person's township is not served by the programme")
    today = uow.today()
    enrolled_on = body.enrolled_on or today
    if enrolled_on > today:
        raise _invalid("enrolled_on", "in the future", enrolled_on.isoformat())
    enrolment = TrainingEnrolment(
        programme_id=programme_id,
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        enrolled_on=enrolled_on,
        status=ENROLLED,
        created_by=uow.actor,
    )
    if not Enrolments(uow.session, uow.principal).add_new(enrolment):
        raise Conflict("the person is already enrolled in this programme")
    return enrolment


def enrolments_of(uow: UnitOfWork, programme_id: int) -> list[TrainingEnrolment]:
    """The programme's enrolments in the caller's jurisdiction (404 if the programme is not)."""
    Programmes(uow.session, uow.principal).get_or_404(programme_id)
    return Enrolments(uow.session, uow.principal).of_programme(programme_id)


def complete(uow: UnitOfWork, enrolment_id: int, body: CompletionIn) -> TrainingEnrolment:
    """EMP-2: record the completion and its outcome; publishes employment.training_completed
    once per enrolment (key: household id)."""
    enrolments = Enrolments(uow.session, uow.principal)
    enrolment = enrolments.get_or_404(enrolment_id)
    programme = Programmes(uow.session, None).find(enrolment.programme_id)
    assert programme is not None
    if body.completed_on > uow.today():
        raise _invalid("completed_on", "in the future", body.completed_on.isoformat())
    if body.completed_on < enrolment.enrolled_on or body.completed_on < programme.starts_on:
        raise _invalid("completed_on", "before the enrolment or the programme start")
    moved = enrolments.complete(
        enrolment,
        {"completed_on": body.completed_on, "outcome": body.outcome, "updated_at": utcnow()},
    )
    if not moved:
        raise Conflict(f"the enrolment is {enrolment.status}, not enrolled")
    uow.publish(
        TrainingCompleted(
            person_id=enrolment.person_id,
            household_id=enrolment.household_id,
            county_code=enrolment.county_code,
            programme_id=str(programme.id),
            completed_on=body.completed_on,
            enrolment_id=str(enrolment.id),
            outcome=body.outcome,
        ),
        key=enrolment.household_id,
        subject=enrolment.person_id,
    )
    return enrolment


def add_certificate(uow: UnitOfWork, enrolment_id: int, body: CertificateIn) -> TrainingCertificate:
    """A certificate obtained by a person who completed the training (EMP-2, EMP-7)."""
    enrolment = Enrolments(uow.session, uow.principal).get_or_404(enrolment_id)
    if enrolment.status != COMPLETED:
        raise Conflict("a certificate is recorded after the training is completed")
    assert enrolment.id is not None
    certificate = TrainingCertificate(
        enrolment_id=enrolment.id,
        person_id=enrolment.person_id,
        kind=body.kind.value,
        number=body.number.strip(),
        title=body.title,
        issued_on=body.issued_on,
        issuer=body.issuer,
        created_by=uow.actor,
    )
    if not Certificates(uow.session, uow.principal).add_new(certificate):
        raise Conflict("a certificate of this kind with this number is already recorded")
    return certificate


def grant_job_seeking_subsidy(
    uow: UnitOfWork, certificate_id: int
) -> tuple[JobSeekingSubsidyGrant, bool]:
    """EMP-7: decide the 500-yuan subsidy on a certificate. Returns (grant, created): a person
    already granted gets the first grant back, whichever certificate is named."""
    certificate, enrolment = Certificates(uow.session, uow.principal).with_enrolment_or_404(
        certificate_id
    )
    grants = Grants(uow.session, None)
    first = grants.of_person(certificate.person_id)
    if first is not None:
        return first, False
    people = RegistryPeople(uow.session, None)
    person = people.find(certificate.person_id)
    record = Census(uow.session, None).record_of(certificate.person_id)
    programme = Programmes(uow.session, None).find(enrolment.programme_id)
    assert person is not None and programme is not None
    day = certificate.issued_on
    params = uow.params(person.county_code, day)
    labourer = False
    if record is not None:
        labourer = evaluate(person, record, day, params)[2]
    trace = Trace()
    decision = job_seeking_subsidy(
        JobSeekingFacts(
            certificate_kind=CertificateKind(certificate.kind),
            issued_on=day,
            poverty_status=people.status_on(person.person_id, day),
            labourer=labourer,
            training_started_on=programme.starts_on,
            training_completed_on=enrolment.completed_on if enrolment.status == COMPLETED else None,
        ),
        params,
        trace=trace,
    )
    if not decision.eligible:
        raise InvalidInput(
            "not eligible for the job-seeking subsidy (EMP-7): " + "; ".join(decision.reasons),
            errors=[
                FieldError(field="certificate_id", reason=r, value=certificate.id)
                for r in decision.reasons
            ],
        )
    created = grants.insert_once(
        {
            "person_id": person.person_id,
            "household_id": person.household_id,
            "village_code": person.village_code,
            "certificate_id": certificate.id,
            "amount": decision.amount,
            "decided_on": uow.today(),
            "trace": trace.out().model_dump(mode="json"),
            "decided_by": uow.actor,
            "created_at": utcnow(),
        }
    )
    grant = grants.of_person(person.person_id)
    assert grant is not None
    return grant, created


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """A registered person died: open enrolments are withdrawn (EMP-2)."""
    assert isinstance(data, PersonDeceased)
    Enrolments(uow.session, None).withdraw_person(data.person_id, "deceased", utcnow())
