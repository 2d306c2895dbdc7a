"""Households and people of the synthetic county: sizes 1-7, heads and their relations, ages,
sexes, disabilities, students, statuses. Pure: a seed in, the same households out."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from deploy.seed.divisions import COUNTY_CODE, Township, townships
from deploy.seed.names import given_name, surname
from shared.ids import SEXES, Sex, make_resident_id

PEOPLE = 25_028  # registered poor people of 姚安, YA-HRSS §三(二)1 (REG-1)
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
SIZE_WEIGHTS = (13, 17, 20, 22, 15, 9, 4)  # mean about 3.5
STATUSES = ("已脱贫", "未脱贫", "边缘户")
STATUS_WEIGHTS = (885, 45, 70)  # most households have exited by 2020
# Poorer, more rural townships carry more of the registered poor per village.
TOWNSHIP_FACTOR = {"100": 0.8, "101": 1.0, "102": 1.1, "103": 1.1, "104": 1.2}
DISABILITY_GRADES = (1, 2, 3, 4)
DISABILITY_WEIGHTS = (12, 23, 30, 35)


@dataclass(frozen=True, slots=True)
class Person:
    household_id: str
    name: str
    id_number: str
    sex: Sex  # M / F, as the ID number's 17th digit says
    birth_date: date
    relation: str  # 与户主关系
    disability_grade: int | None
    student: bool
    employee_pension: bool

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(frozen=True, slots=True)
class Household:
    id: str
    county_code: str
    township_code: str
    village_code: str
    status: str  # 已脱贫 / 未脱贫 / 边缘户
    relocated: bool
    members: tuple[Person, ...]

    @property
    def head(self) -> Person:
        return self.members[0]


@dataclass(frozen=True, slots=True)
class _Spec:
    relation: str
    sex: Sex
    age: int
    family: str  # surname


def _other(sex: Sex) -> Sex:
    return "F" if sex == "M" else "M"


def _child_age(rng: random.Random, parent_age: int) -> int:
    age = parent_age - rng.randint(20, 36)
    return age if age >= 0 else rng.randint(0, max(0, parent_age - 19))


def _specs(rng: random.Random, size: int) -> list[_Spec]:
    """Who lives in a household of `size`: head, spouse, a parent, children, a child's spouse and
    grandchildren, in the order the poverty office lists them."""
    head_sex: Sex = "M" if rng.random() < 0.86 else "F"
    if size == 1:  # mostly old people living alone
        head_age = int(rng.triangular(45, 93, 74))
    else:
        head_age = int(rng.triangular(26, 86, 52))
    family = surname(rng)
    specs = [_Spec("户主", head_sex, head_age, family)]
    left = size - 1
    spouse = None
    if left and rng.random() < (0.9 if head_age < 70 else 0.6):
        spouse = _Spec(
            "配偶", _other(head_sex), max(18, head_age + rng.randint(-7, 5)), surname(rng)
        )
        specs.append(spouse)
        left -= 1
    if left >= 2 and head_age <= 52 and rng.random() < 0.35:
        sex = rng.choice(SEXES)
        specs.append(
            _Spec(
                "之父" if sex == "M" else "之母",
                sex,
                min(96, head_age + rng.randint(22, 32)),
                family,
            )
        )
        left -= 1
    father = family if head_sex == "M" or spouse is None else spouse.family
    while left > 0:
        sex = "M" if rng.random() < 0.53 else "F"
        age = _child_age(rng, head_age)
        specs.append(_Spec("之子" if sex == "M" else "之女", sex, age, father))
        left -= 1
        if age >= 24 and left >= 2 and rng.random() < 0.55:
            in_law = _Spec(
                "之儿媳" if sex == "M" else "之女婿",
                _other(sex),
                max(18, age + rng.randint(-4, 3)),
                surname(rng),
            )
            specs.append(in_law)
            left -= 1
            line = father if sex == "M" else in_law.family
            while left > 0 and rng.random() < 0.85:
                g: Sex = "M" if rng.random() < 0.53 else "F"
                specs.append(
                    _Spec("之孙子" if g == "M" else "之孙女", g, _child_age(rng, age), line)
                )
                left -= 1
    return specs


def _born(rng: random.Random, age: int, as_of: date) -> date:
    """A birth date that makes the person `age` on `as_of`."""
    latest = date(as_of.year - age, as_of.month, min(as_of.day, 28))
    return latest - timedelta(days=rng.randrange(365))


def _grade(rng: random.Random, age: int) -> int | None:
    chance = 0.01 if age < 16 else 0.035 if age < 60 else 0.08
    if rng.random() >= chance:
        return None
    return rng.choices(DISABILITY_GRADES, DISABILITY_WEIGHTS)[0]


def _student(rng: random.Random, age: int) -> bool:
    chance = 0.97 if 6 <= age <= 15 else 0.55 if 16 <= age <= 18 else 0.2 if age <= 22 else 0
    return age >= 6 and rng.random() < chance


class _Numbers:
    """Unique, valid GB 11643 numbers (REG-3) under the county's code."""

    def __init__(self, county: str) -> None:
        self.county = county
        self.used: set[str] = set()

    def take(self, rng: random.Random, born: date, sex: Sex) -> str:
        sequence = rng.randrange(500)
        for step in range(500):
            number = make_resident_id(self.county, born, sequence + step, sex)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError(f"no ID number left for {born} {sex}")  # 500 a day and sex


def _village_weights(divisions: tuple[Township, ...]) -> tuple[list[str], list[float]]:
    villages, weights = [], []
    for t in divisions:
        for v in t.villages:
            villages.append(v)
            weights.append(TOWNSHIP_FACTOR.get(t.code[6:], 1.3))
    return villages, weights


def generate_households(
    seed: int, as_of: date, people: int = PEOPLE, county: str = COUNTY_CODE
) -> tuple[Household, ...]:
    """Exactly `people` people in households, ordered by household id."""
    rng = random.Random(f"households:{seed}")
    villages, weights = _village_weights(townships(county))
    numbers = _Numbers(county)
    serial: dict[str, int] = {}
    households: list[Household] = []
    made = 0
    while made < people:
        size = min(rng.choices(HOUSEHOLD_SIZES, SIZE_WEIGHTS)[0], people - made)
        village = rng.choices(villages, weights)[0]
        serial[village] = serial.get(village, 0) + 1
        household_id = f"{village}{serial[village]:04d}"
        members = []
        for spec in _specs(rng, size):
            born = _born(rng, spec.age, as_of)
            age = spec.age
            student = _student(rng, age)
            members.append(
                Person(
                    household_id=household_id,
                    name=spec.family + given_name(rng, spec.sex),
                    id_number=numbers.take(rng, born, spec.sex),
                    sex=spec.sex,
                    birth_date=born,
                    relation=spec.relation,
                    disability_grade=_grade(rng, age),
                    student=student,
                    employee_pension=16 <= age < 60 and not student and rng.random() < 0.015,
                )
            )
        households.append(
            Household(
                id=household_id,
                county_code=county,
                township_code=village[:9],
                village_code=village,
                status=rng.choices(STATUSES, STATUS_WEIGHTS)[0],
                relocated=rng.random() < 0.08,
                members=tuple(members),
            )
        )
        made += size
    households.sort(key=lambda h: h.id)
    return tuple(households)
