"""A person as the employment service knows them (GET /v1/persons/{id_number}): the registry read
model's facts and, per kind of record, the latest of the service's records about them. Every
employment record names the person by their registry id, so a person the read model does not
know is not found."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from services.employment.business.models import BusinessStart
from services.employment.business.repository import Businesses
from services.employment.census.models import LabourCensusPerson
from services.employment.census.repository import Census
from services.employment.jobs.models import JobPlacement
from services.employment.jobs.repository import Placements
from services.employment.posts.models import PublicPostAssignment
from services.employment.posts.repository import Assignments
from services.employment.registry.models import RegistryPerson
from services.employment.registry.repository import RegistryPeople
from services.employment.training.models import TrainingCertificate, TrainingEnrolment
from services.employment.training.repository import Certificates, Enrolments
from services.employment.welfare.models import WelfareStanding
from services.employment.welfare.repository import standing_of
from services.employment.workshops.models import WorkshopWorker
from services.employment.workshops.repository import Workers
from shared.errors import NotFound
from shared.repository import Page
from shared.uow import UnitOfWork

LATEST = 50
UNKNOWN = "no registered person with that ID number"
# Sections a role may be withheld: the census, and training (enrolments and certificates).
CENSUS, TRAINING = "census", "training"


# The record sections of `PersonRecords`, as the response names them.
SECTIONS = (
    "census",
    "placements",
    "post_assignments",
    "training_enrolments",
    "certificates",
    "workshop_spells",
    "businesses",
    "welfare",
)


@dataclass
class PersonRecords:
    """The person and what the service holds about them; None: a section withheld from the
    caller's role."""

    person: RegistryPerson
    census: LabourCensusPerson | None
    placements: Page[JobPlacement]
    post_assignments: Page[PublicPostAssignment]
    training_enrolments: Page[TrainingEnrolment] | None
    certificates: Page[TrainingCertificate] | None
    workshop_spells: Page[WorkshopWorker]
    businesses: Page[BusinessStart]
    welfare: WelfareStanding | None
    withheld: list[str] = field(default_factory=list)


def person_records(
    uow: UnitOfWork, id_number: str, withheld: Collection[str] = ()
) -> PersonRecords:
    """The person with this ID number in the caller's jurisdiction (else 404, never 403) and the
    latest records of each kind about them, each list counted in full; the sections named in
    `withheld` (census, training) are not read."""
    session, principal = uow.session, uow.principal
    people = RegistryPeople(session, principal)
    person = people.by_id_number(id_number)
    if person is None:
        raise NotFound(UNKNOWN)
    if not people.visible(person):
        raise NotFound(people.missing)
    pid = person.person_id
    census = None if CENSUS in withheld else Census(session, principal).record_of(pid)
    enrolments = certificates = None
    if TRAINING not in withheld:
        enrolments = Enrolments(session, principal).newest_of(pid, limit=LATEST)
        certificates = Certificates(session, principal).newest_of(pid, limit=LATEST)
    return PersonRecords(
        person=person,
        census=census,
        placements=Placements(session, principal).newest_of(pid, limit=LATEST),
        post_assignments=Assignments(session, principal).newest_of(pid, limit=LATEST),
        training_enrolments=enrolments,
        certificates=certificates,
        workshop_spells=Workers(session, principal).newest_of(pid, limit=LATEST),
        businesses=Businesses(session, principal).newest_of(pid, limit=LATEST),
        welfare=standing_of(session, [pid]).get(pid),
        withheld=sorted(withheld),
    )
