"""Synthetic rosters with valid ID numbers, for tests and benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta

from shared.ids import SEXES, make_resident_id

HEADER_ZH = "户编号,姓名,证件号码,与户主关系,县,乡镇,行政村,贫困状态"
HEADER_EN = (
    "household_id,name,id_number,relation,county_code,township_code,village_code,poverty_status"
)
STATUSES_ZH = ("未脱贫", "已脱贫", "边缘户")


def roster_rows(
    people: int, *, seed: int = 1, county: str = "532325", per_household: int = 4
) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    used: set[str] = set()
    for i in range(people):
        household = i // per_household
        township = f"{county}{100 + household % 9:03d}"
        village = f"{township}{200 + household % 7:03d}"
        while True:
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 75))
            number = make_resident_id(county, born, rng.randrange(500), rng.choice(SEXES))
            if number not in used:
                used.add(number)
                break
        rows.append(
            [
                f"{county}-{household:07d}",
                f"居民{i}",
                number,
                "户主" if i % per_household == 0 else "子女",
                county,
                township,
                village,
                STATUSES_ZH[household % 3],
            ]
        )
    return rows


def roster_csv(rows: list[list[str]], header: str = HEADER_ZH) -> bytes:
    return ("\n".join([header, *(",".join(r) for r in rows)]) + "\n").encode()
