"""A 特困 case's procedure (WEL-5): applied (已申请) → township_reviewed (乡镇已审核) → certified
(县民政局已认定) or rejected (不予认定); support ends (已终止供养) with its reason."""

from __future__ import annotations

from enum import StrEnum

from services.welfare.workflow import Workflow
from shared.roles import Role

WEL_5 = "WEL-5"


class TekunStatus(StrEnum):
    applied = "applied"
    township_reviewed = "township_reviewed"
    certified = "certified"
    rejected = "rejected"
    ended = "ended"


class EndReason(StrEnum):
    deceased = "deceased"  # 死亡
    no_longer_eligible = "no_longer_eligible"  # 不再符合特困供养条件
    moved_away = "moved_away"  # 迁出本县


END_REASON_ZH = {
    EndReason.deceased: "死亡",
    EndReason.no_longer_eligible: "不再符合特困供养条件",
    EndReason.moved_away: "迁出本县",
}
OPEN = (TekunStatus.applied, TekunStatus.township_reviewed, TekunStatus.certified)
SUPPORTED = (TekunStatus.certified.value, TekunStatus.ended.value)

TEKUN_WORKFLOW: Workflow[TekunStatus] = Workflow(
    entity="tekun_case",
    transitions={
        (TekunStatus.applied, TekunStatus.township_reviewed): frozenset({Role.township_officer}),
        (TekunStatus.applied, TekunStatus.rejected): frozenset({Role.township_officer}),
        (TekunStatus.township_reviewed, TekunStatus.certified): frozenset({Role.county_civil}),
        (TekunStatus.township_reviewed, TekunStatus.rejected): frozenset({Role.county_civil}),
        (TekunStatus.certified, TekunStatus.ended): frozenset({Role.county_civil, Role.service}),
        # An applicant who dies before certification: the case is closed by the death event.
        (TekunStatus.applied, TekunStatus.ended): frozenset({Role.service}),
        (TekunStatus.township_reviewed, TekunStatus.ended): frozenset({Role.service}),
    },
    labels_zh={
        TekunStatus.applied: "已申请",
        TekunStatus.township_reviewed: "乡镇已审核",
        TekunStatus.certified: "县民政局已认定",
        TekunStatus.rejected: "不予认定",
        TekunStatus.ended: "已终止供养",
    },
)
