"""The monthly report as a PNG a county leader reads at a glance: per township (and the county),
the key rates as grouped bars with each rate's target marked on its bar, and below them the
counts whose target is none (labourers with fewer than 3 recommendations, relocated households
with nobody in work).

Drawn with matplotlib's Agg canvas (no pyplot, no display). The Chinese labels use Noto Sans
CJK SC as shipped by the `mplfonts` package; without a CJK font the labels fall back to English
so that no label is drawn as missing-glyph boxes."""

from __future__ import annotations

import importlib.util
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from services.employment.report.figures import MonthlyReport

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
RATES = (  # key, Chinese label, English label
    ("training_rate", "培训覆盖率", "training coverage"),
    ("two_after_rate", "两后生培训覆盖率", "two-after training coverage"),
    ("placement_rate", "培训后就业率", "placement after training"),
    ("post_occupancy", "公益岗位上岗率", "public-post occupancy"),
)
ZEROS = (
    ("below_minimum", "推荐不足3次人数", "labourers < 3 recommendations"),
    ("relocated_without_work", "搬迁户无就业户数", "relocated households, nobody in work"),
)
COLOURS = ("#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd")


@lru_cache(maxsize=1)
def cjk_font() -> FontProperties | None:
    """A font that draws Chinese: the one `mplfonts` ships, else one installed on the system."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.is_file():
            fontManager.addfont(str(path))
            return FontProperties(fname=str(path))
    for entry in fontManager.ttflist:
        if entry.name in CJK_FAMILIES:
            return FontProperties(fname=entry.fname)
    return None


def _pct(value: Decimal | int | None) -> float:
    return 0.0 if value is None else float(value) * 100


def draw(report: MonthlyReport) -> bytes:
    font = cjk_font()
    zh = font is not None
    kw = {"fontproperties": font} if font is not None else {}
    small = font.copy() if font is not None else FontProperties()
    small.set_size(8)
    big = font.copy() if font is not None else FontProperties()
    big.set_size(14)
    areas = [*report.townships, report.total]
    names = [a.code for a in report.townships] + ["全县" if zh else "county"]
    if report.scope:
        names[-1] = "合计" if zh else "total"
    fig = Figure(figsize=(max(8.0, 1.6 * len(areas) + 3), 8.0), dpi=100)
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 1.4))
    width = 0.8 / len(RATES)
    for i, (key, label_zh, label_en) in enumerate(RATES):
        xs = [n + (i - (len(RATES) - 1) / 2) * width for n in range(len(areas))]
        values = [_pct(a.figures[key].value) for a in areas]
        bars = top.bar(
            xs, values, width * 0.95, color=COLOURS[i], label=label_zh if zh else label_en
        )
        for x, bar, area in zip(xs, bars, areas, strict=True):
            figure = area.figures[key]
            if figure.target is not None:
                top.hlines(_pct(figure.target), x - width / 2, x + width / 2, colors="#d62728",
                           linewidth=2.2, zorder=3)  # fmt: skip
            text = "—" if figure.value is None else f"{_pct(figure.value):.0f}"
            top.text(x, bar.get_height() + 1.5, text, ha="center", va="bottom", fontsize=7)
    top.plot([], [], color="#d62728", linewidth=2.2, label="目标" if zh else "target")
    top.set_ylim(0, 118)
    top.set_ylabel("%")
    top.set_xticks(range(len(areas)), names, **kw)
    top.legend(loc="upper center", ncols=5, prop=small, frameon=False,
               bbox_to_anchor=(0.5, 1.0))  # fmt: skip
    top.grid(axis="y", alpha=0.3)
    year, month = report.month.split("-")
    title = (
        f"就业扶贫工作进展月报 {year}年{int(month)}月（截至{report.on.isoformat()}）"
        if zh
        else f"Employment poverty-alleviation monthly report {report.month} (as of {report.on})"
    )
    top.set_title(title, fontproperties=big)
    width = 0.8 / len(ZEROS)
    for i, (key, label_zh, label_en) in enumerate(ZEROS):
        xs = [n + (i - (len(ZEROS) - 1) / 2) * width for n in range(len(areas))]
        values = [int(a.figures[key].value or 0) for a in areas]
        label = f"{label_zh}（目标：0）" if zh else f"{label_en} (target 0)"
        colour = ("#8c564b", "#e377c2")[i]
        bars = bottom.bar(xs, values, width * 0.95, color=colour, label=label)
        for x, bar, v in zip(xs, bars, values, strict=True):
            bottom.text(x, bar.get_height(), str(v), ha="center", va="bottom", fontsize=7)
    bottom.set_xticks(range(len(areas)), names, **kw)
    bottom.legend(prop=small, frameon=False)
    bottom.margins(y=0.25)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
