"""The shell of the one window (一门受理、协同办理, WEL-7): record a request, refer it (转办) with
a deadline from the rule, let the department's answers move it, list what is overdue.

How a request reaches its department
------------------------------------
- 临时救助 (temporary relief): civil affairs is this service, so the relief case (WEL-6) is opened
  in the same transaction and linked (`linked_entity = relief_case`); the county's decision on
  the case moves the request to accepted and resolved.
- Every other request is a tracked referral (`channel = tracked`): the department's answers are
  recorded as steps (accepted, resolved, returned) by its county role, or by the township
  officer for departments outside this system. A dibao application (WEL-1) needs the household's
  income, assets and bank account, which the window does not take: it is referred to the civil
  affairs dibao desk and the application's id is recorded when the desk answers
  (`department_ref`). Enrollment, medical and employment expose no endpoint that receives a
  referral, so no HTTP call is made to them; their officers answer here.

Reading of the seeds: YA-GOV §四(二) asks the county for 一门受理、协同办理, a township window, 部门
转介办理程序 and 明确办理时限 without a figure; ZA-GOV §三(三)3 names the 一门受理 window for
救急难. The deadline comes from `referral_deadline` (an illustrative number of calendar days,
per department when the parameters give one)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import Depends

from services.welfare.relief import facts
from services.welfare.relief.schemas import CaseIn
from services.welfare.relief.sources import from_window
from services.welfare.window.models import WindowRequest
from services.welfare.window.procedure import (
    OWNER,
    REQUEST,
    WEL_7,
    Department,
    RequestStatus,
    RequestType,
    answering_roles,
)
from services.welfare.window.repository import WindowRequests
from services.welfare.window.rules import referral_deadline
from services.welfare.window.schemas import RequestDetail, RequestIn, RequestOut, StepIn, TrackOut
from services.welfare.workflow import StepOut, advance, record_step
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.roles import Role
from shared.trace import Trace
from shared.uow import UnitOfWork

R = RequestStatus


def new_request_no(today: date) -> str:
    """受理编号: the date and a random part, so that a number cannot be guessed from another."""
    return f"YM{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def _role(principal: Principal, roles: frozenset[Role]) -> Role:
    mine = sorted(principal.roles & roles)
    return mine[0] if mine else Role.admin


def take_request(uow: UnitOfWork, body: RequestIn) -> WindowRequest:
    """Record the request (received) and refer it (referred) with its deadline, in one go."""
    session, principal, today = uow.session, uow.principal, uow.today()
    person = facts.person_by_id_number(session, body.applicant_id_number)
    village = person.village_code if person else body.village_code
    if village is None:
        raise InvalidInput(
            "the applicant is not in the poverty registry: give the village_code",
            errors=[FieldError(field="village_code", reason="required outside the registry")],
        )
    principal.guard(village)
    department = body.department or OWNER[body.request_type]
    trace = Trace()
    deadline = referral_deadline(
        today, department.value, uow.params(village[:6], today), trace=trace
    )
    now = utcnow()
    row = WindowRequest(
        request_no=new_request_no(today),
        applicant_name=body.applicant_name,
        applicant_id_number=body.applicant_id_number,
        person_id=person.person_id if person else None,
        household_id=person.household_id if person else None,
        county_code=village[:6],
        township_code=village[:9],
        village_code=village,
        request_type=body.request_type.value,
        content=body.content,
        department=department.value,
        channel="tracked",
        status=R.received.value,
        received_on=today,
        deadline=deadline,
        trace=trace.out().model_dump(mode="json"),
        received_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    WindowRequests(session, principal).add(row, flush=True)
    role = _role(principal, frozenset({Role.township_officer, Role.village_cadre}))
    record_step(
        session, REQUEST, str(row.id), None, R.received, principal, role, body.content[:200]
    )
    changes: dict[str, Any] = {}
    note = f"转办 {department.value}, deadline {deadline.isoformat()}"
    if body.request_type == RequestType.temporary_relief:
        assert body.relief is not None
        case = from_window(
            uow,
            CaseIn(
                kind=body.relief.kind,
                id_number=body.applicant_id_number,
                occurred_on=body.relief.occurred_on,
                assessed_need=body.relief.assessed_need,
                description=body.content,
                name=None if person else body.applicant_name,
                village_code=None if person else village,
                persons=body.relief.persons,
            ),
            window_request_id=row.id,
        )
        changes = {
            "channel": "welfare_case",
            "linked_entity": "relief_case",
            "linked_id": str(case.id),
            "household_id": case.household_id,
        }
        note += f"; relief case {case.id} opened (WEL-6)"
    advance(
        session,
        REQUEST,
        WindowRequest,
        row,
        R.referred,
        principal,
        note=note,
        changes=changes,
        data={"rule": WEL_7, "department": department.value, "deadline": deadline.isoformat()},
        status_enum=RequestStatus,
    )
    return row


def answer(uow: UnitOfWork, request_no: str, body: StepIn) -> WindowRequest:
    """A department's answer: accepted, resolved or returned (WEL-7)."""
    principal = uow.principal
    row = WindowRequests(uow.session, principal).by_number(request_no)
    if row.channel == "welfare_case":
        raise Conflict(
            f"this request follows {row.linked_entity} {row.linked_id}: "
            "it moves when that case is decided"
        )
    department = Department(row.department)
    REQUEST.check(RequestStatus(row.status), body.to, principal)
    allowed = answering_roles(department)
    if not principal.has(*allowed):
        raise Forbidden(
            f"answers of {department.value} are recorded by "
            + ", ".join(sorted(r.value for r in allowed))
        )
    changes: dict[str, Any] = {}
    if body.department_ref:
        changes["department_ref"] = body.department_ref
    if body.to in (R.resolved, R.returned):
        changes["outcome"] = body.note
        changes["resolved_on"] = uow.today()
    advance(
        uow.session,
        REQUEST,
        WindowRequest,
        row,
        body.to,
        principal,
        note=body.note,
        changes=changes,
        data={"rule": WEL_7, "department": department.value},
        status_enum=RequestStatus,
    )
    return row


def steps(uow: UnitOfWork, row: WindowRequest) -> list[StepOut]:
    assert row.id is not None
    return [
        StepOut.model_validate(s, from_attributes=True)
        for s in WindowRequests(uow.session, uow.principal).steps(row.id)
    ]


def detail(uow: UnitOfWork, row: WindowRequest) -> RequestDetail:
    """A request with every step, as an officer sees it."""
    return RequestDetail(**RequestOut.of(row, uow.today()).model_dump(), steps=steps(uow, row))


# The applicant follows a request by its number without a token: no one is signed in, the number
# is the key, and nothing outside the request is read.
APPLICANT = Principal(subject="applicant", roles=frozenset(), scope="")


def applicant_uow(runtime: RuntimeDep, session: DbSession) -> UnitOfWork:
    """The unit of work of a request without a token (the applicant's tracking page)."""
    return runtime.unit_of_work(session, APPLICANT)


ApplicantUow = Annotated[UnitOfWork, Depends(applicant_uow)]


def track(uow: UnitOfWork, request_no: str) -> TrackOut:
    """办理进度查询: the request's department, status, deadline and dated steps."""
    row = WindowRequests(uow.session, None).by_number(request_no)
    return TrackOut.of(row, steps(uow, row), uow.today())
