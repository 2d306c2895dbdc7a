"""Every query of the payment cycle: a county's cycles (county-wide: every officer inside the
county reads them) and their lines (in their village: a township officer sees the lines of the
township). Lines are written with set-based statements, in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.welfare.payments.models import PaymentAdjustment, PaymentCycle, PaymentLine
from services.welfare.repository_base import WelfareRepository, moved
from shared.bus.tables import utcnow

CHUNK = 5000


class Cycles(WelfareRepository[PaymentCycle]):
    model = PaymentCycle
    division = "county_code"
    county_wide = True
    absent = "no such payment cycle"

    def of_month(self, county: str, month: date) -> PaymentCycle | None:
        return self.session.exec(
            select(PaymentCycle).where(
                PaymentCycle.county_code == county, PaymentCycle.month == month
            )
        ).first()

    def latest_first(self) -> Sequence[PaymentCycle]:
        return self.session.exec(self.select().order_by(col(PaymentCycle.month).desc())).all()

    def set_totals(
        self, cycle: PaymentCycle, lines: int, total: Decimal, notes: dict[str, Any]
    ) -> None:
        self.session.execute(
            update(PaymentCycle)
            .where(col(PaymentCycle.id) == cycle.id)
            .values(lines=lines, total=total, notes=notes)
        )

    def move(self, cycle: PaymentCycle, to: str, **values: Any) -> int:
        """Move the cycle to status `to` if it still has the status read; rows moved (0 or 1)."""
        return moved(
            self.session.execute(
                update(PaymentCycle)
                .where(col(PaymentCycle.id) == cycle.id, col(PaymentCycle.status) == cycle.status)
                .values(status=to, updated_at=utcnow(), **values)
            )
        )


class Lines(WelfareRepository[PaymentLine]):
    model = PaymentLine
    absent = "no such payment line"

    def insert_all(self, values: Iterable[dict[str, Any]]) -> int:
        """Write the lines `values` describe, in chunks; how many."""
        n, chunk = 0, []
        for v in values:
            chunk.append(v)
            if len(chunk) >= CHUNK:
                self.session.execute(insert(PaymentLine), chunk)
                n, chunk = n + len(chunk), []
        if chunk:
            self.session.execute(insert(PaymentLine), chunk)
            n += len(chunk)
        return n

    def join_reissues(self, county: str, cycle: PaymentCycle) -> int:
        """Re-issues waiting in the county join the cycle, due; how many."""
        return moved(
            self.session.execute(
                update(PaymentLine)
                .where(
                    col(PaymentLine.county_code) == county,
                    col(PaymentLine.status) == "waiting_reissue",
                    col(PaymentLine.cycle_id).is_(None),
                )
                .values(cycle_id=cycle.id, status="due", updated_at=utcnow())
            )
        )

    def count_and_total(self, cycle: PaymentCycle) -> tuple[int, Decimal]:
        count, total = self.session.exec(
            select(func.count(), func.coalesce(func.sum(col(PaymentLine.amount)), 0)).where(
                col(PaymentLine.cycle_id) == cycle.id
            )
        ).one()
        return count, Decimal(total)

    def send_due(self, cycle: PaymentCycle) -> None:
        self.session.execute(
            update(PaymentLine)
            .where(col(PaymentLine.cycle_id) == cycle.id, col(PaymentLine.status) == "due")
            .values(status="sent", updated_at=utcnow())
        )

    def adjustments(self, cycle: PaymentCycle) -> Sequence[PaymentAdjustment]:
        """The months recalculated at the cycle's preparation, in the jurisdiction, by id."""
        stmt = select(PaymentAdjustment).where(PaymentAdjustment.cycle_id == cycle.id)
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(col(PaymentAdjustment.village_code).startswith(self.principal.scope))
        return self.session.exec(stmt.order_by(col(PaymentAdjustment.id))).all()

    def reissue_of(self, line: PaymentLine) -> int | None:
        """The id of the line's re-issue (attempt 2), if there is one."""
        return self.session.exec(
            select(PaymentLine.id).where(
                PaymentLine.scheme == line.scheme,
                PaymentLine.beneficiary == line.beneficiary,
                PaymentLine.month == line.month,
                PaymentLine.attempt == 2,
            )
        ).first()

    def for_bank(self, cycle: PaymentCycle) -> Sequence[PaymentLine]:
        """The cycle's lines (all of them: the bank file is the county's), by township and
        village."""
        return self.session.exec(
            select(PaymentLine)
            .where(PaymentLine.cycle_id == cycle.id)
            .order_by(
                col(PaymentLine.township_code),
                col(PaymentLine.village_code),
                col(PaymentLine.id),
            )
        ).all()

    def of_cycle(
        self, cycle: PaymentCycle, township: str | None, status: str | None
    ) -> SelectOfScalar[PaymentLine]:
        """The cycle's lines in the jurisdiction, by id."""
        stmt = self.select().where(PaymentLine.cycle_id == cycle.id)
        if township:
            stmt = stmt.where(PaymentLine.township_code == township)
        if status:
            stmt = stmt.where(PaymentLine.status == status)
        return stmt.order_by(col(PaymentLine.id))

    def totals(self, cycle: PaymentCycle) -> Sequence[tuple[str, str, int, Decimal]]:
        """Lines and amount per township and scheme; an officer below the county counts the
        lines of their jurisdiction only."""
        stmt = (
            select(
                PaymentLine.township_code,
                PaymentLine.scheme,
                func.count(),
                func.coalesce(func.sum(PaymentLine.amount), 0),
            )
            .where(PaymentLine.cycle_id == cycle.id)
            .group_by(col(PaymentLine.township_code), col(PaymentLine.scheme))
            .order_by(col(PaymentLine.township_code), col(PaymentLine.scheme))
        )
        if self.principal is not None and self.principal.scope:
            stmt = stmt.where(col(PaymentLine.village_code).startswith(self.principal.scope))
        return self.session.exec(stmt).all()
