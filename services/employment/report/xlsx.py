"""The monthly report as one XLSX sheet for the county leader (月度进展表): one row per township
and the county total, Chinese headers, rates as percentages, and for each figure with a target
whether it is met (是 / 否)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.employment.plan.schemas import TargetOut
from services.employment.report.figures import SPECS, Area, Kind, MonthlyReport, Spec
from shared.tabular import safe_cell

TITLE = "就业扶贫工作进展月报"
SERVICE_ZH = {
    "enrollment": "参保（人社）",
    "medical": "医保",
    "employment": "就业（人社）",
    "welfare": "民政",
}


def headers() -> list[str]:
    out = ["乡镇"]
    for spec in SPECS:
        out.append(spec.zh)
        if spec.compare is not None:
            out.append(f"{spec.zh}是否达标")
    return out


def target_text(spec: Spec, target: int | Decimal | None) -> str:
    if target is None:
        return ""
    shown = f"{Decimal(target) * 100:.0f}%" if spec.kind is Kind.rate else str(target)
    return f"{spec.zh}{'≥' if spec.compare and spec.compare.value == '>=' else '≤'}{shown}"


def _row(label: str, area: Area) -> list[object]:
    row: list[object] = [label]
    for spec in SPECS:
        figure = area.figures[spec.key]
        value = figure.value
        row.append(float(value) if isinstance(value, Decimal) else value)
        if spec.compare is not None:
            row.append("" if figure.met is None else ("是" if figure.met else "否"))
    return row


TARGET_HEADERS = [
    "目标编号",
    "目标任务",
    "依据",
    "牵头部门",
    "完成时限",
    "目标值",
    "当前值",
    "截止时值",
    "状态",
    "是否逾期",
    "逾期乡镇",
]


def _shown(value: Decimal | None, unit: str) -> object:
    if value is None:
        return ""
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "done":
        return "已完成" if value >= 1 else "未完成"
    return int(value)


def _targets_sheet(book: Workbook, targets: list[TargetOut], unavailable: dict[str, str]) -> None:
    """The county plan's targets (目标任务, PLAN-1): value against target, due date, late."""
    sheet = book.create_sheet("目标任务")
    sheet.append(["县级方案目标任务完成情况（PLAN-1）"])
    sheet.append(TARGET_HEADERS)
    for t in targets:
        target = t.target if t.unit != "done" else Decimal(1)
        sheet.append(
            [
                safe_cell(v)
                for v in (
                    t.id,
                    t.title_zh,
                    t.citation,
                    t.lead,
                    t.due.isoformat(),
                    _shown(target, t.unit),
                    _shown(t.value, t.unit),
                    _shown(t.value_at_due, t.unit),
                    t.status_zh,
                    "是" if t.late else "否",
                    "、".join(t.late_townships),
                )
            ]
        )
    for service, why in unavailable.items():
        sheet.append([safe_cell(f"（{SERVICE_ZH.get(service, service)}目标未取得：{why}）")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 40


def write_report(
    report: MonthlyReport,
    plan_targets: list[TargetOut] | None = None,
    unavailable: dict[str, str] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "月度进展"
    year, month = report.month.split("-")
    sheet.append(
        [f"{TITLE}（{year}年{int(month)}月，截至{report.on.isoformat()}，县{report.county}）"]
    )
    targets = [
        target_text(s, report.total.figures[s.key].target) for s in SPECS if s.compare is not None
    ]
    sheet.append(["目标：" + "；".join(t for t in targets if t) + "（EMP-2、EMP-3、EMP-4、EMP-8）"])
    head = headers()
    sheet.append(head)
    for area in report.townships:
        sheet.append([safe_cell(v) for v in _row(area.code, area)])
    total_label = "全县合计" if not report.scope else "合计"
    sheet.append(_row(total_label, report.total))
    rate_columns = {
        i + 1 for i, h in enumerate(head) if h in {s.zh for s in SPECS if s.kind is Kind.rate}
    }
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if cell.column in rate_columns:
                cell.number_format = "0.0%"
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 12
    sheet.freeze_panes = "B4"
    _targets_sheet(book, plan_targets or [], unavailable or {})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
