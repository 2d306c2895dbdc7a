"""Economic facts of registered people as civil affairs holds them (WEL-8): ability to work
(劳动能力) and income (有无收入), imported from the poverty office's yearly survey (CSV or XLSX,
Chinese or English headers) or edited one by one.

A file is validated whole before anything is written: any bad row (ID number, unknown person,
outside the caller's jurisdiction, a value not understood, a person twice) rejects the file with
every error listed by row and field (422), and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from services.welfare.crosscheck.models import EconomicFactsImport
from services.welfare.crosscheck.repository import add_import, upsert_facts
from services.welfare.dibao.rules import WorkAbility
from services.welfare.registry.repository import RegistryPeople
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput
from shared.ids import InvalidId, parse_resident_id
from shared.parsing import parse_int
from shared.tabular import RowErrors, TableFormatError, column_map, read_rows
from shared.uow import UnitOfWork

MAX_ERRORS = 1000

COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("id_number", "证件号码", "身份证号码", "身份证号"),
    "work_ability": ("work_ability", "劳动能力"),
    "has_income": ("has_income", "有无收入", "是否有收入", "收入来源"),
    "survey_year": ("survey_year", "调查年度", "年度"),
}
REQUIRED = ("id_number", "work_ability", "has_income")

WORK_ABILITY_WORDS: dict[str, WorkAbility] = {
    "full": WorkAbility.full,
    "有劳动能力": WorkAbility.full,
    "有": WorkAbility.full,
    "普通劳动力": WorkAbility.full,
    "技能劳动力": WorkAbility.full,
    "partial": WorkAbility.partial,
    "部分丧失劳动能力": WorkAbility.partial,
    "部分丧失": WorkAbility.partial,
    "弱劳动力或半劳动力": WorkAbility.partial,
    "弱劳动力": WorkAbility.partial,
    "半劳动力": WorkAbility.partial,
    "none": WorkAbility.none,
    "无劳动能力": WorkAbility.none,
    "丧失劳动能力": WorkAbility.none,
    "完全丧失劳动能力": WorkAbility.none,
    "无": WorkAbility.none,
}
WORK_ABILITY_ZH = {
    WorkAbility.full: "有劳动能力",
    WorkAbility.partial: "部分丧失劳动能力",
    WorkAbility.none: "无劳动能力",
}
INCOME_WORDS = {
    "有": True,
    "有收入": True,
    "是": True,
    "yes": True,
    "true": True,
    "1": True,
    "无": False,
    "无收入": False,
    "否": False,
    "no": False,
    "false": False,
    "0": False,
}


def parse_work_ability(raw: str) -> WorkAbility:
    value = WORK_ABILITY_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValueError("expected 有劳动能力 / 部分丧失劳动能力 / 无劳动能力 (full/partial/none)")
    return value


def parse_income(raw: str) -> bool:
    value = INCOME_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValueError("expected 有 / 无 (yes/no)")
    return value


@dataclass(frozen=True, slots=True)
class FactLine:
    row: int
    id_number: str
    work_ability: WorkAbility
    has_income: bool
    survey_year: int | None


def parse_lines(rows: Iterator[list[str]], errors: RowErrors) -> list[FactLine]:
    try:
        header = next(rows)
    except StopIteration:
        raise InvalidInput(
            "the file is empty", errors=[FieldError(field="file", reason="empty")]
        ) from None
    mapping = column_map(header, COLUMNS, REQUIRED)
    lines: list[FactLine] = []
    for row_no, record in enumerate(rows, start=2):
        if not any(record):
            continue

        def cell(column: str, record: list[str] = record) -> str:
            index = mapping.get(column)
            return record[index].strip() if index is not None and index < len(record) else ""

        bad = errors.count
        number = cell("id_number")
        try:
            number = parse_resident_id(number).number
        except InvalidId as exc:
            errors.add(row_no, "id_number", str(exc), number)
        ability = income = None
        try:
            ability = parse_work_ability(cell("work_ability"))
        except ValueError as exc:
            errors.add(row_no, "work_ability", str(exc), cell("work_ability"))
        try:
            income = parse_income(cell("has_income"))
        except ValueError as exc:
            errors.add(row_no, "has_income", str(exc), cell("has_income"))
        year = None
        if cell("survey_year"):
            try:
                year = parse_int(cell("survey_year"), 2000, 2100)
            except ValueError as exc:
                errors.add(row_no, "survey_year", str(exc), cell("survey_year"))
        if errors.count == bad:
            assert ability is not None and income is not None
            lines.append(FactLine(row_no, number, ability, income, year))
    return lines


def import_facts(uow: UnitOfWork, content: bytes, filename: str) -> EconomicFactsImport:
    """Import a survey file whole (every row valid and in the caller's jurisdiction) or not at
    all."""
    principal = uow.principal
    errors = RowErrors(MAX_ERRORS)
    try:
        lines = parse_lines(read_rows(content, filename), errors)
    except TableFormatError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="file", reason=str(exc))]) from exc
    people = RegistryPeople(uow.session, principal).by_numbers([line.id_number for line in lines])
    seen: dict[str, int] = {}
    values: list[dict[str, Any]] = []
    now = utcnow()
    for line in lines:
        first = seen.setdefault(line.id_number, line.row)
        if first != line.row:
            errors.add(line.row, "id_number", f"the person is also on row {first}", line.id_number)
            continue
        person = people.get(line.id_number)
        if person is None:
            errors.add(line.row, "id_number", "not in the poverty registry", line.id_number)
            continue
        if not principal.covers(person[1]):
            errors.add(
                line.row, "id_number", f"outside your jurisdiction ({principal.scope})", None
            )
            continue
        values.append(
            {
                "person_id": person[0],
                "work_ability": line.work_ability.value,
                "has_income": line.has_income,
                "survey_year": line.survey_year,
                "updated_by": principal.subject,
                "updated_at": now,
            }
        )
    if errors.count:
        errors.items.sort(key=lambda e: (e.row or 0, e.field))
        raise InvalidInput(
            f"{errors.count} error(s) in the file; nothing was imported", errors=errors.items
        )
    years = {v["survey_year"] for v in values}
    record = add_import(
        uow.session,
        EconomicFactsImport(
            filename=filename,
            rows=len(values),
            survey_year=years.pop() if len(years) == 1 else None,
            imported_by=principal.subject,
        ),
    )
    source = f"import:{record.id}"
    for v in values:
        v["source"] = source
    for start in range(0, len(values), 5000):
        upsert_facts(uow.session, values[start : start + 5000])
    return record
