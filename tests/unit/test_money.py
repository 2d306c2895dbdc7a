from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from shared.money import Money, NonNegativeMoney, yuan


class Amount(BaseModel):
    value: Money
    paid: NonNegativeMoney = Decimal("0")


def test_yuan_rounds_half_up_to_the_fen() -> None:
    assert yuan("1.005") == Decimal("1.01")
    assert yuan(3) == Decimal("3.00")


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        yuan(0.1)  # type: ignore[arg-type]


def test_model_serialises_as_string_and_refuses_sub_fen() -> None:
    assert Amount(value="12.3").model_dump(mode="json") == {"value": "12.30", "paid": "0.00"}
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        Amount(value="1.001")
    with pytest.raises(ValidationError, match="must not be negative"):
        Amount(value="1", paid="-1")
    assert Amount(value=0.1).value == Decimal("0.10")  # JSON float read through its text
