"""Reading and writing the spreadsheets county staff exchange: CSV (UTF-8 or GB18030) and XLSX.

Exports escape cells that a spreadsheet would run as a formula (=, +, -, @). Within a request the
access policy sets `EXPORT` (shared.access): an XLSX then names who exported it and when in its
document properties, and cells holding a resident ID number are masked for callers who may not
see them in full (the rows stay as they are, so an export can be imported back)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook

from shared.errors import FieldError, InvalidInput
from shared.ids import mask_id_number

XLSX_MAGIC = b"PK\x03\x04"
CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFormatError(ValueError):
    pass


@dataclass(frozen=True)
class ExportContext:
    """Who is exporting, when, and whether ID numbers are shown to them in full."""

    by: str
    at: datetime
    full_ids: bool


EXPORT: ContextVar[ExportContext | None] = ContextVar("export", default=None)
_ID_CELL = re.compile(r"^\d{17}[\dXx]$")


def _masked(value: Any) -> Any:
    context = EXPORT.get()
    if context is None or context.full_ids or not isinstance(value, str):
        return value
    return mask_id_number(value) if _ID_CELL.match(value) else value


def is_xlsx(content: bytes, filename: str = "") -> bool:
    return content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the encoding Chinese spreadsheet exports use."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFormatError("file is neither UTF-8 nor GB18030 text")


def read_rows(content: bytes, filename: str = "") -> Iterator[list[str]]:
    """Every row (header first) as a list of stripped strings."""
    if is_xlsx(content, filename):
        yield from _xlsx_rows(content)
    else:
        # Decoded as it is read: the text of a million-row file is several times its bytes.
        text = io.TextIOWrapper(io.BytesIO(content), encoding=text_encoding(content), newline="")
        yield from ([c.strip() for c in row] for row in csv.reader(text))


def text_encoding(content: bytes) -> str:
    """The encoding `decode_text` would read `content` with, found without holding the text."""
    view = memoryview(content)
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(view), _DECODE_CHUNK):
                decoder.decode(view[start : start + _DECODE_CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise TableFormatError("file is neither UTF-8 nor GB18030 text")


_DECODE_CHUNK = 1 << 20


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise TableFormatError(f"not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def safe_cell(value: Any) -> Any:
    """Neutralise formula injection: text starting with = + - @ (or tab/CR) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM so that Excel on a county PC shows the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(_masked(_plain(v))) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    preamble: Sequence[str] = (),
) -> bytes:
    book = Workbook(write_only=True)
    context = EXPORT.get()
    if context is not None:
        book.properties.creator = context.by
        book.properties.lastModifiedBy = context.by
        book.properties.created = context.at.replace(tzinfo=None)
    sheet = book.create_sheet(title=title[:31])
    for line in preamble:
        sheet.append([line])
    sheet.append(list(headers))
    for row in rows:
        values = []
        for v in row:
            v = _plain(v) if not isinstance(v, Decimal) else float(v)  # a number cell in Excel
            values.append(safe_cell(_masked(v)))
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class RowErrors:
    """Collects the errors of an imported file by row and field, keeping the first `limit` in
    full and counting the rest."""

    def __init__(self, limit: int = 1000) -> None:
        self.items: list[FieldError] = []
        self.count = 0
        self.limit = limit

    def add(self, row: int, field: str, reason: str, value: str | None = None) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(FieldError(field=field, reason=reason, value=value, row=row))


def column_map(
    header: list[str], columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> dict[str, int]:
    """Column name → index from a header row whose cells may be any alias of a column (English
    or Chinese, any case, a BOM on the first); the first occurrence wins. A missing required
    column rejects the file (422, every missing column named)."""
    lookup = {alias.lower(): col for col, aliases in columns.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for index, raw in enumerate(header):
        column = lookup.get(raw.strip().lstrip("\ufeff").lower())
        if column is not None and column not in mapping:
            mapping[column] = index
    missing = [c for c in required if c not in mapping]
    if missing:
        raise InvalidInput(
            "the header row is missing required columns; nothing was imported",
            errors=[
                FieldError(
                    field=c, reason="required column missing: " + " / ".join(columns[c]), row=1
                )
                for c in missing
            ],
        )
    return mapping
