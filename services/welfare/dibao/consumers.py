"""Events that change dibao households: a death (recompute), a job (gradual exit, WEL-8), a
registry status change (review)."""

from __future__ import annotations

from services.welfare.dibao import service
from shared.events.catalogue import EventData
from shared.events.employment import JobPlaced
from shared.events.registry import HouseholdPovertyStatusChanged, PersonDeceased
from shared.uow import UnitOfWork


def on_deceased(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, PersonDeceased)
    for case in service.cases_of_person(uow, data.person_id):
        service.member_deceased(uow, case, data.person_id, data.deceased_on)


def on_job_placed(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, JobPlaced)
    for case in service.cases_of_person(uow, data.person_id):
        service.member_found_work(uow, case, data.placed_on)


def on_status_changed(uow: UnitOfWork, data: EventData) -> None:
    assert isinstance(data, HouseholdPovertyStatusChanged)
    seen: set[int] = set()
    for person_id in data.person_ids:
        for case in service.cases_of_person(uow, person_id):
            assert case.id is not None
            if case.id not in seen:
                seen.add(case.id)
                service.status_changed(uow, case, uow.today(), data.new_status.value)
