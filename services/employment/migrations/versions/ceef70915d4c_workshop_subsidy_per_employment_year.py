"""workshop subsidy per employment year

EMP-5 pays per worker and employment year (就业年度: 12 months from the hire, FL-HRSS §三(一)1)
instead of per calendar year with a minimum of months on the roll. A payment records the
employment year it pays (year_start, year_end); `year` is now the calendar year in which that
employment year began, still unique with the person. Rows paid under the calendar-year reading
keep that reading: their year runs from 1 January to 31 December.

Revision ID: ceef70915d4c
Revises: 1d732d11c422
Create Date: 2026-12-06 22:24:09.998961
"""

from collections.abc import Sequence

from datetime import date

import sqlalchemy as sa
from alembic import op


revision: str = "ceef70915d4c"
down_revision: str | None = "1d732d11c422"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_payment = sa.table(
    "workshop_subsidy_payment",
    sa.column("id", sa.Integer()),
    sa.column("year", sa.Integer()),
    sa.column("year_start", sa.Date()),
    sa.column("year_end", sa.Date()),
    sa.column("months", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("workshop_subsidy_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("year_end", sa.Date(), nullable=True))
    bind = op.get_bind()
    for row in bind.execute(sa.select(_payment.c.id, _payment.c.year)).all():
        year: int = row.year
        bind.execute(
            _payment.update()
            .where(_payment.c.id == row.id)
            .values(year_start=date(year, 1, 1), year_end=date(year, 12, 31))
        )
    with op.batch_alter_table("workshop_subsidy_payment", schema=None) as batch_op:
        batch_op.alter_column("year_start", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("year_end", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("months")


def downgrade() -> None:
    with op.batch_alter_table("workshop_subsidy_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("months", sa.INTEGER(), nullable=True))
    # The months on the roll are not kept: a paid employment year is a full year's.
    op.execute(_payment.update().values(months=12))
    with op.batch_alter_table("workshop_subsidy_payment", schema=None) as batch_op:
        batch_op.alter_column("months", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("year_end")
        batch_op.drop_column("year_start")
