"""Reading and validating the poverty office's roster (REG-1, REG-3, REG-4). Pure: rows in,
validated rows and errors out. A roster with any invalid row is rejected whole."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    read_resident_id,
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
    reader = RosterReader(today)
    valid = list(reader.validate(rows))
    return Roster(rows=valid, errors=reader.errors.items, error_count=reader.errors.count)


class RosterReader:
    """A roster read as it streams (REG-1, REG-3, REG-4): `validate` yields the valid rows and
    keeps the errors, the ID numbers seen (a person listed twice) and each household's first row
    (members must agree); `reread` reads the same file again, once it has been found valid,
    without those checks. Neither holds the rows."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.errors = ErrorList()
        self.id_rows: dict[str, int] = {}  # ID number -> its row
        self._households: dict[str, tuple[Any, ...]] = {}  # household id -> its first row's
        self._parse = _RowParser(today)

    def validate(self, rows: Iterator[list[str]]) -> Iterator[RosterRow]:
        mapping = _header(rows)
        errors, seen_ids, households = self.errors, self.id_rows, self._households
        valid = 0
        for line_no, record in enumerate(rows, start=2):
            if not any(cell for cell in record):
                continue
            row = self._parse(line_no, record, mapping, errors)
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
            facts = (row.row, *(getattr(row, column) for column in HOUSEHOLD_COLUMNS))
            head = households.setdefault(row.household_id, facts)
            if head is not facts:
                for value, (column, first_value) in zip(
                    facts[1:], zip(HOUSEHOLD_COLUMNS, head[1:], strict=True), strict=True
                ):
                    if value != first_value:
                        errors.add(
                            FieldError(
                                field=column,
                                reason=f"differs from row {head[0]} of the same household "
                                f"({first_value})",
                                value=str(value),
                                row=line_no,
                            )
                        )
            valid += 1
            yield row
        if not valid and not errors.count:
            raise RosterFormatError("file has a header but no rows")

    def reread(self, rows: Iterator[list[str]]) -> Iterator[RosterRow]:
        """The rows of a file `validate` found valid, again."""
        mapping = _header(rows)
        for line_no, record in enumerate(rows, start=2):
            if any(cell for cell in record):
                yield self._parse.again(line_no, record, mapping)


def _header(rows: Iterator[list[str]]) -> dict[str, int]:
    try:
        header = next(rows)
    except StopIteration as exc:
        raise RosterFormatError("file is empty") from exc
    return header_map(header, COLUMNS, REQUIRED)


class _RowParser:
    """One row's cells to a RosterRow, its errors added to the list. The few distinct values of
    the coded columns (divisions, status, flags, grade) are parsed once per file."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.codes: dict[tuple[str, DivisionLevel], str | InvalidId] = {}
        self.statuses: dict[str, PovertyStatus | ValueError] = {}
        self.flags: dict[str, bool | ValueError] = {}
        self.grades: dict[str, int | ValueError | None] = {}

    def __call__(
        self, line_no: int, record: list[str], mapping: dict[str, int], errors: ErrorList
    ) -> RosterRow | None:
        width = len(record)
        cells = {c: record[i].strip() for c, i in mapping.items() if i < width}
        cell = cells.get
        failed = False

        def fail(column: str, reason: str, value: str | None = None) -> None:
            nonlocal failed
            failed = True
            errors.add(FieldError(field=column, reason=reason, value=value, row=line_no))

        for column in REQUIRED:
            if not cell(column):
                fail(column, "is empty")
        household_id = cell("household_id", "")
        if len(household_id) > MAX_HOUSEHOLD_ID:
            fail("household_id", f"longer than {MAX_HOUSEHOLD_ID} characters", household_id[:50])
        name = cell("name", "")
        if len(name) > MAX_NAME:
            fail("name", f"longer than {MAX_NAME} characters")
        resident = None
        raw_id = cell("id_number", "")
        if raw_id:
            try:
                resident = parse_resident_id(raw_id, today=self.today)
            except InvalidId as exc:
                # Echoed masked: error reports travel by e-mail and chat.
                fail("id_number", str(exc), mask_id_number(raw_id))
        codes: dict[str, str] = {}
        for column, level in _LEVELS:
            raw = cell(column, "")
            if raw:
                code = self.codes.get((raw, level))
                if code is None:
                    try:
                        code = parse_division_code(raw, level)
                    except InvalidId as exc:
                        code = exc
                    self.codes[(raw, level)] = code
                if isinstance(code, InvalidId):
                    fail(column, str(code), raw)
                else:
                    codes[column] = code
        if len(codes) == 3:
            if not codes["township_code"].startswith(codes["county_code"]):
                fail(
                    "township_code", f"not in county {codes['county_code']}", codes["township_code"]
                )
            elif not codes["village_code"].startswith(codes["township_code"]):
                fail(
                    "village_code",
                    f"not in township {codes['township_code']}",
                    codes["village_code"],
                )
            else:
                check_hierarchy(codes["county_code"], codes["township_code"], codes["village_code"])
        status = None
        raw_status = cell("poverty_status", "")
        if raw_status:
            parsed = self.statuses.get(raw_status)
            if parsed is None:
                try:
                    parsed = PovertyStatus.parse(raw_status)
                except ValueError as exc:
                    parsed = exc
                self.statuses[raw_status] = parsed
            if isinstance(parsed, ValueError):
                fail("poverty_status", str(parsed), raw_status)
            else:
                status = parsed
        flags: dict[str, bool] = {}
        for column in ("student", "employee_pension", "relocated"):
            raw = cell(column, "")
            flag = self.flags.get(raw)
            if flag is None:
                try:
                    flag = parse_bool(raw)
                except ValueError as exc:
                    flag = exc
                self.flags[raw] = flag
            if isinstance(flag, ValueError):
                fail(column, str(flag), raw)
            else:
                flags[column] = flag
        raw_grade = cell("disability_grade", "")
        if raw_grade in self.grades:
            grade = self.grades[raw_grade]
        else:
            try:
                grade = parse_grade(raw_grade)
            except ValueError as exc:
                grade = exc
            self.grades[raw_grade] = grade
        if isinstance(grade, ValueError):
            fail("disability_grade", str(grade), raw_grade)
            grade = None
        bank_name, bank_account = cell("bank_name", ""), cell("bank_account", "")
        if bank_account and not BANK_ACCOUNT.fullmatch(bank_account):
            reason = "not a bank account number (12-30 digits)"
            fail("bank_account", reason, mask_account(bank_account))
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

    def again(self, line_no: int, record: list[str], mapping: dict[str, int]) -> RosterRow:
        """A row this parser found valid before, read again without its checks (the coded
        columns' values come from what the first reading parsed)."""
        width = len(record)
        cells = {c: record[i].strip() for c, i in mapping.items() if i < width}
        cell = cells.get
        try:
            county, township, village = (self.codes[(cell(c, ""), lv)] for c, lv in _LEVELS)
            status = self.statuses[cell("poverty_status", "")]
            student, pension, relocated = (
                self.flags[cell(c, "")] for c in ("student", "employee_pension", "relocated")
            )
            grade = self.grades[cell("disability_grade", "")]
        except KeyError:
            county = None  # not read before: read with the checks
        if not (
            isinstance(county, str)
            and isinstance(township, str)
            and isinstance(village, str)
            and isinstance(status, PovertyStatus)
            and isinstance(student, bool)
            and isinstance(pension, bool)
            and isinstance(relocated, bool)
            and (grade is None or isinstance(grade, int))
        ):
            row = self(line_no, record, mapping, ErrorList())
            if row is None:
                raise RosterFormatError(f"row {line_no} is not the row that was validated")
            return row
        return RosterRow(
            row=line_no,
            household_id=cell("household_id", ""),
            name=cell("name", ""),
            resident=read_resident_id(cell("id_number", "")),
            relation=cell("relation") or None,
            county_code=county,
            township_code=township,
            village_code=village,
            poverty_status=status,
            disability_grade=grade,
            bank_name=cell("bank_name") or None,
            bank_account=cell("bank_account") or None,
            student=student,
            employee_pension=pension,
            relocated=relocated,
        )


_LEVELS: tuple[tuple[str, DivisionLevel], ...] = (
    ("county_code", "county"),
    ("township_code", "township"),
    ("village_code", "village"),
)
