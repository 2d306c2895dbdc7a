"""Dibao and 特困 flags by effective date, from the welfare service's events (MED-5).

Each event carries `effective_from`; the history keeps one row per change so that a stay or a
bill is judged by the flags in force on its admission or bill date, whatever order the events
arrive in. Two rows of one flag with the same date: the later recorded wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlmodel import Session

from services.medical.models import WelfareFlagHistory, WelfareFlags
from shared.bus.tables import utcnow
from shared.db import upsert
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.events.welfare import DibaoChanged, DibaoEnded, DibaoGranted, TekunCertified, TekunEnded
from shared.uow import UnitOfWork

H = WelfareFlagHistory.__table__  # type: ignore[attr-defined]
DIBAO = "dibao"
TEKUN = "tekun"
LATEST = date.max
# Built once: every settled stay asks it (executed with parameters).
_FLAGS_ON = (
    select(H.c.flag, H.c.active)
    .where(H.c.person_id == bindparam("person_id"), H.c.effective_from <= bindparam("day"))
    .order_by(H.c.effective_from.desc(), H.c.id.desc())
)


@dataclass(frozen=True)
class Flags:
    dibao: bool = False  # 低保
    tekun: bool = False  # 特困


def flags_on(session: Session, person_id: str | None, day: date) -> Flags:
    """The dibao / 特困 flags of a person in force on `day` (both off when nothing is known)."""
    if person_id is None:
        return Flags()
    rows = session.execute(_FLAGS_ON, {"person_id": person_id, "day": day}).all()
    state: dict[str, bool] = {}
    for flag, active in rows:
        state.setdefault(flag, bool(active))
    return Flags(dibao=state.get(DIBAO, False), tekun=state.get(TEKUN, False))


def _dibao_members(session: Session, household_id: str, day: date) -> set[str]:
    """People on dibao through this household on `day`."""
    people = session.execute(
        select(H.c.person_id).where(H.c.household_id == household_id, H.c.flag == DIBAO).distinct()
    ).scalars()
    return {p for p in people if flags_on(session, p, day).dibao}


def _record(
    session: Session,
    envelope: Envelope,
    person_id: str,
    household_id: str,
    flag: str,
    active: bool,
    effective_from: date,
) -> None:
    session.execute(
        insert(H).values(
            person_id=person_id,
            household_id=household_id,
            flag=flag,
            active=active,
            effective_from=effective_from,
            source_event_id=envelope.id,
            recorded_at=utcnow(),
        )
    )
    # The current-state row follows the latest effective change.
    latest = flags_on(session, person_id, LATEST)
    upsert(
        session,
        WelfareFlags,
        {
            "person_id": person_id,
            "dibao": latest.dibao,
            "tekun": latest.tekun,
            "updated_at": utcnow(),
        },
        key=("person_id",),
    )


def apply_welfare_event(uow: UnitOfWork, data: EventData) -> None:
    """MED-5 read model: dibao granted / changed / ended, 特困 certified / ended."""

    session, envelope = uow.session, uow.envelope
    if isinstance(data, TekunCertified | TekunEnded):
        active = isinstance(data, TekunCertified)
        _record(
            session, envelope, data.person_id, data.household_id, TEKUN, active, data.effective_from
        )
        return
    assert isinstance(data, DibaoGranted | DibaoChanged | DibaoEnded)
    day = data.effective_from
    listed = set(data.person_ids)
    before = _dibao_members(session, data.household_id, day)
    if isinstance(data, DibaoEnded):
        # The whole household leaves dibao: the listed members and any still on through it.
        for person_id in sorted(listed | before):
            _record(session, envelope, person_id, data.household_id, DIBAO, False, day)
        return
    for person_id in sorted(listed):
        _record(session, envelope, person_id, data.household_id, DIBAO, True, day)
    if isinstance(data, DibaoChanged):
        # A review that drops a member ends that member's dibao from the same date (WEL-2).
        for person_id in sorted(before - listed):
            _record(session, envelope, person_id, data.household_id, DIBAO, False, day)
