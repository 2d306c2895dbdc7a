"""The scoped repository base (shared.repository): jurisdiction, filters left out when not given,
and its two 404 messages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from sqlmodel import Field, Session, SQLModel, create_engine

from shared.auth import Principal
from shared.db import table_of
from shared.errors import NotFound
from shared.repository import ScopedRepository
from shared.roles import Role


class Parcel(SQLModel, table=True):
    __tablename__ = "test_repository_parcel"

    id: int = Field(primary_key=True)
    village_code: str
    status: str


class Parcels(ScopedRepository[Parcel]):
    model = Parcel
    absent = "no such parcel"


def officer(scope: str) -> Principal:
    return Principal(subject="t", roles=frozenset({Role.township_officer}), scope=scope)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Parcel.metadata.create_all(engine, tables=[table_of(Parcel)])
    with Session(engine) as s:
        s.add(Parcel(id=1, village_code="532325100201", status="open"))
        s.add(Parcel(id=2, village_code="532325100202", status="closed"))
        s.add(Parcel(id=3, village_code="532325101201", status="open"))
        s.commit()
        yield s


def ids(rows: Iterable[Parcel]) -> list[int]:
    return sorted(r.id for r in rows)


def test_lists_keep_the_jurisdiction_and_leave_out_filters_not_given(session: Session) -> None:
    township = Parcels(session, officer("532325100"))
    assert ids(session.exec(township.select())) == [1, 2]
    assert ids(session.exec(township.select(status="open"))) == [1]
    assert ids(session.exec(township.select(status=None))) == [1, 2]
    assert ids(session.exec(township.select(status=""))) == [1, 2]
    assert ids(session.exec(Parcels(session, None).select(status="open"))) == [1, 3]


def test_missing_and_outside_are_both_404(session: Session) -> None:
    township = Parcels(session, officer("532325100"))
    assert township.get_or_404(1).id == 1
    with pytest.raises(NotFound, match="no such parcel"):
        township.get_or_404(9)
    with pytest.raises(NotFound, match="in your jurisdiction"):
        township.get_or_404(3)
