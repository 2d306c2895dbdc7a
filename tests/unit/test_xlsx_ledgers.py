"""The spreadsheets county staff receive open as a usable ledger: dates are dates and amounts
numbers, columns are wide enough, the header is frozen, filterable and printed on every A4
landscape page, township names stand beside their codes, and no cell runs as a formula."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shared.divisions import county_name, division_name
from shared.tabular import read_rows, write_xlsx
from tests.support.ledger import HEADERS, ROWS


def _sheet(rows: list[list[object]] = ROWS, title: str = "2020养老保险") -> Worksheet:
    content = write_xlsx(HEADERS, rows, title=title, preamble=["姚安县 发放台账", "导出人: x"])
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_dates_are_dates_and_amounts_numbers() -> None:
    sheet = _sheet()
    values = list(sheet.iter_rows(min_row=4, values_only=True))
    assert values[0][4] == 1234.5 and sheet["E4"].number_format == "#,##0.00"
    assert values[0][5] == datetime(2018, 3, 1) and sheet["F4"].number_format == "yyyy-mm-dd"


def test_township_names_stand_beside_their_codes() -> None:
    sheet = _sheet()
    header = [c.value for c in sheet[3]]
    assert header[:2] == ["乡镇", "乡镇名称"]
    names = [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)]
    # A code the catalogue does not know keeps an empty name rather than a guess.
    assert names == ["栋川镇", "大河口乡", None]
    # Villages are known by code only: no empty name column for them.
    assert "行政村名称" not in header


def test_header_frozen_filtered_and_printed_on_every_a4_landscape_page() -> None:
    sheet = _sheet()
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:G6"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == Worksheet.PAPERSIZE_A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_columns_are_wide_enough_for_chinese_text() -> None:
    sheet = _sheet([["532325100", "532325100201", "欧阳某某某某", Decimal("1"), None, None]])
    # Six Chinese characters take about twelve columns.
    assert sheet.column_dimensions["D"].width >= 12
    assert sheet.column_dimensions["A"].width >= len("532325100")


def test_no_cell_runs_as_a_formula() -> None:
    sheet = _sheet()
    notes = [r[6] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert notes[:2] == ["'=SUM(A1:A9)", "'+86 0878"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_sheet_names_are_chinese_and_legal() -> None:
    assert _sheet(title="2020养老保险").title == "2020养老保险"
    assert _sheet(title="台账/2020:一").title == "台账_2020_一"


def test_an_export_reads_back_as_it_was_written() -> None:
    content = write_xlsx(HEADERS, ROWS, title="台账")
    rows = list(read_rows(content, "x.xlsx"))
    assert rows[1][:6] == ["532325100", "栋川镇", "532325100201", "张三", "1234.5", "2018-03-01"]


def test_the_catalogue_names_the_county_and_its_townships() -> None:
    assert county_name("532325") == "姚安县"
    assert division_name("532325105") == "官屯镇"
    assert division_name("532325100201") is None and division_name("") is None
