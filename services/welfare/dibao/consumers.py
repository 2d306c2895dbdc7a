"""Events that change dibao households: a death (recompute), a job (gradual exit, WEL-8), a
registry status change (review)."""

from __future__ import annotations

from services.welfare.dibao import cases
from shared.app import Runtime
from shared.bus.consumer import Handler
from shared.events.catalogue import EventData
from shared.events.employment import JobPlaced
from shared.events.registry import HouseholdPovertyStatusChanged, PersonDeceased
from shared.uow import UnitOfWork


def on_deceased(runtime: Runtime) -> Handler:
    def apply(uow: UnitOfWork, data: EventData) -> None:
        session, envelope = uow.session, uow.envelope
        assert isinstance(data, PersonDeceased)
        for case in cases.cases_of_person(session, data.person_id):
            cases.member_deceased(
                session,
                runtime.policy,
                runtime.publish_kwargs(),
                case,
                data.person_id,
                data.deceased_on,
                envelope.id,
            )

    return apply


def on_job_placed(runtime: Runtime) -> Handler:
    def apply(uow: UnitOfWork, data: EventData) -> None:
        session, envelope = uow.session, uow.envelope
        assert isinstance(data, JobPlaced)
        for case in cases.cases_of_person(session, data.person_id):
            cases.member_found_work(session, runtime.policy, case, data.placed_on, envelope.id)

    return apply


def on_status_changed(uow: UnitOfWork, data: EventData) -> None:
    session, envelope = uow.session, uow.envelope
    assert isinstance(data, HouseholdPovertyStatusChanged)
    seen: set[int] = set()
    for person_id in data.person_ids:
        for case in cases.cases_of_person(session, person_id):
            if case.id not in seen:
                seen.add(case.id)  # type: ignore[arg-type]
                cases.status_changed(
                    session, case, envelope.time.date(), data.new_status.value, envelope.id
                )
