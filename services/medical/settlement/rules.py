"""Settling one in-patient stay (住院结算) along the chain of MED-1, with the 90% guarantee (MED-2),
the annual cap (MED-3), the high-burden flag (MED-4) and the deductibles for the poor (MED-5).

Pure: the stay's facts, the person's year-to-date totals and the parameters in; a decision with
Decimal yuan (2 places) and its trace out. Every parameter is read as in force on the admission
date (a stay admitted before a parameter change uses the old value), whatever date the `Params`
passed in is bound to; the county is the caller's.

The chain, for one stay:

1. Basic medical insurance (基本医保, MED-1): (covered cost - deductible) x ratio of the hospital
   level, lowered for a stay that does not follow the referral rules, within the yearly cap. The
   deductible (起付线) is charged once per stay, never more than the covered cost. MED-5: no
   deductible at level-1 and level-2 hospitals for 特困, dibao and registered poor. MED-7: a
   registered poor patient's stay at a level-2 or level-3 hospital whose diagnoses name one of
   the 15 major diseases (15种重大疾病) is paid by the quota rule instead (see below).
2. Critical-illness insurance (大病保险, MED-1): the covered self-pay left after basic insurance
   accumulates over the year (`critical_illness_counted`, summed in
   `YearToDate.critical_illness_base`); the part of this stay above the yearly deductible is paid
   at the ratio, within the yearly cap. MED-5: deductible halved for 特困, dibao and registered
   poor; ratio + 5 points for registered poor.
3. Medical assistance (医疗救助, MED-1): a ratio of the covered self-pay still left, for 特困,
   dibao and registered poor (the highest ratio of the categories that apply), within the yearly
   cap.
4. County top-up (二次报销 / 兜底, MED-2): for registered poor with a compliant referral, the least
   amount in fen that lifts (basic + critical illness + assistance) / basis to the target (0.90);
   the basis is the total or the policy-covered cost (medical.guarantee.cost_basis: total in
   姚安, 正安 and 浮梁, whose documents all measure on the total cost).
5. Annual cap (MED-3), where the county has it (medical.annual_cap.applies: 姚安's rule): for
   the same people, whatever their compliant self-pay for the year (after the top-up) exceeds
   the rural per-capita disposable income is covered, less what earlier stays of the year
   already covered.
6. MED-4: the registered poor person's self-pay for the year after all of it is compared with
   medical.high_burden.threshold.

With `upstream` amounts (settled elsewhere by the one-stop settlement) steps 1-3 are taken as
given: no deductible is applied here, and the covered self-pay left after the given basic
payment is still counted toward the critical-illness deductible so that a later stay computed
here sees the right yearly base.

What `self_pay` is: total cost minus every layer. It includes the cost outside the
policy-covered range (目录外, total - covered), which no layer but the MED-3 cover pays, so
basic + critical_illness + assistance + topup + annual_cap + self_pay == total_cost exactly.

Ratios are rounded down to 4 places so that a reported 0.9000 never hides an actual 0.89995;
the top-up decision itself compares exact Decimals.

Reading of the seeds
--------------------
- Who gets the 90% and the annual cap: YA-GOV §三(六) says "对建档立卡贫困人口 …",
  ZA-GOV §三(二)2 "建档立卡贫困人口", FL-HRSS §三(三)5 "贫困人员". People who have left
  poverty stay in the registry and keep the policy (脱贫不脱政策, CITY-HRSS §二, REG-2), so
  `exited` is covered. Marginal households (建档立卡贫困边缘户) are named by YA-GOV only for
  temporary relief (§三(七)), and 特困 or dibao people outside the registry are not
  建档立卡: neither gets MED-2 or MED-3.
- Referral: YA-GOV §三(六) limits both the 90% and the annual cap to care
  "符合转诊、转院规范"; ZA-GOV §三(二)2 and FL-HRSS §三(三)5 do not mention referral.
  Silence is not read as disagreement: as the spec says, a non-compliant stay gets neither,
  in every county.
- The basis of the actual ratio (MED-2): YA-GOV §三(六) "实际报销比例", ZA-GOV §三(二)2
  "住院医药费用实际补偿比达90%" and FL-HRSS §三(三)5 "住院自付医疗费用控制在10%以内" all divide
  by the whole cost of the stay (out-of-catalogue part included): a stay of total 10,000,
  covered 8,000, reimbursed 7,000 is at 70% and is topped up by 2,000 to 9,000, self-pay 1,000
  (10%). The basis stays a parameter for a county whose rule measures on the covered cost.
- Where MED-3 applies: it is 姚安's rule (YA-GOV §三(六)). 正安 sends a self-pay still too
  high after the 90% to temporary relief instead (ZA-GOV §三(二)2, MED-4) and 浮梁's plan has
  no yearly cap, so `medical.annual_cap.applies` is true for 532325 only; another county turns
  it on by publishing it. The income figure is in no document and stays illustrative.
- Order of MED-2 and MED-3: YA-GOV lists the two side by side after basic, critical illness
  and assistance ("实际报销比例达不到90%和个人年度支付 … 超过当地农村居民人均可支配收入的
  部分"). They are applied one after the other, the annual cap on the self-pay left after the
  top-up, so no yuan is covered twice.
- What counts toward the annual cap (MED-3): YA-GOV §三(六) counts "个人年度支付符合转诊、
  转院规范的医疗费用": what the person paid in the year for care that follows the referral rules.
  "合规" there is referral compliance; the sentence sets no limit to the policy-covered range
  (政策范围内), so a compliant stay's whole self-pay counts, the part outside the catalogue
  (目录外) included, and a non-compliant stay's self-pay does not count at all. Each decision
  carries `compliant_self_pay` (its self-pay when the referral was compliant, else 0) and the
  year-to-date record sums it apart (`YearToDate.compliant_self_pay`) beside the total
  self-pay (`YearToDate.self_pay`, which MED-4 keeps using: the burden is what was paid,
  compliant or not). Every compliant stay of the year counts, also one admitted before the
  person was registered poor: the seed counts the person's yearly payment, and only the cover
  itself needs the status on the admission date.
- Deductibles (MED-5): FL-HRSS §三(三)3 "取消特困供养人员、最低生活保障对象及其他建档立卡
  农村贫困人口在一级、二级定点医疗机构住院的起付线，大病保险报销起付线降低50%": both the
  waiver and the halved critical-illness deductible apply to 特困 and dibao people as well as
  to the registered poor (exited included, "其他建档立卡"); marginal households only when
  they are 特困 or dibao. The +5 points come from CITY-HRSS §三(五)13 "对农村贫困人口 …
  医疗费用支付比例提高5%", read as 5 percentage points on the critical-illness ratio, for
  registered poor only.
- The seeds say nothing of a yearly limit on the basic deductible: it is charged per stay;
  `YearToDate.basic_deductible_used` only reports what was borne.
- MED-4: ZA-GOV §三(二)2 gives temporary living relief to "补偿90%后自付费用仍然过高导致生活有
  严重困难的贫困人口" and CITY-HRSS §三(五)13 reports "医保结算后仍负担较重的贫困人口" to the
  poverty office: both speak of the poor after the 90% guarantee, which marginal households do
  not get, so the flag is raised for registered poor (not exited or exited) only. A marginal
  household's sudden medical spending is relieved under YA-GOV §三(七) (建档立卡贫困边缘户,
  月人均生活必需支出连续3个月达到家庭人均月收入的3倍), which the welfare service applies on
  application (WEL-6), not on this flag. The seeds give no figure (illustrative threshold);
  whether life is "严重困难" is for the welfare service to judge.
- MED-7 in the chain: FL-HRSS §三(三)4 "对建档立卡农村贫困人口患 … 15种重大疾病，实行按病种
  定额救治，在二级和三级定点医疗机构住院治疗，其费用城乡居民医保按80%和70%比例补偿" fixes the
  basic-insurance layer of such a stay, so it replaces step 1 when the layers are computed
  here (an upstream basic payment is taken as given: whoever settled it applied MED-7). Read
  as: the registry status on the admission date decides (exited included, REG-2); the age for
  儿童苯丙酮尿症 is taken on the admission date; "其费用" is the policy-covered cost, since basic
  insurance never pays out-of-catalogue items; no deductible (the quota ratio is the whole
  rule) and no lower ratio for a non-compliant referral (the seed fixes the two ratios); the
  yearly cap of the basic fund still holds. The cost above the quota stays in the covered
  self-pay that critical illness, assistance and the 90% guarantee then see: the hospital
  reports what it charges, and if it bears the excess under the quota it reports the lower
  cost. Before the MED-7 parameters are in force (2018) a stay is settled by step 1.
- MED-11 (CITY-HRSS §三(五)13, 特药特材 "大额保障不设起付线") belongs to the supplementary
  insurance (全民补充医疗保险), a scheme outside this chain; a stay's facts carry no
  special-item amounts, so nothing is settled for it here.
- The layers' own figures (deductibles, ratios, yearly caps, the lower ratio for
  non-compliant referrals) are not in the seeds: they are illustrative parameters in
  medical_settlement.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.medical.outpatient.rules import (
    P_MAJOR_RATIO,
    HospitalLevel,
    MajorDiseaseFacts,
    MajorDiseaseResult,
    RehabilitationCharge,
    major_disease_payment,
    rehabilitation_coverage,
)
from shared.domain import PovertyStatus
from shared.money import FEN, ZERO, yuan
from shared.policy import ParameterNotFound
from shared.trace import Params, Trace

MED_11 = "MED-11"
MED_1 = "MED-1"
MED_2 = "MED-2"
MED_3 = "MED-3"
MED_4 = "MED-4"
MED_5 = "MED-5"
MED_7 = "MED-7"

BASIC_DEDUCTIBLE = "medical.basic.deductible.level{}"
BASIC_RATIO = "medical.basic.ratio.level{}"
BASIC_NON_COMPLIANT_REDUCTION = "medical.basic.ratio_reduction.non_compliant"
BASIC_ANNUAL_CAP = "medical.basic.annual_cap"
CI_DEDUCTIBLE = "medical.critical_illness.deductible"
CI_RATIO = "medical.critical_illness.ratio"
CI_ANNUAL_CAP = "medical.critical_illness.annual_cap"
CI_DEDUCTIBLE_FACTOR_POOR = "medical.critical_illness.deductible_factor_poor"
CI_RATIO_BONUS_POOR = "medical.critical_illness.ratio_bonus_poor"
ASSISTANCE_RATIO_TEKUN = "medical.assistance.ratio.tekun"
ASSISTANCE_RATIO_DIBAO = "medical.assistance.ratio.dibao"
ASSISTANCE_RATIO_REGISTERED = "medical.assistance.ratio.registered_poor"
ASSISTANCE_ANNUAL_CAP = "medical.assistance.annual_cap"
TARGET_RATIO = "medical.guarantee.target_ratio"
COST_BASIS = "medical.guarantee.cost_basis"
ANNUAL_CAP_APPLIES = "medical.annual_cap.applies"
RURAL_INCOME = "medical.annual_cap.rural_disposable_income"
HIGH_BURDEN_THRESHOLD = "medical.high_burden.threshold"

# Registered poor (建档立卡) in the sense of MED-2/3/4/5: exited people keep the policy (REG-2);
# marginal households (边缘户) are not (PovertyStatus.is_registered_poor).
REGISTERED_POOR = frozenset(s for s in PovertyStatus if s.is_registered_poor)
HOSPITAL_LEVELS = (1, 2, 3)
# MED-5: the hospital levels whose in-patient deductible is waived (一级、二级定点医疗机构).
DEDUCTIBLE_WAIVED_LEVELS = "medical.basic.deductible_waived_levels"
ADMIN_LEVELS = ("county", "city", "province")
RATIO_PLACES = Decimal("0.0001")
ONE = Decimal(1)


class CostBasis:
    """Values of medical.guarantee.cost_basis (实际报销比例的计算基数)."""

    policy_covered = "policy_covered"  # 政策范围内费用
    total = "total"  # 住院总费用


def _money(name: str, value: Decimal | int) -> Decimal:
    """A non-negative amount with at most 2 places, as Decimal (floats refused by yuan())."""
    amount = yuan(value)
    if amount != Decimal(value):
        raise ValueError(f"{name} has more than 2 decimal places: {value}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative: {value}")
    return amount


@dataclass(frozen=True)
class Upstream:
    """Amounts already settled upstream by the one-stop settlement (一站式结算) elsewhere."""

    basic: Decimal  # 基本医保
    critical_illness: Decimal  # 大病保险
    assistance: Decimal  # 医疗救助

    def __post_init__(self) -> None:
        for name in ("basic", "critical_illness", "assistance"):
            object.__setattr__(self, name, _money(f"upstream.{name}", getattr(self, name)))

    @property
    def total(self) -> Decimal:
        return self.basic + self.critical_illness + self.assistance


@dataclass(frozen=True)
class StayFacts:
    """One in-patient stay (住院) and the person's situation on the admission date."""

    admission: date  # 入院日期: parameters are read for this date
    discharge: date  # 出院日期
    hospital_level: int  # 1, 2, 3 (一级/二级/三级)
    admin_level: str  # "county" | "city" | "province" (县级/市级/省级)
    referral_compliant: bool  # 符合转诊转院规范
    total_cost: Decimal  # 住院总费用
    covered_cost: Decimal  # 政策范围内费用, <= total_cost
    poverty_status: str | None  # REG-2 on the admission date; None: not in the registry
    tekun: bool = False  # 特困
    dibao: bool = False  # 低保
    upstream: Upstream | None = None  # None: basic / critical illness / assistance computed here
    diagnosis_codes: tuple[str, ...] = ()  # ICD-10, principal first (MED-7)
    age: int | None = None  # age on the admission date (MED-7, 儿童苯丙酮尿症)
    # 医疗康复项目 charged, outside covered_cost: the county's listed ones are covered (MED-11)
    rehabilitation: tuple[RehabilitationCharge, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.diagnosis_codes, str):
            raise TypeError("diagnosis_codes must be a sequence of codes, not one string")
        object.__setattr__(self, "diagnosis_codes", tuple(self.diagnosis_codes))
        if self.discharge < self.admission:
            raise ValueError("discharge is before admission")
        if self.hospital_level not in HOSPITAL_LEVELS:
            raise ValueError(f"hospital level must be 1, 2 or 3, got {self.hospital_level!r}")
        if self.admin_level not in ADMIN_LEVELS:
            raise ValueError(f"admin level must be one of {ADMIN_LEVELS}, got {self.admin_level!r}")
        total = _money("total_cost", self.total_cost)
        covered = _money("covered_cost", self.covered_cost)
        if covered > total:
            raise ValueError("covered_cost exceeds total_cost")
        object.__setattr__(self, "rehabilitation", tuple(self.rehabilitation))
        if covered + sum((r.cost for r in self.rehabilitation), ZERO) > total:
            raise ValueError("covered_cost and the rehabilitation items exceed total_cost")
        object.__setattr__(self, "total_cost", total)
        object.__setattr__(self, "covered_cost", covered)
        if self.poverty_status is not None:
            # Raises on an unknown status; stored as the enum (a str, so equal to the plain value).
            object.__setattr__(self, "poverty_status", PovertyStatus(self.poverty_status))
        if self.upstream is not None and self.upstream.total > total:
            raise ValueError("upstream payments exceed total_cost")

    @property
    def registered_poor(self) -> bool:
        """建档立卡贫困人口, not exited or exited (REG-2)."""
        return self.poverty_status in REGISTERED_POOR

    @property
    def med5_group(self) -> bool:
        """特困供养人员、最低生活保障对象及其他建档立卡贫困人口 (FL-HRSS §三(三)3)."""
        return self.registered_poor or self.tekun or self.dibao


@dataclass(frozen=True)
class StayDecision:
    """The settlement of one stay (一站式结算结果); amounts in yuan with 2 places.

    basic + critical_illness + assistance + topup + annual_cap + self_pay == total cost."""

    basic: Decimal  # 基本医保
    critical_illness: Decimal  # 大病保险
    assistance: Decimal  # 医疗救助
    topup: Decimal  # MED-2 county safety-net top-up (二次报销/兜底)
    annual_cap: Decimal  # MED-3 excess over the annual cap covered
    self_pay: Decimal  # 个人自付 for this stay, out-of-catalogue part included; never negative
    compliant_self_pay: Decimal  # MED-3: self_pay when the referral was compliant, else 0
    cost_basis: Decimal  # the MED-2 basis used
    ratio_before_topup: Decimal  # (basic + ci + assistance) / basis, 4 places
    ratio_after: Decimal  # all reimbursement / basis, 4 places
    eligible_for_guarantee: bool  # registered poor with a compliant referral (MED-2/3)
    basic_deductible: Decimal  # 起付线 applied on this stay (0 when waived or upstream)
    critical_illness_counted: Decimal  # amount this stay added toward the CI deductible
    ytd_self_pay: Decimal  # the person's self-pay this year after this stay
    high_burden: bool  # MED-4: registered poor, ytd self-pay above medical.high_burden.threshold
    trace: Trace = field(repr=False)

    @property
    def reimbursed(self) -> Decimal:
        """Everything paid for the person (报销合计)."""
        return self.basic + self.critical_illness + self.assistance + self.topup + self.annual_cap


@dataclass(frozen=True)
class YearToDate:
    """One person's running totals for one year, before the stay being settled (年度累计).

    `plus` / `minus` read only basic, critical_illness, assistance, topup, annual_cap, self_pay,
    compliant_self_pay, basic_deductible and critical_illness_counted of the decision, so a
    stored decision of the same shape can be taken back out."""

    basic_deductible_used: Decimal = ZERO  # 起付线 already borne this year
    critical_illness_base: Decimal = ZERO  # accumulated toward the critical-illness deductible
    basic_paid: Decimal = ZERO
    critical_illness_paid: Decimal = ZERO
    assistance_paid: Decimal = ZERO
    topup_paid: Decimal = ZERO  # MED-2 top-ups
    annual_cap_paid: Decimal = ZERO  # MED-3 excess covered
    self_pay: Decimal = ZERO  # self-pay after every layer, summed over the year's stays
    compliant_self_pay: Decimal = ZERO  # MED-3: the same, of referral-compliant stays only

    def __post_init__(self) -> None:
        for name in _YTD_FROM_DECISION:
            object.__setattr__(self, name, _money(f"ytd.{name}", getattr(self, name)))

    def plus(self, decision: StayDecision) -> YearToDate:
        """Running totals after a stay."""
        return self._apply(decision, 1)

    def minus(self, decision: StayDecision) -> YearToDate:
        """Running totals without a stay (cancelled, or replaced by a corrected version)."""
        return self._apply(decision, -1)

    def _apply(self, decision: StayDecision, sign: int) -> YearToDate:
        values = {}
        for name, attribute in _YTD_FROM_DECISION.items():
            value = getattr(self, name) + sign * Decimal(getattr(decision, attribute))
            if value < 0:
                # Taking out more than was put in means the stored totals are inconsistent.
                raise ValueError(f"year-to-date {name} would become negative: {value}")
            values[name] = value
        return YearToDate(**values)


# YearToDate field -> the StayDecision amount it accumulates.
_YTD_FROM_DECISION = {
    "basic_deductible_used": "basic_deductible",
    "critical_illness_base": "critical_illness_counted",
    "basic_paid": "basic",
    "critical_illness_paid": "critical_illness",
    "assistance_paid": "assistance",
    "topup_paid": "topup",
    "annual_cap_paid": "annual_cap",
    "self_pay": "self_pay",
    "compliant_self_pay": "compliant_self_pay",
}


@dataclass(frozen=True)
class _Layers:
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    basic_deductible: Decimal
    critical_illness_counted: Decimal


def _with_rehabilitation(facts: StayFacts, params: Params, trace: Trace) -> StayFacts:
    """MED-11: the stay's rehabilitation items the county lists join its policy-covered cost;
    with no list in force for the county on the admission date they all stay outside."""
    if not facts.rehabilitation:
        return facts
    try:
        coverage = rehabilitation_coverage(facts.rehabilitation, params, trace=trace)
    except ParameterNotFound:
        trace.step(
            MED_11,
            "no list of rehabilitation items in force for the county: the items stay outside "
            "the catalogue",
            items=",".join(r.item for r in facts.rehabilitation),
        )
        return facts
    return replace(facts, covered_cost=facts.covered_cost + coverage.covered, rehabilitation=())


def settle_stay(facts: StayFacts, ytd: YearToDate, params: Params) -> StayDecision:
    """MED-1..MED-5 for one stay (住院一站式结算): every layer (MED-1, MED-5), the top-up to the
    90% guarantee (MED-2), the annual-cap cover (MED-3) and the high-burden flag (MED-4), with the
    trace."""
    trace = Trace()
    # Parameters in force on the admission date, whatever date the caller bound.
    params = Params(params.policy, params.county, facts.admission)
    facts = _with_rehabilitation(facts, params, trace)
    status = facts.poverty_status
    trace.step(
        MED_1,
        "in-patient stay; parameters as in force on the admission date",
        admission=facts.admission,
        discharge=facts.discharge,
        hospital_level=facts.hospital_level,
        admin_level=facts.admin_level,
        referral_compliant=facts.referral_compliant,
        total_cost=facts.total_cost,
        covered_cost=facts.covered_cost,
        out_of_catalogue=facts.total_cost - facts.covered_cost,
        poverty_status=status.value if isinstance(status, PovertyStatus) else "none",
        tekun=facts.tekun,
        dibao=facts.dibao,
    )

    if facts.upstream is None:
        layers = _computed_layers(facts, ytd, params, trace)
    else:
        layers = _upstream_layers(facts, trace)
    paid = layers.basic + layers.critical_illness + layers.assistance

    basis = _cost_basis(facts, params, trace)
    ratio_before = _ratio(paid, basis)
    eligible = facts.registered_poor and facts.referral_compliant
    topup = _topup(facts, eligible, paid, basis, params, trace)

    before_cap = facts.total_cost - paid - topup
    annual_cap = _annual_cap(facts, eligible, before_cap, ytd, params, trace)
    self_pay = before_cap - annual_cap
    ratio_after = _ratio(paid + topup + annual_cap, basis)
    trace.step(
        MED_1,
        "one-stop settlement: layers and self-pay add up to the total cost",
        basic=layers.basic,
        critical_illness=layers.critical_illness,
        assistance=layers.assistance,
        topup=topup,
        annual_cap=annual_cap,
        self_pay=self_pay,
        total_cost=facts.total_cost,
        ratio_before_topup=ratio_before,
        ratio_after=ratio_after,
    )

    ytd_self_pay = ytd.self_pay + self_pay
    high_burden = _high_burden(facts, ytd_self_pay, params, trace)
    return StayDecision(
        basic=layers.basic,
        critical_illness=layers.critical_illness,
        assistance=layers.assistance,
        topup=topup,
        annual_cap=annual_cap,
        self_pay=self_pay,
        compliant_self_pay=self_pay if facts.referral_compliant else ZERO,
        cost_basis=basis,
        ratio_before_topup=ratio_before,
        ratio_after=ratio_after,
        eligible_for_guarantee=eligible,
        basic_deductible=layers.basic_deductible,
        critical_illness_counted=layers.critical_illness_counted,
        ytd_self_pay=ytd_self_pay,
        high_burden=high_burden,
        trace=trace,
    )


# --- MED-1 layers --------------------------------------------------------------------------------


def _upstream_layers(facts: StayFacts, trace: Trace) -> _Layers:
    """MED-1 layers as settled upstream (basic, critical illness, assistance given)."""
    upstream = facts.upstream
    assert upstream is not None
    counted = max(ZERO, facts.covered_cost - upstream.basic)
    trace.step(
        MED_1,
        "basic, critical-illness and assistance amounts settled upstream (一站式结算); the covered "
        "self-pay after basic insurance still counts toward the critical-illness deductible",
        basic=upstream.basic,
        critical_illness=upstream.critical_illness,
        assistance=upstream.assistance,
        critical_illness_counted=counted,
    )
    return _Layers(upstream.basic, upstream.critical_illness, upstream.assistance, ZERO, counted)


def _computed_layers(facts: StayFacts, ytd: YearToDate, params: Params, trace: Trace) -> _Layers:
    covered = facts.covered_cost
    deductible, basic = _basic(facts, ytd, params, trace)
    counted = covered - basic
    critical_illness = _critical_illness(facts, ytd, counted, params, trace)
    assistance = _assistance(facts, ytd, covered - basic - critical_illness, params, trace)
    return _Layers(basic, critical_illness, assistance, deductible, counted)


def _basic(
    facts: StayFacts, ytd: YearToDate, params: Params, trace: Trace
) -> tuple[Decimal, Decimal]:
    """MED-1 basic layer, with the MED-5 deductible waiver and the MED-7 quota ratios."""
    level = facts.hospital_level
    covered = facts.covered_cost
    major = _major_disease(facts, params, trace)
    if major is not None:
        room = max(ZERO, params.amount(BASIC_ANNUAL_CAP, trace) - ytd.basic_paid)
        basic = min(major.basic_fund, room)
        trace.step(
            MED_7,
            "basic medical insurance by the major-disease quota rule instead of the ordinary "
            "ratio: no deductible, within the yearly cap; the cost above the quota stays with "
            "the later layers",
            disease=major.disease.key if major.disease else "none",
            computed=major.basic_fund,
            above_quota=major.above_quota,
            yearly_room=room,
            basic=basic,
        )
        return ZERO, basic
    if facts.med5_group and level in params.get(DEDUCTIBLE_WAIVED_LEVELS, trace):
        deductible = ZERO
        trace.step(
            MED_5,
            f"no in-patient deductible at a level-{level} hospital for 特困, dibao and "
            "registered poor",
            hospital_level=level,
            basic_deductible=deductible,
        )
    else:
        deductible = min(params.amount(BASIC_DEDUCTIBLE.format(level), trace), covered)
    ratio = params.ratio(BASIC_RATIO.format(level), trace)
    if not facts.referral_compliant:
        reduction = params.ratio(BASIC_NON_COMPLIANT_REDUCTION, trace)
        ratio = max(ZERO, ratio - reduction)
        trace.step(
            MED_1,
            "referral rules not followed: lower basic-insurance ratio",
            reduction=reduction,
            ratio=ratio,
        )
    computed = _times(covered - deductible, ratio)
    room = max(ZERO, params.amount(BASIC_ANNUAL_CAP, trace) - ytd.basic_paid)
    basic = min(computed, room)
    trace.step(
        MED_1,
        "basic medical insurance: (covered cost - deductible) x ratio, within the yearly cap",
        covered_cost=covered,
        basic_deductible=deductible,
        ratio=ratio,
        computed=computed,
        yearly_room=room,
        basic=basic,
    )
    return deductible, basic


def _major_disease(facts: StayFacts, params: Params, trace: Trace) -> MajorDiseaseResult | None:
    """MED-7 when it governs the stay's basic layer, else None (quietly for a stay it cannot
    concern: not registered poor, a level-1 hospital, no diagnosis)."""
    level = facts.hospital_level
    if not (facts.registered_poor and facts.diagnosis_codes) or level not in (2, 3):
        return None
    try:
        params.policy.resolve(P_MAJOR_RATIO[HospitalLevel(level)], params.county, facts.admission)
    except ParameterNotFound:
        trace.step(MED_7, "major-disease quota rule not in force on the admission date")
        return None
    if facts.age is None:
        trace.step(MED_7, "age unknown: the major-disease rule is not applied")
        return None
    result = major_disease_payment(
        MajorDiseaseFacts(
            facts.diagnosis_codes, facts.age, HospitalLevel(level), facts.covered_cost
        ),
        params,
        trace=trace,
    )
    return result if result.applies else None


def _critical_illness(
    facts: StayFacts, ytd: YearToDate, counted: Decimal, params: Params, trace: Trace
) -> Decimal:
    """MED-1 critical-illness layer (大病保险), with the MED-5 halved deductible and +5."""
    deductible = params.amount(CI_DEDUCTIBLE, trace)
    ratio = params.ratio(CI_RATIO, trace)
    if facts.med5_group:
        factor = params.ratio(CI_DEDUCTIBLE_FACTOR_POOR, trace)
        deductible = _times(deductible, factor)
        trace.step(
            MED_5,
            "critical-illness deductible lowered for 特困, dibao and registered poor",
            factor=factor,
            deductible=deductible,
        )
    if facts.registered_poor:
        bonus = params.ratio(CI_RATIO_BONUS_POOR, trace)
        ratio = min(ONE, ratio + bonus)
        trace.step(
            MED_5,
            "critical-illness ratio raised for registered poor",
            bonus=bonus,
            ratio=ratio,
        )
    before = ytd.critical_illness_base
    after = before + counted
    above = max(ZERO, after - max(deductible, before))
    computed = _times(above, ratio)
    room = max(ZERO, params.amount(CI_ANNUAL_CAP, trace) - ytd.critical_illness_paid)
    paid = min(computed, room, counted)
    trace.step(
        MED_1,
        "critical-illness insurance: the year's covered self-pay after basic insurance above "
        "the deductible, x ratio, within the yearly cap",
        base_before=before,
        counted=counted,
        base_after=after,
        deductible=deductible,
        above_deductible=above,
        ratio=ratio,
        computed=computed,
        yearly_room=room,
        critical_illness=paid,
    )
    return paid


def _assistance(
    facts: StayFacts, ytd: YearToDate, remaining: Decimal, params: Params, trace: Trace
) -> Decimal:
    """MED-1 medical-assistance layer (医疗救助)."""
    paths = []
    if facts.tekun:
        paths.append(ASSISTANCE_RATIO_TEKUN)
    if facts.dibao:
        paths.append(ASSISTANCE_RATIO_DIBAO)
    if facts.registered_poor:
        paths.append(ASSISTANCE_RATIO_REGISTERED)
    if not paths:
        trace.step(MED_1, "medical assistance: not 特困, dibao or registered poor", assistance=ZERO)
        return ZERO
    # One payment per stay at the most favourable category, never one per category.
    ratio = max(params.ratio(path, trace) for path in paths)
    computed = _times(remaining, ratio)
    room = max(ZERO, params.amount(ASSISTANCE_ANNUAL_CAP, trace) - ytd.assistance_paid)
    assistance = min(computed, room, remaining)
    trace.step(
        MED_1,
        "medical assistance: covered self-pay left after insurance x ratio of the category, "
        "within the yearly cap",
        categories=",".join(p.rsplit(".", 1)[1] for p in paths),
        remaining=remaining,
        ratio=ratio,
        computed=computed,
        yearly_room=room,
        assistance=assistance,
    )
    return assistance


# --- MED-2 / MED-3 / MED-4 -----------------------------------------------------------------------


def _cost_basis(facts: StayFacts, params: Params, trace: Trace) -> Decimal:
    """MED-2: the cost the actual ratio is measured on."""
    kind = params.get(COST_BASIS, trace)
    if kind == CostBasis.policy_covered:
        basis = facts.covered_cost
    elif kind == CostBasis.total:
        basis = facts.total_cost
    else:
        raise ValueError(f"{COST_BASIS} must be policy_covered or total, got {kind!r}")
    trace.step(MED_2, f"cost basis of the actual ratio: {kind}", cost_basis=basis)
    return basis


def _topup(
    facts: StayFacts,
    eligible: bool,
    paid: Decimal,
    basis: Decimal,
    params: Params,
    trace: Trace,
) -> Decimal:
    """MED-2: the county top-up (二次报销 / 兜底) up to the guaranteed ratio."""
    if not eligible:
        reason = (
            "referral rules not followed (不符合转诊转院规范)"
            if facts.registered_poor
            else "not registered poor (建档立卡, not exited or exited)"
        )
        trace.step(MED_2, f"no 90% guarantee: {reason}", topup=ZERO)
        return ZERO
    target = params.ratio(TARGET_RATIO, trace)
    # The least whole-fen amount reaching the target: exact Decimal, ceiling to the fen.
    needed = (target * basis).quantize(FEN, rounding=ROUND_CEILING)
    topup = max(ZERO, needed - paid)
    trace.step(
        MED_2,
        "county top-up (二次报销/兜底) to the guaranteed ratio"
        if topup
        else "actual ratio already at or above the guaranteed ratio: no top-up",
        reimbursed=paid,
        cost_basis=basis,
        target_ratio=target,
        needed=needed,
        topup=topup,
    )
    return topup


def _annual_cap(
    facts: StayFacts,
    eligible: bool,
    self_pay: Decimal,
    ytd: YearToDate,
    params: Params,
    trace: Trace,
) -> Decimal:
    if not eligible:
        trace.step(MED_3, "no annual-cap cover: same conditions as the 90% guarantee", cover=ZERO)
        return ZERO
    if not params.get(ANNUAL_CAP_APPLIES, trace):
        trace.step(
            MED_3, "no annual-cap cover in this county (medical.annual_cap.applies)", cover=ZERO
        )
        return ZERO
    income = params.amount(RURAL_INCOME, trace)
    # The year's compliant self-pay before any MED-3 cover: what earlier compliant stays left plus
    # what was covered (only compliant stays are ever covered).
    year_before_cover = ytd.compliant_self_pay + ytd.annual_cap_paid + self_pay
    covered_in_year = max(ZERO, year_before_cover - income)
    cover = min(self_pay, max(ZERO, covered_in_year - ytd.annual_cap_paid))
    trace.step(
        MED_3,
        "yearly compliant self-pay (符合转诊转院规范) above the rural per-capita disposable "
        "income is covered, less what earlier stays of the year already covered",
        rural_disposable_income=income,
        stay_self_pay=self_pay,
        ytd_compliant_self_pay=ytd.compliant_self_pay,
        ytd_self_pay=ytd.self_pay,
        year_compliant_self_pay_before_cover=year_before_cover,
        covered_in_year=covered_in_year,
        covered_before=ytd.annual_cap_paid,
        cover=cover,
    )
    return cover


def _high_burden(facts: StayFacts, ytd_self_pay: Decimal, params: Params, trace: Trace) -> bool:
    """MED-4: the year's self-pay still too high after the 90% guarantee."""
    if not facts.registered_poor:
        trace.step(
            MED_4,
            "not registered poor (建档立卡, not exited or exited): no high-burden check",
            high_burden=False,
        )
        return False
    threshold = params.amount(HIGH_BURDEN_THRESHOLD, trace)
    high = ytd_self_pay > threshold
    trace.step(
        MED_4,
        "yearly self-pay still above the threshold: refer for temporary relief and report to "
        "the poverty office"
        if high
        else "yearly self-pay within the threshold",
        ytd_self_pay=ytd_self_pay,
        threshold=threshold,
        high_burden=high,
    )
    return high


# --- helpers -------------------------------------------------------------------------------------


def _times(amount: Decimal, ratio: Decimal) -> Decimal:
    return (amount * ratio).quantize(FEN, rounding=ROUND_HALF_UP)


def _ratio(paid: Decimal, basis: Decimal) -> Decimal:
    # Nothing in the basis means nothing was left to the patient there.
    if basis == 0:
        return ONE.quantize(RATIO_PLACES)
    return (paid / basis).quantize(RATIO_PLACES, rounding=ROUND_DOWN)
