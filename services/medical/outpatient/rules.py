"""Outpatient special chronic diseases, the 15 major diseases, the 36 chronic diseases, the
general diagnosis fee and special drugs for the registered poor (MED-6, MED-7, MED-8, MED-9,
MED-11).

Pure functions: frozen facts and `Params` in; a frozen result with Decimal yuan (2 places) and a
`Trace` out. No database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/medical_outpatient.yaml, and medical.yaml for the MED-8 caps), so the trace
names each parameter used; every step names its rule ID. A caller may pass its own `trace` to
collect several rules in one. The caller applies these rules to registered poor people (exited
ones included, REG-2); MED-9 and MED-11 take the poverty status as a fact.

The 15 major diseases (MED-7) and the ICD-10 codes read as each
--------------------------------------------------------------
Codes are matched by prefix after dropping dots and spaces, so "C34.1", "C341" and the national
clinical extension "C34.100x001" all match C34.

- mdr_tuberculosis, 耐多药肺结核: A15-A19 together with a drug-resistance code among the codes,
  U84.3 (WHO ICD-10) or Z16.342 (ICD-10-CM)
- lung_cancer, 肺癌: C34
- oesophageal_cancer, 食道癌: C15
- gastric_cancer, 胃癌: C16
- colon_cancer, 结肠癌: C18
- rectal_cancer, 直肠癌: C20
- chronic_myeloid_leukaemia, 慢性粒细胞白血病: C92.1
- acute_myocardial_infarction, 急性心肌梗塞: I21, I22
- cerebral_infarction, 脑梗死: I63
- haemophilia, 血友病: D66, D67, D68.0, D68.1
- type1_diabetes, Ⅰ型糖尿病: E10
- hyperthyroidism, 甲亢: E05
- phenylketonuria, 儿童苯丙酮尿症: E70.0, children only
- hypospadias, 尿道下裂: Q54
- thalassaemia, 地中海贫血: D56

Reading of the seeds
--------------------
- MED-6, the 60,000-100,000 band: FL-HRSS §三(三)2 puts "6万元（不含）至10万元段内由承办城乡居民大病
  医疗保险的商保公司按照城乡居民基本医疗保险政策规定比例支付" in the sentence on the yearly
  maximum *payment* (年度最高支付限额), so the band is of the year's cumulative payment in the
  category, not of cost: the first 60,000 paid in a year comes from the basic fund, the next
  40,000 from the commercial insurer, at the same ratio. A bill that crosses 60,000 is split at
  exactly 60,000 ("不含" keeps 60,000 itself in the basic fund's part); what the cap cuts off is
  the patient's (`above_cap`, part of `self_pay`) before any later layer.
- MED-6, category II: the seed raises the cap "由3000元左右提高到平均5000元", an average over the
  category, not one cap for every disease; the spec says "about 5,000". One parameter (5,000) is
  applied; a county with caps per disease overrides it.
- MED-6, dates: the seed (issued 2018-04-04) gives no effective date and does not say since when
  the old caps (15,000; about 3,000) applied, so only the new figures are shipped, from
  2018-01-01, because the caps are yearly.
- MED-6, hospital levels: the seed names level-1, -2 and -3 institutions only; any other level is
  refused.
- MED-7: the seed grants the 80% / 70% for in-patient treatment (住院治疗) at level-2 and level-3
  designated hospitals only; a level-1 stay is not under MED-7 (it is settled by the ordinary
  chain, MED-1). "按病种定额救治" gives no quota figures: they are illustrative parameters. Basic
  insurance pays the ratio of the cost up to the quota. The seed does not say who bears the cost
  above the quota (under a per-case quota the hospital usually does), so it is reported apart
  (`above_quota`), not as the patient's self-pay.
- MED-7, codes: the seed names diseases, not codes; the table above is ours. MDR-TB needs a
  tuberculosis code and a drug-resistance marker (ordinary TB is an outpatient chronic disease,
  §三(三)2); A17-A19 are kept because MDR-TB is often coded by site. I22 (subsequent infarction
  within 4 weeks) is an acute infarction too. Haemophilia C is D68.1; D68.0 is kept because
  vascular haemophilia (血管性血友病) is coded there. Colon is C18 only (C19, the rectosigmoid
  junction, is neither 结肠 nor 直肠 in ICD-10). "儿童" has no age in the seed: the bound is the
  illustrative parameter medical.major_disease.child_age_below. With several codes the first
  that names a major disease wins, so the principal diagnosis is expected first.
- MED-7, ZA-GOV §三(二)4 (8 categories / 14 diseases, treat-all campaign with a ledger) is a case
  ledger, not a payment rule, and is not implemented here.
- MED-8: ZA-GOV §三(二)3 gives the aid "对经县合医办审批同意的医保目录外药品费用", i.e. on the
  approved out-of-catalogue drug costs only. The spec lists no such input; the seed
  wins: `approved_out_of_catalogue` is a required fact and the aid never exceeds it, so the cap
  holds only when the approved part is large enough.
- MED-8, several levels in a year: the seed ties each cap to the level of the public hospital
  ("年度自付费用在县级（含县级）以下公立医院不超过1000元、市级…3000元、省级…5000元") and is silent
  on a year that mixes levels. The cap of the current bill's level is applied to the yearly total
  of all levels: someone who already paid more than that cap elsewhere gets the whole approved
  part of the bill. Only public hospitals are named; the caller passes their bills only.
- MED-9: YA-HRSS §二(二)2 has township health centres and village clinics list the 2017-01-01..
  2017-10-31 fees in a ledger due 2017-11-20 and refund them "待政策明确后" (once the policy is
  settled), a date the seed leaves open. `in_cleanup_window` marks the visits for that ledger;
  later visits are refunded at settlement. The fee is refunded in full from the basic fund
  (ratio parameter 1.00); no other facility is named. The clean-up is 姚安's one-off: the dates
  are shipped for 532325 only, and in a county without them there is no clean-up period (every
  visit is refunded at settlement and none goes to a clean-up ledger), never a refusal.
- MED-11: CITY-HRSS §三(五)13 waives the deductible of the large-amount cover (大额保障不设起付线)
  of supplementary special drugs and materials (全民补充医疗保险特药特材) for the rural poor; the
  standard deductible has no figure in the seeds (illustrative parameter). The waiver itself is
  the rule, so 0 is not a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import cast

from shared.money import ZERO, yuan
from shared.policy import ParameterNotFound
from shared.rule_inputs import money, set_field
from shared.trace import Params, Trace

MED_6 = "MED-6"
MED_7 = "MED-7"
MED_8 = "MED-8"
MED_9 = "MED-9"
MED_11 = "MED-11"


class HospitalLevel(IntEnum):
    """Grade of a medical institution (医疗机构等级)."""

    level_1 = 1  # 一级
    level_2 = 2  # 二级
    level_3 = 3  # 三级


class ChronicCategory(StrEnum):
    """Category of an outpatient special chronic disease (门诊特殊慢性病)."""

    category_i = "I"  # Ⅰ类
    category_ii = "II"  # Ⅱ类


class AdminLevel(StrEnum):
    """Administrative level of a public hospital (公立医院) for MED-8."""

    county = "county"  # 县级（含县级）以下: county, township, village
    city = "city"  # 市级
    province = "province"  # 省级


class FacilityType(StrEnum):
    """Primary-care facilities whose general diagnosis fee is refunded (MED-9)."""

    township_health_centre = "township_health_centre"  # 乡镇卫生院
    village_clinic = "village_clinic"  # 村卫生室


P_CHRONIC_RATIO = {
    HospitalLevel.level_1: "medical.outpatient_chronic.ratio.level1",
    HospitalLevel.level_2: "medical.outpatient_chronic.ratio.level2",
    HospitalLevel.level_3: "medical.outpatient_chronic.ratio.level3",
}
P_CHRONIC_CAP = {
    ChronicCategory.category_i: "medical.outpatient_chronic.category_i.annual_cap",
    ChronicCategory.category_ii: "medical.outpatient_chronic.category_ii.annual_cap",
}
P_CHRONIC_BAND_FROM = "medical.outpatient_chronic.category_i.commercial_band_from"

P_MAJOR_RATIO = {
    HospitalLevel.level_2: "medical.major_disease.ratio.level2",
    HospitalLevel.level_3: "medical.major_disease.ratio.level3",
}
P_MAJOR_CHILD_AGE = "medical.major_disease.child_age_below"
P_MAJOR_QUOTA = "medical.major_disease.quota."  # + disease key

# Defined in medical.yaml with the other ZA-GOV figures.
P_CHRONIC36_CAP = {
    AdminLevel.county: "medical.chronic36.self_pay_cap.county",
    AdminLevel.city: "medical.chronic36.self_pay_cap.city",
    AdminLevel.province: "medical.chronic36.self_pay_cap.province",
}

P_GDF_RATIO = "medical.general_diagnosis_fee.refund_ratio"
P_GDF_FIRST = "medical.general_diagnosis_fee.cleanup.first_day"
P_GDF_LAST = "medical.general_diagnosis_fee.cleanup.last_day"
P_GDF_DEADLINE = "medical.general_diagnosis_fee.cleanup.ledger_deadline"

P_SPECIAL_DEDUCTIBLE = "medical.special_drugs.deductible"


# --- input and parameter checks ----------------------------------------------------------------


def _level(value: object) -> HospitalLevel:
    # bool is an int: refuse it so True is not read as level 1.
    if isinstance(value, bool):
        raise ValueError(f"hospital level must be 1, 2 or 3, not {value!r}")
    try:
        return HospitalLevel(cast(int, value))
    except ValueError:
        raise ValueError(f"hospital level must be 1, 2 or 3, not {value!r}") from None


# --- MED-6 outpatient special chronic diseases -------------------------------------------------


@dataclass(frozen=True)
class ChronicOutpatientFacts:
    """One outpatient bill for a special chronic disease (门诊特殊慢性病) of a registered poor
    patient. `ytd_reimbursed` is what was paid this year in the category before this bill, basic
    fund and commercial insurer together."""

    category: ChronicCategory
    hospital_level: HospitalLevel
    covered_cost: Decimal  # 政策范围内费用 of this bill
    ytd_reimbursed: Decimal = ZERO  # 本年度该类已支付

    def __post_init__(self) -> None:
        set_field(self, "category", ChronicCategory(self.category))
        set_field(self, "hospital_level", _level(self.hospital_level))
        set_field(self, "covered_cost", money(self.covered_cost, "covered cost"))
        set_field(self, "ytd_reimbursed", money(self.ytd_reimbursed, "year-to-date reimbursed"))


@dataclass(frozen=True)
class ChronicOutpatientResult:
    """basic_fund + commercial_insurer + self_pay == covered cost."""

    ratio: Decimal
    annual_cap: Decimal
    due: Decimal  # covered cost x ratio, before the cap
    basic_fund: Decimal  # 城乡居民基本医疗保险基金
    commercial_insurer: Decimal  # 大病保险承办商保公司, the 60,000-100,000 band
    self_pay: Decimal  # includes above_cap
    above_cap: Decimal  # part of `due` beyond the yearly cap
    ytd_after: Decimal
    trace: Trace = field(repr=False)

    @property
    def reimbursed(self) -> Decimal:
        return self.basic_fund + self.commercial_insurer


def chronic_outpatient_payment(
    facts: ChronicOutpatientFacts, params: Params, *, trace: Trace | None = None
) -> ChronicOutpatientResult:
    """MED-6: pay an outpatient special chronic disease bill at the ratio of the hospital level
    (90/80/60%) within the category's yearly cap; for category I the part of the year's payments
    above 60,000 is paid by the commercial critical-illness insurer."""
    trace = Trace() if trace is None else trace
    level = facts.hospital_level
    ratio = params.ratio(P_CHRONIC_RATIO[level], trace)
    due = yuan(facts.covered_cost * ratio)
    trace.step(
        MED_6,
        f"level-{int(level)} institution: covered cost x ratio",
        category=facts.category.value,
        hospital_level=int(level),
        covered_cost=facts.covered_cost,
        ratio=ratio,
        due=due,
    )

    cap = params.amount(P_CHRONIC_CAP[facts.category], trace)
    ytd = facts.ytd_reimbursed
    if ytd > cap:
        raise ValueError(f"year-to-date reimbursed {ytd} is above the category's cap {cap}")
    paid = min(due, cap - ytd)
    above_cap = due - paid
    trace.step(
        MED_6,
        "payment limited to what is left of the yearly cap",
        annual_cap=cap,
        ytd_reimbursed=ytd,
        room=cap - ytd,
        paid=paid,
        above_cap=above_cap,
    )

    if facts.category is ChronicCategory.category_i:
        band_from = params.amount(P_CHRONIC_BAND_FROM, trace)
        if band_from > cap:
            raise ValueError(f"commercial band starts at {band_from}, above the cap {cap}")
        basic = min(paid, max(ZERO, band_from - ytd))
        commercial = paid - basic
        trace.step(
            MED_6,
            "year-to-date payments up to the band start from the basic fund, above it from the "
            "commercial insurer at the same ratio",
            band_from=band_from,
            basic_fund=basic,
            commercial_insurer=commercial,
        )
    else:
        basic, commercial = paid, ZERO

    self_pay = facts.covered_cost - paid
    ytd_after = ytd + paid
    trace.step(
        MED_6,
        "patient pays the rest of the covered cost",
        basic_fund=basic,
        commercial_insurer=commercial,
        self_pay=self_pay,
        ytd_after=ytd_after,
    )
    return ChronicOutpatientResult(
        ratio, cap, due, basic, commercial, self_pay, above_cap, ytd_after, trace
    )


# --- MED-7 the 15 major diseases ---------------------------------------------------------------


@dataclass(frozen=True)
class MajorDisease:
    """One of the 15 major diseases treated at a fixed quota (按病种定额救治)."""

    key: str
    name_zh: str
    icd10_prefixes: tuple[str, ...]
    children_only: bool = False
    needs_mdr_marker: bool = False  # a drug-resistance code must accompany the TB code

    @property
    def quota_path(self) -> str:
        return P_MAJOR_QUOTA + self.key


MAJOR_DISEASES: tuple[MajorDisease, ...] = (
    MajorDisease(
        "mdr_tuberculosis",
        "耐多药肺结核",
        ("A15", "A16", "A17", "A18", "A19"),
        needs_mdr_marker=True,
    ),
    MajorDisease("lung_cancer", "肺癌", ("C34",)),
    MajorDisease("oesophageal_cancer", "食道癌", ("C15",)),
    MajorDisease("gastric_cancer", "胃癌", ("C16",)),
    MajorDisease("colon_cancer", "结肠癌", ("C18",)),
    MajorDisease("rectal_cancer", "直肠癌", ("C20",)),
    MajorDisease("chronic_myeloid_leukaemia", "慢性粒细胞白血病", ("C92.1",)),
    MajorDisease("acute_myocardial_infarction", "急性心肌梗塞", ("I21", "I22")),
    MajorDisease("cerebral_infarction", "脑梗死", ("I63",)),
    MajorDisease("haemophilia", "血友病", ("D66", "D67", "D68.0", "D68.1")),
    MajorDisease("type1_diabetes", "Ⅰ型糖尿病", ("E10",)),
    MajorDisease("hyperthyroidism", "甲亢", ("E05",)),
    MajorDisease("phenylketonuria", "儿童苯丙酮尿症", ("E70.0",), children_only=True),
    MajorDisease("hypospadias", "尿道下裂", ("Q54",)),
    MajorDisease("thalassaemia", "地中海贫血", ("D56",)),
)

# U84.3: resistance to tuberculostatic drugs (WHO ICD-10); Z16.342: resistance to multiple
# antimycobacterial drugs (ICD-10-CM).
MDR_MARKERS: tuple[str, ...] = ("U84.3", "Z16.342")


def _norm(code: str) -> str:
    if not isinstance(code, str):
        raise TypeError(f"an ICD-10 code must be a string, not {code!r}")
    norm = code.strip().upper().replace(".", "").replace(" ", "")
    if not norm:
        raise ValueError("empty ICD-10 code")
    return norm


def _starts(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(_norm(p)) for p in prefixes)


def match_major_disease(
    icd10_codes: Iterable[str], age: int, params: Params, *, trace: Trace | None = None
) -> MajorDisease | None:
    """MED-7: the major disease (重大疾病) named by the first code that names one, or None.
    `params` supplies the age bound of 儿童 (only read when a PKU code is seen)."""
    trace = Trace() if trace is None else trace
    if isinstance(icd10_codes, str):
        raise TypeError("icd10_codes must be a sequence of codes, not one string")
    if isinstance(age, bool) or not 0 <= age <= 150:
        raise ValueError(f"implausible age {age!r}")
    codes = [_norm(c) for c in icd10_codes]
    has_marker = any(_starts(c, MDR_MARKERS) for c in codes)
    for code in codes:
        for disease in MAJOR_DISEASES:
            if not _starts(code, disease.icd10_prefixes):
                continue
            if disease.needs_mdr_marker and not has_marker:
                trace.step(MED_7, "tuberculosis without a drug-resistance code", code=code)
                continue
            if disease.children_only:
                below = params.decimal(P_MAJOR_CHILD_AGE, trace)
                if age >= below:
                    trace.step(MED_7, "children only", code=code, age=age, child_age_below=below)
                    continue
            trace.step(
                MED_7,
                f"major disease {disease.name_zh}",
                code=code,
                disease=disease.key,
                age=age,
            )
            return disease
    trace.step(MED_7, "none of the 15 major diseases", codes=",".join(codes) or "none")
    return None


@dataclass(frozen=True)
class MajorDiseaseFacts:
    """An in-patient stay of a registered poor patient, diagnoses principal first."""

    icd10_codes: tuple[str, ...]
    age: int
    hospital_level: HospitalLevel
    cost: Decimal  # 住院费用 of the stay

    def __post_init__(self) -> None:
        if isinstance(self.icd10_codes, str):
            raise TypeError("icd10_codes must be a sequence of codes, not one string")
        set_field(self, "icd10_codes", tuple(self.icd10_codes))
        set_field(self, "hospital_level", _level(self.hospital_level))
        set_field(self, "cost", money(self.cost, "cost"))


@dataclass(frozen=True)
class MajorDiseaseResult:
    """When `applies`: basic_fund + self_pay + above_quota == cost. Otherwise all amounts are 0
    and the stay is settled by the ordinary chain (MED-1)."""

    disease: MajorDisease | None
    applies: bool
    reason: str | None  # why MED-7 does not apply; None when it does
    quota: Decimal
    ratio: Decimal
    cost_within_quota: Decimal
    basic_fund: Decimal  # 城乡居民医保补偿
    self_pay: Decimal  # the patient's share of the cost within the quota
    above_quota: Decimal  # cost beyond the quota; who bears it is not in the seed
    trace: Trace = field(repr=False)


def major_disease_payment(
    facts: MajorDiseaseFacts, params: Params, *, trace: Trace | None = None
) -> MajorDiseaseResult:
    """MED-7: resident basic medical insurance pays 80% (level-2) or 70% (level-3) of a major
    disease stay's cost up to the disease's quota (定额)."""
    trace = Trace() if trace is None else trace
    disease = match_major_disease(facts.icd10_codes, facts.age, params, trace=trace)
    level = facts.hospital_level

    def not_applicable(reason: str) -> MajorDiseaseResult:
        trace.step(MED_7, f"{reason}: ordinary settlement", hospital_level=int(level))
        return MajorDiseaseResult(disease, False, reason, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, trace)

    if disease is None:
        return not_applicable("not one of the 15 major diseases")
    if level not in P_MAJOR_RATIO:
        return not_applicable(
            f"level-{int(level)} hospital: the quota applies at level-2 and level-3 only"
        )
    quota = params.amount(disease.quota_path, trace)
    ratio = params.ratio(P_MAJOR_RATIO[level], trace)
    within = min(facts.cost, quota)
    basic = yuan(within * ratio)
    self_pay = within - basic
    above = facts.cost - within
    trace.step(
        MED_7,
        f"level-{int(level)} hospital: basic insurance pays the ratio of the cost up to the quota",
        disease=disease.key,
        cost=facts.cost,
        quota=quota,
        cost_within_quota=within,
        ratio=ratio,
        basic_fund=basic,
        self_pay=self_pay,
        above_quota=above,
    )
    return MajorDiseaseResult(
        disease, True, None, quota, ratio, within, basic, self_pay, above, trace
    )


# --- MED-8 the 36 chronic diseases (ZA-GOV) ----------------------------------------------------


@dataclass(frozen=True)
class Chronic36Facts:
    """A bill for one of the 36 chronic diseases (36种慢性病) after basic insurance, critical
    illness insurance and medical assistance. `approved_out_of_catalogue` is the part of
    `bill_self_pay` that is out-of-catalogue drug cost approved by the county (经县合医办审批同意的
    医保目录外药品费用); `ytd_self_pay` is the patient's self-pay under this scheme this year before
    the bill, at any level."""

    hospital_admin_level: AdminLevel
    bill_self_pay: Decimal
    approved_out_of_catalogue: Decimal
    ytd_self_pay: Decimal = ZERO

    def __post_init__(self) -> None:
        set_field(self, "hospital_admin_level", AdminLevel(self.hospital_admin_level))
        set_field(self, "bill_self_pay", money(self.bill_self_pay, "bill self-pay"))
        approved = money(self.approved_out_of_catalogue, "approved out-of-catalogue cost")
        if approved > self.bill_self_pay:
            raise ValueError(
                f"approved out-of-catalogue cost {approved} exceeds the self-pay "
                f"{self.bill_self_pay}"
            )
        set_field(self, "approved_out_of_catalogue", approved)
        set_field(self, "ytd_self_pay", money(self.ytd_self_pay, "year-to-date self-pay"))


@dataclass(frozen=True)
class Chronic36Result:
    """aid + self_pay_after == bill_self_pay."""

    cap: Decimal
    aid: Decimal  # 医疗扶助
    self_pay_after: Decimal
    ytd_after: Decimal
    trace: Trace = field(repr=False)


def chronic36_aid(
    facts: Chronic36Facts, params: Params, *, trace: Trace | None = None
) -> Chronic36Result:
    """MED-8: aid on approved out-of-catalogue drug costs so that the yearly self-pay stays within
    1,000 / 3,000 / 5,000 (county and below / city / province public hospitals)."""
    trace = Trace() if trace is None else trace
    level = facts.hospital_admin_level
    cap = params.amount(P_CHRONIC36_CAP[level], trace)
    bill, ytd = facts.bill_self_pay, facts.ytd_self_pay
    allowed = min(bill, max(ZERO, cap - ytd))
    aid = min(bill - allowed, facts.approved_out_of_catalogue)
    self_pay_after = bill - aid
    ytd_after = ytd + self_pay_after
    trace.step(
        MED_8,
        f"{level.value}-level public hospital: yearly self-pay of all levels held to this "
        "level's cap, aid limited to the approved out-of-catalogue drug cost",
        hospital_admin_level=level.value,
        cap=cap,
        ytd_self_pay=ytd,
        bill_self_pay=bill,
        approved_out_of_catalogue=facts.approved_out_of_catalogue,
        aid=aid,
        self_pay_after=self_pay_after,
        ytd_after=ytd_after,
    )
    return Chronic36Result(cap, aid, self_pay_after, ytd_after, trace)


# --- MED-9 general diagnosis fee ---------------------------------------------------------------


@dataclass(frozen=True)
class GeneralFeeVisit:
    """One visit with a self-paid general diagnosis fee (一般诊疗费个人自付部分)."""

    visit_date: date
    facility_type: str  # a FacilityType value, or any other facility
    registered_poor: bool  # 建档立卡贫困人口, exited included (REG-2)
    fee_self_pay: Decimal

    def __post_init__(self) -> None:
        set_field(self, "fee_self_pay", money(self.fee_self_pay, "general diagnosis fee"))


@dataclass(frozen=True)
class GeneralFeeRefund:
    refund: Decimal  # from the basic medical insurance fund
    reason: str | None  # why nothing is refunded; None when refunded
    in_cleanup_window: bool  # visit date within the clean-up period (清理期间)
    ledger_deadline: date | None  # set when refunded and in the window: report by this day
    trace: Trace = field(repr=False)


def in_cleanup_window(visit_date: date, params: Params, *, trace: Trace | None = None) -> bool:
    """MED-9: whether a visit falls in the clean-up period (2017-01-01..2017-10-31 in YA-HRSS);
    False in a county that has no clean-up period."""
    trace = Trace() if trace is None else trace
    try:
        params.policy.resolve(P_GDF_FIRST, params.county, params.on)
    except ParameterNotFound:
        trace.step(MED_9, "no clean-up period in this county", visit_date=visit_date)
        return False
    first = params.day(P_GDF_FIRST, trace)
    last = params.day(P_GDF_LAST, trace)
    inside = first <= visit_date <= last
    trace.step(
        MED_9,
        "visit within the clean-up period" if inside else "visit outside the clean-up period",
        visit_date=visit_date,
        first_day=first,
        last_day=last,
    )
    return inside


def general_diagnosis_fee_refund(
    visit: GeneralFeeVisit, params: Params, *, trace: Trace | None = None
) -> GeneralFeeRefund:
    """MED-9: the registered poor's self-paid general diagnosis fee at a township health centre or
    village clinic is refunded in full; a visit in the clean-up period goes to the ledger due by
    the deadline."""
    trace = Trace() if trace is None else trace
    inside = in_cleanup_window(visit.visit_date, params, trace=trace)
    facility = visit.facility_type
    reason: str | None = None
    if not visit.registered_poor:
        reason = "not a registered poor person"
    elif facility not in {f.value for f in FacilityType}:
        reason = f"facility {facility!r} is not a township health centre or village clinic"
    if reason is not None:
        trace.step(MED_9, f"no refund: {reason}", facility_type=facility)
        return GeneralFeeRefund(ZERO, reason, inside, None, trace)
    ratio = params.ratio(P_GDF_RATIO, trace)
    refund = yuan(visit.fee_self_pay * ratio)
    deadline = params.day(P_GDF_DEADLINE, trace) if inside and refund > 0 else None
    trace.step(
        MED_9,
        "self-paid general diagnosis fee refunded by the basic fund",
        facility_type=facility,
        fee_self_pay=visit.fee_self_pay,
        refund_ratio=ratio,
        refund=refund,
        ledger_deadline=deadline if deadline is not None else "none",
    )
    return GeneralFeeRefund(refund, None, inside, deadline, trace)


# --- MED-11 special drugs and materials --------------------------------------------------------


@dataclass(frozen=True)
class DeductibleResult:
    deductible: Decimal  # the deductible to apply
    standard_deductible: Decimal  # the parameter, for everyone not waived
    waived: bool
    trace: Trace = field(repr=False)


def special_drug_deductible(
    registered_poor: bool, params: Params, *, trace: Trace | None = None
) -> DeductibleResult:
    """MED-11: the deductible (起付线) of the special drugs and materials cover (特药特材): none
    for the registered poor (不设起付线), the parameter for everyone else."""
    trace = Trace() if trace is None else trace
    standard = params.amount(P_SPECIAL_DEDUCTIBLE, trace)
    applied = ZERO if registered_poor else standard
    trace.step(
        MED_11,
        "registered poor: no deductible" if registered_poor else "standard deductible",
        registered_poor=registered_poor,
        standard_deductible=standard,
        deductible=applied,
    )
    return DeductibleResult(applied, standard, registered_poor, trace)


# --- MED-11 medical rehabilitation items of the disabled ---------------------------------------

P_REHABILITATION_ITEMS = "medical.rehabilitation.items"


@dataclass(frozen=True)
class RehabilitationCharge:
    """One rehabilitation item (医疗康复项目) charged to a disabled patient."""

    item: str  # a key of medical.rehabilitation.items, or any other item
    cost: Decimal

    def __post_init__(self) -> None:
        set_field(self, "cost", money(self.cost, f"cost of {self.item}"))


@dataclass(frozen=True)
class RehabilitationCoverage:
    """covered + outside == the charges' cost."""

    covered: Decimal  # counts as policy-covered cost (政策范围内) of basic medical insurance
    outside: Decimal  # items the county does not list: outside the catalogue
    covered_items: tuple[str, ...]
    outside_items: tuple[str, ...]
    trace: Trace = field(repr=False)


def rehabilitation_coverage(
    charges: Iterable[RehabilitationCharge], params: Params, *, trace: Trace | None = None
) -> RehabilitationCoverage:
    """MED-11: the county's medical rehabilitation items of the disabled (正安's nine: 运动疗法 …
    日常生活能力评定) are in the basic medical insurance cover (纳入城乡基本医疗保障范围): their
    cost counts as policy-covered cost; any other item stays outside the catalogue."""
    trace = Trace() if trace is None else trace
    listed = params.get(P_REHABILITATION_ITEMS, trace)
    if not isinstance(listed, dict) or not listed:
        raise TypeError(f"parameter {P_REHABILITATION_ITEMS} must map item keys to names")
    covered, outside = ZERO, ZERO
    inside_items: list[str] = []
    outside_items: list[str] = []
    names = {str(name) for name in listed.values()}
    for charge in charges:
        if charge.item in listed or charge.item in names:
            covered += charge.cost
            inside_items.append(charge.item)
        else:
            outside += charge.cost
            outside_items.append(charge.item)
    trace.step(
        MED_11,
        "listed rehabilitation items count as policy-covered cost; others stay outside",
        covered=covered,
        outside=outside,
        covered_items=",".join(inside_items) or "none",
        outside_items=",".join(outside_items) or "none",
    )
    return RehabilitationCoverage(
        covered, outside, tuple(inside_items), tuple(outside_items), trace
    )
