"""The whole synthetic county from one seed, and its files: the roster, the two insurance rolls
and the labour census as CSV (Chinese headers, as the departments send them), the stays, dibao
households and 特困 certifications as JSON. Same seed, same bytes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from deploy.seed import cases, programmes
from deploy.seed.people import PEOPLE, Household, generate_households

DEFAULT_SEED = 532325
DEFAULT_AS_OF = date(2020, 12, 31)  # the end of the poverty campaign
DEFAULT_STAYS = 1500
DEFAULT_DIBAO = 120
DEFAULT_TEKUN = 60
ROSTER_HEADER = [
    "户编号", "姓名", "证件号码", "与户主关系", "县", "乡镇", "行政村", "贫困状态",
    "残疾等级", "在校生", "职工养老", "易地搬迁", "开户银行", "银行账号",
]  # fmt: skip
BANK = "姚安县农村信用合作联社"


@dataclass(frozen=True)
class County:
    seed: int
    as_of: date
    households: tuple[Household, ...]
    pension: list[list[str]]
    medical: list[list[str]]
    census: list[list[str]]
    students: list[list[str]]
    stays: list[dict[str, Any]]
    dibao: list[dict[str, Any]]
    tekun: list[dict[str, Any]]

    @property
    def people(self) -> int:
        return sum(len(h.members) for h in self.households)

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def school_year(self) -> int:
        """The school year under way on the seed's date (it starts on 1 September)."""
        return self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1


def build_county(
    seed: int = DEFAULT_SEED,
    *,
    people: int = PEOPLE,
    as_of: date = DEFAULT_AS_OF,
    stays: int = DEFAULT_STAYS,
    dibao: int = DEFAULT_DIBAO,
    tekun: int = DEFAULT_TEKUN,
) -> County:
    households = generate_households(seed, as_of, people)
    certified = cases.tekun(households, seed, as_of, tekun)
    return County(
        seed=seed,
        as_of=as_of,
        households=households,
        pension=programmes.pension_roll(households, seed, as_of.year),
        medical=programmes.medical_roll(households, seed, as_of.year),
        census=programmes.census(households, seed, as_of),
        students=programmes.student_register(
            households, seed, as_of.year if as_of.month >= 9 else as_of.year - 1
        ),
        stays=cases.stays(households, seed, as_of, stays),
        dibao=cases.dibao(
            households, seed, as_of, dibao, exclude={t["id_number"] for t in certified}
        ),
        tekun=certified,
    )


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def roster_rows(county: County) -> list[list[str]]:
    return [
        [
            h.id,
            p.name,
            p.id_number,
            p.relation,
            h.county_code,
            h.township_code,
            h.village_code,
            h.status,
            str(p.disability_grade or ""),
            _yes(p.student),
            _yes(p.employee_pension),
            _yes(h.relocated),
            BANK,
            "6217" + p.id_number[6:17],  # the person's social security card (synthetic)
        ]
        for h in county.households
        for p in h.members
    ]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def files(county: County) -> dict[str, bytes]:
    """File name -> content, every one a pure function of the seed and the sizes."""
    return {
        "roster.csv": csv_bytes(ROSTER_HEADER, roster_rows(county)),
        "pension_roll.csv": csv_bytes(programmes.PENSION_HEADER, county.pension),
        "medical_roll.csv": csv_bytes(programmes.MEDICAL_HEADER, county.medical),
        "census.csv": csv_bytes(programmes.CENSUS_HEADER, county.census),
        "students.csv": csv_bytes(programmes.STUDENT_HEADER, county.students),
        "stays.json": json_bytes(county.stays),
        "dibao.json": json_bytes(county.dibao),
        "tekun.json": json_bytes(county.tekun),
    }


def summary(county: County) -> dict[str, int]:
    return {
        "households": len(county.households),
        "people": county.people,
        "pension_roll": len(county.pension),
        "medical_roll": len(county.medical),
        "census": len(county.census),
        "students": len(county.students),
        "stays": len(county.stays),
        "dibao": len(county.dibao),
        "tekun": len(county.tekun),
    }
