"""Reading a census spreadsheet (劳动力调查表, EMP-1): CSV (UTF-8/GB18030) or XLSX, Chinese or
English headers. Every row is validated before anything is written; the errors name row and
field. Persons are found in the registry read model by ID number (证件号码)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from services.employment.census.rules import (
    EDUCATION_ZH,
    JOB_LOCATION_ZH,
    Education,
    JobLocation,
    WorkAbility,
)
from shared.errors import FieldError, InvalidInput
from shared.ids import InvalidId, parse_resident_id
from shared.parsing import parse_bool
from shared.tabular import RowErrors, column_map

T = TypeVar("T")

MAX_ERRORS = 1000

COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("id_number", "证件号码", "身份证号码", "身份证号"),
    "surveyed_on": ("surveyed_on", "调查日期"),
    "work_ability": ("work_ability", "劳动能力"),
    "wishes_to_work": ("wishes_to_work", "就业意愿", "是否有就业意愿"),
    "wishes_to_train": ("wishes_to_train", "培训意愿", "是否有培训意愿"),
    "skills": ("skills", "技能", "掌握技能"),
    "education": ("education", "文化程度"),
    "in_school": ("in_school", "是否在读", "在读"),
    "declared_two_after": ("declared_two_after", "两后生"),
    "job_location": ("job_location", "就业状态", "务工地点"),
    "employer": ("employer", "就业单位", "用工单位"),
    "note": ("note", "备注"),
}
REQUIRED = ("id_number", "work_ability", "wishes_to_work", "wishes_to_train")

# Export headers, in order (the import reads them back).
HEADERS_ZH = (
    "户编号",
    "姓名",
    "证件号码",
    "乡镇",
    "行政村",
    "调查日期",
    "劳动能力",
    "就业意愿",
    "培训意愿",
    "技能",
    "文化程度",
    "是否在读",
    "两后生",
    "务工地点",
    "就业单位",
    "备注",
)

WORK_ABILITY_WORDS: dict[str, WorkAbility] = {
    "full": WorkAbility.full,
    "有劳动能力": WorkAbility.full,
    "普通劳动力": WorkAbility.full,
    "技能劳动力": WorkAbility.full,
    "partial": WorkAbility.partial,
    "部分丧失劳动能力": WorkAbility.partial,
    "弱劳动力或半劳动力": WorkAbility.partial,
    "弱劳动力": WorkAbility.partial,
    "半劳动力": WorkAbility.partial,
    "none": WorkAbility.none,
    "无劳动能力": WorkAbility.none,
    "丧失劳动能力": WorkAbility.none,
}
EDUCATION_WORDS: dict[str, Education] = {
    **{e.value: e for e in Education},
    **{zh: e for e, zh in EDUCATION_ZH.items()},
    "文盲": Education.none,
    "初中毕业": Education.junior_high,
    "高中毕业": Education.senior_high,
    "职高": Education.vocational,
    "技校": Education.vocational,
    "大专": Education.college,
    "本科": Education.college,
}
JOB_WORDS: dict[str, JobLocation] = {
    **{j.value: j for j in JobLocation},
    **{zh: j for j, zh in JOB_LOCATION_ZH.items()},
    "": JobLocation.none,
    "无": JobLocation.none,
    "县内务工": JobLocation.local,
    "省内": JobLocation.province,
    "省外务工": JobLocation.other_province,
}
SKILL_SPLIT = re.compile(r"[、,，;；/]")


def parse_work_ability(raw: str) -> WorkAbility:
    value = WORK_ABILITY_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValueError("expected 有劳动能力 / 部分丧失劳动能力 / 无劳动能力 (full/partial/none)")
    return value


def parse_education(raw: str) -> Education | None:
    if not raw.strip():
        return None
    value = EDUCATION_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValueError("expected " + " / ".join(EDUCATION_ZH.values()))
    return value


def parse_job(raw: str) -> JobLocation:
    value = JOB_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValueError(
            "expected 未就业 / 县内 / 省内县外 / 省外 (none/local/province/other_province)"
        )
    return value


def parse_skills(raw: str) -> list[str]:
    return [s.strip() for s in SKILL_SPLIT.split(raw) if s.strip()]


@dataclass(frozen=True, slots=True)
class CensusLine:
    row: int
    id_number: str
    surveyed_on: date | None
    work_ability: WorkAbility
    wishes_to_work: bool
    wishes_to_train: bool
    skills: list[str]
    education: Education | None
    in_school: bool
    declared_two_after: bool | None
    job_location: JobLocation
    employer: str | None
    note: str | None


def parse_lines(rows: Iterator[list[str]], errors: RowErrors) -> list[CensusLine]:
    try:
        header = next(rows)
    except StopIteration:
        raise InvalidInput(
            "the file is empty", errors=[FieldError(field="file", reason="empty")]
        ) from None
    mapping = column_map(header, COLUMNS, REQUIRED)
    lines: list[CensusLine] = []
    for row_no, record in enumerate(rows, start=2):
        if not any(c.strip() for c in record):
            continue
        line = _line(row_no, record, mapping, errors)
        if line is not None:
            lines.append(line)
    if not lines and not errors.count:
        raise InvalidInput(
            "the file has no data rows", errors=[FieldError(field="file", reason="no rows")]
        )
    return lines


def _line(
    row_no: int, record: list[str], mapping: dict[str, int], errors: RowErrors
) -> CensusLine | None:
    def cell(column: str) -> str:
        index = mapping.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    bad = errors.count

    def take(column: str, parse: Callable[[str], T], raw: str | None = None) -> T | None:
        raw = cell(column) if raw is None else raw
        try:
            return parse(raw)
        except (ValueError, InvalidId) as exc:
            errors.add(row_no, column, str(exc), raw)
            return None

    id_number = take("id_number", lambda r: parse_resident_id(r).number)
    surveyed_on = take("surveyed_on", lambda r: date.fromisoformat(r) if r else None)
    work_ability = take("work_ability", parse_work_ability)
    wishes_to_work = take("wishes_to_work", parse_bool)
    wishes_to_train = take("wishes_to_train", parse_bool)
    education = take("education", parse_education)
    in_school = take("in_school", parse_bool)
    declared_two_after = take("declared_two_after", lambda r: parse_bool(r) if r else None)
    job_location = take("job_location", parse_job)
    employer = cell("employer") or None
    if employer and len(employer) > 200:
        errors.add(row_no, "employer", "at most 200 characters", employer[:50])
    note = cell("note") or None
    if note and len(note) > 500:
        errors.add(row_no, "note", "at most 500 characters", note[:50])
    if job_location is JobLocation.none and employer:
        errors.add(row_no, "employer", "an employer is given but the person has no job", employer)
    if errors.count != bad:
        return None
    # Every column parsed: the required ones have their value.
    assert work_ability is not None and job_location is not None
    return CensusLine(
        row=row_no,
        id_number=str(id_number),
        surveyed_on=surveyed_on,
        work_ability=work_ability,
        wishes_to_work=bool(wishes_to_work),
        wishes_to_train=bool(wishes_to_train),
        skills=parse_skills(cell("skills")),
        education=education,
        in_school=bool(in_school),
        declared_two_after=declared_two_after,
        job_location=job_location,
        employer=employer,
        note=note,
    )
