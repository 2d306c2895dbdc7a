"""Dibao and 特困 flags by effective date, from the welfare service's events (MED-5).

Each event carries `effective_from`; the history keeps one row per change so that a stay or a
bill is judged by the flags in force on its admission or bill date, whatever order the events
arrive in. Two rows of one flag with the same date: the later recorded wins."""

from __future__ import annotations

from datetime import date

from services.medical.welfare.repository import DIBAO, TEKUN, FlagRepository
from shared.events.catalogue import EventData
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified, TekunEnded
from shared.uow import UnitOfWork

LATEST = date.max


def _dibao_members(flags: FlagRepository, household_id: str, day: date) -> set[str]:
    """People on dibao through this household on `day`."""
    return {p for p in flags.dibao_people(household_id) if flags.flags_on(p, day).dibao}


def _record(
    uow: UnitOfWork,
    person_id: str,
    household_id: str,
    flag: str,
    active: bool,
    effective_from: date,
) -> None:
    flags = FlagRepository(uow.session)
    flags.record(person_id, household_id, flag, active, effective_from, uow.envelope.id)
    # The current-state row follows the latest effective change.
    flags.set_current(person_id, flags.flags_on(person_id, LATEST))


def apply_welfare_event(uow: UnitOfWork, data: EventData) -> None:
    """MED-5 read model: dibao granted / changed / ended, 特困 certified / ended."""
    if isinstance(data, TekunCertified | TekunEnded):
        active = isinstance(data, TekunCertified)
        _record(uow, data.person_id, data.household_id, TEKUN, active, data.effective_from)
        return
    assert isinstance(data, DibaoGranted | DibaoChanged | DibaoEnded)
    day = data.effective_from
    listed = set(data.person_ids)
    before = _dibao_members(FlagRepository(uow.session), data.household_id, day)
    if isinstance(data, DibaoEnded):
        # The whole household leaves dibao: the listed members and any still on through it.
        for person_id in sorted(listed | before):
            _record(uow, person_id, data.household_id, DIBAO, False, day)
        return
    for person_id in sorted(listed):
        _record(uow, person_id, data.household_id, DIBAO, True, day)
    if isinstance(data, DibaoChanged):
        # A review that drops a member ends that member's dibao from the same date (WEL-2).
        for person_id in sorted(before - listed):
            _record(uow, person_id, data.household_id, DIBAO, False, day)
