"""Request and response models of the enrollment targets (PLAN-1, PLAN-2) and of the pension
ledger copies (参保信息台账一式三份)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from shared.ids import TownshipCode, VillageCode
from shared.plan.schemas import TargetOut, TargetsOut, TownshipProgressOut

__all__ = [
    "Holder",
    "LedgerCopyIn",
    "LedgerCopyOut",
    "TargetOut",
    "TargetsOut",
    "TownshipProgressOut",
]


class Holder(StrEnum):
    township = "township"  # 乡镇人民政府保存一份
    village = "village"  # 各村留一份
    county = "county"  # 交县人社局城居保中心一份


class LedgerCopyIn(BaseModel):
    year: int = Field(ge=2014, le=2100)
    township_code: TownshipCode
    holder: Holder
    village_code: VillageCode | None = Field(default=None, description="for a village's copy")
    handed_on: date
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _village(self) -> LedgerCopyIn:
        if (self.holder == Holder.village) != (self.village_code is not None):
            raise ValueError("village_code is given for a village's copy, and only then")
        if self.village_code is not None and not self.village_code.startswith(self.township_code):
            raise ValueError("village_code is not in township_code")
        return self


class LedgerCopyOut(BaseModel):
    id: int
    year: int
    county_code: str
    township_code: str
    holder: str
    village_code: str
    handed_on: date
    note: str
