"""Reading and validating the poverty office's roster (REG-1, REG-3, REG-4). Pure: text in,
rows and errors out. A roster with any invalid row is rejected whole."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from shared.domain import PovertyStatus
from shared.errors import FieldError
from shared.ids import (
    InvalidId,
    ResidentId,
    check_hierarchy,
    parse_division_code,
    parse_resident_id,
)

# Column -> accepted headers (English or the poverty office's Chinese).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_id": ("household_id", "户编号"),
    "name": ("name", "姓名"),
    "id_number": ("id_number", "证件号码", "身份证号码", "身份证号"),
    "relation": ("relation", "与户主关系"),
    "county_code": ("county_code", "县", "县代码"),
    "township_code": ("township_code", "乡镇", "乡镇代码"),
    "village_code": ("village_code", "行政村", "行政村代码"),
    "poverty_status": ("poverty_status", "贫困状态"),
}
REQUIRED = (
    "household_id",
    "name",
    "id_number",
    "county_code",
    "township_code",
    "village_code",
    "poverty_status",
)
MAX_HOUSEHOLD_ID = 40
MAX_NAME = 100


@dataclass(frozen=True)
class RosterRow:
    row: int  # 1-based line in the file, header = 1
    household_id: str
    name: str
    resident: ResidentId
    relation: str | None
    county_code: str
    township_code: str
    village_code: str
    poverty_status: PovertyStatus

    @property
    def id_number(self) -> str:
        return self.resident.number


@dataclass
class Roster:
    rows: list[RosterRow]
    errors: list[FieldError]


class RosterFormatError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the encoding Chinese spreadsheet exports use."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFormatError("file is neither UTF-8 nor GB18030 text")


def _header_map(header: list[str]) -> dict[str, int]:
    lookup = {alias: col for col, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    errors = []
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff")
        column = lookup.get(name) or lookup.get(name.lower())
        if column is None:
            continue  # extra columns are allowed and ignored
        if column in mapping:
            errors.append(FieldError(field=column, reason="column appears twice", row=1))
        mapping[column] = index
    missing = [c for c in REQUIRED if c not in mapping]
    for column in missing:
        errors.append(
            FieldError(
                field=column,
                reason="required column missing (accepted headers: "
                + ", ".join(COLUMNS[column])
                + ")",
                row=1,
            )
        )
    if errors:
        raise RosterFormatError("the header row is not a roster header", errors)
    return mapping


def parse_roster(text: str, *, today: date | None = None) -> Roster:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise RosterFormatError("file is empty") from exc
    mapping = _header_map(header)
    rows: list[RosterRow] = []
    errors: list[FieldError] = []
    seen_ids: dict[str, int] = {}
    households: dict[str, RosterRow] = {}
    for line_no, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        row, row_errors = _parse_row(line_no, record, mapping, today)
        errors.extend(row_errors)
        if row is None:
            continue
        first = seen_ids.get(row.id_number)
        if first is not None:
            errors.append(
                FieldError(
                    field="id_number",
                    reason=f"same ID number as row {first}",
                    value=row.resident.masked,
                    row=line_no,
                )
            )
            continue
        seen_ids[row.id_number] = line_no
        head = households.setdefault(row.household_id, row)
        for column in ("county_code", "township_code", "village_code", "poverty_status"):
            if getattr(row, column) != getattr(head, column):
                errors.append(
                    FieldError(
                        field=column,
                        reason=f"differs from row {head.row} of the same household "
                        f"({getattr(head, column)})",
                        value=str(getattr(row, column)),
                        row=line_no,
                    )
                )
        rows.append(row)
    if not rows and not errors:
        raise RosterFormatError("file has a header but no rows")
    return Roster(rows=rows, errors=errors)


def _parse_row(
    line_no: int, record: list[str], mapping: dict[str, int], today: date | None
) -> tuple[RosterRow | None, list[FieldError]]:
    errors: list[FieldError] = []

    def cell(column: str) -> str:
        index = mapping.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    def fail(column: str, reason: str, value: str | None = None) -> None:
        errors.append(FieldError(field=column, reason=reason, value=value, row=line_no))

    for column in REQUIRED:
        if not cell(column):
            fail(column, "is empty")
    household_id = cell("household_id")
    if len(household_id) > MAX_HOUSEHOLD_ID:
        fail("household_id", f"longer than {MAX_HOUSEHOLD_ID} characters", household_id[:50])
    name = cell("name")
    if len(name) > MAX_NAME:
        fail("name", f"longer than {MAX_NAME} characters")
    resident = None
    if cell("id_number"):
        try:
            resident = parse_resident_id(cell("id_number"), today=today)
        except InvalidId as exc:
            # The value is echoed masked: error reports travel by e-mail and chat.
            fail("id_number", str(exc), _masked(cell("id_number")))
    codes: dict[str, str] = {}
    for column, level in (
        ("county_code", "county"),
        ("township_code", "township"),
        ("village_code", "village"),
    ):
        if cell(column):
            try:
                codes[column] = parse_division_code(cell(column), level)  # type: ignore[arg-type]
            except InvalidId as exc:
                fail(column, str(exc), cell(column))
    if len(codes) == 3:
        try:
            check_hierarchy(codes["county_code"], codes["township_code"], codes["village_code"])
        except InvalidId as exc:
            column = "township_code" if "township" in str(exc).split()[0] else "village_code"
            fail(column, str(exc), codes[column])
    status = None
    if cell("poverty_status"):
        try:
            status = PovertyStatus.parse(cell("poverty_status"))
        except ValueError as exc:
            fail("poverty_status", str(exc), cell("poverty_status"))
    if errors or resident is None or status is None:
        return None, errors
    return (
        RosterRow(
            row=line_no,
            household_id=household_id,
            name=name,
            resident=resident,
            relation=cell("relation") or None,
            county_code=codes["county_code"],
            township_code=codes["township_code"],
            village_code=codes["village_code"],
            poverty_status=status,
        ),
        [],
    )


def _masked(value: str) -> str:
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else value
