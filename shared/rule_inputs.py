"""Checks on the facts a pure rule is given: amounts, counts, dates. A rule refuses a doubtful
input with ValueError rather than rounding or coercing it, which would hide an error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.money import yuan


def money(value: Decimal | int | str, what: str) -> Decimal:
    """A non-negative amount with at most 2 places; rounding an input would hide an error."""
    amount = yuan(value)
    if amount != Decimal(value):
        raise ValueError(f"{what} has more than 2 decimal places: {value}")
    if amount < 0:
        raise ValueError(f"{what} must not be negative: {amount}")
    return amount


def count(value: object, what: str, *, minimum: int = 0) -> int:
    """An int (never a bool, which Python counts as one) not below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}: {value}")
    return value


def day(value: object, what: str) -> date:
    # datetime is a date: refuse it so a clock time cannot slip into a calendar rule.
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValueError(f"{what} must be a date, not {value!r}")
    return value


def set_field(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalise a field of a frozen dataclass
