"""The county's divisions: 姚安 532325, its 9 townships (towns 1xx, townships 2xx, GB/T 10114)
and villages under each with 12-digit codes. The codes are
illustrative (towns 1xx, townships 2xx, GB/T 10114); the names are the seed's."""

from __future__ import annotations

from dataclasses import dataclass

COUNTY_CODE = "532325"
COUNTY_NAME = "姚安县"

# (code suffix, name, villages): 6 towns (镇) then 3 townships (乡), named as YA-HRSS §三(二)1 names
# them (官屯 is a town there); village counts add up to the county's 77 villages and communities.
TOWNSHIP_TABLE: tuple[tuple[str, str, int], ...] = (
    ("100", "栋川镇", 17),
    ("101", "光禄镇", 12),
    ("102", "前场镇", 9),
    ("103", "弥兴镇", 8),
    ("104", "太平镇", 7),
    ("105", "官屯镇", 5),
    ("200", "适中乡", 6),
    ("201", "左门乡", 7),
    ("202", "大河口乡", 6),
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
            name=name,
            villages=tuple(f"{county}{suffix}{201 + i:03d}" for i in range(count)),
        )
        for suffix, name, count in TOWNSHIP_TABLE
    )
