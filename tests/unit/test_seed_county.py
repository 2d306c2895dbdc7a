"""The synthetic county generator (deploy/seed): deterministic, 25,028 people in consistent
households of the 9 townships, valid and unique ID numbers, plausible ages, and files the
services' own parsers accept."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from deploy.seed import employment
from deploy.seed.county import County, build_county, files, roster_rows
from deploy.seed.divisions import COUNTY_CODE, townships
from services.employment.census.importing import MAX_ERRORS, parse_lines
from services.enrollment.registry.roster import parse_roster
from services.enrollment.rolls.parse import parse_roll
from services.welfare.dibao.schemas import ApplicationIn, EconomicReviewIn
from shared.events.medical import StayData
from shared.ids import parse_resident_id
from shared.tabular import RowErrors, read_rows

TOWNSHIPS = {
    "532325100": "栋川镇", "532325101": "光禄镇", "532325102": "前场镇", "532325103": "弥兴镇",
    "532325104": "太平镇", "532325105": "官屯镇", "532325200": "适中乡", "532325201": "左门乡",
    "532325202": "大河口乡",
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
        roll = parse_roll(scheme, read_rows(county_files[name], name), allowed_tiers=tiers)
        assert roll.error_count == 0 and roll.lines
    errors = RowErrors(MAX_ERRORS)
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


# --- the employment year (deploy/seed/employment.py) -------------------------------------------

ASSIGNMENTS = {  # as GET /v1/training/assignments answers for 532325
    "县人社局": ["532325103", "532325104", "532325200"],
    "县扶贫办": ["532325102", "532325105", "532325202", "532325201"],
    "县农业局": ["532325101"],
    "县妇联": ["532325100"],
}


@pytest.fixture(scope="module")
def plan(county: County) -> employment.EmploymentPlan:
    return employment.plan(county, ASSIGNMENTS, "县教育局")


def test_same_seed_same_employment_plan(county: County, plan: employment.EmploymentPlan) -> None:
    assert employment.plan(county, ASSIGNMENTS, "县教育局") == plan
    other = employment.plan(build_county(7), ASSIGNMENTS, "县教育局")
    assert other.recommendations != plan.recommendations
    part = employment.plan(county, ASSIGNMENTS, "县教育局", share=0.2)
    assert part == employment.plan(county, ASSIGNMENTS, "县教育局", share=0.2)
    assert 0.1 < len(part.people()) / len(plan.people()) < 0.3
    assert employment.plan(county, ASSIGNMENTS, "", share=0).summary()["enrolments"] == 0
    assert employment.default_share(300) == 1.0 and employment.default_share(25_028) < 0.25


def test_employment_bodies_are_valid_requests(
    county: County, plan: employment.EmploymentPlan
) -> None:
    from services.employment.jobs.schemas import (
        FairIn,
        OutcomeIn,
        PlacementIn,
        RecommendationIn,
        VacancyIn,
    )
    from services.employment.posts.schemas import AssignmentIn, PostIn
    from services.employment.training.schemas import (
        CertificateIn,
        CompletionIn,
        EnrolmentIn,
        ProgrammeIn,
    )
    from services.employment.workshops.schemas import WorkerIn, WorkshopIn

    as_of = county.as_of.isoformat()
    for p in plan.programmes:
        programme = ProgrammeIn.model_validate(p["body"])
        for e in p["enrolments"]:
            EnrolmentIn.model_validate({"person_id": "x", "enrolled_on": e["enrolled_on"]})
            assert e["enrolled_on"] <= programme.starts_on.isoformat()
            if e["completion"]:
                done = CompletionIn.model_validate(e["completion"])
                assert programme.starts_on <= done.completed_on <= county.as_of
            if e["certificate"]:
                cert = CertificateIn.model_validate(e["certificate"])
                assert e["completion"]["outcome"] == "passed" and cert.issued_on <= county.as_of
    for v in plan.vacancies:
        VacancyIn.model_validate(v)
    for r in plan.recommendations:
        vacancy = plan.vacancies[r["vacancy"]]
        assert vacancy["opened_on"] <= r["recommended_on"] <= as_of
        RecommendationIn.model_validate({**r, "vacancy_id": 1, "person_id": "x"})
        if r["outcome"]:
            outcome = OutcomeIn.model_validate(r["outcome"])
            assert r["recommended_on"] <= outcome.on.isoformat() <= as_of
    for p in plan.placements:
        PlacementIn.model_validate({**p, "person_id": "x"})
    for f in plan.fairs:
        FairIn.model_validate(f)
    for post in plan.posts:
        body = PostIn.model_validate(post["body"])
        assert len(post["assignments"]) <= body.capacity
        for a in post["assignments"]:
            AssignmentIn.model_validate({**a, "person_id": "x"})
            assert body.opened_on.isoformat() <= a["start_on"] <= as_of
    for w in plan.workshops:
        WorkshopIn.model_validate(w["body"])
        for x in w["workers"]:
            WorkerIn.model_validate({**x, "person_id": "x"})


def test_employment_plan_follows_the_rules_the_service_enforces(
    county: County, plan: employment.EmploymentPlan
) -> None:
    people = {s.id_number: s for s in employment.seekers(county)}
    poor = {p.id_number for h in county.households if h.status != "边缘户" for p in h.members}
    assert plan.people() <= poor  # nobody of a marginal household
    for p in plan.programmes:  # 部门包乡镇, or the 两后生 department county-wide
        body = p["body"]
        if body["for_two_after"]:
            assert body["provider_department"] == "县教育局"
        else:
            assert set(body["townships"]) <= set(ASSIGNMENTS[body["provider_department"]])
        for e in p["enrolments"]:
            assert people[e["id_number"]].township in body["townships"]
    pairs = Counter((r["vacancy"], r["id_number"]) for r in plan.recommendations)
    assert max(pairs.values()) == 1  # a vacancy once per person
    for r in plan.recommendations:
        s = people[r["id_number"]]
        assert s.able and s.working_age_on(date.fromisoformat(r["recommended_on"]))
        assert plan.vacancies[r["vacancy"]]["township_code"] in (None, s.township)
    held = [a["id_number"] for post in plan.posts for a in post["assignments"]]
    assert len(held) == len(set(held))  # one post a person
    hires = [r for r in plan.recommendations if r["outcome"] and r["outcome"]["outcome"] == "hired"]
    placed = [r["id_number"] for r in hires] + [p["id_number"] for p in plan.placements]
    assert len(placed) == len(set(placed))  # one job a person this year


def test_employment_plan_has_realistic_shares(
    county: County, plan: employment.EmploymentPlan
) -> None:
    people = employment.seekers(county)
    willing = {s.id_number for s in people if s.able and s.wishes_to_train}
    enrolled = {e["id_number"] for p in plan.programmes for e in p["enrolments"]}
    assert 0.75 < len(enrolled & willing) / len(willing) < 0.9
    completed = {
        e["id_number"]: date.fromisoformat(e["completion"]["completed_on"])
        for p in plan.programmes
        for e in p["enrolments"]
        if e["completion"]
    }
    assert 0.85 < len(completed) / len(enrolled) < 1
    assert any(e["certificate"] for p in plan.programmes for e in p["enrolments"])
    # every township has a programme of the department YA-HRSS §三(二)1 assigns it
    trained = {
        t for p in plan.programmes if not p["body"]["for_two_after"] for t in p["body"]["townships"]
    }
    assert trained == {s.township for s in people}
    # recommendations: most job seekers at least 3, some fewer
    seekers = [s.id_number for s in people if s.able and s.wishes_to_work]
    count = Counter(r["id_number"] for r in plan.recommendations)
    at_least_3 = sum(count[n] >= 3 for n in seekers) / len(seekers)
    assert 0.8 < at_least_3 < 1
    # placement after training (6 months), closed windows only: around 50-70%
    starts = {r["id_number"]: r["outcome"]["start_on"] for r in plan.recommendations
              if r["outcome"] and r["outcome"]["outcome"] == "hired"}  # fmt: skip
    starts.update({p["id_number"]: p["start_on"] for p in plan.placements})
    closed = [n for n, d in completed.items() if d <= date(county.year, 6, 30)]
    placed = sum(
        n in starts and 0 <= (date.fromisoformat(starts[n]) - completed[n]).days <= 183
        for n in closed
    )
    assert 0.45 < placed / len(closed) < 0.7
    # posts: about 70-95% of the positions filled, some townships below the 80% target
    by_town: dict[str, list[int]] = {}
    for post in plan.posts:
        t = by_town.setdefault(post["body"]["township_code"], [0, 0])
        t[0] += post["body"]["capacity"]
        t[1] += len(post["assignments"])
    rates = [filled / positions for positions, filled in by_town.values()]
    assert sum(p for p, _ in by_town.values()) >= 470  # the stock target
    assert min(rates) < 0.8 <= max(rates) and all(0.6 < r <= 1 for r in rates)
    summary = plan.summary()
    assert summary["workshops"] >= 3 and summary["workshop_workers"] > 20
    assert [w["claim"] for w in plan.workshops].count(county.year) == 1
    assert summary["businesses"] >= 3 and summary["fairs"] == 36
