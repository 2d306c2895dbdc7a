"""Reading and validating the poverty office's roster (REG-1, REG-3, REG-4). Pure: rows in,
validated rows and errors out. A roster with any invalid row is rejected whole."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from shared.domain import PovertyStatus
from shared.errors import FieldError
from shared.ids import (
    DivisionLevel,
    InvalidId,
    ResidentId,
    check_hierarchy,
    mask_account,
    mask_id_number,
    parse_division_code,
    parse_resident_id,
)
from shared.parsing import parse_bool, parse_grade

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
    "disability_grade": ("disability_grade", "残疾等级"),
    "bank_name": ("bank_name", "开户银行", "社保卡开户银行"),
    "bank_account": ("bank_account", "银行账号", "社保卡银行账号", "社保卡金融账号"),
    "student": ("student", "在校生"),
    "employee_pension": ("employee_pension", "职工养老"),
    "relocated": ("relocated", "易地搬迁"),
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
HOUSEHOLD_COLUMNS = ("county_code", "township_code", "village_code", "poverty_status", "relocated")
MAX_HOUSEHOLD_ID = 40
MAX_NAME = 100
BANK_ACCOUNT = re.compile(r"\d{12,30}")
MAX_ERRORS = 10_000  # past this the report says how many more


@dataclass(frozen=True, slots=True)
class RosterRow:
    row: int  # line in the file, header = 1
    household_id: str
    name: str
    resident: ResidentId
    relation: str | None
    county_code: str
    township_code: str
    village_code: str
    poverty_status: PovertyStatus
    disability_grade: int | None
    student: bool
    employee_pension: bool
    relocated: bool
    bank_name: str | None = None  # 社保卡开户银行: both or neither
    bank_account: str | None = None

    @property
    def id_number(self) -> str:
        return self.resident.number


@dataclass
class Roster:
    rows: list[RosterRow]
    errors: list[FieldError]
    error_count: int = 0


class RosterFormatError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


def header_map(
    header: list[str], columns: dict[str, tuple[str, ...]], required: Iterable[str]
) -> dict[str, int]:
    lookup = {alias.lower(): col for col, aliases in columns.items() for alias in aliases}
    mapping: dict[str, int] = {}
    errors = []
    for index, raw in enumerate(header):
        column = lookup.get(raw.strip().lstrip("\ufeff").lower())
        if column is None:
            continue  # extra columns are allowed and ignored
        if column in mapping:
            errors.append(FieldError(field=column, reason="column appears twice", row=1))
        mapping[column] = index
    for column in required:
        if column not in mapping:
            errors.append(
                FieldError(
                    field=column,
                    reason="required column missing (accepted headers: "
                    + ", ".join(columns[column])
                    + ")",
                    row=1,
                )
            )
    if errors:
        raise RosterFormatError("the header row is missing required columns", errors)
    return mapping


class ErrorList:
    """Collects errors, keeping the first MAX_ERRORS in full and counting the rest."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []
        self.count = 0

    def add(self, error: FieldError) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)


def parse_roster(rows: Iterator[list[str]], *, today: date) -> Roster:
    """The poverty office's roster (REG-1), ID numbers (REG-3) and division codes (REG-4), as of
    `today` (no one is born after it)."""
    try:
        header = next(rows)
    except StopIteration as exc:
        raise RosterFormatError("file is empty") from exc
    mapping = header_map(header, COLUMNS, REQUIRED)
    valid: list[RosterRow] = []
    errors = ErrorList()
    seen_ids: dict[str, int] = {}
    households: dict[str, RosterRow] = {}
    for line_no, record in enumerate(rows, start=2):
        if not any(cell for cell in record):
            continue
        row = _parse_row(line_no, record, mapping, today, errors)
        if row is None:
            continue
        first = seen_ids.get(row.id_number)
        if first is not None:
            errors.add(
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
        for column in HOUSEHOLD_COLUMNS:
            if getattr(row, column) != getattr(head, column):
                errors.add(
                    FieldError(
                        field=column,
                        reason=f"differs from row {head.row} of the same household "
                        f"({getattr(head, column)})",
                        value=str(getattr(row, column)),
                        row=line_no,
                    )
                )
        valid.append(row)
    if not valid and not errors.count:
        raise RosterFormatError("file has a header but no rows")
    return Roster(rows=valid, errors=errors.items, error_count=errors.count)


def _parse_row(
    line_no: int,
    record: list[str],
    mapping: dict[str, int],
    today: date,
    errors: ErrorList,
) -> RosterRow | None:
    failed = False

    def cell(column: str) -> str:
        index = mapping.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    def fail(column: str, reason: str, value: str | None = None) -> None:
        nonlocal failed
        failed = True
        errors.add(FieldError(field=column, reason=reason, value=value, row=line_no))

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
            # Echoed masked: error reports travel by e-mail and chat.
            fail("id_number", str(exc), mask_id_number(cell("id_number")))
    codes: dict[str, str] = {}
    levels: tuple[tuple[str, DivisionLevel], ...] = (
        ("county_code", "county"),
        ("township_code", "township"),
        ("village_code", "village"),
    )
    for column, level in levels:
        if cell(column):
            try:
                codes[column] = parse_division_code(cell(column), level)
            except InvalidId as exc:
                fail(column, str(exc), cell(column))
    if len(codes) == 3:
        if not codes["township_code"].startswith(codes["county_code"]):
            fail("township_code", f"not in county {codes['county_code']}", codes["township_code"])
        elif not codes["village_code"].startswith(codes["township_code"]):
            fail(
                "village_code",
                f"not in township {codes['township_code']}",
                codes["village_code"],
            )
        else:
            check_hierarchy(codes["county_code"], codes["township_code"], codes["village_code"])
    status = None
    if cell("poverty_status"):
        try:
            status = PovertyStatus.parse(cell("poverty_status"))
        except ValueError as exc:
            fail("poverty_status", str(exc), cell("poverty_status"))
    flags: dict[str, bool] = {}
    for column in ("student", "employee_pension", "relocated"):
        try:
            flags[column] = parse_bool(cell(column))
        except ValueError as exc:
            fail(column, str(exc), cell(column))
    grade = None
    try:
        grade = parse_grade(cell("disability_grade"))
    except ValueError as exc:
        fail("disability_grade", str(exc), cell("disability_grade"))
    bank_name, bank_account = cell("bank_name"), cell("bank_account")
    if bank_account and not BANK_ACCOUNT.fullmatch(bank_account):
        fail("bank_account", "not a bank account number (12-30 digits)", mask_account(bank_account))
    if bool(bank_name) != bool(bank_account):
        missing = "bank_account" if bank_name else "bank_name"
        fail(missing, "the bank and the account number go together: both or neither")
    if len(bank_name) > MAX_NAME:
        fail("bank_name", f"longer than {MAX_NAME} characters")
    if failed or resident is None or status is None:
        return None
    return RosterRow(
        row=line_no,
        household_id=household_id,
        name=name,
        resident=resident,
        relation=cell("relation") or None,
        county_code=codes["county_code"],
        township_code=codes["township_code"],
        village_code=codes["village_code"],
        poverty_status=status,
        disability_grade=grade,
        bank_name=bank_name or None,
        bank_account=bank_account or None,
        **flags,
    )
