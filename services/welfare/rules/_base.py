"""Checks and helpers shared by the welfare rules: amounts, parameters, calendar months (the
input checks are the project's, re-exported here)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from shared.policy import ParameterNotFound
from shared.rule_inputs import count, day, money, set_field
from shared.trace import Params, Trace

__all__ = [
    "amount_param",
    "count",
    "day",
    "money",
    "optional_amount_param",
    "set_field",
    "whole_param",
]


def amount_param(params: Params, path: str, trace: Trace) -> Decimal:
    value = params.decimal(path, trace)
    if value < 0:
        raise ValueError(f"parameter {path} must not be negative: {value}")
    return value


def optional_amount_param(params: Params, path: str, trace: Trace) -> Decimal | None:
    """A county-only parameter that a county may not have published (a floor it never set):
    None when none is in force for the county on the date. A path missing from the files is
    still an error."""
    if path not in params.policy.paths:
        raise LookupError(f"no parameter {path} in the policy files")
    try:
        return amount_param(params, path, trace)
    except ParameterNotFound:
        return None


def whole_param(params: Params, path: str, trace: Trace, *, minimum: int = 0) -> int:
    value = params.decimal(path, trace)
    if value != value.to_integral_value() or value < minimum:
        raise ValueError(f"parameter {path} must be a whole number >= {minimum}: {value}")
    return int(value)


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of a shorter month
    (2018-01-31 + 1 month = 2018-02-28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1
