"""Domain vocabulary shared by every service (REG-2 statuses and the like)."""

from __future__ import annotations

from enum import StrEnum


class PovertyStatus(StrEnum):
    """Registry status (REG-2). Exited people keep their benefits (脱贫不脱政策)."""

    not_exited = "not_exited"  # 未脱贫
    exited = "exited"  # 已脱贫
    marginal = "marginal"  # 贫困边缘户 / 边缘户

    @property
    def is_registered_poor(self) -> bool:
        """建档立卡: in the poverty registry as a poor person (not exited, or exited and keeping
        the policies, 脱贫不脱政策). A marginal household (边缘户) is not registered poor: the seeds
        extend a rule to it only where they name it (建档立卡贫困边缘户, YA-GOV §三(七), WEL-6
        essential spending); every other rule that says 建档立卡/贫困人口 leaves it out (the rules
        map, docs/rules.md, gives the answer per rule)."""
        return self is not PovertyStatus.marginal

    @property
    def label_zh(self) -> str:
        return POVERTY_STATUS_ZH[self]

    @classmethod
    def parse(cls, raw: str) -> PovertyStatus:
        """Accept the English value or the roster's Chinese wording."""
        value = raw.strip()
        for status, label in POVERTY_STATUS_ZH.items():
            if value in (status.value, label) or value in POVERTY_STATUS_ALIASES.get(status, ()):
                return status
        raise ValueError(
            f"unknown poverty status {raw!r}; expected one of "
            + ", ".join(f"{s.value}/{POVERTY_STATUS_ZH[s]}" for s in cls)
        )


POVERTY_STATUS_ZH = {
    PovertyStatus.not_exited: "未脱贫",
    PovertyStatus.exited: "已脱贫",
    PovertyStatus.marginal: "边缘户",
}
POVERTY_STATUS_ALIASES = {PovertyStatus.marginal: ("贫困边缘户",)}
