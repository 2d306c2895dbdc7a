"""Complaints and appeals (投诉举报、申诉, WEL-9): recording one, with the day its answer is due,
and answering it once.

A complaint lies in the complainant's village (the registry's, else the one given). Answered by
county civil affairs or the township officer in scope, once (a second answer is a 409)."""

from __future__ import annotations

from services.welfare.complaints.models import Complaint
from services.welfare.complaints.repository import Complaints, decision_named
from services.welfare.complaints.rules import WEL_9, answer_due
from services.welfare.complaints.schemas import (
    STATUS_ZH,
    AgainstType,
    AnswerIn,
    ComplaintIn,
    ComplaintStatus,
)
from services.welfare.registry.repository import RegistryPeople
from services.welfare.workflow import Workflow, advance, record_step
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

ANSWERERS = frozenset({Role.county_civil, Role.township_officer})
COMPLAINT = Workflow[ComplaintStatus](
    entity="complaint",
    transitions={(ComplaintStatus.open, ComplaintStatus.answered): ANSWERERS},
    labels_zh=STATUS_ZH,
)
RECORDERS = (Role.township_officer, Role.village_cadre, Role.county_civil)
READERS = (*RECORDERS, Role.county_poverty, Role.auditor)
# The decisions this service keeps: a complaint against one must name it.
KEPT_HERE = (AgainstType.relief_case, AgainstType.window_request)


def _check_target(uow: UnitOfWork, body: ComplaintIn) -> None:
    """A complaint against a decision this service keeps names one that exists in scope."""
    if body.against_type not in KEPT_HERE:
        return
    error = FieldError(field="against_ref", reason=f"no such {body.against_type.value}")
    if body.against_ref is None:
        raise InvalidInput("name the decision complained about", errors=[error])
    row = decision_named(uow.session, body.against_type, body.against_ref)
    where = None if row is None else (row.village_code or row.township_code or row.county_code)
    if row is None or not uow.principal.covers(where):
        raise InvalidInput("the decision complained about is unknown", errors=[error])


def record(uow: UnitOfWork, body: ComplaintIn) -> Complaint:
    """WEL-9: record a complaint or appeal; its answer is due after the county's number of days."""
    principal = uow.principal
    person = RegistryPeople(uow.session).by_id_number(body.complainant_id_number)
    village = person.village_code if person else body.village_code
    if village is None:
        raise InvalidInput(
            "the complainant is not in the registry: give the village_code",
            errors=[FieldError(field="village_code", reason="required outside the registry")],
        )
    principal.guard(village)
    _check_target(uow, body)
    today = uow.today()
    trace = Trace()
    due = answer_due(today, uow.params(village[:6], today), trace=trace)
    now = utcnow()
    row = Complaint(
        kind=body.kind.value,
        complainant_name=body.complainant_name,
        complainant_id_number=body.complainant_id_number,
        household_id=person.household_id if person else None,
        county_code=village[:6],
        township_code=village[:9],
        village_code=village,
        against_type=body.against_type.value,
        against_ref=body.against_ref,
        content=body.content,
        status=ComplaintStatus.open.value,
        received_on=today,
        answer_due=due,
        trace=trace.out().model_dump(mode="json"),
        recorded_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    Complaints(uow.session, principal).add(row, flush=True)
    role = sorted(principal.roles & set(RECORDERS)) or [Role.admin]
    record_step(
        uow.session,
        COMPLAINT,
        str(row.id),
        None,
        ComplaintStatus.open,
        principal,
        role[0],
        note=f"{body.kind.value} against {body.against_type.value}",
        data={"rule": WEL_9, "answer_due": due.isoformat()},
    )
    return row


def answer(uow: UnitOfWork, row: Complaint, body: AnswerIn) -> None:
    """WEL-9: the answer (答复), once."""
    principal = uow.principal
    role = COMPLAINT.check(ComplaintStatus(row.status), ComplaintStatus.answered, principal)
    advance(
        uow.session,
        COMPLAINT,
        Complaint,
        row,
        ComplaintStatus.answered,
        principal,
        note=body.answer[:2000],
        changes={
            "answer": body.answer,
            "answered_by": principal.subject,
            "answered_role": role.value,
            "answered_at": utcnow(),
        },
        data={"rule": WEL_9},
        status_enum=ComplaintStatus,
    )
