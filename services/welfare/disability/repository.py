"""Every query of disability support: the register of disabled people, their grades and payee
accounts, the subsidy ledger, rehabilitation cases and their grants, and what the monthly cycle
reads of dibao and 特困 (who is in hardship in the month). A person, a ledger line, a case and a
grant lie in their village: built with a principal, reads stay in the caller's jurisdiction (404
outside it); consumers and the payment cycle build them unscoped (`principal=None`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.welfare.dibao.models import DibaoCase, DibaoCaseMember
from services.welfare.dibao.procedure import ON_DIBAO
from services.welfare.disability.models import (
    DisabilityGrade,
    DisabilitySubsidy,
    DisabledPerson,
    PayeeAccount,
    RehabCase,
    RehabGrant,
)
from services.welfare.repository_base import WelfareRepository
from services.welfare.tekun.models import TekunCase
from services.welfare.tekun.procedure import SUPPORTED
from shared.repository import Page, counted, insert_new


class DisabledPeople(WelfareRepository[DisabledPerson]):
    model = DisabledPerson
    absent = "no such disabled person"

    def by_id_number(self, id_number: str) -> DisabledPerson | None:
        return self.session.exec(
            select(DisabledPerson).where(DisabledPerson.id_number == id_number)
        ).first()

    def entry_of(self, person_id: str | None, id_number: str) -> DisabledPerson | None:
        """The person's entry in the register (by ID number, or the registry's id), if it lies
        in the jurisdiction."""
        d = DisabledPerson
        whose = [col(d.id_number) == id_number]
        if person_id:
            whose.append(col(d.person_id) == person_id)
        return self.first(select(d).where(or_(*whose)).order_by(col(d.id)))

    def by_person_id(self, person_id: str) -> DisabledPerson | None:
        return self.session.exec(
            select(DisabledPerson).where(DisabledPerson.person_id == person_id)
        ).first()

    def of_county(self, county: str, alive_on: date) -> Sequence[DisabledPerson]:
        """The county's disabled people alive on some day from `alive_on` on, by id."""
        return self.session.exec(
            select(DisabledPerson)
            .where(
                DisabledPerson.county_code == county,
                or_(
                    col(DisabledPerson.deceased_on).is_(None),
                    col(DisabledPerson.deceased_on) >= alive_on,
                ),
            )
            .order_by(col(DisabledPerson.id))
        ).all()

    def by_ids(self, ids: list[int]) -> dict[int, DisabledPerson]:
        if not ids:
            return {}
        rows = self.session.exec(select(DisabledPerson).where(col(DisabledPerson.id).in_(ids)))
        return {r.id: r for r in rows if r.id is not None}

    def listed(
        self, *, county: str | None, village: str | None, township: str | None
    ) -> SelectOfScalar[DisabledPerson]:
        stmt = self.select(county_code=county, village_code=village, township_code=township)
        return stmt.order_by(col(DisabledPerson.village_code), col(DisabledPerson.id))


class Grades:
    def __init__(self, session: Session) -> None:
        self.session = session

    def history(self, ids: list[int]) -> dict[int, list[DisabilityGrade]]:
        out: dict[int, list[DisabilityGrade]] = {}
        if not ids:
            return out
        rows = self.session.exec(
            select(DisabilityGrade)
            .where(col(DisabilityGrade.disabled_person_id).in_(ids))
            .order_by(col(DisabilityGrade.valid_from), col(DisabilityGrade.id))
        )
        for r in rows:
            out.setdefault(r.disabled_person_id, []).append(r)
        return out

    def add(self, row: DisabilityGrade) -> None:
        self.session.add(row)


class Accounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def of(self, ids: list[int]) -> dict[int, PayeeAccount]:
        if not ids:
            return {}
        rows = self.session.exec(
            select(PayeeAccount).where(col(PayeeAccount.disabled_person_id).in_(ids))
        )
        return {r.disabled_person_id: r for r in rows}

    def add_new(self, row: PayeeAccount) -> bool:
        """Insert the person's account: False if one was recorded meanwhile (unique)."""
        return insert_new(self.session, row)

    def add(self, row: PayeeAccount) -> None:
        self.session.add(row)


class Subsidies(WelfareRepository[DisabilitySubsidy]):
    model = DisabilitySubsidy
    absent = "no such subsidy"

    def keys_of_month(self, county: str, month: date) -> set[tuple[int, str]]:
        rows = self.session.exec(
            select(DisabilitySubsidy.disabled_person_id, DisabilitySubsidy.scheme).where(
                DisabilitySubsidy.county_code == county, DisabilitySubsidy.month == month
            )
        ).all()
        return {(p, s) for p, s in rows}

    def paid_of_month(self, county: str, month: date) -> Sequence[DisabilitySubsidy]:
        return self.session.exec(
            select(DisabilitySubsidy)
            .where(
                DisabilitySubsidy.county_code == county,
                DisabilitySubsidy.month == month,
                DisabilitySubsidy.status == "paid",
            )
            .order_by(col(DisabilitySubsidy.id))
        ).all()

    def held(self, county: str) -> Sequence[DisabilitySubsidy]:
        return self.session.exec(
            select(DisabilitySubsidy)
            .where(
                DisabilitySubsidy.county_code == county,
                DisabilitySubsidy.status == "held_no_account",
            )
            .order_by(col(DisabilitySubsidy.month), col(DisabilitySubsidy.id))
        ).all()

    def held_totals(self, county: str, month: date) -> Sequence[tuple[str, str, int, Decimal]]:
        stmt = (
            select(
                DisabilitySubsidy.township_code,
                DisabilitySubsidy.scheme,
                func.count(),
                func.sum(DisabilitySubsidy.amount),
            )
            .where(
                DisabilitySubsidy.county_code == county,
                DisabilitySubsidy.status == "held_no_account",
                col(DisabilitySubsidy.month) <= month,
            )
            .group_by(col(DisabilitySubsidy.township_code), col(DisabilitySubsidy.scheme))
            .order_by(col(DisabilitySubsidy.township_code), col(DisabilitySubsidy.scheme))
        )
        return self.session.exec(self.scoped(stmt)).all()

    def newest_of(self, disabled_person_id: int, *, limit: int) -> Page[DisabilitySubsidy]:
        """The person's subsidy ledger lines in the jurisdiction, the latest month first."""
        s = DisabilitySubsidy
        stmt = select(s, counted()).where(s.disabled_person_id == disabled_person_id)
        order = (col(s.month).desc(), col(s.scheme), col(s.id).desc())
        return self.newest(stmt, *order, limit=limit)

    def of_person(self, disabled_person_id: int) -> Sequence[DisabilitySubsidy]:
        return self.session.exec(
            select(DisabilitySubsidy)
            .where(DisabilitySubsidy.disabled_person_id == disabled_person_id)
            .order_by(col(DisabilitySubsidy.month), col(DisabilitySubsidy.scheme))
        ).all()

    def listed(
        self,
        *,
        county: str | None,
        month: date | None,
        township: str | None,
        village: str | None,
        status: str | None,
    ) -> SelectOfScalar[DisabilitySubsidy]:
        stmt = self.select(
            county_code=county,
            month=month,
            township_code=township,
            village_code=village,
            status=status,
        )
        return stmt.order_by(
            col(DisabilitySubsidy.village_code),
            col(DisabilitySubsidy.disabled_person_id),
            col(DisabilitySubsidy.month),
            col(DisabilitySubsidy.scheme),
        )

    def totals(
        self, stmt: SelectOfScalar[DisabilitySubsidy]
    ) -> Sequence[tuple[str, str, str, int, Decimal]]:
        """(village, scheme, status, lines, amount) of the rows `stmt` selects (scoped)."""
        sub = self.scoped(stmt).order_by(None).subquery()
        rows = self.session.execute(
            select_rows(
                sub.c.village_code, sub.c.scheme, sub.c.status, func.count(), func.sum(sub.c.amount)
            )
            .group_by(sub.c.village_code, sub.c.scheme, sub.c.status)
            .order_by(sub.c.village_code, sub.c.scheme, sub.c.status)
        ).all()
        return [
            (str(v), str(s), str(st), int(str(n)), Decimal(str(a or 0))) for v, s, st, n, a in rows
        ]


def dibao_members_in(session: Session, county: str, month_first: date, last_day: date) -> list[Any]:
    """Active members of the county's households on dibao in the month: (id_number, case)."""
    rows = session.exec(
        select(DibaoCaseMember.id_number, DibaoCase)
        .join(DibaoCase, col(DibaoCase.id) == col(DibaoCaseMember.case_id))
        .where(
            DibaoCase.county_code == county,
            col(DibaoCase.status).in_(ON_DIBAO),
            col(DibaoCase.effective_from) <= last_day,
            DibaoCaseMember.active == True,  # noqa: E712
        )
        .order_by(col(DibaoCase.id), col(DibaoCaseMember.id))
    ).all()
    return list(rows)


def tekun_in(session: Session, county: str, first: date, last: date) -> set[str]:
    """Registry person ids whose 特困供养 is in force on some day of the month."""
    rows = session.exec(
        select(TekunCase.person_id).where(
            and_(
                col(TekunCase.county_code) == county,
                col(TekunCase.status).in_(SUPPORTED),
                col(TekunCase.effective_from) <= last,
                or_(col(TekunCase.ended_on).is_(None), col(TekunCase.ended_on) > first),
            )
        )
    ).all()
    return set(rows)


def tekun_on(session: Session, person_id: str, on: date) -> bool:
    """Whether the person's 特困供养 is in force on `on`."""
    found = session.exec(
        select(TekunCase.id).where(
            TekunCase.person_id == person_id,
            col(TekunCase.status).in_(SUPPORTED),
            col(TekunCase.effective_from) <= on,
            or_(col(TekunCase.ended_on).is_(None), col(TekunCase.ended_on) > on),
        )
    ).first()
    return found is not None


def dibao_category_on(session: Session, id_number: str, on: date) -> str | None:
    """The category of the dibao household the person is an active member of on `on`."""
    return session.exec(
        select(DibaoCase.category)
        .join(DibaoCaseMember, col(DibaoCase.id) == col(DibaoCaseMember.case_id))
        .where(
            DibaoCaseMember.id_number == id_number,
            DibaoCaseMember.active == True,  # noqa: E712
            col(DibaoCase.status).in_(ON_DIBAO),
            col(DibaoCase.effective_from) <= on,
        )
    ).first()


class RehabCases(WelfareRepository[RehabCase]):
    model = RehabCase
    absent = "no such rehabilitation case"

    def listed(
        self, *, township: str | None, kind: str | None, status: str | None
    ) -> SelectOfScalar[RehabCase]:
        stmt = self.select(township_code=township, kind=kind, status=status)
        return stmt.order_by(col(RehabCase.id))


class RehabGrants(WelfareRepository[RehabGrant]):
    model = RehabGrant

    def of_case(self, case_id: int) -> Sequence[RehabGrant]:
        return self.session.exec(
            select(RehabGrant).where(RehabGrant.case_id == case_id).order_by(col(RehabGrant.id))
        ).all()

    def month_paid(self, case_id: int, month: date) -> bool:
        return (
            self.session.exec(
                select(RehabGrant.id).where(
                    RehabGrant.case_id == case_id,
                    RehabGrant.kind == "hospital_month",
                    RehabGrant.month == month,
                )
            ).first()
            is not None
        )

    def drugs_issued(self, disabled_person_id: int, year: int) -> Decimal:
        """Drugs issued to the person in the calendar year, over all their cases."""
        total = self.session.exec(
            select(func.coalesce(func.sum(RehabGrant.amount), 0))
            .join(RehabCase, col(RehabCase.id) == col(RehabGrant.case_id))
            .where(
                RehabCase.disabled_person_id == disabled_person_id,
                RehabGrant.kind == "drugs",
                col(RehabGrant.on) >= date(year, 1, 1),
                col(RehabGrant.on) <= date(year, 12, 31),
            )
        ).one()
        return Decimal(total or 0)

    def ledger(
        self, *, county: str | None, township: str | None, year: int | None
    ) -> Sequence[tuple[RehabGrant, RehabCase]]:
        stmt = select(RehabGrant, RehabCase).join(
            RehabCase, col(RehabCase.id) == col(RehabGrant.case_id)
        )
        if county:
            stmt = stmt.where(RehabCase.county_code == county)
        if township:
            stmt = stmt.where(RehabGrant.township_code == township)
        if year:
            stmt = stmt.where(
                col(RehabGrant.on) >= date(year, 1, 1), col(RehabGrant.on) <= date(year, 12, 31)
            )
        stmt = stmt.order_by(col(RehabGrant.township_code), col(RehabGrant.id))
        return self.session.exec(self.scoped(stmt)).all()
