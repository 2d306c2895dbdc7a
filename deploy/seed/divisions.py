"""The county's divisions: 姚安 532325, its 9 townships (towns 1xx, townships 2xx, GB/T 10114)
and villages under each with 12-digit codes."""

from __future__ import annotations

from dataclasses import dataclass

COUNTY_CODE = "532325"
COUNTY_NAME = "姚安县"

# (code suffix, name, villages): 5 towns (镇) then 4 townships (乡), as bench/registry.py numbers
# them; village counts add up to the county's 77 villages and communities.
TOWNSHIP_TABLE: tuple[tuple[str, str, int], ...] = (
    ("100", "栋川镇", 17),
    ("101", "光禄镇", 12),
    ("102", "前场镇", 9),
    ("103", "弥兴镇", 8),
    ("104", "太平镇", 7),
    ("200", "适中乡", 6),
    ("201", "左门乡", 7),
    ("202", "大河口乡", 6),
    ("203", "官屯乡", 5),
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
