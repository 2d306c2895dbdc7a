"""Data operations for Alembic revisions that the bus's tables need."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def rename_consumer_group(old: str, new: str) -> None:
    """Move a consumer group's processed-event (dedupe) and dead-letter rows to its new name.

    Call it in the revision that ships the rename: the new group has no committed offsets and
    Kafka starts it from the earliest record, so without its predecessor's rows every event the
    old group applied would be applied again."""
    for table in ("processed_event", "dead_letter"):
        op.execute(
            sa.text(f"UPDATE {table} SET consumer = :new WHERE consumer = :old").bindparams(
                old=old, new=new
            )
        )
