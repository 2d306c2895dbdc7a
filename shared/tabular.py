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
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shared.errors import FieldError, InvalidInput, PayloadTooLarge
from shared.ids import mask_id_number

XLSX_MAGIC = b"PK\x03\x04"
# Limits on what an upload may unpack to, checked before any row is parsed. A worksheet written
# by Excel, WPS or openpyxl unpacks to 5-20 times its compressed size, even with every row
# alike (each cell carries its own reference); a zip bomb unpacks to hundreds of times. Small
# parts (styles, themes) may compress further and are left alone.
MAX_UNPACK_RATIO = 100
MAX_UNPACKED_BYTES = 1 << 30  # a 50 MB workbook at 20x
MAX_PARTS = 1000
MAX_ROWS = 1_500_000  # a county roster is under 1M people; XLSX itself stops at 1,048,576
MAX_CELLS_PER_ROW = 500
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
    """Every row (header first) as a list of stripped strings. A file past the limits above is
    refused (413) as soon as that is known: an XLSX before its first row is parsed."""
    if is_xlsx(content, filename):
        check_workbook(content)
        rows: Iterator[list[str]] = _xlsx_rows(content)
    else:
        # Decoded as it is read: the text of a million-row file is several times its bytes.
        text = io.TextIOWrapper(io.BytesIO(content), encoding=text_encoding(content), newline="")
        rows = ([c.strip() for c in row] for row in csv.reader(text))
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS:
            raise PayloadTooLarge(f"the file has more than {MAX_ROWS:,} rows")
        if len(row) > MAX_CELLS_PER_ROW:
            raise PayloadTooLarge(f"row {n} has more than {MAX_CELLS_PER_ROW} cells")
        yield row


def check_workbook(content: bytes) -> None:
    """Refuse an XLSX whose parts would unpack past the limits (a zip bomb), from the sizes its
    zip directory declares: Python's zip reader never inflates a part beyond its declared size,
    so the declaration is a bound, not a claim to trust."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TableFormatError(f"not a readable XLSX workbook: {exc}") from exc
    if len(parts) > MAX_PARTS:
        raise PayloadTooLarge(f"the workbook has more than {MAX_PARTS} parts")
    total = sum(p.file_size for p in parts)
    if total > MAX_UNPACKED_BYTES:
        raise PayloadTooLarge(
            f"the workbook unpacks to {total:,} bytes, more than {MAX_UNPACKED_BYTES:,}"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 1 << 20 and ratio > MAX_UNPACK_RATIO:
            raise PayloadTooLarge(
                f"{part.filename} unpacks to {ratio:.0f} times its packed size (more than "
                f"{MAX_UNPACK_RATIO}); a spreadsheet never does: refused as a zip bomb"
            )


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
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged part shows only when it is read (bad CRC, XML)
                raise TableFormatError(f"not a readable XLSX workbook: {exc}") from exc
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


# Columns holding a division code, and the name column set beside them when the division
# catalogue knows their codes.
_NAMED_COLUMNS = {
    "乡镇": "乡镇名称",
    "乡镇代码": "乡镇名称",
    "行政村": "行政村名称",
    "行政村代码": "行政村名称",
    "村": "行政村名称",
}
_MAX_WIDTH = 50
_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm"
_MONEY_FORMAT = "#,##0.00"


def _xlsx_value(value: Any) -> Any:
    """A cell's value as a spreadsheet keeps it: numbers and dates as such, text escaped and
    masked."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)  # a number cell; two decimals shown by its format
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date | int | float):
        return value
    return safe_cell(_masked("" if value is None else value))


def _text_width(value: Any) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    # A Chinese character takes about two columns of width.
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


def _with_names(headers: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """Sets a name column beside each township or village code column the catalogue knows."""
    from shared.divisions import division_name  # the catalogue is read on first use

    inserts = [
        (i, _NAMED_COLUMNS[h])
        for i, h in enumerate(headers)
        if h in _NAMED_COLUMNS
        and _NAMED_COLUMNS[h] not in headers
        and any(division_name(r[i]) for r in rows if i < len(r))
    ]
    for i, name in reversed(inserts):
        headers.insert(i + 1, name)
        for r in rows:
            r.insert(i + 1, (division_name(r[i]) or "") if i < len(r) else "")
    return headers, rows


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    preamble: Sequence[str] = (),
) -> bytes:
    """A list county staff can use as it opens: dates as dates and amounts as numbers, columns
    wide enough, the header frozen and filterable, repeated on every printed A4 landscape page,
    and the names of townships and villages beside their codes."""
    header_list, body = _with_names(list(headers), [[_xlsx_value(v) for v in row] for row in rows])
    book = Workbook(write_only=True)
    context = EXPORT.get()
    if context is not None:
        book.properties.creator = context.by
        book.properties.lastModifiedBy = context.by
        book.properties.created = context.at.replace(tzinfo=None)
    sheet = book.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "_", title)[:31])
    widths = [_text_width(h) for h in header_list]
    for row in body:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _text_width(value))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, _MAX_WIDTH)
    header_row = len(preamble) + 1
    last = get_column_letter(max(len(header_list), 1))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(body)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for i, line in enumerate(preamble):
        sheet.append([_styled(sheet, safe_cell(line), Font(bold=True, size=14 if i == 0 else 11))])
    sheet.append([_styled(sheet, safe_cell(h), _HEADER_FONT, _HEADER_FILL) for h in header_list])
    for row in body:
        sheet.append([_typed(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def _styled(sheet: Any, value: Any, font: Font, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _typed(sheet: Any, value: Any) -> Any:
    if isinstance(value, float):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _MONEY_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _TIME_FORMAT if isinstance(value, datetime) else _DATE_FORMAT
        return cell
    return value


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
