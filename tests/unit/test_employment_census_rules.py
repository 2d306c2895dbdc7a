"""Labour census rules (劳动力调查, EMP-1): working age, labourer, 两后生, by tables of cases and
properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.employment.census.rules import (
    Education,
    TwoAfterFacts,
    WorkAbility,
    age_on,
    is_labourer,
    two_after_student,
    working_age,
    working_age_births,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
YAOAN = "532325"
ON = date(2017, 10, 29)  # YA-HRSS's date
PARAMS = Params(POLICY, YAOAN, ON)


@pytest.mark.parametrize(
    ("born", "age", "inside"),
    [
        (date(2001, 10, 30), 15, False),  # 16 tomorrow
        (date(2001, 10, 29), 16, True),  # 16 today
        (date(1957, 10, 30), 59, True),
        (date(1957, 10, 29), 60, False),  # 60 today: no longer a labourer
    ],
)
def test_working_age_bounds(born: date, age: int, inside: bool) -> None:
    result = working_age(born, ON, PARAMS)
    assert (result.age, result.working_age) == (age, inside)
    out = result.trace.out()
    assert out.rules == ["EMP-1"]
    assert {p.path for p in out.parameters} == {
        "employment.labour.working_age.min",
        "employment.labour.working_age.max",
    }


def test_age_on_leap_day() -> None:
    assert age_on(date(2000, 2, 29), date(2016, 2, 28)) == 15
    assert age_on(date(2000, 2, 29), date(2016, 2, 29)) == 16
    assert age_on(date(2000, 2, 29), date(2017, 3, 1)) == 17


@pytest.mark.parametrize(
    ("education", "in_school", "born", "declared", "expected"),
    [
        (Education.junior_high, False, date(2001, 7, 1), None, True),  # 初中毕业未升学
        (Education.senior_high, False, date(1998, 7, 1), None, True),  # 高中毕业未升学
        (Education.senior_high, True, date(1999, 7, 1), None, False),  # 在读
        (Education.primary, False, date(2001, 7, 1), None, False),
        (Education.college, False, date(1996, 7, 1), None, False),
        (Education.junior_high, False, date(1980, 7, 1), None, False),  # not a school leaver
        (None, False, date(2000, 7, 1), True, True),  # declared, education unknown
        (None, False, date(2000, 7, 1), None, False),
    ],
)
def test_two_after(
    education: Education | None, in_school: bool, born: date, declared: bool | None, expected: bool
) -> None:
    facts = TwoAfterFacts(born, education, in_school, declared)
    result = two_after_student(facts, ON, PARAMS)
    assert result.two_after is expected
    assert result.derived is (education is not None)
    assert result.trace.out().rules == ["EMP-2"]


@pytest.mark.parametrize(
    ("ability", "working", "alive", "expected"),
    [
        (WorkAbility.full, True, True, True),
        (WorkAbility.partial, True, True, True),
        (WorkAbility.none, True, True, False),
        (WorkAbility.full, False, True, False),
        (WorkAbility.full, True, False, False),
    ],
)
def test_labourer(ability: WorkAbility, working: bool, alive: bool, expected: bool) -> None:
    assert is_labourer(ability, working, alive) is expected


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    on=st.dates(min_value=date(2017, 1, 1), max_value=date(2030, 12, 31)),
)
def test_birth_date_range_agrees_with_working_age(born: date, on: date) -> None:
    params = Params(POLICY, YAOAN, on)
    first, last = working_age_births(on, params)
    assert (first < born <= last) is working_age(born, on, params).working_age
