"""Reading money parameters in the welfare rules: an amount that must not be negative, and a
county-only amount a county may not have published."""

from __future__ import annotations

from decimal import Decimal

from shared.policy import ParameterNotFound
from shared.trace import Params, Trace


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
