"""childbirth relief once per delivery

WEL-6: YA-GOV §三(七) pays 400 yuan for each hospital delivery (一次性: a lump sum per delivery),
not once in a mother's life. A childbirth case's unique `dedup_key` becomes the delivery, the
mother and the birth date (`childbirth:<person>:<YYYY-MM-DD>`), and childbirth no longer holds
its mother in `relief_beneficiary` (kept for relocation, once per person). Rewriting the stored
keys keeps a delivery recorded under the old key from being paid a second time under the new.

Revision ID: e632b499cdca
Revises: d6f172785add
Create Date: 2026-12-06 22:24:46.269122
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e632b499cdca"
down_revision: str | None = "d6f172785add"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

case = sa.table(
    "relief_case",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("dedup_key", sa.String),
    sa.column("person_id", sa.String),
    sa.column("occurred_on", sa.Date),
)
beneficiary = sa.table(
    "relief_beneficiary",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("person_id", sa.String),
)
PREFIX = "childbirth:"


def upgrade() -> None:
    day = sa.func.substr(sa.cast(case.c.occurred_on, sa.String), 1, 10)  # YYYY-MM-DD on both
    op.execute(
        case.update()
        .where(
            case.c.kind == "childbirth",
            case.c.person_id.is_not(None),
            case.c.dedup_key == sa.literal(PREFIX) + case.c.person_id,
        )
        .values(dedup_key=sa.literal(PREFIX) + case.c.person_id + sa.literal(":") + day)
    )
    op.execute(beneficiary.delete().where(beneficiary.c.kind == "childbirth"))


def downgrade() -> None:
    # Back to once per mother where that is still one case; a mother with several deliveries
    # keeps her per-delivery keys (the old key could hold only one of them).
    single = (
        sa.select(case.c.person_id)
        .where(case.c.kind == "childbirth", case.c.person_id.is_not(None))
        .group_by(case.c.person_id)
        .having(sa.func.count() == 1)
    )
    op.execute(
        case.update()
        .where(case.c.kind == "childbirth", case.c.person_id.in_(single))
        .values(dedup_key=sa.literal(PREFIX) + case.c.person_id)
    )
