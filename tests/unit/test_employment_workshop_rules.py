"""The workshop subsidy (EMP-5) with the seed's figure and sentence: FL-HRSS §三(一)1 对符合条件的
就业扶贫车间每吸纳1名建档立卡农村贫困劳动力，在其就业年度内，按年给予就业扶贫车间1000元的一次性奖补.
An employment year (就业年度) is the worker's: 12 months from the hire, due when it begins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from services.employment.workshops.rules import (
    P_AMOUNT,
    EmploymentYear,
    Spell,
    WorkerFacts,
    employment_years,
    workshop_subsidy,
)
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)


def fuliang(on: date) -> Params:
    return Params(POLICY, "360222", on)


def starts(spells: list[Spell], as_of: date) -> list[date]:
    return [y.start for y in employment_years(spells, as_of)]


def test_an_employment_year_is_12_months_from_the_hire() -> None:
    assert EmploymentYear.from_start(date(2018, 3, 15)) == EmploymentYear(
        date(2018, 3, 15), date(2019, 3, 14)
    )
    assert EmploymentYear.from_start(date(2018, 1, 1)).end == date(2018, 12, 31)
    # 29 February: the year ends on 27 February of the next year.
    assert EmploymentYear.from_start(date(2020, 2, 29)).end == date(2021, 2, 27)


def test_due_when_the_worker_is_absorbed_1000_in_fuliang() -> None:
    workers = [WorkerFacts("w", True, (Spell(date(2018, 3, 15), None),))]
    # The year has begun on the hire day: due at once, not after 12 months.
    result = workshop_subsidy(workers, 2018, date(2018, 3, 15), fuliang(date(2018, 3, 15)))
    (line,) = result.workers
    assert line.eligible and line.amount == Decimal("1000.00") and result.total == line.amount
    assert (line.year_start, line.year_end) == (date(2018, 3, 15), date(2019, 3, 14))
    # Before the hire nothing has begun.
    early = workshop_subsidy(workers, 2018, date(2018, 3, 14), fuliang(date(2018, 3, 14)))
    assert early.total == 0 and early.workers[0].year_start is None
    out = result.trace.out()
    assert out.rules == ["EMP-5"]
    assert [p.path for p in out.parameters] == [P_AMOUNT]
    # 浮梁's own figure (FL-HRSS §三(一)1): nothing illustrative.
    assert out.illustrative_parameters == [] and out.parameters[0].county == "360222"


def test_a_county_without_the_figure_gets_it_flagged_illustrative() -> None:
    workers = [WorkerFacts("w", True, (Spell(date(2018, 3, 15), None),))]
    for county in ("522121", "532325", "520324"):
        result = workshop_subsidy(
            workers, 2018, date(2018, 12, 31), Params(POLICY, county, date(2018, 12, 31))
        )
        assert result.total == Decimal("1000.00")
        assert result.trace.illustrative() == [P_AMOUNT], county


def test_each_anniversary_on_the_roll_begins_the_next_year() -> None:
    spells = [Spell(date(2018, 3, 15), None)]
    assert starts(spells, date(2020, 6, 1)) == [
        date(2018, 3, 15),
        date(2019, 3, 15),
        date(2020, 3, 15),
    ]
    # The 2019 claim pays the year that began on the anniversary.
    result = workshop_subsidy(
        [WorkerFacts("w", True, tuple(spells))], 2019, date(2019, 12, 31), fuliang(date(2019, 1, 1))
    )
    assert result.workers[0].year_start == date(2019, 3, 15) and result.total == Decimal("1000.00")


def test_leaving_and_rehire_within_the_running_year_opens_no_new_year() -> None:
    spells = [
        Spell(date(2018, 3, 15), date(2018, 6, 30)),
        Spell(date(2018, 9, 1), date(2018, 12, 31)),
        Spell(date(2019, 2, 1), None),  # back before the year ends, on the roll on 15 March
    ]
    assert starts(spells, date(2019, 12, 31)) == [date(2018, 3, 15), date(2019, 3, 15)]


def test_rehire_after_the_year_ended_starts_a_new_year_on_the_hire_day() -> None:
    spells = [Spell(date(2018, 3, 15), date(2019, 1, 31)), Spell(date(2019, 5, 6), None)]
    assert starts(spells, date(2019, 12, 31)) == [date(2018, 3, 15), date(2019, 5, 6)]
    # Off the roll on the anniversary and never back: no second year.
    assert starts(spells[:1], date(2020, 12, 31)) == [date(2018, 3, 15)]


def test_a_year_begun_elsewhere_is_not_this_workshops() -> None:
    # Hired at another workshop on 1 February, here from 1 June: the running year is the other
    # workshop's; the next (from the anniversary, on this roll) is this workshop's.
    spells = (
        Spell(date(2018, 2, 1), date(2018, 5, 31), here=False),
        Spell(date(2018, 6, 1), None, here=True),
    )
    worker = WorkerFacts("w", True, spells)
    r2018 = workshop_subsidy([worker], 2018, date(2018, 12, 31), fuliang(date(2018, 12, 31)))
    assert not r2018.workers[0].eligible and "another workshop" in r2018.workers[0].reason
    r2019 = workshop_subsidy([worker], 2019, date(2019, 12, 31), fuliang(date(2019, 12, 31)))
    assert r2019.workers[0].eligible and r2019.workers[0].year_start == date(2019, 2, 1)


def test_only_registered_poor_workers_are_subsidised() -> None:
    # 建档立卡农村贫困劳动力: a worker who was not registered poor when taken on is left out.
    workers = [
        WorkerFacts("poor", True, (Spell(date(2018, 1, 10), None),)),
        WorkerFacts("not-poor", False, (Spell(date(2018, 1, 10), None),)),
    ]
    result = workshop_subsidy(workers, 2018, date(2018, 12, 31), fuliang(date(2018, 12, 31)))
    assert [(w.person_id, w.eligible) for w in result.workers] == [
        ("poor", True),
        ("not-poor", False),
    ]
    assert result.total == Decimal("1000.00")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1200), st.integers(0, 500)), min_size=1, max_size=6),
    st.integers(0, 1500),
)
def test_employment_years_tile_the_time_on_the_rolls(spans: list, offset: int) -> None:
    base = date(2017, 1, 1)
    spells = [Spell(base + timedelta(s), base + timedelta(s + n)) for s, n in spans]
    as_of = base + timedelta(offset)
    years = employment_years(spells, as_of)
    # Consecutive, never overlapping, each begun on a day on some roll and by the claim day.
    for a, b in pairwise(years):
        assert a.end < b.start
    for y in years:
        assert y.start <= as_of and any(s.covers(y.start) for s in spells)
        assert y.end == EmploymentYear.from_start(y.start).end
    # At most one year begins in a calendar year: the payment key (person, year) is sound.
    assert len({y.start.year for y in years}) == len(years)
    # Every day on a roll up to the claim day lies in some employment year.
    for s in spells:
        last = min(s.end or as_of, as_of)
        for probe in (s.start, last):
            if s.start <= probe <= as_of:
                assert any(y.start <= probe <= y.end for y in years)
