"""Resident ID numbers (GB 11643, REG-3) and administrative division codes (REG-4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Annotated, Literal

from pydantic import AfterValidator

from shared import clock

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11 (ISO 7064 MOD 11-2)
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_DIVISION_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
# First two digits of a county code: the province-level division (GB/T 2260).
_PROVINCES = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
}  # fmt: skip

Sex = Literal["M", "F"]  # as the ID number's 17th digit says: odd a man, even a woman
SEXES: tuple[Sex, Sex] = ("M", "F")


class InvalidId(ValueError):
    """Raised with a reason a county officer can act on."""


def check_digit(first17: str) -> str:
    if len(first17) != len(_WEIGHTS):
        raise ValueError("the check digit is computed over 17 digits")
    # map() rather than a generator: a roster import computes a million of these.
    return _CHECK_CHARS[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    division: str
    birth_date: date
    sex: Sex

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number (REG-3) and read birth date and sex from it."""
    number = raw.strip().upper() if isinstance(raw, str) else raw
    if not isinstance(number, str) or len(number) != 18:
        raise InvalidId("must be 18 characters")
    if not _ID_RE.match(number):
        raise InvalidId("must be 17 digits followed by a digit or X")
    if int(number[:2]) not in _PROVINCES:
        raise InvalidId(f"unknown province code {number[:2]}")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidId(f"birth date {number[6:14]} is not a calendar date") from exc
    if born.year < 1890 or born > (today or clock.today()):
        raise InvalidId(f"birth date {born.isoformat()} is out of range")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise InvalidId(f"check digit is {number[17]}, expected {expected}")
    sex: Sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, division=number[:6], birth_date=born, sex=sex)


def read_resident_id(raw: str) -> ResidentId:
    """Birth date and sex of a number `parse_resident_id` has accepted before (a file read a
    second time), without checking it again."""
    number = raw.strip().upper()
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex: Sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, division=number[:6], birth_date=born, sex=sex)


def mask_id_number(number: str) -> str:
    """5323**********1234: province/prefecture kept for routing, the rest hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:4] + "*" * 10 + number[-4:]


def mask_account(account: str) -> str:
    """A bank account shown with its last four digits only (************5678)."""
    return "*" * max(len(account) - 4, 0) + account[-4:]


def make_resident_id(division: str, born: date, sequence: int, sex: Sex) -> str:
    """Build a valid number (for synthetic data and tests): 3-digit sequence with parity = sex."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    first17 = f"{division}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


DivisionLevel = Literal["county", "township", "village"]
_LEVELS: dict[int, DivisionLevel] = {6: "county", 9: "township", 12: "village"}


def parse_division_code(raw: str, level: DivisionLevel | None = None) -> str:
    """County 6 digits, township 9, village 12 (REG-4); each extends its parent."""
    code = raw.strip() if isinstance(raw, str) else raw
    if not isinstance(code, str) or not _DIVISION_RE.match(code):
        raise InvalidId("must be 6 (county), 9 (township) or 12 (village) digits")
    if int(code[:2]) not in _PROVINCES:
        raise InvalidId(f"unknown province code {code[:2]}")
    actual = _LEVELS[len(code)]
    if level is not None and actual != level:
        raise InvalidId(f"must be a {level} code ({_digits(level)} digits), got {len(code)}")
    return code


def _digits(level: DivisionLevel) -> int:
    return {v: k for k, v in _LEVELS.items()}[level]


def division_level(code: str) -> DivisionLevel:
    return _LEVELS[len(parse_division_code(code))]


def check_hierarchy(county: str, township: str | None = None, village: str | None = None) -> None:
    """Raise if a township is not inside its county or a village not inside its township."""
    if township is not None and not township.startswith(county):
        raise InvalidId(f"township {township} is not in county {county}")
    if village is not None and township is not None and not village.startswith(township):
        raise InvalidId(f"village {village} is not in township {township}")


def _validator(fn: Callable[[str], str]) -> Callable[[str], str]:
    def run(value: str) -> str:
        try:
            return fn(value)
        except InvalidId as exc:
            raise ValueError(str(exc)) from exc

    return run


ResidentIdNumber = Annotated[str, AfterValidator(_validator(lambda v: parse_resident_id(v).number))]
CountyCode = Annotated[str, AfterValidator(_validator(lambda v: parse_division_code(v, "county")))]
TownshipCode = Annotated[
    str, AfterValidator(_validator(lambda v: parse_division_code(v, "township")))
]
VillageCode = Annotated[
    str, AfterValidator(_validator(lambda v: parse_division_code(v, "village")))
]
DivisionCode = Annotated[str, AfterValidator(_validator(parse_division_code))]
