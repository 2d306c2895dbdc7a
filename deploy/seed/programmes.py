"""What the departments hold about the county's people, as the rows of their files: the pension
and medical insurance rolls (with some gaps), the labour census (EMP-1) and the education
bureau's student register (EDU-1 .. EDU-6, a few school-age children missing from it). Pure."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from deploy.seed.people import Household, Person

PENSION_HEADER = ["证件号码", "年度", "缴费档次", "是否缴费", "领取待遇"]
MEDICAL_HEADER = ["证件号码", "年度", "是否缴费", "大病保险"]
CENSUS_HEADER = [
    "证件号码", "调查日期", "劳动能力", "就业意愿", "培训意愿", "技能", "文化程度", "是否在读",
    "务工地点", "就业单位", "备注",
]  # fmt: skip
STUDENT_HEADER = ["学校", "学段", "年级", "寄宿", "身份证号", "姓名", "普惠性公办", "贫困村"]
# (stage, first age on 1 September, years in the stage)
STAGES = (("学前", 3, 3), ("小学", 6, 6), ("初中", 12, 3), ("高中", 15, 3), ("本专科", 18, 4))
TIERS = (100, 200, 300, 400, 500)
TIER_WEIGHTS = (72, 18, 5, 3, 2)
SKILLS = ("种植", "养殖", "建筑", "驾驶", "厨师", "缝纫", "电工", "焊工", "家政", "木工", "农机")
EMPLOYERS = ("建筑施工队", "农业合作社", "餐饮服务", "电子厂", "物流公司", "个体务工", "家政服务")
JOB_PLACES = ("未就业", "县内", "省内县外", "省外")
JOB_WEIGHTS = (35, 25, 22, 18)


def _people(households: Iterable[Household]) -> Iterator[tuple[Household, Person]]:
    for household in households:
        for person in household.members:
            yield household, person


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def pension_roll(households: tuple[Household, ...], seed: int, year: int) -> list[list[str]]:
    """Eligible adults (ENR-P1): about 96% enrolled, 93% of the enrolled under 60 paid; grade
    1-2 disabled at the 200 tier the government pays (ENR-P4); 60 and over draw."""
    rng = random.Random(f"pension:{seed}")
    end = date(year, 12, 31)
    rows = []
    for _, p in _people(households):
        age = p.age_on(end)
        if age < 16 or p.student or p.employee_pension or rng.random() >= 0.96:
            continue
        drawing = age >= 60
        severe = p.disability_grade in (1, 2)
        tier = 200 if severe else rng.choices(TIERS, TIER_WEIGHTS)[0]
        paid = drawing or severe or rng.random() < 0.93
        rows.append([p.id_number, str(year), str(tier), _yes(paid), _yes(drawing)])
    return rows


def medical_roll(households: tuple[Household, ...], seed: int, year: int) -> list[list[str]]:
    """Everyone (ENR-M1): about 98.5% enrolled, nearly all of them paid (by public finance)."""
    rng = random.Random(f"medical:{seed}")
    rows = []
    for _, p in _people(households):
        if rng.random() >= 0.985:
            continue
        paid = rng.random() < 0.99
        rows.append([p.id_number, str(year), _yes(paid), _yes(paid)])
    return rows


def _education(rng: random.Random, age: int) -> str:
    choices: tuple[str, ...]
    weights: tuple[int, ...]
    if age < 30:
        choices, weights = ("小学", "初中", "高中", "中专", "大专及以上"), (10, 50, 18, 15, 7)
    elif age < 45:
        choices, weights = ("文盲或半文盲", "小学", "初中", "高中"), (5, 40, 45, 10)
    else:
        choices, weights = ("文盲或半文盲", "小学", "初中", "高中"), (22, 50, 24, 4)
    return rng.choices(choices, weights)[0]


def census(households: tuple[Household, ...], seed: int, as_of: date) -> list[list[str]]:
    """Every member aged 16-59 (EMP-1): work ability (disability lowers it), wishes, skills,
    education and where they work."""
    rng = random.Random(f"census:{seed}")
    start = date(as_of.year, 3, 1)
    rows = []
    for _, p in _people(households):
        age = p.age_on(as_of)
        if not 16 <= age < 60:
            continue
        surveyed = start + timedelta(days=rng.randrange(90))
        if p.disability_grade in (1, 2):
            ability = "无劳动能力"
        elif p.disability_grade in (3, 4) or rng.random() < 0.1:
            ability = "部分丧失劳动能力"
        else:
            ability = "有劳动能力" if rng.random() < 0.97 else "无劳动能力"
        able = ability != "无劳动能力"
        place = "未就业"
        if able and not p.student:
            place = rng.choices(JOB_PLACES, JOB_WEIGHTS)[0]
        employer = rng.choice(EMPLOYERS) if place != "未就业" else ""
        skills = "、".join(sorted(rng.sample(SKILLS, rng.choice((0, 1, 1, 2)))))
        rows.append(
            [
                p.id_number,
                surveyed.isoformat(),
                ability,
                _yes(able and not p.student and rng.random() < 0.85),
                _yes(able and rng.random() < 0.5),
                skills,
                _education(rng, age),
                _yes(p.student),
                place,
                employer,
                "",
            ]
        )
    return rows


def _stage(age: int) -> tuple[str, int] | None:
    for stage, first, years in STAGES:
        if first <= age < first + years:
            return stage, age - first + 1
    return None


def student_register(
    households: tuple[Household, ...], seed: int, school_year: int
) -> list[list[str]]:
    """The education bureau's register of the school year (starting 1 September): children from
    3 at kindergarten, every child of compulsory age at the township's schools except about one
    in a hundred (控辍保学 finds them), most of those of high-school age at a senior high or a
    vocational school, students at college."""
    rng = random.Random(f"students:{seed}:{school_year}")
    start = date(school_year, 9, 1)
    rows = []
    for household, p in _people(households):
        age = p.age_on(start)
        placed = _stage(age)
        if placed is None:
            continue
        stage, grade = placed
        if stage == "学前" and rng.random() < 0.3:
            continue  # not every small child goes to kindergarten
        if stage in ("小学", "初中") and rng.random() < 0.01:
            continue  # out of school
        if stage in ("高中", "本专科") and not p.student:
            continue
        if stage == "高中" and rng.random() < 0.3:
            stage, grade = "中职", min(grade, 3)
        town = household.township_code
        school = {
            "学前": f"{town}中心幼儿园",
            "小学": f"{town}中心小学",
            "初中": f"{town}中学",
            "高中": rng.choice(("县第一中学", "县第二中学", "县民族中学")),
            "中职": "县职业高级中学",
            "本专科": rng.choice(("省内高校", "省外高校")),
        }[stage]
        boarding = stage in ("初中", "高中", "中职") or (stage == "小学" and rng.random() < 0.2)
        preschool = stage == "学前"
        rows.append(
            [
                school,
                stage,
                str(grade),
                _yes(boarding),
                p.id_number,
                p.name,
                _yes(rng.random() < 0.8) if preschool else "",
                _yes(rng.random() < 0.6) if preschool else "",
            ]
        )
    return rows
