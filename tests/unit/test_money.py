from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from shared.money import Money, NonNegativeMoney, yuan
from tests.support.ill_typed import ill_typed


class Amount(BaseModel):
    value: Money
    paid: NonNegativeMoney = Decimal("0")


def test_yuan_rounds_half_up_to_the_fen() -> None:
    assert yuan("1.005") == Decimal("1.01")
    assert yuan(3) == Decimal("3.00")


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        yuan(ill_typed(0.1))


def test_model_serialises_as_string_and_refuses_sub_fen() -> None:
    read = Amount.model_validate
    assert read({"value": "12.3"}).model_dump(mode="json") == {"value": "12.30", "paid": "0.00"}
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        read({"value": "1.001"})
    with pytest.raises(ValidationError, match="must not be negative"):
        read({"value": "1", "paid": "-1"})
    assert read({"value": 0.1}).value == Decimal("0.10")  # JSON float read through its text
