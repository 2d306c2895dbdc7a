"""Column types the medical tables share: money in yuan to the fen."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Column, Numeric


def money_column() -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=False, default=0)


def added_money_column() -> Column[Decimal]:
    """A money column added to a table that already has rows (the migration backfills it)."""
    return Column(Numeric(14, 2), nullable=False, default=0, server_default="0")
