"""Domain vocabulary shared by every service (REG-2 statuses and the like)."""

from __future__ import annotations

from enum import StrEnum


class PovertyStatus(StrEnum):
    """Registry status (REG-2). Exited people keep their benefits (脱贫不脱政策)."""

    not_exited = "not_exited"  # 未脱贫
    exited = "exited"  # 已脱贫
    marginal = "marginal"  # 贫困边缘户 / 边缘户

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
