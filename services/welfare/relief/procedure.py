"""A temporary-relief case's procedure (WEL-6): opened (已受理) → approved (批准救助) or
rejected (不予救助), decided once by county civil affairs (县民政局)."""

from __future__ import annotations

from enum import StrEnum

from services.welfare.workflow import Workflow
from shared.roles import Role

WEL_6 = "WEL-6"


class CaseStatus(StrEnum):
    opened = "opened"  # 已受理
    approved = "approved"  # 批准救助
    rejected = "rejected"  # 不予救助


class CaseSource(StrEnum):
    """Where a case came from."""

    window = "window"  # 乡镇一门受理窗口
    medical_event = "medical_event"  # 医保: 90% 后仍困难 (MED-4)
    disaster_declaration = "disaster_declaration"  # 自然灾害
    childbirth = "childbirth"  # 住院分娩
    relocation = "relocation"  # 易地扶贫搬迁
    spending_detector = "spending_detector"  # 必需支出 3 倍连续 3 个月


STATUS_ZH = {
    CaseStatus.opened: "已受理",
    CaseStatus.approved: "批准救助",
    CaseStatus.rejected: "不予救助",
}

COUNTY = frozenset({Role.county_civil})
CASE = Workflow[CaseStatus](
    entity="relief_case",
    transitions={
        (CaseStatus.opened, CaseStatus.approved): COUNTY,
        (CaseStatus.opened, CaseStatus.rejected): COUNTY,
    },
    labels_zh=STATUS_ZH,
)

OPENERS = (Role.township_officer, Role.village_cadre)
READERS = (
    Role.village_cadre,
    Role.township_officer,
    Role.county_civil,
    Role.county_poverty,
    Role.auditor,
    Role.service,
)
