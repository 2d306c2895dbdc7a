"""The appraisal indicators as a spreadsheet for county staff (Chinese headers), one row per
township and the county total, the definitions above the table."""

from __future__ import annotations

from decimal import Decimal

from services.welfare.appraisal.schemas import AreaOut, IndicatorsOut
from shared.tabular import write_xlsx

HEADERS = (
    "乡镇代码",
    "低保户数",
    "低保人数",
    "低保标准（元/人/年）",
    "对象准确率",
    "交叉比对存疑户数",
    "补差水平（元/人/月）",
    "补差占月标准比例",
    "A类户占比",
    "B类户占比",
    "C类户占比",
)


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


def _row(a: AreaOut, out: IndicatorsOut) -> list[object]:
    return [
        a.code,
        a.households,
        a.persons,
        out.standard.annual,
        _pct(a.accuracy.value),
        "" if a.accuracy.flagged is None else a.accuracy.flagged,
        "" if a.topup.per_person_monthly is None else a.topup.per_person_monthly,
        _pct(a.topup.share_of_standard),
        *(_pct(a.categories[c].share) for c in ("A", "B", "C")),
    ]


def write_indicators(out: IndicatorsOut) -> bytes:
    preamble = [
        f"低保考核指标 {out.county_code} {out.on.isoformat()}",
        *(f"{rule}: {text}" for rule, text in out.definitions.items()),
    ]
    rows = [_row(a, out) for a in out.townships]
    rows.append(_row(out.total, out))
    return write_xlsx(HEADERS, rows, title="考核指标", preamble=preamble)
