"""REG-3 resident ID numbers and REG-4 division codes."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.ids import (
    SEXES,
    InvalidId,
    Sex,
    check_digit,
    check_hierarchy,
    division_level,
    make_resident_id,
    mask_id_number,
    parse_division_code,
    parse_resident_id,
)


def test_published_example_check_digit() -> None:
    # The GB 11643 worked example: 11010519491231002X.
    assert check_digit("11010519491231002") == "X"
    rid = parse_resident_id("11010519491231002X")
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"
    assert rid.division == "110105"


def test_lower_case_x_is_accepted_and_normalised() -> None:
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"


def test_male_from_odd_sequence_digit() -> None:
    number = make_resident_id("532325", date(1980, 1, 2), 7, "M")
    rid = parse_resident_id(number)
    assert rid.sex == "M" and rid.birth_date == date(1980, 1, 2)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100XX", "17 digits"),
        ("110105194912310021", "check digit is 1, expected X"),
        ("110105194902300023", "not a calendar date"),
        ("990105194912310020", "province"),
        ("110105209912310024", "out of range"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidId, match=reason):
        parse_resident_id(number, today=date(2026, 1, 1))


@given(
    st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(0, 499),
    st.sampled_from(SEXES),
)
def test_generated_numbers_round_trip(born: date, seq: int, sex: Sex) -> None:
    number = make_resident_id("532325", born, seq, sex)
    rid = parse_resident_id(number)
    assert (rid.birth_date, rid.sex) == (born, sex)


@given(st.integers(0, 16), st.sampled_from("0123456789X"))
def test_any_single_character_change_breaks_the_check(position: int, char: str) -> None:
    number = make_resident_id("532325", date(1975, 6, 15), 12, "F")
    changed = number[:position] + (char if char != "X" else "1") + number[position + 1 :]
    if changed != number:
        with pytest.raises(InvalidId):
            parse_resident_id(changed)


def test_age() -> None:
    rid = parse_resident_id(make_resident_id("532325", date(1960, 6, 30), 1, "M"))
    assert rid.age_on(date(2020, 6, 29)) == 59
    assert rid.age_on(date(2020, 6, 30)) == 60


def test_mask() -> None:
    assert mask_id_number("53232519700304000X") == "5323**********000X"


def test_division_codes() -> None:
    assert division_level("532325") == "county"
    assert division_level("532325100") == "township"
    assert division_level("532325100201") == "village"
    with pytest.raises(InvalidId, match="6 \\(county\\), 9"):
        parse_division_code("5323251")
    with pytest.raises(InvalidId, match="must be a county code"):
        parse_division_code("532325100", "county")
    check_hierarchy("532325", "532325100", "532325100201")
    with pytest.raises(InvalidId, match="not in county"):
        check_hierarchy("532325", "360222100")
    with pytest.raises(InvalidId, match="not in township"):
        check_hierarchy("532325", "532325100", "532325101001")
