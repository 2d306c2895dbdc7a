"""The synthetic county generator (deploy/seed): deterministic, 25,028 people in consistent
households of the 9 townships, valid and unique ID numbers, plausible ages, and files the
services' own parsers accept."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from deploy.seed.county import County, build_county, files, roster_rows
from deploy.seed.divisions import COUNTY_CODE, townships
from services.employment.census.importing import Errors, parse_lines
from services.enrollment.registry.roster import parse_roster
from services.enrollment.rolls.parse import parse_roll
from services.welfare.dibao.schemas import ApplicationIn, EconomicReviewIn
from shared.events.medical import StayData
from shared.ids import parse_resident_id
from shared.tabular import read_rows

TOWNSHIPS = {
    "532325100": "栋川镇", "532325101": "光禄镇", "532325102": "前场镇", "532325103": "弥兴镇",
    "532325104": "太平镇", "532325200": "适中乡", "532325201": "左门乡", "532325202": "大河口乡",
    "532325203": "官屯乡",
}  # fmt: skip


@pytest.fixture(scope="module")
def county() -> County:
    return build_county()


@pytest.fixture(scope="module")
def county_files(county: County) -> dict[str, bytes]:
    return files(county)


def test_same_seed_same_bytes_other_seed_other_county(county_files: dict[str, bytes]) -> None:
    assert files(build_county()) == county_files
    other = files(build_county(7))
    assert set(other) == set(county_files)
    assert all(other[name] != county_files[name] for name in county_files)


def test_sizes_change_only_what_they_size() -> None:
    small = build_county(3, people=300, stays=20, dibao=3, tekun=2)
    assert small.people == 300
    assert (len(small.stays), len(small.dibao), len(small.tekun)) == (20, 3, 2)
    again = build_county(3, people=300, stays=5, dibao=1, tekun=1)
    assert roster_rows(again) == roster_rows(small)


def test_the_county_has_25028_people_in_its_9_townships(county: County) -> None:
    assert county.people == 25_028
    assert {t.code: t.name for t in townships()} == TOWNSHIPS
    used = {h.township_code for h in county.households}
    assert used == set(TOWNSHIPS)
    for h in county.households:
        assert h.county_code == COUNTY_CODE
        assert len(h.village_code) == 12 and h.village_code.startswith(h.township_code)
    assert len({h.village_code for h in county.households}) == sum(
        len(t.villages) for t in townships()
    )


def test_id_numbers_are_valid_unique_and_agree_with_the_person(county: County) -> None:
    people = [p for h in county.households for p in h.members]
    assert len({p.id_number for p in people}) == len(people)
    for p in people:
        rid = parse_resident_id(p.id_number, today=county.as_of)
        assert rid.birth_date == p.birth_date
        assert rid.sex == p.sex
        assert rid.division == COUNTY_CODE


def test_households_are_consistent(county: County) -> None:
    assert len({h.id for h in county.households}) == len(county.households)
    sizes = Counter(len(h.members) for h in county.households)
    assert set(sizes) <= set(range(1, 8))
    assert 3.0 < county.people / len(county.households) < 4.2
    for h in county.households:
        relations = [p.relation for p in h.members]
        assert relations[0] == "户主" and relations.count("户主") == 1
        assert relations.count("配偶") <= 1
        assert all(p.household_id == h.id for p in h.members)
        head_age = h.head.age_on(county.as_of)
        for p in h.members:
            if p.relation in ("之子", "之女"):
                assert p.birth_date > h.head.birth_date
            if p.relation in ("之父", "之母"):
                assert p.birth_date < h.head.birth_date
        assert head_age >= 18


def test_ages_sexes_disabilities_and_statuses_are_plausible(county: County) -> None:
    people = [p for h in county.households for p in h.members]
    ages = [p.age_on(county.as_of) for p in people]
    assert min(ages) >= 0 and max(ages) <= 100
    assert 30 < sum(ages) / len(ages) < 50
    assert sum(a < 16 for a in ages) / len(ages) > 0.1
    assert sum(a >= 60 for a in ages) / len(ages) > 0.1
    males = sum(p.sex == "M" for p in people) / len(people)
    assert 0.45 < males < 0.58
    grades = Counter(p.disability_grade for p in people if p.disability_grade)
    assert set(grades) == {1, 2, 3, 4}
    assert 0.01 < sum(grades.values()) / len(people) < 0.08
    statuses = Counter(h.status for h in county.households)
    assert set(statuses) == {"已脱贫", "未脱贫", "边缘户"}
    assert statuses["已脱贫"] / len(county.households) > 0.8


def test_the_services_parsers_accept_the_files(county_files: dict[str, bytes]) -> None:
    today = date(2026, 1, 1)
    roster = parse_roster(read_rows(county_files["roster.csv"], "roster.csv"), today=today)
    assert roster.error_count == 0 and len(roster.rows) == 25_028
    tiers = frozenset((*range(100, 1001, 100), 1500, 2000))
    for scheme in ("pension", "medical"):
        name = f"{scheme}_roll.csv"
        roll = parse_roll(scheme, read_rows(county_files[name], name), allowed_tiers=tiers)  # type: ignore[arg-type]
        assert roll.error_count == 0 and roll.lines
    errors = Errors()
    lines = parse_lines(read_rows(county_files["census.csv"], "census.csv"), errors)
    assert errors.count == 0 and lines


def test_rolls_and_census_have_gaps_and_cover_the_right_people(county: County) -> None:
    people = {p.id_number: p for h in county.households for p in h.members}
    pension = {r[0] for r in county.pension}
    adults = {
        n for n, p in people.items()
        if p.age_on(date(county.year, 12, 31)) >= 16 and not p.student and not p.employee_pension
    }  # fmt: skip
    assert pension < adults and len(pension) / len(adults) > 0.9
    medical = {r[0] for r in county.medical}
    assert medical < set(people) and len(medical) / len(people) > 0.95
    for row in county.census:
        assert 16 <= people[row[0]].age_on(county.as_of) < 60


def test_cases_are_valid_request_bodies(county: County) -> None:
    people = {p.id_number: p for h in county.households for p in h.members}
    claims = set()
    for stay in county.stays:
        data = StayData.model_validate(stay)
        claims.add(data.claim_id)
        assert data.admission > people[data.id_number].birth_date
        assert data.discharge <= county.as_of and data.admission.year == county.year
    assert len(claims) == len(county.stays)
    households = {h.id: h for h in county.households}
    for plan in county.dibao:
        application = ApplicationIn.model_validate(plan)
        EconomicReviewIn.model_validate(plan)
        head = households[plan["household_id"]].head
        assert application.applicant_id_number == head.id_number
        assert len(application.members) == len(households[plan["household_id"]].members)
    tekun = {t["id_number"] for t in county.tekun}
    assert len(tekun) == len(county.tekun)
    assert all(people[n].age_on(county.as_of) >= 60 for n in tekun)
    assert not tekun & {m["id_number"] for d in county.dibao for m in d["members"]}
