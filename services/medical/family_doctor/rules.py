"""Family-doctor signing of the registered poor with one of the 36 chronic diseases (家庭医生签约
服务, MED-12): who must be signed, the contract period, the indicators a follow-up visit records,
when a follow-up is overdue and the signing rate against the target.

Pure functions: facts and `Params` in, a result and a `Trace` out. No database, clock or I/O.

Reading of the seed (ZA-GOV §三(二)3)
-----------------------------------
"组建县、乡、村家庭医生签约服务团队，入户对农村建档立卡贫困人口中患有36种慢性病的患者开展随访，监测记录
有关指标情况 … 确保农村建档立卡贫困人口慢病患者家庭医生签约服务率达到100":

- Who: 建档立卡贫困人口 with one of the 36 chronic diseases. Exited people keep the policy
  (REG-2, 脱贫不脱政策) and are counted; a marginal household (边缘户) is not 建档立卡.
- The 36 diseases are not named in the seed: the list with its ICD-10 codes is the illustrative
  parameter medical.chronic36.diseases (each disease in a group whose indicators a visit records).
- Teams are at county, township or village level (县、乡、村); a team signs patients living in its
  division.
- 签约服务率达到100: the seed text lost the per-cent sign (an image in the source); read as 100%
  of the chronic patients who must be signed, measured per township, a signing counting while in
  force on the day asked. The seed gives no contract period and no visit frequency
  (illustrative parameters).
- 入户 … 随访: a follow-up counts toward the frequency only when made at the patient's home;
  visits elsewhere are recorded but do not reset the clock.
- 监测记录有关指标情况: the indicators of each group (a table here, with plausible ranges) are
  required at every visit of a patient with a disease of that group; values outside the range
  are refused as mistyped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Any

from shared.domain import PovertyStatus
from shared.trace import Params, Trace

MED_12 = "MED-12"

P_DISEASES = "medical.chronic36.diseases"
P_TARGET = "medical.family_doctor.signing_rate_target"
P_CONTRACT_MONTHS = "medical.family_doctor.contract_months"
P_FOLLOW_UP_DAYS = "medical.family_doctor.follow_up_interval_days"


class TeamLevel(StrEnum):
    """Level of a family-doctor team (县、乡、村家庭医生签约服务团队), by its division's digits."""

    county = "county"  # 县
    township = "township"  # 乡
    village = "village"  # 村

    @property
    def digits(self) -> int:
        return {"county": 6, "township": 9, "village": 12}[self.value]


class VisitPlace(StrEnum):
    """Where a follow-up visit took place."""

    home = "home"  # 入户
    clinic = "clinic"  # 门诊 / 卫生室
    phone = "phone"  # 电话


class DiseaseGroup(StrEnum):
    """Group of a chronic disease, naming the indicators a follow-up records."""

    hypertension = "hypertension"
    diabetes = "diabetes"
    heart = "heart"
    cerebrovascular = "cerebrovascular"
    respiratory = "respiratory"
    tuberculosis = "tuberculosis"
    liver = "liver"
    kidney = "kidney"
    mental = "mental"
    neurological = "neurological"
    other = "other"


@dataclass(frozen=True)
class Indicator:
    """An indicator a follow-up visit records (监测指标), with the range a real value lies in."""

    name: str
    zh: str
    unit: str
    low: Decimal
    high: Decimal


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("systolic_bp", "收缩压", "mmHg", Decimal(60), Decimal(260)),
        Indicator("diastolic_bp", "舒张压", "mmHg", Decimal(30), Decimal(160)),
        Indicator("fasting_glucose", "空腹血糖", "mmol/L", Decimal("1.0"), Decimal("35.0")),
        Indicator("heart_rate", "心率", "次/分", Decimal(30), Decimal(220)),
        Indicator("respiratory_rate", "呼吸频率", "次/分", Decimal(6), Decimal(60)),
        Indicator("oxygen_saturation", "血氧饱和度", "%", Decimal(50), Decimal(100)),
        Indicator("weight", "体重", "kg", Decimal(2), Decimal(300)),
    )
}

# Disease group -> the indicators every follow-up of a patient with a disease of the group records.
GROUP_INDICATORS: dict[DiseaseGroup, tuple[str, ...]] = {
    DiseaseGroup.hypertension: ("systolic_bp", "diastolic_bp"),
    DiseaseGroup.diabetes: ("fasting_glucose",),
    DiseaseGroup.heart: ("systolic_bp", "diastolic_bp", "heart_rate"),
    DiseaseGroup.cerebrovascular: ("systolic_bp", "diastolic_bp"),
    DiseaseGroup.respiratory: ("respiratory_rate", "oxygen_saturation"),
    DiseaseGroup.tuberculosis: ("weight",),
    DiseaseGroup.liver: ("weight",),
    DiseaseGroup.kidney: ("systolic_bp", "diastolic_bp", "weight"),
    DiseaseGroup.mental: (),
    DiseaseGroup.neurological: (),
    DiseaseGroup.other: (),
}


@dataclass(frozen=True)
class ChronicDisease:
    """One of the 36 chronic diseases (36种慢性病) of the county's catalogue."""

    key: str
    zh: str
    group: DiseaseGroup
    icd10_prefixes: tuple[str, ...]


def normalise_code(code: str) -> str:
    """An ICD-10 code without dots and spaces, upper case ("e11.9" -> "E119")."""
    norm = code.strip().upper().replace(".", "").replace(" ", "")
    if not norm:
        raise ValueError("empty ICD-10 code")
    return norm


def catalogue(params: Params, trace: Trace) -> tuple[ChronicDisease, ...]:
    """MED-12: the county's 36 chronic diseases (medical.chronic36.diseases)."""
    raw = params.get(P_DISEASES, trace)
    # The parameter's value is one long-lived object per version: parsed once, reused while it
    # is the same object (every stay checks its diagnoses against the catalogue).
    cached = _PARSED.get(id(raw))
    if cached is not None and cached[0] is raw:
        return cached[1]
    parsed = _parse_catalogue(raw)
    if len(_PARSED) >= 64:
        _PARSED.clear()
    _PARSED[id(raw)] = (raw, parsed)
    return parsed


_PARSED: dict[int, tuple[Any, tuple[ChronicDisease, ...]]] = {}


def _parse_catalogue(raw: Any) -> tuple[ChronicDisease, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise TypeError(f"parameter {P_DISEASES} must map disease keys to diseases")
    out = []
    for key, spec in raw.items():
        if not isinstance(spec, Mapping):
            raise TypeError(f"parameter {P_DISEASES}: {key} is not a mapping")
        codes = spec.get("icd10")
        if not isinstance(codes, list) or not codes:
            raise TypeError(f"parameter {P_DISEASES}: {key} names no ICD-10 code")
        out.append(
            ChronicDisease(
                key=str(key),
                zh=str(spec.get("zh", key)),
                group=DiseaseGroup(str(spec.get("group", "other"))),
                icd10_prefixes=tuple(normalise_code(str(c)) for c in codes),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class DiagnosisMatch:
    code: str  # as given
    disease: ChronicDisease


def chronic_diagnoses(
    codes: Iterable[str], params: Params, *, trace: Trace | None = None
) -> list[DiagnosisMatch]:
    """MED-12: the diagnosis codes that name one of the 36 chronic diseases, each with its
    disease (one match per disease, the first code that names it)."""
    trace = Trace() if trace is None else trace
    if isinstance(codes, str):
        raise TypeError("codes must be a sequence of codes, not one string")
    diseases = catalogue(params, trace)
    found: dict[str, DiagnosisMatch] = {}
    for code in codes:
        norm = normalise_code(code)
        for disease in diseases:
            if disease.key not in found and any(norm.startswith(p) for p in disease.icd10_prefixes):
                found[disease.key] = DiagnosisMatch(code, disease)
    trace.step(
        MED_12,
        "diagnoses among the 36 chronic diseases" if found else "none of the 36 chronic diseases",
        codes=",".join(codes) or "none",
        diseases=",".join(found) or "none",
    )
    return list(found.values())


@dataclass(frozen=True)
class MustSign:
    must_sign: bool
    reason: str | None  # why not; None when the patient must be signed
    diseases: tuple[str, ...]
    trace: Trace = field(repr=False)


def must_be_signed(
    poverty_status: str | None, diseases: Sequence[str], *, trace: Trace | None = None
) -> MustSign:
    """MED-12: a registered poor person (not exited or exited) with one of the 36 chronic
    diseases must hold a family-doctor signing (慢病患者家庭医生签约)."""
    trace = Trace() if trace is None else trace
    reason: str | None = None
    if poverty_status is None:
        reason = "not in the poverty registry (建档立卡)"
    elif not PovertyStatus(poverty_status).is_registered_poor:
        reason = f"registry status {poverty_status}: not registered poor"
    elif not diseases:
        reason = "no diagnosis among the 36 chronic diseases"
    trace.step(
        MED_12,
        "must be signed by a family-doctor team" if reason is None else f"not signed: {reason}",
        poverty_status=poverty_status or "none",
        diseases=",".join(diseases) or "none",
    )
    return MustSign(reason is None, reason, tuple(diseases), trace)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such month: {year}-{month}")


def contract_end(starts: date, params: Params, *, trace: Trace | None = None) -> date:
    """MED-12: the last day of a signing (签约周期) that starts on `starts`."""
    trace = Trace() if trace is None else trace
    months = params.whole(P_CONTRACT_MONTHS, trace, minimum=1)
    ends = add_months(starts, months) - timedelta(days=1)
    trace.step(MED_12, "signing in force for the contract period", starts=starts, ends=ends)
    return ends


def renewal_start(current_end: date, renewed_on: date) -> date:
    """MED-12: a renewal before the end continues the day after it; a lapsed signing renewed
    later starts again on the renewal day (the gap is not covered)."""
    return max(current_end + timedelta(days=1), renewed_on)


def required_indicators(groups: Iterable[DiseaseGroup]) -> tuple[str, ...]:
    """MED-12: the indicators a follow-up records for a patient with diseases of `groups`."""
    out: dict[str, None] = {}
    for group in groups:
        for name in GROUP_INDICATORS[group]:
            out[name] = None
    return tuple(out)


def indicator_errors(
    groups: Iterable[DiseaseGroup], values: Mapping[str, Decimal]
) -> list[tuple[str, str]]:
    """MED-12: (indicator, reason) of every problem with a visit's indicators: an unknown name, a
    required one missing, a value outside its range, a diastolic pressure not below the
    systolic. Empty when the indicators are complete and plausible."""
    errors: list[tuple[str, str]] = []
    for name, value in values.items():
        indicator = INDICATORS.get(name)
        if indicator is None:
            errors.append((name, f"unknown indicator; known: {', '.join(sorted(INDICATORS))}"))
        elif not indicator.low <= value <= indicator.high:
            errors.append(
                (
                    name,
                    f"{indicator.zh} {value} {indicator.unit} is outside "
                    f"{indicator.low}..{indicator.high}",
                )
            )
    for name in required_indicators(groups):
        if name not in values:
            errors.append((name, f"required for this patient's diseases ({INDICATORS[name].zh})"))
    systolic, diastolic = values.get("systolic_bp"), values.get("diastolic_bp")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors.append(("diastolic_bp", "must be below the systolic pressure"))
    return errors


@dataclass(frozen=True)
class FollowUp:
    due: date  # the last day of the interval
    overdue: bool
    days_overdue: int
    trace: Trace = field(repr=False)


def follow_up_status(
    signed_on: date,
    last_home_visit: date | None,
    on: date,
    params: Params,
    *,
    trace: Trace | None = None,
) -> FollowUp:
    """MED-12: a home follow-up (入户随访) is due within the interval after the last one (after
    the signing day for the first); past it the signing is overdue."""
    trace = Trace() if trace is None else trace
    days = params.whole(P_FOLLOW_UP_DAYS, trace, minimum=1)
    since = max(signed_on, last_home_visit) if last_home_visit else signed_on
    due = since + timedelta(days=days)
    late = max(0, (on - due).days)
    trace.step(
        MED_12,
        "home follow-up overdue" if late else "home follow-up within the interval",
        signed_on=signed_on,
        last_home_visit=last_home_visit or "none",
        due=due,
        on=on,
    )
    return FollowUp(due, late > 0, late, trace)


@dataclass(frozen=True)
class Rate:
    must_sign: int
    signed: int
    rate: Decimal | None  # None when no one must be signed
    target: Decimal
    met: bool


def signing_rate(
    must_sign: int, signed: int, params: Params, *, trace: Trace, where: str = ""
) -> Rate:
    """MED-12: signed / must be signed (签约服务率, rounded down to 4 places) against the
    county's target (100% in 正安); nobody to sign meets it."""
    if not 0 <= signed <= must_sign:
        raise ValueError(f"signed {signed} must lie in 0..{must_sign}")
    target = params.ratio(P_TARGET, trace)
    rate = (
        (Decimal(signed) / Decimal(must_sign)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        if must_sign
        else None
    )
    met = (Decimal(signed) >= target * must_sign) if must_sign else True
    trace.step(
        MED_12,
        f"signing rate {where}".strip(),
        must_sign=must_sign,
        signed=signed,
        rate=rate if rate is not None else "none",
        target=target,
        met=met,
    )
    return Rate(must_sign, signed, rate, target, met)


def groups_of(diseases: Iterable[ChronicDisease]) -> list[DiseaseGroup]:
    return list(dict.fromkeys(d.group for d in diseases))


def as_jsonable(values: Mapping[str, Decimal]) -> dict[str, Any]:
    return {k: format(v, "f") for k, v in values.items()}
