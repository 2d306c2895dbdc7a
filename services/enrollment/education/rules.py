"""What a student of a registered household is due for a school year (ZA-GOV §三(一): EDU-1,
EDU-2, EDU-3, EDU-4, EDU-5), and who is of compulsory school age (EDU-6).

Pure: facts and parameters in, entitlement lines with Decimal yuan out; every step goes to the
trace with its rule ID, every figure is read through `Params` (and so recorded with its
reference and whether it is illustrative for the county).

Lines are of four kinds: a payment (补助, 助学金), a waiver (减免: a fee the student does not pay,
counted at the seed's figure), an in-kind line (免费教科书: no amount) and information (a loan
limit, never counted). The amount of a student is the sum of payments and waivers.

The readings the seed leaves open are in shared/policy/rules/education.yaml, beside the
sentences; in short: 家庭经济困难 is a household in the registry that is registered poor or on
dibao or 特困; a registered-poor student gets 两助三免 and not the tuition waiver a second time;
the school's tier (正安一中 / 正安二中 / other) is county data (a parameter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shared.domain import PovertyStatus
from shared.money import ZERO
from shared.policy import ParameterNotFound
from shared.trace import Params, Trace

PRESCHOOL_SUBSIDY = "education.preschool.subsidy"
BOARDING = {"primary": "education.boarding.primary", "junior": "education.boarding.junior"}
SCHOOL_TIERS = "education.senior_high.school_tiers"
TWO_AIDS = "education.senior_high.two_aids_three_waivers."
HIGH_TUITION = "education.senior_high.tuition_waiver."
VOCATIONAL_GRANT = "education.vocational.national_grant"
VOCATIONAL_GRANT_MAX_GRADE = "education.vocational.national_grant.max_grade"
VOCATIONAL_TUITION = "education.vocational.tuition_waiver"
VOCATIONAL_POVERTY_GRANT = "education.vocational.poverty_grant"
VOCATIONAL_TEXTBOOK_LODGING = "education.vocational.textbook_lodging_waiver"
LOAN_LIMIT = {
    "higher": "education.loans.undergraduate_limit",
    "graduate": "education.loans.graduate_limit",
}
COMPULSORY_MIN_AGE = "education.compulsory.min_age"
COMPULSORY_MAX_AGE = "education.compulsory.max_age"


class Stage(StrEnum):
    """学段, as the education bureau's register names it."""

    preschool = "preschool"  # 学前 (幼儿园)
    primary = "primary"  # 小学
    junior = "junior"  # 初中
    senior_high = "senior_high"  # 普通高中
    vocational = "vocational"  # 中等职业学校 (中职)
    higher = "higher"  # 本专科 (高校)
    graduate = "graduate"  # 研究生

    @property
    def label_zh(self) -> str:
        return STAGE_ZH[self]

    @property
    def max_grade(self) -> int:
        return STAGE_GRADES[self]

    @classmethod
    def parse(cls, raw: str) -> Stage:
        """The English value, the Chinese name or a usual alias (幼儿园, 高校, 中专 …)."""
        value = raw.strip()
        for stage in cls:
            if value.lower() == stage.value or value in STAGE_ALIASES[stage]:
                return stage
        raise ValueError(
            f"unknown stage {raw!r}; expected one of " + "/".join(STAGE_ZH[s] for s in cls)
        )


STAGE_ZH = {
    Stage.preschool: "学前",
    Stage.primary: "小学",
    Stage.junior: "初中",
    Stage.senior_high: "高中",
    Stage.vocational: "中职",
    Stage.higher: "本专科",
    Stage.graduate: "研究生",
}
STAGE_ALIASES: dict[Stage, tuple[str, ...]] = {
    Stage.preschool: ("学前", "幼儿园", "学前教育"),
    Stage.primary: ("小学",),
    Stage.junior: ("初中", "初级中学"),
    Stage.senior_high: ("高中", "普通高中"),
    Stage.vocational: ("中职", "中等职业学校", "中专", "职高"),
    Stage.higher: ("本专科", "高校", "大学", "本科", "专科", "高职"),
    Stage.graduate: ("研究生", "硕士", "博士"),
}
STAGE_GRADES = {
    Stage.preschool: 3,
    Stage.primary: 6,
    Stage.junior: 3,
    Stage.senior_high: 3,
    Stage.vocational: 3,
    Stage.higher: 5,
    Stage.graduate: 6,
}
COMPULSORY = frozenset({Stage.primary, Stage.junior})


class LineKind(StrEnum):
    payment = "payment"  # 补助 / 助学金, paid to the student
    waiver = "waiver"  # 减免: a fee not charged, counted at the seed's figure
    in_kind = "in_kind"  # 免费提供 (textbooks): no amount
    information = "information"  # a loan limit: told to the household, never paid
    not_published = "not_published"  # 本县未出台: the county has no figure for this programme


class Item(StrEnum):
    preschool_subsidy = "preschool_subsidy"  # 学前教育补助 (EDU-1)
    free_textbooks_and_fees = "free_textbooks_and_fees"  # 免费教科书、免学杂费 (EDU-2)
    boarding_subsidy = "boarding_subsidy"  # 寄宿生生活费补助 (EDU-2)
    two_aids_three_waivers = "two_aids_three_waivers"  # 两助三免 (EDU-3)
    tuition_waiver = "tuition_waiver"  # 免学费 (EDU-3, EDU-4)
    national_grant = "national_grant"  # 国家助学金 (EDU-4)
    poverty_grant = "poverty_grant"  # 精准扶贫专项助学金 (EDU-4)
    textbook_lodging_waiver = "textbook_lodging_waiver"  # 免教科书费、免住宿费 (EDU-4)
    student_loan_limit = "student_loan_limit"  # 生源地信用助学贷款额度 (EDU-5)

    @property
    def label_zh(self) -> str:
        return ITEM_ZH[self]


ITEM_ZH = {
    Item.preschool_subsidy: "学前教育补助",
    Item.free_textbooks_and_fees: "免费教科书、免学杂费",
    Item.boarding_subsidy: "寄宿生生活费补助",
    Item.two_aids_three_waivers: "两助三免",
    Item.tuition_waiver: "免学费",
    Item.national_grant: "国家助学金",
    Item.poverty_grant: "精准扶贫专项助学金",
    Item.textbook_lodging_waiver: "免教科书费、免住宿费",
    Item.student_loan_limit: "生源地信用助学贷款额度(信息)",
}


class SchoolTier(StrEnum):
    """Which figures of EDU-3 a senior high school takes (正安一中 / 正安二中 / 其它高中)."""

    first = "first"
    second = "second"
    other = "other"


@dataclass(frozen=True)
class StudentFacts:
    """A student of a registered household in a school year: the register's line and the
    registry's facts (household status, dibao and 特困 from civil affairs, disability)."""

    school_year: int  # the year the school year starts
    stage: Stage
    grade: int
    school: str
    boarding: bool
    poverty_status: PovertyStatus
    dibao: bool = False  # the student is a member of a household on dibao (低保)
    tekun: bool = False  # the student is in 特困供养
    disability_grade: int | None = None
    public_inclusive: bool | None = None  # 普惠性公办幼儿园
    poor_village: bool | None = None  # from one of the poor villages (贫困村)
    art_performance: bool = False  # 艺术类相关表演专业

    def __post_init__(self) -> None:
        if not 1 <= self.grade <= self.stage.max_grade:
            raise ValueError(f"grade {self.grade} is not a grade of {self.stage.label_zh}")
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            raise ValueError(f"disability grade must be 1-4, got {self.disability_grade}")

    @property
    def registered_poor(self) -> bool:
        return self.poverty_status.is_registered_poor


@dataclass(frozen=True)
class Line:
    rule: str
    item: Item
    kind: LineKind
    amount: Decimal | None  # None: in kind
    note: str = ""


@dataclass(frozen=True)
class Entitlements:
    lines: tuple[Line, ...]

    @property
    def amount(self) -> Decimal:
        """Payments and waivers, yuan per year (information and in-kind lines not counted)."""
        return sum(
            (
                line.amount
                for line in self.lines
                if line.amount is not None and line.kind in (LineKind.payment, LineKind.waiver)
            ),
            ZERO,
        )

    @property
    def entitled(self) -> bool:
        """Whether any payment or waiver is due."""
        return any(line.kind in (LineKind.payment, LineKind.waiver) for line in self.lines)


def school_year_start(school_year: int) -> date:
    """The day a school year starts and its figures are read (1 September)."""
    return date(school_year, 9, 1)


def school_year_end(school_year: int) -> date:
    return date(school_year + 1, 8, 31)


def in_hardship(facts: StudentFacts) -> bool:
    """家庭经济困难 (EDU-2): a registered-poor household, or a student on dibao or in 特困."""
    return facts.registered_poor or facts.dibao or facts.tekun


def student_entitlements(facts: StudentFacts, params: Params, trace: Trace) -> Entitlements:
    """Everything ZA-GOV §三(一) gives this student for the school year, by stage: EDU-1 学前,
    EDU-2 小学/初中, EDU-3 高中, EDU-4 中职, EDU-5 本专科/研究生. `params` are bound to the
    county of the student's school and the first day of the school year."""
    trace.step(
        _rule_of(facts.stage),
        f"{facts.stage.label_zh} student, grade {facts.grade}, school year "
        f"{facts.school_year}/{facts.school_year + 1}",
        school=facts.school,
        poverty_status=facts.poverty_status.value,
        dibao=facts.dibao,
        tekun=facts.tekun,
        disability_grade=facts.disability_grade or "none",
    )
    try:
        if facts.stage is Stage.preschool:
            lines = preschool(facts, params, trace)
        elif facts.stage in COMPULSORY:
            lines = compulsory(facts, params, trace)
        elif facts.stage is Stage.senior_high:
            lines = senior_high(facts, params, trace)
        elif facts.stage is Stage.vocational:
            lines = vocational(facts, params, trace)
        else:
            lines = loan_information(facts, params, trace)
    except ParameterNotFound as exc:
        # Another county's programme (正安's 两助三免 figures, say): this student's line says
        # the county has published none, and the rest of a list is still decided.
        rule = _rule_of(facts.stage)
        trace.step(rule, "the county has published no figure for this programme", missing=str(exc))
        lines = [Line(rule, STAGE_ITEM[facts.stage], LineKind.not_published, None, exc.detail)]
    result = Entitlements(tuple(lines))
    trace.step(
        _rule_of(facts.stage),
        "due for the school year (payments and waivers; information not counted)",
        amount=result.amount,
        lines=",".join(line.item.value for line in lines) or "none",
    )
    return result


STAGE_ITEM = {
    Stage.preschool: Item.preschool_subsidy,
    Stage.primary: Item.boarding_subsidy,
    Stage.junior: Item.boarding_subsidy,
    Stage.senior_high: Item.two_aids_three_waivers,
    Stage.vocational: Item.national_grant,
    Stage.higher: Item.student_loan_limit,
    Stage.graduate: Item.student_loan_limit,
}


def _rule_of(stage: Stage) -> str:
    if stage is Stage.preschool:
        return "EDU-1"
    if stage in COMPULSORY:
        return "EDU-2"
    if stage is Stage.senior_high:
        return "EDU-3"
    if stage is Stage.vocational:
        return "EDU-4"
    return "EDU-5"


def preschool(facts: StudentFacts, params: Params, trace: Trace) -> list[Line]:
    """EDU-1: a poor child (registered poor) of one of the poor villages in a 普惠性公办
    kindergarten gets the preschool subsidy (illustrative: the seed sets no amount)."""
    missing = [
        reason
        for reason, failed in (
            ("not of a registered-poor household (贫困家庭)", not facts.registered_poor),
            ("not from one of the poor villages (贫困村)", not facts.poor_village),
            ("not in a 普惠性公办 kindergarten", not facts.public_inclusive),
        )
        if failed
    ]
    if missing:
        trace.step("EDU-1", "no preschool subsidy: " + "; ".join(missing))
        return []
    amount = params.amount(PRESCHOOL_SUBSIDY, trace)
    trace.step("EDU-1", "preschool subsidy (学前教育补助)", amount=amount)
    return [Line("EDU-1", Item.preschool_subsidy, LineKind.payment, amount)]


def compulsory(facts: StudentFacts, params: Params, trace: Trace) -> list[Line]:
    """EDU-2: free textbooks and no fees for every rural compulsory student (in kind); the
    boarding living subsidy (1,000 primary, 1,250 junior) for a boarder in hardship."""
    lines = [Line("EDU-2", Item.free_textbooks_and_fees, LineKind.in_kind, None)]
    trace.step("EDU-2", "rural compulsory education: free textbooks, no fees (in kind)")
    if not facts.boarding:
        trace.step("EDU-2", "not a boarder (寄宿生): no living subsidy")
        return lines
    if not in_hardship(facts):
        trace.step("EDU-2", "boarder not in hardship (家庭经济困难): no living subsidy")
        return lines
    amount = params.amount(BOARDING[facts.stage.value], trace)
    trace.step(
        "EDU-2",
        f"boarder in hardship, {facts.stage.label_zh}: living subsidy (寄宿生生活费补助)",
        amount=amount,
    )
    lines.append(Line("EDU-2", Item.boarding_subsidy, LineKind.payment, amount))
    return lines


def school_tier(school: str, params: Params, trace: Trace) -> SchoolTier:
    """EDU-3: the tier of a senior high school, from the county's list (any other: other)."""
    tiers = params.get(SCHOOL_TIERS, trace)
    if not isinstance(tiers, dict):
        raise TypeError(f"parameter {SCHOOL_TIERS} must map school names to tiers: {tiers!r}")
    raw = tiers.get(school.strip())
    tier = SchoolTier(str(raw)) if raw is not None else SchoolTier.other
    trace.step(
        "EDU-3", "the school's tier (正安一中 / 正安二中 / 其它高中)", school=school, tier=tier
    )
    return tier


def senior_high(facts: StudentFacts, params: Params, trace: Trace) -> list[Line]:
    """EDU-3: 两助三免 for a registered-poor (建档立卡) student at the school's figure; else the
    tuition waiver (免学费) for a student on dibao, in 特困, or disabled in hardship. Never both:
    三免 waives tuition already."""
    grounds = [
        ground
        for ground, holds in (
            ("dibao", facts.dibao),
            ("tekun", facts.tekun),
            ("disabled", facts.disability_grade is not None),
        )
        if holds
    ]
    if not facts.registered_poor and not grounds:
        trace.step("EDU-3", "neither registered poor nor on dibao, 特困 or disabled: no aid")
        return []
    tier = school_tier(facts.school, params, trace)
    if facts.registered_poor:
        amount = params.amount(TWO_AIDS + tier.value, trace)
        absorbed = f"; the tuition waiver ({','.join(grounds)}) is part of 三免" if grounds else ""
        trace.step(
            "EDU-3",
            "registered poor (建档立卡): 两助三免 at the school's figure" + absorbed,
            tier=tier,
            amount=amount,
        )
        return [Line("EDU-3", Item.two_aids_three_waivers, LineKind.payment, amount)]
    amount = params.amount(HIGH_TUITION + tier.value, trace)
    trace.step(
        "EDU-3",
        "tuition waived (免学费) at the school's figure",
        grounds=",".join(grounds),
        tier=tier,
        amount=amount,
    )
    return [Line("EDU-3", Item.tuition_waiver, LineKind.waiver, amount, ",".join(grounds))]


def vocational(facts: StudentFacts, params: Params, trace: Trace) -> list[Line]:
    """EDU-4: a rural 中职 student (every registry household is rural) gets the national grant in
    grades 1-2 and the tuition waiver (art performance majors excepted); a registered-poor one
    also the 精准扶贫专项助学金 and the textbook and lodging waiver."""
    lines: list[Line] = []
    max_grade = params.whole(VOCATIONAL_GRANT_MAX_GRADE, trace, minimum=1)
    if facts.grade <= max_grade:
        grant = params.amount(VOCATIONAL_GRANT, trace)
        trace.step("EDU-4", "rural student, grade within the grant's: 国家助学金", amount=grant)
        lines.append(Line("EDU-4", Item.national_grant, LineKind.payment, grant))
    else:
        trace.step("EDU-4", f"grade {facts.grade}: past the national grant's grades")
    if facts.art_performance:
        trace.step("EDU-4", "art performance major (艺术类相关表演专业): no tuition waiver")
    else:
        waiver = params.amount(VOCATIONAL_TUITION, trace)
        trace.step("EDU-4", "rural student: tuition waived (免学费)", amount=waiver)
        lines.append(Line("EDU-4", Item.tuition_waiver, LineKind.waiver, waiver))
    if facts.registered_poor:
        grant = params.amount(VOCATIONAL_POVERTY_GRANT, trace)
        fees = params.amount(VOCATIONAL_TEXTBOOK_LODGING, trace)
        trace.step(
            "EDU-4",
            "registered poor (建档立卡): 精准扶贫专项助学金 and textbook and lodging fees waived",
            poverty_grant=grant,
            textbook_lodging=fees,
        )
        lines.append(Line("EDU-4", Item.poverty_grant, LineKind.payment, grant))
        lines.append(Line("EDU-4", Item.textbook_lodging_waiver, LineKind.waiver, fees))
    else:
        trace.step("EDU-4", "not registered poor: no 精准扶贫专项助学金")
    return lines


def loan_information(facts: StudentFacts, params: Params, trace: Trace) -> list[Line]:
    """EDU-5: the yearly limit of a student-origin credit loan, told to the household (8,000
    本专科, 12,000 研究生): information, never a payment."""
    limit = params.amount(LOAN_LIMIT[facts.stage.value], trace)
    trace.step(
        "EDU-5",
        f"{facts.stage.label_zh}: student-origin credit loan up to this a year (information)",
        limit=limit,
    )
    return [Line("EDU-5", Item.student_loan_limit, LineKind.information, limit)]


@dataclass(frozen=True)
class AgeBounds:
    """Compulsory-education ages (EDU-6), in full years on the school year's first day."""

    on: date
    min_age: int
    max_age: int

    @property
    def born_after(self) -> date:
        """Children born after this day are younger than max_age + 1 on `on`."""
        return _years_before(self.on, self.max_age + 1)

    @property
    def born_by(self) -> date:
        """Children born by this day are at least min_age on `on`."""
        return _years_before(self.on, self.min_age)

    def covers(self, birth_date: date) -> bool:
        return self.born_after < birth_date <= self.born_by


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def compulsory_ages(school_year: int, params: Params, trace: Trace) -> AgeBounds:
    """EDU-6: the ages of compulsory education (6 to 15), reached on 1 September of the school
    year; a registered-poor child of these ages in no school is flagged (不因贫失学)."""
    on = school_year_start(school_year)
    low = params.whole(COMPULSORY_MIN_AGE, trace)
    high = params.whole(COMPULSORY_MAX_AGE, trace, minimum=low)
    bounds = AgeBounds(on, low, high)
    trace.step(
        "EDU-6",
        "compulsory school age on the school year's first day",
        on=on,
        min_age=low,
        max_age=high,
        born_after=bounds.born_after,
        born_by=bounds.born_by,
    )
    return bounds


def must_be_in_school(status: PovertyStatus, birth_date: date, bounds: AgeBounds) -> bool:
    """EDU-6: a child of a registered-poor household (not a marginal one) of compulsory age."""
    return status.is_registered_poor and bounds.covers(birth_date)
