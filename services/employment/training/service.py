"""The shell of training (技能培训, EMP-2): programmes checked against the department-per-township
table, enrolments of census persons, completions (each publishes employment.training_completed
once), certificates, and the job-seeking subsidy (求职创业补贴, EMP-7) granted once per person.

Once-only is enforced by the database: a completion moves the enrolment by a conditional UPDATE
(status enrolled → completed), so two concurrent completions give one event and one 409; the
subsidy table is unique by person and is written by INSERT .. ON CONFLICT DO NOTHING, so two
concurrent requests give one grant and both answer with it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.employment.census.models import LabourCensusPerson
from services.employment.census.service import evaluate
from services.employment.registry.consumers import PROJECTION
from services.employment.registry.models import RegistryPerson
from services.employment.training.models import (
    JobSeekingSubsidyGrant,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingProgramme,
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
from shared.auth import Principal
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.events.catalogue import EventData
from shared.events.employment import TrainingCompleted
from shared.events.registry import PersonDeceased
from shared.policy import PolicySet
from shared.trace import Params, Trace
from shared.uow import UnitOfWork

ENROLLED, COMPLETED, WITHDRAWN = "enrolled", "completed", "withdrawn"


def _invalid(field: str, reason: str, value: Any = None) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason, value=value)])


def covers_programme(principal: Principal, programme: TrainingProgramme) -> bool:
    if not principal.scope:
        return True
    if len(principal.scope) <= 6:
        return programme.county_code.startswith(principal.scope)
    return any(t.startswith(principal.scope[:9]) for t in programme.townships)


def load_programme(session: Session, programme_id: int, principal: Principal) -> TrainingProgramme:
    programme = session.get(TrainingProgramme, programme_id)
    if programme is None or not covers_programme(principal, programme):
        raise NotFound("no such training programme in your jurisdiction")
    return programme


def create_programme(
    session: Session, policy: PolicySet, body: ProgrammeIn, principal: Principal
) -> TrainingProgramme:
    """EMP-2: a department trains the townships assigned to it (YA-HRSS §三(二)1)."""
    principal.guard(body.county_code)
    trace = Trace()
    check = check_assignment(
        body.provider_department,
        body.townships,
        body.for_two_after,
        Params(policy, body.county_code, body.starts_on),
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
        created_by=principal.subject,
    )
    session.add(programme)
    session.flush()
    return programme


def enrol(
    session: Session,
    programme: TrainingProgramme,
    body: EnrolmentIn,
    principal: Principal,
    today: date,
) -> TrainingEnrolment:
    """EMP-2: a surveyed person of one of the programme's townships joins it."""
    person = session.get(RegistryPerson, body.person_id)
    if person is None:
        raise _invalid("person_id", "not in the poverty registry", body.person_id)
    principal.guard(person.village_code)
    record = session.get(LabourCensusPerson, person.person_id)
    if record is None:
        raise _invalid("person_id", "not surveyed in the labour census (EMP-1)", body.person_id)
    if record.closed_on is not None or person.deceased_on is not None:
        raise _invalid("person_id", "the census record is closed", body.person_id)
    if person.township_code not in programme.townships:
        raise _invalid("person_id", "the person's township is not served by the programme")
    enrolled_on = body.enrolled_on or today
    if enrolled_on > today:
        raise _invalid("enrolled_on", "in the future", enrolled_on.isoformat())
    enrolment = TrainingEnrolment(
        programme_id=programme.id,  # type: ignore[arg-type]
        person_id=person.person_id,
        household_id=person.household_id,
        county_code=person.county_code,
        township_code=person.township_code,
        village_code=person.village_code,
        enrolled_on=enrolled_on,
        status=ENROLLED,
        created_by=principal.subject,
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("the person is already enrolled in this programme") from exc
    return enrolment


def load_enrolment(session: Session, enrolment_id: int, principal: Principal) -> TrainingEnrolment:
    enrolment = session.get(TrainingEnrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("no such enrolment")
    principal.guard(enrolment.village_code)
    return enrolment


def complete(
    session: Session,
    programme: TrainingProgramme,
    enrolment: TrainingEnrolment,
    body: CompletionIn,
    principal: Principal,
    today: date,
    publish_kwargs: dict[str, Any],
) -> TrainingEnrolment:
    """EMP-2: record the completion and its outcome; publishes employment.training_completed
    once per enrolment (key: household id)."""
    if body.completed_on > today:
        raise _invalid("completed_on", "in the future", body.completed_on.isoformat())
    if body.completed_on < enrolment.enrolled_on or body.completed_on < programme.starts_on:
        raise _invalid("completed_on", "before the enrolment or the programme start")
    moved = session.execute(
        update(TrainingEnrolment)
        .where(
            TrainingEnrolment.id == enrolment.id,  # type: ignore[arg-type]
            TrainingEnrolment.status == ENROLLED,  # type: ignore[arg-type]
        )
        .values(
            status=COMPLETED,
            completed_on=body.completed_on,
            outcome=body.outcome,
            updated_at=utcnow(),
        )
    ).rowcount
    if moved != 1:
        session.refresh(enrolment)
        raise Conflict(f"the enrolment is {enrolment.status}, not enrolled")
    session.refresh(enrolment)
    publish(
        session,
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
        **publish_kwargs,
    )
    return enrolment


def add_certificate(
    session: Session, enrolment: TrainingEnrolment, body: CertificateIn, principal: Principal
) -> TrainingCertificate:
    """A certificate obtained by a person who completed the training (EMP-2, EMP-7)."""
    if enrolment.status != COMPLETED:
        raise Conflict("a certificate is recorded after the training is completed")
    certificate = TrainingCertificate(
        enrolment_id=enrolment.id,  # type: ignore[arg-type]
        person_id=enrolment.person_id,
        kind=body.kind.value,
        number=body.number.strip(),
        title=body.title,
        issued_on=body.issued_on,
        issuer=body.issuer,
        created_by=principal.subject,
    )
    try:
        with session.begin_nested():
            session.add(certificate)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("a certificate of this kind with this number is already recorded") from exc
    return certificate


def load_certificate(
    session: Session, certificate_id: int, principal: Principal
) -> tuple[TrainingCertificate, TrainingEnrolment]:
    certificate = session.get(TrainingCertificate, certificate_id)
    if certificate is None:
        raise NotFound("no such certificate")
    enrolment = session.get(TrainingEnrolment, certificate.enrolment_id)
    assert enrolment is not None
    principal.guard(enrolment.village_code)
    return certificate, enrolment


def existing_grant(session: Session, person_id: str) -> JobSeekingSubsidyGrant | None:
    return session.execute(
        select(JobSeekingSubsidyGrant).where(JobSeekingSubsidyGrant.person_id == person_id)
    ).scalar_one_or_none()


def grant_job_seeking_subsidy(
    session: Session,
    policy: PolicySet,
    certificate: TrainingCertificate,
    enrolment: TrainingEnrolment,
    principal: Principal,
    today: date,
) -> tuple[JobSeekingSubsidyGrant, bool]:
    """EMP-7: decide the 500-yuan subsidy on a certificate. Returns (grant, created): a person
    already granted gets the first grant back, whichever certificate is named."""
    first = existing_grant(session, certificate.person_id)
    if first is not None:
        return first, False
    person = session.get(RegistryPerson, certificate.person_id)
    record = session.get(LabourCensusPerson, certificate.person_id)
    programme = session.get(TrainingProgramme, enrolment.programme_id)
    assert person is not None and programme is not None
    day = certificate.issued_on
    params = Params(policy, person.county_code, day)
    labourer = False
    if record is not None:
        labourer = evaluate(person, record, day, params)[2]
    trace = Trace()
    decision = job_seeking_subsidy(
        JobSeekingFacts(
            certificate_kind=CertificateKind(certificate.kind),
            issued_on=day,
            poverty_status=PROJECTION.status_on(session, person.person_id, day),
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
    table = JobSeekingSubsidyGrant.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    new_id = session.execute(
        insert(table)
        .values(
            person_id=person.person_id,
            household_id=person.household_id,
            village_code=person.village_code,
            certificate_id=certificate.id,
            amount=decision.amount,
            decided_on=today,
            trace=trace.out().model_dump(mode="json"),
            decided_by=principal.subject,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["person_id"])
        .returning(table.c.id)
    ).scalar()
    grant = existing_grant(session, person.person_id)
    assert grant is not None
    return grant, new_id is not None


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    """A registered person died: open enrolments are withdrawn (EMP-2)."""

    session = uow.session
    assert isinstance(data, PersonDeceased)
    session.execute(
        update(TrainingEnrolment)
        .where(
            TrainingEnrolment.person_id == data.person_id,  # type: ignore[arg-type]
            TrainingEnrolment.status == ENROLLED,  # type: ignore[arg-type]
        )
        .values(status=WITHDRAWN, closed_reason="deceased", updated_at=utcnow())
    )
