"""The dibao application's procedure (WEL-1) as a table of steps and who takes each, and the
standing of a household on dibao.

submitted → accepted | refused (township, 乡镇受理 / 不予受理) → reviewed (township, 家庭经济状况
核查) → approved | rejected (county civil affairs, 县民政局审批) → in_notice (公示, township or
county) → active (county, after the notice period with every objection resolved) or rejected
(county, when an objection was upheld)."""

from __future__ import annotations

from enum import StrEnum

from services.welfare.workflow import Workflow
from shared.roles import Role


class ApplicationStatus(StrEnum):
    submitted = "submitted"  # 已申请
    accepted = "accepted"  # 乡镇已受理
    refused = "refused"  # 不予受理
    reviewed = "reviewed"  # 家庭经济状况已核查
    approved = "approved"  # 县民政局审批同意
    rejected = "rejected"  # 审批不同意
    in_notice = "in_notice"  # 公示中
    active = "active"  # 已纳入低保


STATUS_ZH = {
    ApplicationStatus.submitted: "已申请",
    ApplicationStatus.accepted: "乡镇已受理",
    ApplicationStatus.refused: "不予受理",
    ApplicationStatus.reviewed: "家庭经济状况已核查",
    ApplicationStatus.approved: "县民政局审批同意",
    ApplicationStatus.rejected: "审批不同意",
    ApplicationStatus.in_notice: "公示中",
    ApplicationStatus.active: "已纳入低保",
}

A = ApplicationStatus
TOWNSHIP = frozenset({Role.township_officer})
COUNTY = frozenset({Role.county_civil})

APPLICATION = Workflow[ApplicationStatus](
    entity="dibao_application",
    transitions={
        (A.submitted, A.accepted): TOWNSHIP,
        (A.submitted, A.refused): TOWNSHIP,
        (A.accepted, A.reviewed): TOWNSHIP,
        (A.reviewed, A.approved): COUNTY,
        (A.reviewed, A.rejected): COUNTY,
        (A.approved, A.in_notice): TOWNSHIP | COUNTY,
        (A.in_notice, A.active): COUNTY,
        (A.in_notice, A.rejected): COUNTY,
    },
    labels_zh=STATUS_ZH,
)

# Who may submit an application on a household's behalf (村代办 or the township window).
SUBMITTERS = (Role.village_cadre, Role.township_officer)
READERS = (
    Role.village_cadre,
    Role.township_officer,
    Role.county_civil,
    Role.county_poverty,
    Role.auditor,
    Role.service,
)


ACTIVE, GRADUAL_EXIT, ENDED = "active", "gradual_exit", "ended"
ON_DIBAO = (ACTIVE, GRADUAL_EXIT)


class CaseStatus(StrEnum):
    """A dibao household's standing; changes are workflow steps so one audit trail tells its
    whole story."""

    active = ACTIVE
    gradual_exit = GRADUAL_EXIT
    ended = ENDED


CASE = Workflow[CaseStatus](
    entity="dibao_case",
    transitions={},
    labels_zh={
        CaseStatus.active: "在保",
        CaseStatus.gradual_exit: "渐退期",
        CaseStatus.ended: "已退出",
    },
)
