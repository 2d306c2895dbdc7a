"""The county's cases as request bodies: a year of hospital stays (MED-1), dibao households
(WEL-1) and 特困 certifications (WEL-5). Pure; dates that depend on the day of loading (the
dibao notice) are set by the loader."""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from deploy.seed.people import Household, Person

# Common in-patient diagnoses of a rural county (ICD-10).
DIAGNOSES = (
    ("J18.9", 14), ("I63.9", 9), ("J44.9", 9), ("I10", 8), ("K29.7", 7), ("E11.9", 6),
    ("I25.1", 5), ("N18.9", 3), ("M17.9", 4), ("K80.2", 4), ("S72.0", 3), ("O80", 4),
    ("C34.9", 2), ("C16.9", 2), ("I50.9", 5), ("A15.0", 1), ("N39.0", 4), ("K35.8", 3),
)  # fmt: skip
LEVEL_WEIGHTS = (30, 55, 15)  # 一级 / 二级 / 三级
MEAN_COST = {1: 2200, 2: 6500, 3: 21000}
SELF_CARE = ("full", "partial", "none")
SELF_CARE_WEIGHTS = (60, 30, 10)


def _money(value: float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _stay_weight(p: Person, as_of: date) -> float:
    if (as_of - p.birth_date).days < 30:
        return 0.0
    age = p.age_on(as_of)
    return 4.0 if age >= 65 else 2.0 if age >= 45 else 0.6 if age >= 5 else 1.2


def stays(
    households: tuple[Household, ...], seed: int, as_of: date, count: int
) -> list[dict[str, Any]]:
    """`count` stays of distinct people in the year up to `as_of`, old people more often."""
    rng = random.Random(f"stays:{seed}")
    people = [p for h in households for p in h.members]
    weights = [_stay_weight(p, as_of) for p in people]
    chosen: dict[str, Person] = {}
    while len(chosen) < min(count, len(people)):
        p = rng.choices(people, weights)[0]
        chosen.setdefault(p.id_number, p)
    year_start = date(as_of.year, 1, 1)
    out = []
    for i, p in enumerate(sorted(chosen.values(), key=lambda p: p.id_number)):
        level = rng.choices((1, 2, 3), LEVEL_WEIGHTS)[0]
        days = rng.randint(2, 8) + (rng.randint(0, 12) if level > 1 else 0)
        first = max(year_start, p.birth_date + timedelta(days=1))  # never before birth
        span = (as_of - first).days
        days = min(days, span - 1)
        admission = first + timedelta(days=rng.randrange(span - days))
        total = MEAN_COST[level] * rng.lognormvariate(0, 0.45)
        covered = total * rng.uniform(0.72, 0.95)
        codes = [c for c, _ in DIAGNOSES]
        weights_dx = [w for _, w in DIAGNOSES]
        diagnoses = [rng.choices(codes, weights_dx)[0]]
        if p.sex == "M" and diagnoses[0] == "O80":
            diagnoses = ["J18.9"]
        out.append(
            {
                "claim_id": f"ZY{as_of.year}{i + 1:06d}",
                "id_number": p.id_number,
                "county_code": p.id_number[:6],
                "hospital_level": level,
                "admin_level": "county" if level < 3 else rng.choice(("city", "city", "province")),
                "admission": admission.isoformat(),
                "discharge": (admission + timedelta(days=days)).isoformat(),
                "referral_compliant": rng.random() < 0.92,
                "total_cost": _money(total),
                "covered_cost": _money(covered),
                "diagnosis_codes": diagnoses,
            }
        )
    return out


def _work_ability(p: Person, as_of: date) -> str:
    age = p.age_on(as_of)
    if p.disability_grade in (1, 2) or age >= 75 or age < 16:
        return "none"
    if p.disability_grade in (3, 4) or age >= 60:
        return "partial"
    return "full"


def tekun(
    households: tuple[Household, ...], seed: int, as_of: date, count: int
) -> list[dict[str, Any]]:
    """Old people living alone (五保), certified directly with the certificate as basis."""
    rng = random.Random(f"tekun:{seed}")
    alone = [h.head for h in households if len(h.members) == 1 and h.head.age_on(as_of) >= 60]
    picked = sorted(rng.sample(alone, min(count, len(alone))), key=lambda p: p.id_number)
    start = date(as_of.year, 1, 1)
    return [
        {
            "id_number": p.id_number,
            "self_care": rng.choices(SELF_CARE, SELF_CARE_WEIGHTS)[0],
            "assessed_on": (start - timedelta(days=rng.randint(10, 60))).isoformat(),
            "effective_from": start.isoformat(),
            "basis": f"五保供养证 姚五保字第{as_of.year - rng.randint(2, 10)}{i + 1:04d}号",
        }
        for i, p in enumerate(picked)
    ]


def _dibao_weight(h: Household, as_of: date) -> float:
    weight = 1.0
    for p in h.members:
        if p.disability_grade in (1, 2):
            weight += 3
        elif p.age_on(as_of) >= 70:
            weight += 1
    return weight * (2.0 if h.status == "未脱贫" else 1.0)


def dibao(
    households: tuple[Household, ...],
    seed: int,
    as_of: date,
    count: int,
    exclude: Collection[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Registered poor households with the old and the disabled more often, each with a low
    income from farming and transfers (below the standard, WEL-3)."""
    rng = random.Random(f"dibao:{seed}")
    pool = [
        h
        for h in households
        if h.status in ("未脱贫", "已脱贫")
        and len(h.members) <= 6
        and h.head.id_number not in exclude
    ]
    weights = [_dibao_weight(h, as_of) for h in pool]
    chosen: dict[str, Household] = {}
    while len(chosen) < min(count, len(pool)):
        h = rng.choices(pool, weights)[0]
        chosen.setdefault(h.id, h)
    out = []
    for h in sorted(chosen.values(), key=lambda h: h.id):
        members = [
            {
                "id_number": p.id_number,
                "name": p.name,
                "relation": p.relation,
                "work_ability": _work_ability(p, as_of),
                "self_care": p.disability_grade != 1,
                "disability_grade": p.disability_grade,
                "serious_illness": rng.random() < 0.06,
                "chronic_illness": p.age_on(as_of) >= 55 and rng.random() < 0.3,
            }
            for p in h.members
        ]
        size = len(members)
        farming = round(size * rng.uniform(600, 1800), -1)
        transfer = round(size * rng.uniform(0, 500), -1)
        out.append(
            {
                "household_id": h.id,
                "village_code": h.village_code,
                "applicant_name": h.head.name,
                "applicant_id_number": h.head.id_number,
                "reason": "家庭成员年老体弱或残疾，收入低于当地低保标准",
                "bank_name": "农村信用合作社",
                "bank_account": f"6224{rng.randrange(10**15):015d}",
                "members": members,
                "incomes": [
                    {"source": "farming", "annual_amount": _money(farming), "note": "种植养殖"},
                    {"source": "transfer", "annual_amount": _money(transfer), "note": "转移性收入"},
                ],
                "assets": [
                    {"kind": "house", "description": "自建砖木结构住房", "value": "30000.00"}
                ],
                "cross_checks": [
                    {"department": "公安", "item": "车辆登记", "consistent": True},
                    {"department": "不动产", "item": "房产登记", "consistent": True},
                ],
                "assets_within_limits": True,
            }
        )
    return out
