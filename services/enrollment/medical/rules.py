"""Coverage requirement and contribution funding of resident medical insurance (ENR-M1..M3).

Pure: facts and parameters in, a result with Decimal yuan out; every step goes to the trace with
its rule ID, every figure read comes from `Params` (and so is recorded with its reference).

How one person's annual individual contribution (个人缴费) is funded:

1. ENR-M2, the province (省财政): for registered poor (not exited and exited, REG-2) 60% (not
   exited) or 40% (exited) of the contribution, rounded half-up to the fen. Of which amount is
   the parameter enrollment.medical.province_share.basis: `whole` (the default, see below) takes
   the whole contribution and comes first; `after_assistance` takes what step 2 leaves.
2. ENR-M3, medical assistance (民政医疗救助资金): all that is left for 特困 people (urban 三无,
   rural 五保); otherwise a fixed subsidy (70 yuan) for dibao recipients (低保对象), grade 1-2
   disabled unable to work, and members of low-income households aged 60+. The fixed subsidy is
   paid once per person and year however many of these grounds apply, and never exceeds what is
   left to fund.
3. ENR-M2, the prefecture/county (州、县市): for registered poor, whatever the province and
   medical assistance leave, so the shares add up exactly to the contribution.
4. The person pays what is left: 0 for registered poor, contribution minus medical assistance for
   everyone else (never below 0).

Reading of the seeds
--------------------
- YA-GOV §三(六) reads "省财政对已脱贫人口补助40%,对未脱贫人口补助60%。省财政承担剩余部分,
  州、县市财政按照《…》(楚政通〔2013〕62号)执行". Taken word for word the province would also
  pay the rest, which would make the 40/60 split meaningless; we read it as the spec does: the
  part left after the province's share falls on prefecture and county under 楚政通〔2013〕62号.
  That document is not among the seeds, so prefecture and county are reported as one share
  (`prefecture_county`).
- The seed states the public funding (ENR-M2) and the medical-assistance funding (ENR-M3) side
  by side without saying how they stack ("个人缴费部分由财政全额补贴，省财政对已脱贫人口补助40%，
  对未脱贫人口补助60%" … "按照每人每年70元标准定额资助参保，所需资金由…民政医疗救助资金承担").
  The province's 40/60% is read as a share of the individual contribution itself (basis
  `whole`): the sentence names no other base, and it is the per-head figure on which the
  province's transfer to the county is reckoned. The 70 yuan, a separate sentence and fund,
  then comes out of the part the province leaves to the prefecture/county. 2018 (220 yuan), a
  not-exited dibao person: province 132, medical assistance 70, prefecture/county 18, person 0;
  a registered 特困 person: province 132, medical assistance the other 88. The other reading
  (basis `after_assistance`: medical assistance first, then the province's share of the rest:
  70, 90, 60) is a parameter for a county whose province reckons it that way. Either way no
  fund pays for the same yuan twice and the shares never exceed the contribution. (The spec's
  "paid in full by public finance" holds: both funds are public money.)
- The seed gives no contribution figure; FL-HRSS §三(三)1 funds it "按照国家统一标准". The
  yearly figure is the illustrative parameter `enrollment.medical.individual_contribution`
  (national minimum), which a county overrides with its own.
- ENR-M3 in the seed ("对参加城乡居民医疗保险的特困人员…城乡低保对象…") is not limited to
  the poverty registry: a dibao recipient who is not registered poor gets the 70 yuan and pays
  the rest.
- "低收入家庭60岁以上的老年人" (the spec says "low-income people aged 60+"): the test is the
  household's low-income status plus the person's age; 以上 includes 60. The seed does not say
  on which date the age counts; we take the age reached in the contribution year (year - birth
  year), so a person who turns 60 during the year is subsidised for that year.
- "丧失劳动能力的一、二级重度残疾人": both conditions are needed, certified grade 1 or 2 and
  unable to work.
- Marginal households (贫困边缘户, REG-2) appear in the seeds only for temporary relief
  (YA-GOV §三(七)); §三(六) funds the contribution of 已脱贫 and 未脱贫 people only. So a
  marginal person gets no ENR-M2 funding, only the ENR-M3 subsidies they qualify for, and is
  not in the ENR-M1 target.
- ENR-M1: "确保贫困人口100%参加基本医保和大病保险" and the 40% share for 已脱贫人口 show that
  exited people stay in the target (脱贫不脱政策, REG-2). Critical-illness insurance has no
  contribution of its own in the seeds; enrolment in basic medical insurance carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from shared.domain import PovertyStatus
from shared.money import FEN, ZERO
from shared.trace import Params, Trace

ENR_M1 = "ENR-M1"
ENR_M2 = "ENR-M2"
ENR_M3 = "ENR-M3"

CONTRIBUTION = "enrollment.medical.individual_contribution"
FIXED_SUBSIDY = "enrollment.medical.fixed_assistance_subsidy"
PROVINCE_SHARE = {
    PovertyStatus.not_exited: "enrollment.medical.province_share.not_exited",
    PovertyStatus.exited: "enrollment.medical.province_share.exited",
}
PROVINCE_BASIS = "enrollment.medical.province_share.basis"
ELDERLY_MIN_AGE = "enrollment.medical.low_income_elderly.min_age"
SEVERE_DISABILITY_MAX_GRADE = "enrollment.medical.severe_disability.max_grade"

# Registered poor (建档立卡) in the sense of ENR-M1/M2; marginal households are not (see above).
REGISTERED_POOR = frozenset(s for s in PovertyStatus if s.is_registered_poor)
DISABILITY_GRADES = range(1, 5)  # certified grades 一级..四级


class AssistanceGround(StrEnum):
    """Why medical assistance (医疗救助) funds part of the contribution (ENR-M3)."""

    tekun = "tekun"  # 特困人员 (城市三无 / 农村五保): full funding
    dibao = "dibao"  # 城乡低保对象
    severe_disability = "severe_disability"  # 丧失劳动能力的一、二级重度残疾人
    low_income_elderly = "low_income_elderly"  # 低收入家庭60岁以上的老年人


class ShareBasis(StrEnum):
    """What the province's share (ENR-M2) is a share of."""

    whole = "whole"  # the whole individual contribution
    after_assistance = "after_assistance"  # what medical assistance (ENR-M3) leaves


class Fund(StrEnum):
    """Who pays a share of the contribution."""

    medical_assistance = "medical_assistance"  # 民政医疗救助资金
    province = "province"  # 省财政
    prefecture_county = "prefecture_county"  # 州、县市财政


@dataclass(frozen=True)
class MedicalContributionFacts:
    """One person's situation for the annual contribution (城乡居民基本医疗保险个人缴费).

    `poverty_status` is None for people not in the poverty registry (建档立卡). `year` is the
    contribution (coverage) year."""

    year: int
    poverty_status: PovertyStatus | None = None
    tekun: bool = False  # 特困人员: 城市三无人员 / 农村五保对象
    dibao: bool = False  # 低保对象
    disability_grade: int | None = None  # certified disability grade (残疾等级), 1 = most severe
    unable_to_work: bool = False  # 丧失劳动能力
    low_income_household: bool = False  # 低收入家庭
    birth_date: date | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2200:
            raise ValueError(f"implausible contribution year {self.year}")
        if self.disability_grade is not None and self.disability_grade not in DISABILITY_GRADES:
            raise ValueError(f"disability grade must be 1-4, got {self.disability_grade}")
        if self.birth_date is not None and self.birth_date.year > self.year:
            raise ValueError("born after the contribution year")

    @property
    def age_in_year(self) -> int | None:
        """Age reached during the contribution year (see "Reading of the seeds")."""
        return None if self.birth_date is None else self.year - self.birth_date.year


@dataclass(frozen=True)
class MedicalContributionFunding:
    """Who pays the year's individual contribution; amounts in yuan with 2 places.

    medical_assistance + province + prefecture_county + person_pays == contribution."""

    year: int
    contribution: Decimal  # 个人缴费标准
    medical_assistance: Decimal  # 医疗救助 (ENR-M3)
    province: Decimal  # 省财政 (ENR-M2)
    prefecture_county: Decimal  # 州、县市财政 (ENR-M2)
    person_pays: Decimal  # 个人缴纳
    grounds: tuple[AssistanceGround, ...]  # every ENR-M3 ground that applies

    @property
    def public_finance(self) -> Decimal:
        """Poverty-alleviation public funding (财政补贴, ENR-M2): province + prefecture/county."""
        return self.province + self.prefecture_county

    @property
    def shares(self) -> dict[Fund, Decimal]:
        """Each fund once, with its share (zero shares included)."""
        return {
            Fund.medical_assistance: self.medical_assistance,
            Fund.province: self.province,
            Fund.prefecture_county: self.prefecture_county,
        }


@dataclass(frozen=True)
class MedicalCoverageRequirement:
    """Whether ENR-M1 requires the person to be insured (应保尽保)."""

    basic_medical_insurance: bool  # 城乡居民基本医疗保险
    critical_illness_insurance: bool  # 大病保险
    reason: str

    @property
    def required(self) -> bool:
        return self.basic_medical_insurance and self.critical_illness_insurance


def medical_coverage_requirement(
    status: PovertyStatus | None, trace: Trace | None = None
) -> MedicalCoverageRequirement:
    """ENR-M1: every registered poor person, exited ones included (REG-2), must be in basic
    medical insurance and critical-illness insurance (贫困人口100%参加基本医保和大病保险)."""
    trace = trace if trace is not None else Trace()
    if status is not None and status.is_registered_poor:
        reason = (
            f"registered poor ({status.label_zh}): basic and critical-illness insurance required"
        )
        required = True
    elif status is PovertyStatus.marginal:
        reason = "marginal household (边缘户): outside the ENR-M1 target of the seeds"
        required = False
    else:
        reason = "not in the poverty registry: outside the ENR-M1 target"
        required = False
    trace.step(ENR_M1, reason, status=status.value if status else "none", required=required)
    return MedicalCoverageRequirement(
        basic_medical_insurance=required, critical_illness_insurance=required, reason=reason
    )


def medical_contribution_funding(
    facts: MedicalContributionFacts, params: Params, trace: Trace | None = None
) -> MedicalContributionFunding:
    """ENR-M2 and ENR-M3: split the year's individual contribution between medical assistance,
    province, prefecture/county and the person (order: module docstring).

    Every parameter is read as in force on 1 January of `facts.year` (the contribution is set per
    year); `params` supplies the policy set and the county."""
    trace = trace if trace is not None else Trace()
    yearly = Params(params.policy, params.county, date(facts.year, 1, 1))

    contribution = yearly.amount(CONTRIBUTION, trace)
    trace.step(
        ENR_M3, "individual contribution for the year", year=facts.year, contribution=contribution
    )

    grounds = _assistance_grounds(facts, yearly, trace)
    status = facts.poverty_status
    if status is None or not status.is_registered_poor:
        reason = (
            "marginal household (边缘户): the seeds fund registered poor only"
            if status is PovertyStatus.marginal
            else "not in the poverty registry"
        )
        trace.step(ENR_M2, f"no public funding of the contribution: {reason}")
        assistance = _medical_assistance(grounds, contribution, yearly, trace)
        province = prefecture_county = ZERO
    else:
        basis = _basis(yearly, trace)
        if basis is ShareBasis.whole:
            province = _province(status, contribution, basis, yearly, trace)
            assistance = _medical_assistance(grounds, contribution - province, yearly, trace)
        else:
            assistance = _medical_assistance(grounds, contribution, yearly, trace)
            province = _province(status, contribution - assistance, basis, yearly, trace)
        prefecture_county = contribution - province - assistance
        trace.step(
            ENR_M2,
            f"registered poor ({status.label_zh}): the prefecture/county (州、县市) funds the rest",
            province=province,
            medical_assistance=assistance,
            prefecture_county=prefecture_county,
        )
    person_pays = contribution - assistance - province - prefecture_county
    trace.step(
        ENR_M2 if facts.poverty_status in REGISTERED_POOR else ENR_M3,
        "the person pays the contribution less every share funded",
        contribution=contribution,
        medical_assistance=assistance,
        province=province,
        prefecture_county=prefecture_county,
        person_pays=person_pays,
    )
    return MedicalContributionFunding(
        year=facts.year,
        contribution=contribution,
        medical_assistance=assistance,
        province=province,
        prefecture_county=prefecture_county,
        person_pays=person_pays,
        grounds=grounds,
    )


def _assistance_grounds(
    facts: MedicalContributionFacts, params: Params, trace: Trace
) -> tuple[AssistanceGround, ...]:
    """ENR-M3: the medical-assistance grounds (特困 in full, 70 yuan for the others)."""
    grounds: list[AssistanceGround] = []
    figures: dict[str, object] = {}
    if facts.tekun:
        grounds.append(AssistanceGround.tekun)
    if facts.dibao:
        grounds.append(AssistanceGround.dibao)
    if facts.disability_grade is not None and facts.unable_to_work:
        max_grade = int(params.decimal(SEVERE_DISABILITY_MAX_GRADE, trace))
        figures["disability_grade"] = facts.disability_grade
        if facts.disability_grade <= max_grade:
            grounds.append(AssistanceGround.severe_disability)
    if facts.low_income_household and facts.age_in_year is not None:
        min_age = int(params.decimal(ELDERLY_MIN_AGE, trace))
        figures["age_in_year"] = facts.age_in_year
        if facts.age_in_year >= min_age:
            grounds.append(AssistanceGround.low_income_elderly)
    trace.step(
        ENR_M3,
        "medical-assistance grounds",
        grounds=",".join(grounds) or "none",
        **figures,
    )
    return tuple(grounds)


def _medical_assistance(
    grounds: tuple[AssistanceGround, ...], unfunded: Decimal, params: Params, trace: Trace
) -> Decimal:
    """ENR-M3 out of `unfunded`, the part of the contribution no other fund has taken."""
    if AssistanceGround.tekun in grounds:
        # Full funding already covers the fixed subsidy any other ground would give.
        trace.step(
            ENR_M3,
            "特困: the contribution left unfunded is paid in full by medical assistance",
            medical_assistance=unfunded,
        )
        return unfunded
    if grounds:
        fixed = params.amount(FIXED_SUBSIDY, trace)
        assistance = min(fixed, unfunded)
        trace.step(
            ENR_M3,
            "fixed medical-assistance subsidy, once per person and year",
            fixed_subsidy=fixed,
            medical_assistance=assistance,
        )
        return assistance
    trace.step(ENR_M3, "no medical-assistance ground", medical_assistance=ZERO)
    return ZERO


def _basis(params: Params, trace: Trace) -> ShareBasis:
    value = params.get(PROVINCE_BASIS, trace)
    try:
        return ShareBasis(value)
    except ValueError:
        choices = ", ".join(ShareBasis)
        message = f"parameter {PROVINCE_BASIS} must be one of {choices}: {value!r}"
        raise ValueError(message) from None


def _province(
    status: PovertyStatus, base: Decimal, basis: ShareBasis, params: Params, trace: Trace
) -> Decimal:
    """ENR-M2: the province's share of the contribution (40% exited, 60% not exited)."""
    ratio = params.ratio(PROVINCE_SHARE[status], trace)
    # Rounded half-up to the fen; the fen left by rounding falls to the prefecture/county.
    province = (base * ratio).quantize(FEN, rounding=ROUND_HALF_UP)
    trace.step(
        ENR_M2,
        f"registered poor ({status.label_zh}): the province's share of "
        + (
            "the whole contribution"
            if basis is ShareBasis.whole
            else "what medical assistance leaves"
        ),
        basis=basis.value,
        base=base,
        province_share=ratio,
        province=province,
    )
    return province
