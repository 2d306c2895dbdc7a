"""A list exported for county staff, marked with who exported it and when: the file (XLSX with
the marking above the table, or CSV) and the HTTP answer that carries it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fastapi.responses import Response

from shared.header_values import content_disposition, ext_value
from shared.tabular import CSV_MEDIA, XLSX_MEDIA, write_csv, write_xlsx
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class Export:
    """An export file and how it is labelled: who exported it and when."""

    body: bytes
    media_type: str
    filename: str
    exported_by: str
    exported_at: str


def marked_export(
    uow: UnitOfWork,
    headers: Sequence[str],
    rows: list[list[Any]],
    *,
    format: Literal["xlsx", "csv"] | str,
    filename: str,
    sheet: str,
    title: str,
) -> Export:
    """The rows as CSV, or as XLSX under `title` and a line naming the exporter and the time."""
    stamp = uow.now().strftime("%Y-%m-%d %H:%M UTC")
    subject = uow.principal.subject
    if format == "csv":
        body, media = write_csv(headers, rows), CSV_MEDIA
    else:
        marking = f"导出人: {subject}  导出时间: {stamp}"
        body = write_xlsx(headers, rows, title=sheet, preamble=[title, marking])
        media = XLSX_MEDIA
    return Export(
        body=body, media_type=media, filename=filename, exported_by=subject, exported_at=stamp
    )


def export_response(found: Export) -> Response:
    """The file as an attachment, with who exported it and when in the headers."""
    return Response(
        found.body,
        media_type=found.media_type,
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "X-Exported-By": ext_value(found.exported_by),
            "X-Exported-At": found.exported_at,
        },
    )
