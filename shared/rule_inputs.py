"""Checks on the facts a pure rule is given: amounts, counts, dates. A rule refuses a doubtful
input with ValueError rather than rounding or coercing it, which would hide an error."""

from __future__ import annotations

import calendar
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


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of a shorter month
    (2018-01-31 + 1 month = 2018-02-28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def month_end(month: date) -> date:
    """The last day of `month`'s calendar month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_index(month: date) -> int:
    """Months since year 0: consecutive calendar months differ by 1."""
    return month.year * 12 + month.month - 1
