"""one dibao application in progress per household

A household had no limit on applications in progress: a cadre's app that retried a submission
made a second application, and both could be decided. `open_household_id` holds the household
while an application is in progress (submitted to in notice) and its unique constraint keeps one.
Existing applications in progress get it, the newest of a household only (an older duplicate
stays readable and may still be decided, but cannot block the household again); a household
outside the registry is known by its applicant (`applicant:<ID number>`).

Revision ID: aec0a52fac04
Revises: b7dee2ac26df
Create Date: 2026-12-07 18:41:41.084352
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "aec0a52fac04"
down_revision: str | None = "b7dee2ac26df"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_PROGRESS = ("submitted", "accepted", "reviewed", "approved", "in_notice")
application = sa.table(
    "dibao_application",
    sa.column("id", sa.Integer),
    sa.column("household_id", sa.String),
    sa.column("applicant_id_number", sa.String),
    sa.column("status", sa.String),
    sa.column("open_household_id", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("dibao_application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "open_household_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
            )
        )
    newest = (
        sa.select(sa.func.max(application.c.id))
        .where(application.c.status.in_(IN_PROGRESS))
        .group_by(application.c.household_id)
    )
    # A household outside the registry (its id generated, WH...) is known by its applicant.
    key = sa.case(
        (
            application.c.household_id.like("WH%"),
            sa.literal("applicant:") + application.c.applicant_id_number,
        ),
        else_=application.c.household_id,
    )
    op.execute(
        application.update().where(application.c.id.in_(newest)).values(open_household_id=key)
    )
    with op.batch_alter_table("dibao_application", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_dibao_application_open_household_id"), ["open_household_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("dibao_application", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_dibao_application_open_household_id"), type_="unique"
        )
        batch_op.drop_column("open_household_id")
