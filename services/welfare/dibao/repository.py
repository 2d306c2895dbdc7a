"""Every query of dibao: applications and their objections, households on dibao (cases), their
members and reviews. Applications and cases lie in their village: built with the caller's
principal, the repositories leave out (404) what lies outside the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, and_, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.welfare.dibao.models import (
    DibaoApplication,
    DibaoCase,
    DibaoCaseMember,
    DibaoObjection,
    DibaoReview,
)
from services.welfare.dibao.procedure import ACTIVE, GRADUAL_EXIT, ON_DIBAO, ApplicationStatus
from services.welfare.repository_base import WelfareRepository, moved
from shared.bus.tables import utcnow
from shared.repository import Page, counted


class Applications(WelfareRepository[DibaoApplication]):
    model = DibaoApplication
    absent = "no such dibao application"

    def listing(
        self, township: str | None, status: ApplicationStatus | None
    ) -> SelectOfScalar[DibaoApplication]:
        """Applications in the jurisdiction, by id."""
        stmt = self.select(
            township_code=township, status=status.value if status is not None else None
        )
        return stmt.order_by(col(DibaoApplication.id))

    def in_progress_of(self, open_key: str) -> DibaoApplication | None:
        """The household's application in progress (`open_key`: its id, or `applicant:<ID
        number>` outside the registry), wherever it is (a household has one at a time)."""
        stmt = select(DibaoApplication).where(col(DibaoApplication.open_household_id) == open_key)
        return self.session.exec(stmt).first()

    def newest_of(
        self, household_id: str | None, id_number: str, *, limit: int
    ) -> Page[DibaoApplication]:
        """The applications of the household or made by the person, in the jurisdiction, the
        latest first."""
        a = DibaoApplication
        whose = [col(a.applicant_id_number) == id_number]
        if household_id:
            whose.append(col(a.household_id) == household_id)
        stmt = select(a, counted()).where(or_(*whose))
        return self.newest(stmt, col(a.id).desc(), limit=limit)

    def in_notice(self, day: date, township: str | None) -> Sequence[DibaoApplication]:
        """Applications under public notice on `day`, by village."""
        stmt = self.select().where(
            DibaoApplication.status == ApplicationStatus.in_notice.value,
            col(DibaoApplication.notice_start) <= day,
            col(DibaoApplication.notice_end) >= day,
        )
        if township:
            stmt = stmt.where(DibaoApplication.township_code == township)
        return self.session.exec(
            stmt.order_by(col(DibaoApplication.village_code), col(DibaoApplication.id))
        ).all()


def objections_of(session: Session, application_id: int) -> list[DibaoObjection]:
    return list(
        session.exec(
            select(DibaoObjection)
            .where(DibaoObjection.application_id == application_id)
            .order_by(col(DibaoObjection.id))
        )
    )


def objection_on(session: Session, application_id: int, objection_id: int) -> DibaoObjection | None:
    """The objection, locked, if it was lodged on this application."""
    return session.exec(
        select(DibaoObjection)
        .where(DibaoObjection.id == objection_id, DibaoObjection.application_id == application_id)
        .with_for_update()
    ).first()


class Cases(WelfareRepository[DibaoCase]):
    model = DibaoCase
    absent = "no such dibao household"

    def listing(
        self, township: str | None, status: str | None, household_id: str | None
    ) -> SelectOfScalar[DibaoCase]:
        """Households in the jurisdiction, by id."""
        stmt = self.select(township_code=township, status=status, household_id=household_id)
        return stmt.order_by(col(DibaoCase.id))

    def overdue(self, day: date, township: str | None) -> Sequence[DibaoCase]:
        """Households on dibao (not on gradual exit) whose review was due before `day`."""
        stmt = self.select().where(DibaoCase.status == ACTIVE, DibaoCase.next_review_due < day)
        if township:
            stmt = stmt.where(DibaoCase.township_code == township)
        return self.session.exec(
            stmt.order_by(col(DibaoCase.next_review_due), col(DibaoCase.id))
        ).all()

    def of_person(self, person_id: str) -> list[DibaoCase]:
        """Households on dibao the person is an active member of, locked."""
        return list(
            self.session.exec(
                self.select()
                .join(DibaoCaseMember, col(DibaoCaseMember.case_id) == col(DibaoCase.id))
                .where(
                    DibaoCaseMember.person_id == person_id,
                    DibaoCaseMember.active == True,  # noqa: E712
                    col(DibaoCase.status).in_(ON_DIBAO),
                )
                .with_for_update()
            )
        )

    def newest_of(
        self, household_id: str | None, person_id: str | None, id_number: str, *, limit: int
    ) -> Page[DibaoCase]:
        """The household's cases and those naming the person as a member (now or once), in the
        jurisdiction, the latest first."""
        m = DibaoCaseMember
        named = [col(m.id_number) == id_number]
        if person_id:
            named.append(col(m.person_id) == person_id)
        whose: list[ColumnElement[bool]] = [
            col(DibaoCase.id).in_(select(m.case_id).where(or_(*named)))
        ]
        if household_id:
            whose.append(col(DibaoCase.household_id) == household_id)
        stmt = select(DibaoCase, counted()).where(or_(*whose))
        return self.newest(stmt, col(DibaoCase.id).desc(), limit=limit)

    def gradual_exits_due(self, county: str, on: date) -> list[DibaoCase]:
        """Households of the county whose gradual-exit window closed before `on` (WEL-8)."""
        return list(
            self.session.exec(
                self.select().where(
                    DibaoCase.county_code == county,
                    DibaoCase.status == GRADUAL_EXIT,
                    col(DibaoCase.gradual_exit_until) < on,
                )
            )
        )

    def update(self, case: DibaoCase, *, match: str | None = "version", **values: Any) -> int:
        """Change the case, counting one more version, by a conditional UPDATE: only if its
        `match` column ("version" or "status"; None: any) still holds what was read. Returns
        the rows moved (0 or 1)."""
        stmt = update(DibaoCase).where(col(DibaoCase.id) == case.id)
        if match is not None:
            stmt = stmt.where(col(getattr(DibaoCase, match)) == getattr(case, match))
        values = values | {"version": case.version + 1, "updated_at": utcnow()}
        return moved(self.session.execute(stmt.values(**values)))

    # -- the county's households in a payment month ---------------------------------------
    @staticmethod
    def on_dibao_in(county: str, last_day: date) -> ColumnElement[bool]:
        return and_(
            col(DibaoCase.county_code) == county,
            col(DibaoCase.status).in_(ON_DIBAO),
            col(DibaoCase.effective_from) <= last_day,
        )

    def policy_keys(self, county: str, last_day: date) -> list[str]:
        """The distinct parameter keys the amounts on dibao in the month were computed on."""
        return list(
            self.session.exec(
                select(DibaoCase.policy_key).where(self.on_dibao_in(county, last_day)).distinct()
            )
        )

    def ids_with_key(self, county: str, last_day: date, key: str) -> list[int]:
        return [
            case_id
            for case_id in self.session.exec(
                select(DibaoCase.id).where(
                    self.on_dibao_in(county, last_day), DibaoCase.policy_key == key
                )
            )
            if case_id is not None
        ]

    def payable(self, county: str, last_day: date) -> Iterable[Row[Any]]:
        """What the month's payment lines are written from: households on dibao in the month
        with an amount, by case id."""
        return self.session.execute(
            select_columns(
                col(DibaoCase.id),
                col(DibaoCase.household_id),
                col(DibaoCase.township_code),
                col(DibaoCase.village_code),
                col(DibaoCase.payee_name),
                col(DibaoCase.payee_id_number),
                col(DibaoCase.bank_name),
                col(DibaoCase.bank_account),
                col(DibaoCase.monthly_amount),
                col(DibaoCase.version),
                col(DibaoCase.clawback_balance),
            )
            .where(self.on_dibao_in(county, last_day), col(DibaoCase.monthly_amount) > 0)
            .order_by(col(DibaoCase.id))
        )


def person_ids_on_dibao(session: Session, county_code: str, on: date) -> set[str]:
    """Registry person ids covered by dibao in the county on `on`."""
    rows = session.exec(
        select(DibaoCaseMember.person_id)
        .join(DibaoCase, col(DibaoCase.id) == col(DibaoCaseMember.case_id))
        .where(
            DibaoCase.county_code == county_code,
            col(DibaoCase.status).in_(ON_DIBAO),
            DibaoCase.effective_from <= on,
            DibaoCaseMember.active == True,  # noqa: E712
            col(DibaoCaseMember.person_id).is_not(None),
        )
    )
    return {r for r in rows if r}


def member_named(session: Session, id_number: str) -> DibaoCaseMember | None:
    """The latest case membership of the person with this ID number, if any."""
    return session.exec(
        select(DibaoCaseMember)
        .where(DibaoCaseMember.id_number == id_number)
        .order_by(col(DibaoCaseMember.id).desc())
        .limit(1)
    ).first()


def members_of(session: Session, case_id: int) -> list[DibaoCaseMember]:
    return list(
        session.exec(
            select(DibaoCaseMember)
            .where(DibaoCaseMember.case_id == case_id)
            .order_by(col(DibaoCaseMember.id))
        )
    )


def reviews_of(session: Session, case_id: int) -> list[DibaoReview]:
    return list(
        session.exec(
            select(DibaoReview).where(DibaoReview.case_id == case_id).order_by(col(DibaoReview.id))
        )
    )
