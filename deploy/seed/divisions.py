"""The county's divisions: 姚安 532325, its 9 townships (towns 1xx, townships 2xx, GB/T 10114)
and villages under each with 12-digit codes. The codes are
illustrative (towns 1xx, townships 2xx, GB/T 10114); the names are the seed's."""

from __future__ import annotations

from dataclasses import dataclass

from shared.divisions import division_name

COUNTY_CODE = "532325"
COUNTY_NAME = division_name(COUNTY_CODE) or COUNTY_CODE

# (code suffix, villages): 6 towns (镇) then 3 townships (乡), named in shared/divisions/532325.yaml
# as YA-HRSS §三(二)1 names them (官屯 is a town there); village counts add up to the county's 77
# villages and communities.
TOWNSHIP_TABLE: tuple[tuple[str, int], ...] = (
    ("100", 17),
    ("101", 12),
    ("102", 9),
    ("103", 8),
    ("104", 7),
    ("105", 5),
    ("200", 6),
    ("201", 7),
    ("202", 6),
)


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    villages: tuple[str, ...]


def townships(county: str = COUNTY_CODE) -> tuple[Township, ...]:
    """Villages are numbered 201.. under their township (村民委员会 2xx)."""
    return tuple(
        Township(
            code=f"{county}{suffix}",
            name=division_name(f"{county}{suffix}") or f"{county}{suffix}",
            villages=tuple(f"{county}{suffix}{201 + i:03d}" for i in range(count)),
        )
        for suffix, count in TOWNSHIP_TABLE
    )
