"""A short payment ledger with the cells exports must get right: amounts, dates, township codes
(one the catalogue does not know) and text a spreadsheet would run as a formula."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

HEADERS = ["乡镇", "行政村", "姓名", "金额", "发放日期", "备注"]
ROWS = [
    ["532325100", "532325100201", "张三", Decimal("1234.50"), date(2018, 3, 1), "=SUM(A1:A9)"],
    ["532325202", "532325202203", "李四", Decimal("80.00"), date(2018, 3, 2), "+86 0878"],
    ["532325999", "532325999201", "王五", Decimal("0.10"), date(2018, 3, 3), None],
]
