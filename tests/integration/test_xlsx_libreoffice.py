"""The XLSX exports open in LibreOffice as county staff would open them: converted headless to
PDF (one A4 landscape page for a short ledger) and to flat ODS, where LibreOffice shows what it
read: dates as dates, amounts as numbers, and no formula from a cell's text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shared.tabular import write_xlsx
from tests.support.ledger import HEADERS, ROWS
from tests.support.libreoffice import A4_LANDSCAPE, convert

pytestmark = pytest.mark.integration

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _ledger() -> bytes:
    return write_xlsx(
        HEADERS, ROWS, title="2020养老保险", preamble=["姚安县 发放台账", "导出人: x"]
    )


def _cells(fods: bytes) -> list[list[tuple[str, str, str]]]:
    """Each row's cells as (value type, value, text) as LibreOffice holds them."""
    rows = []
    for row in ET.fromstring(fods).iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            kind = cell.get(f"{{{OFFICE}}}value-type", "")
            value = cell.get(f"{{{OFFICE}}}date-value") or cell.get(f"{{{OFFICE}}}value") or ""
            text = "".join(p.text or "" for p in cell.iter(f"{{{TEXT}}}p"))
            cells.append((kind, value, text))
        rows.append(cells)
    return rows


def test_a_ledger_prints_on_a4_landscape(tmp_path: Path) -> None:
    pdf = convert(_ledger(), "pdf", tmp_path)
    assert pdf.startswith(b"%PDF")
    boxes = {
        (round(float(w), 2), round(float(h), 2))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    }
    assert boxes == {A4_LANDSCAPE}


def test_libreoffice_reads_dates_as_dates_and_amounts_as_numbers(tmp_path: Path) -> None:
    fods = convert(_ledger(), "fods", tmp_path)
    rows = [r for r in _cells(fods) if any(kind for kind, _, _ in r)]
    header = [text for _, _, text in rows[2]]
    assert header[:3] == ["乡镇", "乡镇名称", "行政村"]
    amount, paid, note = header.index("金额"), header.index("发放日期"), header.index("备注")
    lines = rows[3:6]
    assert [r[paid][:2] for r in lines] == [
        ("date", "2018-03-01"),
        ("date", "2018-03-02"),
        ("date", "2018-03-03"),
    ]
    assert [r[amount][:2] for r in lines] == [
        ("float", "1234.5"),
        ("float", "80"),
        ("float", "0.1"),
    ]
    # The text a spreadsheet would run as a formula is shown with its neutralising quote, and
    # nothing became a formula.
    assert lines[0][note] == ("string", "", "'=SUM(A1:A9)")
    assert b"table:formula" not in fods
    assert b'style:print-orientation="landscape"' in fods
