"""Reading and validating an insurance roll. Pure: rows in, validated lines and errors out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from services.enrollment.registry.roster import ErrorList, RosterFormatError, header_map
from services.enrollment.rolls.schemas import Scheme
from shared.errors import FieldError
from shared.ids import InvalidId, mask_id_number, parse_resident_id
from shared.parsing import parse_bool, parse_int

COLUMNS: dict[Scheme, dict[str, tuple[str, ...]]] = {
    "pension": {
        "id_number": ("id_number", "证件号码", "身份证号码", "身份证号"),
        "year": ("year", "年度", "缴费年度"),
        "tier": ("tier", "缴费档次", "档次"),
        "paid": ("paid", "是否缴费", "已缴费"),
        "drawing": ("drawing", "领取待遇", "是否领取待遇"),
    },
    "medical": {
        "id_number": ("id_number", "证件号码", "身份证号码", "身份证号"),
        "year": ("year", "年度", "缴费年度"),
        "paid": ("paid", "是否缴费", "已缴费"),
        "critical_illness": ("critical_illness", "大病保险"),
    },
}


@dataclass(frozen=True, slots=True)
class RollLine:
    row: int
    id_number: str
    year: int
    paid: bool
    tier: int | None = None
    critical_illness: bool | None = None
    drawing: bool = False


@dataclass
class Roll:
    lines: list[RollLine]
    errors: list[FieldError]
    error_count: int


def parse_roll(
    scheme: Scheme, rows: Iterator[list[str]], *, allowed_tiers: frozenset[int] | None = None
) -> Roll:
    try:
        header = next(rows)
    except StopIteration as exc:
        raise RosterFormatError("file is empty") from exc
    columns = COLUMNS[scheme]
    mapping = header_map(header, columns, tuple(c for c in columns if c != "drawing"))
    errors = ErrorList()
    lines: list[RollLine] = []
    seen: dict[tuple[str, int], int] = {}
    for line_no, record in enumerate(rows, start=2):
        if not any(record):
            continue

        def cell(column: str, record: list[str] = record) -> str:
            index = mapping.get(column)
            return record[index].strip() if index is not None and index < len(record) else ""

        failed = False

        def fail(column: str, reason: str, value: str | None = None, line: int = line_no) -> None:
            nonlocal failed
            failed = True
            errors.add(FieldError(field=column, reason=reason, value=value, row=line))

        number = ""
        try:
            number = parse_resident_id(cell("id_number")).number
        except InvalidId as exc:
            fail("id_number", str(exc), mask_id_number(cell("id_number")))
        year = 0
        try:
            year = parse_int(cell("year"), 2000, 2100)
        except ValueError as exc:
            fail("year", str(exc), cell("year"))
        paid = False
        try:
            paid = parse_bool(cell("paid"))
        except ValueError as exc:
            fail("paid", str(exc), cell("paid"))
        tier = None
        critical = None
        drawing = False
        if scheme == "pension":
            try:
                drawing = parse_bool(cell("drawing"))
            except ValueError as exc:
                fail("drawing", str(exc), cell("drawing"))
            try:
                tier = parse_int(cell("tier"), 1, 100_000)
                if allowed_tiers is not None and tier not in allowed_tiers:
                    fail("tier", f"not a contribution tier ({sorted(allowed_tiers)})", cell("tier"))
            except ValueError as exc:
                fail("tier", str(exc), cell("tier"))
        else:
            try:
                critical = parse_bool(cell("critical_illness"))
            except ValueError as exc:
                fail("critical_illness", str(exc), cell("critical_illness"))
        if failed:
            continue
        first = seen.get((number, year))
        if first is not None:
            fail("id_number", f"same person and year as row {first}", mask_id_number(number))
            continue
        seen[(number, year)] = line_no
        lines.append(RollLine(line_no, number, year, paid, tier, critical, drawing))
    if not lines and not errors.count:
        raise RosterFormatError("file has a header but no rows")
    return Roll(lines=lines, errors=errors.items, error_count=errors.count)
