"""An upload cannot stop a service: a zip bomb (a small XLSX whose sheet unpacks to hundreds of
thousands of rows) is refused with a 413 from its zip directory, before any row is parsed, while
a normal import sent at the same moment is taken; a damaged workbook is a 422, never a 500."""

from __future__ import annotations

import asyncio
import io
import zipfile

import pytest

from services.enrollment.main import build_app as enrollment_app
from shared.roles import Role
from shared.tabular import MAX_UNPACK_RATIO, write_xlsx
from tests.support.app import make_settings, running, token
from tests.support.roster import HEADER_ZH, roster_csv, roster_rows

pytestmark = pytest.mark.integration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(rows: list[list[str]]) -> bytes:
    return write_xlsx(HEADER_ZH.split(","), rows, title="名册")


def _bomb(rows: int = 600_000) -> bytes:
    """A valid workbook whose sheet is replaced by `rows` identical rows: a few KB packed."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows
        + "</sheetData></worksheet>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(_workbook(roster_rows(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in source.infolist():
            data = sheet if part.filename.endswith("sheet1.xml") else source.read(part)
            bomb.writestr(part.filename, data, compresslevel=9)
    return out.getvalue()


def _damaged() -> bytes:
    """A workbook whose sheet's checksum does not match: found only when the sheet is read."""
    content = bytearray(_workbook(roster_rows(40)))
    info = next(
        i for i in zipfile.ZipFile(io.BytesIO(content)).infolist() if "sheet1" in i.filename
    )
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    content[start + info.compress_size // 2] ^= 0xFF
    return bytes(content)


def test_the_bomb_is_what_it_claims() -> None:
    bomb = _bomb()
    [sheet] = [i for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist() if "sheet1" in i.filename]
    assert len(bomb) < 100_000 and sheet.file_size > 20_000_000
    assert sheet.file_size / sheet.compress_size > MAX_UNPACK_RATIO


async def test_a_zip_bomb_is_refused_while_a_normal_import_goes_through(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    poverty = token(settings, Role.county_poverty)
    async with running(enrollment_app(settings)) as client:
        bomb, normal = await asyncio.gather(
            client.post(
                "/v1/registry/imports",
                files={"file": ("名册.xlsx", _bomb(), XLSX)},
                headers=poverty,
            ),
            client.post(
                "/v1/registry/imports",
                files={"file": ("r.csv", roster_csv(roster_rows(8)))},
                headers=poverty,
            ),
        )
        assert bomb.status_code == 413, bomb.text
        assert "zip bomb" in bomb.json()["detail"]
        assert normal.status_code == 201, normal.text
        # A workbook within the limits is read as before.
        rows = roster_rows(12, seed=2)
        ok = await client.post(
            "/v1/registry/imports",
            files={"file": ("名册.xlsx", _workbook(rows), XLSX)},
            headers=poverty,
        )
        assert ok.status_code == 201, ok.text
        damaged = await client.post(
            "/v1/registry/imports",
            files={"file": ("名册.xlsx", _damaged(), XLSX)},
            headers=poverty,
        )
        assert damaged.status_code == 422, damaged.text
