"""Education aid rules on ZA-GOV §三(一)'s own figures (正安 520324, school year 2018): preschool
(EDU-1), boarding 1,000 / 1,250 (EDU-2), 两助三免 5,700 / 5,500 / 4,660 and the tuition waiver
1,800 / 1,600 / 760 by school (EDU-3), vocational 2,000 / 2,000 / 1,000 / 900 (EDU-4), loan
limits 8,000 / 12,000 (EDU-5), compulsory ages 6-15 (EDU-6); other counties 422 or illustrative."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.enrollment.education.register import parse_register
from services.enrollment.education.rules import (
    Entitlements,
    Item,
    LineKind,
    Stage,
    StudentFacts,
    compulsory_ages,
    must_be_in_school,
    school_year_start,
    student_entitlements,
)
from shared.domain import PovertyStatus
from shared.errors import InvalidInput
from shared.ids import make_resident_id
from shared.policy import PolicySet
from shared.settings import Settings
from shared.trace import Params, Trace

ZHENG_AN = "520324"
YAO_AN = "532325"
POLICY = PolicySet.load(Settings().policy_dir)
POOR = PovertyStatus.not_exited


def decide(facts: StudentFacts, county: str = ZHENG_AN) -> tuple[Entitlements, Trace]:
    trace = Trace()
    params = Params(POLICY, county, school_year_start(facts.school_year))
    return student_entitlements(facts, params, trace), trace


def student(stage: Stage, **over: Any) -> StudentFacts:
    base = StudentFacts(
        school_year=2018, stage=stage, grade=1, school="某校", boarding=False, poverty_status=POOR
    )
    return replace(base, **over)


def amounts(result: Entitlements) -> dict[Item, Decimal | None]:
    return {line.item: line.amount for line in result.lines}


def test_edu_2_boarding_subsidy_primary_1000_junior_1250() -> None:
    primary, trace = decide(student(Stage.primary, boarding=True))
    assert amounts(primary) == {
        Item.free_textbooks_and_fees: None,
        Item.boarding_subsidy: Decimal("1000.00"),
    }
    assert primary.amount == Decimal("1000.00")
    assert "EDU-2" in trace.out().rules and trace.illustrative() == []
    junior, _ = decide(student(Stage.junior, boarding=True))
    assert junior.amount == Decimal("1250.00")
    day_pupil, _ = decide(student(Stage.junior))
    assert day_pupil.amount == Decimal("0.00") and not day_pupil.entitled
    # A boarder of a marginal household not on dibao is not in hardship; on dibao they are.
    marginal = student(Stage.primary, boarding=True, poverty_status=PovertyStatus.marginal)
    assert decide(marginal)[0].amount == Decimal("0.00")
    assert decide(replace(marginal, dibao=True))[0].amount == Decimal("1000.00")


@pytest.mark.parametrize(
    ("school", "aid", "waiver"),
    [
        ("正安一中", "5700.00", "1800.00"),
        ("正安县第二中学", "5500.00", "1600.00"),
        ("正安县格林中学", "4660.00", "760.00"),
    ],
)
def test_edu_3_two_aids_three_waivers_and_tuition_waiver_by_school(
    school: str, aid: str, waiver: str
) -> None:
    registered, trace = decide(student(Stage.senior_high, school=school))
    assert amounts(registered) == {Item.two_aids_three_waivers: Decimal(aid)}
    assert "education.senior_high.school_tiers" in {p.path for p in trace.parameters.values()}
    marginal = PovertyStatus.marginal
    for ground in ({"dibao": True}, {"tekun": True}, {"disability_grade": 3}):
        waived, _ = decide(
            student(Stage.senior_high, school=school, poverty_status=marginal, **ground)
        )
        assert amounts(waived) == {Item.tuition_waiver: Decimal(waiver)}
        assert waived.lines[0].kind is LineKind.waiver
    nothing, _ = decide(student(Stage.senior_high, school=school, poverty_status=marginal))
    assert nothing.lines == ()


def test_edu_3_a_registered_poor_dibao_student_is_not_waived_twice() -> None:
    result, trace = decide(student(Stage.senior_high, school="正安一中", dibao=True))
    assert amounts(result) == {Item.two_aids_three_waivers: Decimal("5700.00")}
    assert any("part of 三免" in s.text for s in trace.steps)


def test_edu_4_vocational_grant_waiver_poverty_grant_and_fees() -> None:
    first, _ = decide(student(Stage.vocational, grade=1))
    assert amounts(first) == {
        Item.national_grant: Decimal("2000.00"),
        Item.tuition_waiver: Decimal("2000.00"),
        Item.poverty_grant: Decimal("1000.00"),
        Item.textbook_lodging_waiver: Decimal("900.00"),
    }
    assert first.amount == Decimal("5900.00")
    third, _ = decide(student(Stage.vocational, grade=3))
    assert Item.national_grant not in amounts(third) and third.amount == Decimal("3900.00")
    art, _ = decide(student(Stage.vocational, grade=2, art_performance=True))
    assert Item.tuition_waiver not in amounts(art)
    marginal, _ = decide(student(Stage.vocational, poverty_status=PovertyStatus.marginal))
    assert marginal.amount == Decimal("4000.00")  # rural: grant and waiver, not the 建档立卡 lines


def test_edu_5_loan_limits_are_information_not_payments() -> None:
    undergraduate, _ = decide(student(Stage.higher))
    assert amounts(undergraduate) == {Item.student_loan_limit: Decimal("8000.00")}
    assert undergraduate.lines[0].kind is LineKind.information
    assert undergraduate.amount == Decimal("0.00") and not undergraduate.entitled
    graduate, _ = decide(student(Stage.graduate))
    assert amounts(graduate) == {Item.student_loan_limit: Decimal("12000.00")}


def test_edu_1_preschool_subsidy_is_illustrative_and_needs_village_and_kindergarten() -> None:
    facts = student(Stage.preschool, public_inclusive=True, poor_village=True)
    result, trace = decide(facts)
    assert amounts(result) == {Item.preschool_subsidy: Decimal("500.00")}
    assert trace.illustrative() == ["education.preschool.subsidy"]
    assert decide(replace(facts, poor_village=False))[0].lines == ()
    assert decide(replace(facts, public_inclusive=False))[0].lines == ()
    assert decide(replace(facts, poverty_status=PovertyStatus.marginal))[0].lines == ()


def test_other_counties_have_no_figure_for_zheng_ans_programmes_or_illustrative_ones() -> None:
    # 正安's own programme: the student's line says the county published no figure, nothing
    # is paid, and nothing else of a list is refused.
    high, trace = decide(student(Stage.senior_high), county=YAO_AN)
    (line,) = high.lines
    assert line.kind is LineKind.not_published and line.amount is None
    assert "education.senior_high.school_tiers" in line.note
    assert high.amount == 0 and not high.entitled
    assert "EDU-3" in trace.out().rules
    vocational, _ = decide(student(Stage.vocational), county=YAO_AN)
    assert [x.kind for x in vocational.lines] == [LineKind.not_published]
    assert "education.vocational" in vocational.lines[0].note
    boarding, trace = decide(student(Stage.junior, boarding=True), county=YAO_AN)
    assert boarding.amount == Decimal("1250.00")
    assert trace.illustrative() == ["education.boarding.junior"]
    # Before 正安's figures took effect, 正安 too has no 两助三免.
    early, _ = decide(student(Stage.senior_high, school_year=2017))
    assert [x.kind for x in early.lines] == [LineKind.not_published]


def test_edu_6_compulsory_age_six_to_fifteen_on_the_first_of_september() -> None:
    trace = Trace()
    bounds = compulsory_ages(2018, Params(POLICY, ZHENG_AN, date(2018, 9, 1)), trace)
    assert (bounds.min_age, bounds.max_age) == (6, 15)
    assert must_be_in_school(POOR, date(2012, 9, 1), bounds)  # six that day
    assert not must_be_in_school(POOR, date(2012, 9, 2), bounds)  # five
    assert must_be_in_school(POOR, date(2002, 9, 2), bounds)  # fifteen
    assert not must_be_in_school(POOR, date(2002, 9, 1), bounds)  # sixteen that day
    assert must_be_in_school(PovertyStatus.exited, date(2010, 1, 1), bounds)
    assert not must_be_in_school(PovertyStatus.marginal, date(2010, 1, 1), bounds)
    assert trace.illustrative() == [] and "EDU-6" in trace.out().rules


def rows(*lines: str) -> list[list[str]]:
    return [line.split(",") for line in ("学校,学段,年级,寄宿,身份证号,姓名", *lines)]


def test_edu_6_register_rows_are_validated_row_by_row() -> None:
    good = make_resident_id(ZHENG_AN, date(2010, 5, 1), 1, "M")
    other = make_resident_id(ZHENG_AN, date(2011, 5, 1), 2, "F")
    wrong = other[:-1] + ("0" if other[-1] != "0" else "1")  # a bad check digit
    parsed = parse_register(
        iter(rows(f"正安一中,高中,高二,否,{good},甲", f"某小学,小学,三年级,是,{other},乙")),
        today=date(2018, 9, 1),
    )
    assert [(p.stage, p.grade, p.boarding) for p in parsed] == [
        (Stage.senior_high, 2, False),
        (Stage.primary, 3, True),
    ]
    with pytest.raises(InvalidInput) as bad:
        parse_register(
            iter(
                rows(
                    f"某小学,小学,7,否,{good},甲",
                    f"某小学,大专班,1,否,{other},乙",
                    f"某园,学前,1,否,{wrong},丙",
                    f"某小学,小学,1,也许,{good},丁",
                )
            ),
            today=date(2018, 9, 1),
        )
    found = {(e.row, e.field) for e in bad.value.errors}
    assert {(2, "grade"), (3, "stage"), (4, "id_number"), (4, "public_inclusive")} <= found
    assert (5, "boarding") in found
