"""Queries of the dibao and 特困 flags by effective date (MED-5). The flags carry no division:
they are read for a person already found (a stay's or bill's patient) and written by civil
affairs' events, so these queries take no jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, bindparam, insert, select
from sqlmodel import Session

from services.medical.welfare.models import WelfareFlags
from shared.bus.tables import utcnow
from shared.db import upsert

H: Table = WelfareFlags.metadata.tables["welfare_flag_history"]
DIBAO = "dibao"
TEKUN = "tekun"
# Built once: every settled stay asks it (executed with parameters).
FLAGS_ON = (
    select(H.c.flag, H.c.active)
    .where(H.c.person_id == bindparam("person_id"), H.c.effective_from <= bindparam("day"))
    .order_by(H.c.effective_from.desc(), H.c.id.desc())
)


@dataclass(frozen=True)
class Flags:
    dibao: bool = False  # 低保
    tekun: bool = False  # 特困


class FlagRepository:
    """A person's flag history and the current-state row that follows it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def flags_on(self, person_id: str | None, day: date) -> Flags:
        """The dibao / 特困 flags of a person in force on `day` (both off when nothing is known)."""
        if person_id is None:
            return Flags()
        rows = self.session.execute(FLAGS_ON, {"person_id": person_id, "day": day}).all()
        state: dict[str, bool] = {}
        for flag, active in rows:
            state.setdefault(str(flag), bool(active))
        return Flags(dibao=state.get(DIBAO, False), tekun=state.get(TEKUN, False))

    def dibao_people(self, household_id: str) -> list[str]:
        """Everyone ever on dibao through this household."""
        people: Iterable[object] = self.session.execute(
            select(H.c.person_id)
            .where(H.c.household_id == household_id, H.c.flag == DIBAO)
            .distinct()
        ).scalars()
        return [str(p) for p in people]

    def record(
        self,
        person_id: str,
        household_id: str,
        flag: str,
        active: bool,
        effective_from: date,
        source_event_id: str,
    ) -> None:
        self.session.execute(
            insert(H).values(
                person_id=person_id,
                household_id=household_id,
                flag=flag,
                active=active,
                effective_from=effective_from,
                source_event_id=source_event_id,
                recorded_at=utcnow(),
            )
        )

    def set_current(self, person_id: str, flags: Flags) -> None:
        upsert(
            self.session,
            WelfareFlags,
            {
                "person_id": person_id,
                "dibao": flags.dibao,
                "tekun": flags.tekun,
                "updated_at": utcnow(),
            },
            key=("person_id",),
        )
