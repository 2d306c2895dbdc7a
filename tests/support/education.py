"""A 正安 (520324) registry and the education bureau's student register for school year 2018, for
the education-aid tests (EDU-1 to EDU-6): a registered-poor household with a senior high student
at 正安一中, a boarder in primary school and a child of school age in no school; a marginal
household with a senior high student at 正安二中; a student in no registered household."""

from __future__ import annotations

from datetime import date

from shared.ids import make_resident_id
from shared.tabular import write_xlsx

COUNTY = "520324"
TOWNSHIP = "520324100"
VILLAGE = "520324100201"
OTHER_TOWNSHIP = "520324101"
OTHER_VILLAGE = "520324101202"
SCHOOL_YEAR = 2018

PARENT = make_resident_id(COUNTY, date(1975, 3, 1), 21, "M")
HIGH = make_resident_id(COUNTY, date(2002, 10, 5), 22, "F")  # 高二 at 正安一中, registered poor
BOARDER = make_resident_id(COUNTY, date(2009, 4, 9), 23, "M")  # 小学 boarder, registered poor
DROPOUT = make_resident_id(COUNTY, date(2006, 6, 6), 24, "F")  # aged 12, in no school
MARGINAL_HIGH = make_resident_id(COUNTY, date(2002, 1, 15), 25, "M")  # 高三 at 正安二中, 边缘户
OUTSIDER = make_resident_id(COUNTY, date(2003, 2, 2), 26, "F")  # in no registered household
NAMES = {
    PARENT: "教甲",
    HIGH: "教乙",
    BOARDER: "教丙",
    DROPOUT: "教丁",
    MARGINAL_HIGH: "教戊",
    OUTSIDER: "教己",
}

ROSTER = "\n".join(
    [
        "户编号,姓名,证件号码,与户主关系,县,乡镇,行政村,贫困状态",
        f"ZA-E1,{NAMES[PARENT]},{PARENT},户主,{COUNTY},{TOWNSHIP},{VILLAGE},未脱贫",
        f"ZA-E1,{NAMES[HIGH]},{HIGH},子女,{COUNTY},{TOWNSHIP},{VILLAGE},未脱贫",
        f"ZA-E1,{NAMES[BOARDER]},{BOARDER},子女,{COUNTY},{TOWNSHIP},{VILLAGE},未脱贫",
        f"ZA-E1,{NAMES[DROPOUT]},{DROPOUT},子女,{COUNTY},{TOWNSHIP},{VILLAGE},未脱贫",
        f"ZA-E2,{NAMES[MARGINAL_HIGH]},{MARGINAL_HIGH},户主,{COUNTY},{OTHER_TOWNSHIP},"
        f"{OTHER_VILLAGE},边缘户",
    ]
).encode()

REGISTER_HEADER = ["学校", "学段", "年级", "寄宿", "身份证号", "姓名"]
REGISTER_ROWS = [
    ["正安一中", "高中", "高二", "否", HIGH, NAMES[HIGH]],
    ["某镇中心小学", "小学", "四年级", "是", BOARDER, NAMES[BOARDER]],
    ["正安二中", "高中", "高三", "否", MARGINAL_HIGH, NAMES[MARGINAL_HIGH]],
    ["正安一中", "高中", "高一", "否", OUTSIDER, NAMES[OUTSIDER]],
]


def register_csv(rows: list[list[str]] = REGISTER_ROWS) -> bytes:
    return "\n".join(",".join(r) for r in [REGISTER_HEADER, *rows]).encode() + b"\n"


def register_xlsx(rows: list[list[str]] = REGISTER_ROWS) -> bytes:
    return write_xlsx(REGISTER_HEADER, rows, title="在校生名册")
