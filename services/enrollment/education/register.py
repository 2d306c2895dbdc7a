"""Reading and validating the education bureau's student register (在校生名册, EDU-6). Pure: rows
in, validated lines and errors out; a register with any invalid row is rejected whole, each error
naming its row and field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from services.enrollment.education.rules import Stage
from shared.errors import FieldError, InvalidInput
from shared.ids import InvalidId, mask_id_number, parse_resident_id
from shared.parsing import parse_bool
from shared.tabular import RowErrors, column_map

COLUMNS: dict[str, tuple[str, ...]] = {
    "school": ("school", "学校", "学校名称"),
    "stage": ("stage", "学段"),
    "grade": ("grade", "年级"),
    "boarding": ("boarding", "寄宿", "是否寄宿"),
    "id_number": ("id_number", "身份证号", "身份证号码", "证件号码"),
    "name": ("name", "姓名"),
    "public_inclusive": ("public_inclusive", "普惠性公办", "普惠性公办幼儿园"),
    "poor_village": ("poor_village", "贫困村"),
    "art_performance": ("art_performance", "艺术表演", "艺术类表演专业"),
}
REQUIRED = ("school", "stage", "grade", "boarding", "id_number", "name")
# Columns a 学前 row must fill (EDU-1 needs both facts; an empty cell would silently deny).
PRESCHOOL_REQUIRED = ("public_inclusive", "poor_village")
MAX_TEXT = 100
NUMERALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6"}


@dataclass(frozen=True, slots=True)
class RegisterLine:
    row: int  # line in the file, header = 1
    id_number: str
    name: str
    school: str
    stage: Stage
    grade: int
    boarding: bool
    public_inclusive: bool | None
    poor_village: bool | None
    art_performance: bool


def parse_grade_cell(raw: str, stage: Stage) -> int:
    """年级: 1, 一, 一年级, 高一 … within the stage's grades."""
    value = raw.strip().removesuffix("年级").removeprefix("高").removeprefix("初")
    value = NUMERALS.get(value, value)
    if not value.isdigit():
        raise ValueError(f"expected a grade number, got {raw!r}")
    grade = int(value)
    if not 1 <= grade <= stage.max_grade:
        raise ValueError(f"{stage.label_zh} has grades 1 to {stage.max_grade}")
    return grade


def parse_register(rows: Iterator[list[str]], *, today: date) -> list[RegisterLine]:
    """Every line of the register, or InvalidInput listing every error (row and field)."""
    try:
        header = next(rows)
    except StopIteration:
        raise InvalidInput(
            "the file is empty", errors=[FieldError(field="file", reason="empty")]
        ) from None
    mapping = column_map(header, COLUMNS, REQUIRED)
    errors = RowErrors(limit=10_000)
    lines: list[RegisterLine] = []
    seen: dict[str, int] = {}
    for row_no, record in enumerate(rows, start=2):
        if not any(record):
            continue
        line = _line(row_no, record, mapping, today, errors)
        if line is None:
            continue
        first = seen.get(line.id_number)
        if first is not None:
            errors.add(
                row_no,
                "id_number",
                f"same ID number as row {first}",
                mask_id_number(line.id_number),
            )
            continue
        seen[line.id_number] = row_no
        lines.append(line)
    if errors.count:
        raise InvalidInput(
            f"{errors.count} error(s) in the register; nothing was imported", errors=errors.items
        )
    if not lines:
        raise InvalidInput(
            "the register has a header but no rows",
            errors=[FieldError(field="file", reason="no rows", row=1)],
        )
    return lines


def _line(
    row_no: int, record: list[str], mapping: dict[str, int], today: date, errors: RowErrors
) -> RegisterLine | None:
    failed = False

    def cell(column: str) -> str:
        index = mapping.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    def fail(column: str, reason: str, value: str | None = None) -> None:
        nonlocal failed
        failed = True
        errors.add(row_no, column, reason, value)

    for column in REQUIRED:
        if not cell(column):
            fail(column, "is empty")
    for column in ("school", "name"):
        if len(cell(column)) > MAX_TEXT:
            fail(column, f"longer than {MAX_TEXT} characters")
    number = ""
    if cell("id_number"):
        try:
            number = parse_resident_id(cell("id_number"), today=today).number
        except InvalidId as exc:
            fail("id_number", str(exc), mask_id_number(cell("id_number")))
    stage = None
    if cell("stage"):
        try:
            stage = Stage.parse(cell("stage"))
        except ValueError as exc:
            fail("stage", str(exc), cell("stage"))
    grade = 0
    if stage is not None and cell("grade"):
        try:
            grade = parse_grade_cell(cell("grade"), stage)
        except ValueError as exc:
            fail("grade", str(exc), cell("grade"))
    flags: dict[str, bool | None] = {}
    for column in ("boarding", "public_inclusive", "poor_village", "art_performance"):
        if column in PRESCHOOL_REQUIRED and not cell(column):
            flags[column] = None
            if stage is Stage.preschool:
                fail(column, "required on 学前 rows (是/否)")
            continue
        try:
            flags[column] = parse_bool(cell(column))
        except ValueError as exc:
            fail(column, str(exc), cell(column))
    if failed or stage is None:
        return None
    return RegisterLine(
        row=row_no,
        id_number=number,
        name=cell("name"),
        school=cell("school"),
        stage=stage,
        grade=grade,
        boarding=bool(flags["boarding"]),
        public_inclusive=flags["public_inclusive"],
        poor_village=flags["poor_village"],
        art_performance=bool(flags["art_performance"]),
    )
