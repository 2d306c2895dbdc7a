"""Money is Decimal yuan with 2 places (fen), rounded half-up; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# No amount this system handles reaches a trillion yuan; larger input is refused as out of range
# (it would overflow the Numeric(14, 2) columns, and quantizing it exceeds Decimal's precision).
MAX_AMOUNT = Decimal("1e12")


def yuan(value: Decimal | int | str) -> Decimal:
    """Quantize to the fen. Floats are refused: they cannot carry money exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError("amount must be finite")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _parse(value: object) -> object:
    # JSON numbers arrive as float from some clients; go through str to keep what was written.
    if isinstance(value, float):
        return str(value)
    return value


def _check(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be finite")
    if abs(value) >= MAX_AMOUNT:
        raise ValueError("amount is out of range (at most 999,999,999,999.99)")
    if value != value.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValueError("amount has more than 2 decimal places")
    return value.quantize(FEN)


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("amount must not be negative")
    return value


# Serialised as a string ("12.30") so that no client reads it into a float.
Money = Annotated[
    Decimal,
    BeforeValidator(_parse),
    AfterValidator(_check),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]
NonNegativeMoney = Annotated[Money, AfterValidator(_non_negative)]
