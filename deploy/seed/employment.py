"""The county's employment year as request bodies (EMP-2 .. EMP-7): training programmes by the
departments each township is assigned to, enrolments of labourers who wish to train, completions
and certificates; vacancies of local employers and labour export, recommendations with their
outcomes, hires and other placements (many after training); public-welfare posts with their
holders; poverty workshops with their workers; businesses started; recruitment fairs.

Pure: the county, the department table the employment service enforces (its answer to
GET /v1/training/assignments) and the seed in, the same plan out. People are named by ID number
and records by their index in the plan; the loader turns them into the services' ids.

Only registered poor people (未脱贫 / 已脱贫) of the census are used: a marginal household's
members are neither recommended nor placed (EMP-3), and the training indicators count the
registered poor only."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from deploy.seed.county import County
from deploy.seed.divisions import townships
from deploy.seed.people import Person

REGISTERED_POOR = ("未脱贫", "已脱贫")
WORKING_AGE = (16, 60)  # employment.labour.working_age.min / .max
TWO_AFTER_MAX_AGE = 22  # employment.two_after.max_age
TWO_AFTER_EDUCATION = ("初中", "高中")

TRAIN_SHARE = 0.85  # of the labourers who wish to train, enrolled this year
COMPLETE_SHARE = 0.93  # of the enrolled, completed (the others are still on the roll)
PASS_SHARE = 0.94
CERTIFICATE_SHARE = 0.22  # of those passing a skills course
PLACED_AFTER_TRAINING = 0.55  # a job starts within months of completing
HIRED_SEEKERS = 0.06  # other job seekers hired on a recommendation
OUTCOME_SHARE = 0.18  # recommendations whose outcome is recorded (the rest still pending)
# Recommendations a job seeker receives in the year: most at least the minimum of 3 (EMP-3).
REC_COUNTS = (0, 1, 2, 3, 4, 5)
REC_WEIGHTS = (2, 3, 5, 52, 26, 12)
DEFAULT_PEOPLE = 5_000  # registered people whose households the year covers by default
POST_POSITIONS_PER_LABOURER = 0.037  # about 550 positions for the county (stock target 470)

SESSIONS = (  # (period, kind, start month, days, share of trainees, trade or None)
    (1, "skills", 3, 20, 34, True),
    (2, "guidance", 5, 4, 24, False),
    (3, "skills", 8, 25, 30, True),
    (4, "entrepreneurship", 10, 10, 12, False),
)
HOURS = {"skills": 8, "guidance": 6, "entrepreneurship": 7}  # hours a day
TRADES = ("种植养殖", "建筑施工", "餐饮烹饪", "家政服务", "电工焊工", "机动车驾驶", "缝纫刺绣")
TWO_AFTER_COURSE = ("汽车维修", "电子装配", "计算机应用", "护理")

LOCAL_EMPLOYERS: tuple[tuple[str, str, int, int, list[str]], ...] = (
    ("农业专业合作社", "采摘工", 1800, 2600, ["种植"]),
    ("建筑工程有限公司", "建筑工", 3000, 4500, ["建筑"]),
    ("农产品加工厂", "包装工", 2000, 2800, []),
    ("餐饮服务有限公司", "厨工", 2200, 3200, ["厨师"]),
    ("物流配送站", "装卸工", 2400, 3400, ["驾驶"]),
    ("家政服务中心", "家政服务员", 2200, 3600, ["家政"]),
    ("养殖专业合作社", "饲养员", 2000, 3000, ["养殖"]),
    ("苗木花卉基地", "园艺工", 1900, 2700, ["种植"]),
)
# County-wide vacancies: in the province and outside it (劳务输出).
EXPORT_EMPLOYERS: tuple[tuple[str, str, str, str, int, int, list[str]], ...] = (
    ("昆明市建筑劳务有限公司", "建筑工", "province", "昆明市", 3800, 5200, ["建筑"]),
    ("楚雄州工业园区食品厂", "普工", "province", "楚雄市", 2800, 3600, []),
    ("玉溪市烟草物流中心", "分拣员", "province", "玉溪市", 3000, 3800, []),
    ("广东东莞电子有限公司", "装配工", "other_province", "广东省东莞市", 4000, 5500, ["电工"]),
    ("浙江宁波服装有限公司", "缝纫工", "other_province", "浙江省宁波市", 3800, 5000, ["缝纫"]),
    ("上海物业管理有限公司", "保安", "other_province", "上海市", 4200, 5200, []),
    ("县城市政环卫所", "环卫工", "local", "姚安县城", 2200, 2600, []),
    ("县工业园区农特产品公司", "生产工", "local", "姚安县工业园区", 2600, 3400, []),
)
OWN_EMPLOYERS = (  # placements found otherwise than by a recommendation
    ("自主外出务工（省外）", "other_province"),
    ("自主外出务工（省内）", "province"),
    ("县内个体务工", "local"),
    ("亲友介绍务工（省外）", "other_province"),
)
POST_TYPES = (  # (type, name, weight)
    ("forest", "生态护林员", 30),
    ("cleaning", "村庄保洁员", 25),
    ("road", "乡村护路员", 15),
    ("water", "农村管水员", 10),
    ("security", "治安巡逻员", 8),
    ("care", "留守老人关爱员", 7),
    ("dedicated", "扶贫专岗", 5),
)
WORKSHOP_TRADES = ("竹编", "服装加工", "食用菌种植", "农产品分拣", "刺绣")
BUSINESSES = (
    ("individual", "养殖场", "畜牧养殖"),
    ("individual", "小卖部", "零售"),
    ("individual", "农家乐", "餐饮"),
    ("partnership", "种植专业户", "种植"),
    ("individual", "摩托车修理店", "修理"),
    ("small_firm", "农产品购销部", "农产品批发"),
)
FAIRS = ("春风行动专场招聘会", "送岗下乡招聘会", "就业援助月招聘会", "民营企业招聘周")


@dataclass(frozen=True)
class Seeker:
    """A registered poor person of the census, with what the census says of them."""

    person: Person
    household_id: str
    township: str
    village: str
    able: bool  # 有劳动能力 or 部分丧失劳动能力
    wishes_to_work: bool
    wishes_to_train: bool
    two_after: bool
    unemployed: bool
    skills: tuple[str, ...]

    @property
    def id_number(self) -> str:
        return self.person.id_number

    def working_age_on(self, day: date) -> bool:
        return WORKING_AGE[0] <= self.person.age_on(day) < WORKING_AGE[1]


@dataclass(frozen=True)
class EmploymentPlan:
    """What the departments record in the year, in the order it can be loaded."""

    programmes: list[dict[str, Any]] = field(default_factory=list)
    vacancies: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    workshops: list[dict[str, Any]] = field(default_factory=list)
    businesses: list[dict[str, Any]] = field(default_factory=list)
    fairs: list[dict[str, Any]] = field(default_factory=list)

    def people(self) -> set[str]:
        """Every ID number the plan names."""
        named: set[str] = set()
        for p in self.programmes:
            named.update(e["id_number"] for e in p["enrolments"])
        named.update(r["id_number"] for r in self.recommendations)
        named.update(p["id_number"] for p in self.placements)
        for post in self.posts:
            named.update(a["id_number"] for a in post["assignments"])
        for w in self.workshops:
            named.update(x["id_number"] for x in w["workers"])
        named.update(b["id_number"] for b in self.businesses)
        return named

    def summary(self) -> dict[str, int]:
        enrolments = [e for p in self.programmes for e in p["enrolments"]]
        return {
            "programmes": len(self.programmes),
            "enrolments": len(enrolments),
            "completions": sum(e["completion"] is not None for e in enrolments),
            "certificates": sum(e["certificate"] is not None for e in enrolments),
            "vacancies": len(self.vacancies),
            "recommendations": len(self.recommendations),
            "outcomes": sum(r["outcome"] is not None for r in self.recommendations),
            "hires": sum(
                r["outcome"] is not None and r["outcome"]["outcome"] == "hired"
                for r in self.recommendations
            ),
            "placements": len(self.placements),
            "posts": len(self.posts),
            "post_positions": sum(p["body"]["capacity"] for p in self.posts),
            "post_assignments": sum(len(p["assignments"]) for p in self.posts),
            "workshops": len(self.workshops),
            "workshop_workers": sum(len(w["workers"]) for w in self.workshops),
            "businesses": len(self.businesses),
            "fairs": len(self.fairs),
        }


def seekers(county: County) -> list[Seeker]:
    """The registered poor people of the census, in the census's order."""
    by_number = {
        p.id_number: (h, p)
        for h in county.households
        if h.status in REGISTERED_POOR
        for p in h.members
    }
    out = []
    for row in county.census:
        found = by_number.get(row[0])
        if found is None:
            continue
        h, p = found
        ability, work, train, skills, education, in_school, place = (
            row[2], row[3], row[4], row[5], row[6], row[7], row[8],
        )  # fmt: skip
        out.append(
            Seeker(
                person=p,
                household_id=h.id,
                township=h.township_code,
                village=h.village_code,
                able=ability != "无劳动能力",
                wishes_to_work=work == "是",
                wishes_to_train=train == "是",
                two_after=education in TWO_AFTER_EDUCATION
                and in_school != "是"
                and p.age_on(county.as_of) <= TWO_AFTER_MAX_AGE,
                unemployed=place == "未就业",
                skills=tuple(s for s in skills.split("、") if s),
            )
        )
    return out


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _money(value: float) -> str:
    return f"{round(value, -1):.2f}"


class _Planner:
    def __init__(
        self,
        county: County,
        departments: Mapping[str, Sequence[str]],
        two_after_department: str,
        share: float,
    ) -> None:
        self.county = county
        self.as_of = county.as_of
        self.year = county.as_of.year
        self.rng = random.Random(f"employment:{county.seed}")
        self.towns = {t.code: t for t in townships()}
        self.names = {t.code: t.name for t in townships()}
        everyone = seekers(county)
        if share < 1:  # whole households, the same ones for the same seed
            pick = random.Random(f"employment-share:{county.seed}")
            kept = {h.id for h in county.households if pick.random() < share}
            everyone = [s for s in everyone if s.household_id in kept]
        self.people = everyone
        self.by_town: dict[str, list[Seeker]] = {}
        for s in self.people:
            self.by_town.setdefault(s.township, []).append(s)
        present = set(self.by_town)
        self.departments = {
            d: sorted(present & {str(t) for t in codes}) for d, codes in sorted(departments.items())
        }
        self.two_after_department = two_after_department
        self.plan = EmploymentPlan()
        self.completed: dict[str, date] = {}  # ID number -> completion date
        self.placed: set[str] = set()

    def day(self, first: date, last: date) -> date:
        return _day(self.rng, first, min(last, self.as_of))

    def d(self, month: int, day: int) -> date:
        return date(self.year, month, day)

    # --- training (EMP-2, EMP-7) --------------------------------------------------------------

    def training(self) -> None:
        rng = self.rng
        trainees: dict[str, list[Seeker]] = {}
        two_after: list[Seeker] = []
        for s in self.people:
            if not s.able:
                continue
            if s.two_after and self.two_after_department:
                if (s.wishes_to_train or s.wishes_to_work) and rng.random() < TRAIN_SHARE:
                    two_after.append(s)
            elif s.wishes_to_train and rng.random() < TRAIN_SHARE:
                trainees.setdefault(s.township, []).append(s)
        serial = 0
        for department, codes in self.departments.items():
            for code in codes:
                people = trainees.get(code, [])
                periods: list[list[Seeker]] = [[] for _ in SESSIONS]
                weights = [s[4] for s in SESSIONS]
                for s in people:
                    periods[rng.choices(range(len(SESSIONS)), weights)[0]].append(s)
                for (period, kind, month, days, _, trade), group in zip(
                    SESSIONS, periods, strict=True
                ):
                    if not group:
                        continue
                    serial += 1
                    starts = self.d(month, rng.randint(5, 20))
                    ends = starts + timedelta(days=days - 1)
                    course = rng.choice(TRADES) if trade else None
                    label = {"guidance": "引导性培训", "entrepreneurship": "创业培训"}.get(kind)
                    name = (
                        f"{self.names[code]}{self.year}年第{period}期"
                        f"{course + '技能培训' if course else label}班"
                    )
                    self._programme(
                        department, [code], kind, name, starts, ends, days, group, course, False
                    )
        if two_after:
            starts = self.d(7, 13)
            ends = starts + timedelta(days=41)
            course = rng.choice(TWO_AFTER_COURSE)
            name = f"{self.year}年两后生{course}职业技能培训班"
            codes = sorted({s.township for s in two_after})
            self._programme(
                self.two_after_department, codes, "skills", name, starts, ends, 42, two_after,
                course, True,
            )  # fmt: skip

    def _programme(
        self,
        department: str,
        codes: list[str],
        kind: str,
        name: str,
        starts: date,
        ends: date,
        days: int,
        group: list[Seeker],
        course: str | None,
        for_two_after: bool,
    ) -> None:
        rng = self.rng
        enrolments: list[dict[str, Any]] = []
        index = len(self.plan.programmes)
        for s in group:
            completion = certificate = None
            if ends <= self.as_of and rng.random() < COMPLETE_SHARE:
                outcome = "passed" if rng.random() < PASS_SHARE else "failed"
                completion = {"completed_on": ends.isoformat(), "outcome": outcome}
                self.completed[s.id_number] = ends
                if course and outcome == "passed" and rng.random() < CERTIFICATE_SHARE:
                    vocational = rng.random() < 0.6
                    issued = ends + timedelta(days=rng.randint(10, 45))
                    if issued <= self.as_of:
                        certificate = {
                            "kind": "vocational_qualification" if vocational else "skill_level",
                            "number": f"{self.year}{s.township[6:]}{index:03d}"
                            f"{len(enrolments):04d}",
                            "title": course,
                            "issued_on": issued.isoformat(),
                            "issuer": "姚安县人力资源和社会保障局",
                        }
            enrolments.append(
                {
                    "id_number": s.id_number,
                    "enrolled_on": (starts - timedelta(days=rng.randint(3, 20))).isoformat(),
                    "completion": completion,
                    "certificate": certificate,
                    # EMP-7: the job-seeking subsidy on a vocational qualification certificate
                    "subsidy": bool(
                        certificate
                        and certificate["kind"] == "vocational_qualification"
                        and s.working_age_on(date.fromisoformat(certificate["issued_on"]))
                    ),
                }
            )
        self.plan.programmes.append(
            {
                "body": {
                    "county_code": self.county.households[0].county_code,
                    "name": name,
                    "kind": kind,
                    "provider_department": department,
                    "townships": codes,
                    "for_two_after": for_two_after,
                    "hours": days * HOURS[kind],
                    "starts_on": starts.isoformat(),
                    "ends_on": ends.isoformat(),
                },
                "enrolments": enrolments,
            }
        )

    # --- vacancies, recommendations, placements (EMP-3) ---------------------------------------

    def vacancies(self) -> None:
        rng = self.rng
        county = self.county.households[0].county_code
        for code in sorted(self.by_town):
            for i in range(rng.randint(5, 8)):
                employer, title, low, high, skills = rng.choice(LOCAL_EMPLOYERS)
                opened = self.d(1, 2) if i < 2 else self.day(self.d(1, 2), self.d(9, 30))
                self.plan.vacancies.append(
                    {
                        "county_code": county,
                        "township_code": code,
                        "employer": f"{self.names[code]}{employer}",
                        "title": title,
                        "location": "local",
                        "address": self.names[code],
                        "monthly_wage": _money(rng.uniform(low, high)),
                        "skills": skills,
                        "positions": rng.randint(4, 40),
                        "opened_on": opened.isoformat(),
                    }
                )
        for i, (employer, title, location, address, low, high, skills) in enumerate(
            EXPORT_EMPLOYERS * 2
        ):
            opened = (
                self.d(1, 2) if i < len(EXPORT_EMPLOYERS) else self.day(self.d(2, 1), self.d(8, 31))
            )
            self.plan.vacancies.append(
                {
                    "county_code": county,
                    "township_code": None,
                    "employer": employer,
                    "title": title + ("" if i < len(EXPORT_EMPLOYERS) else "（下半年）"),
                    "location": location,
                    "address": address,
                    "monthly_wage": _money(rng.uniform(low, high)),
                    "skills": skills,
                    "positions": rng.randint(20, 120),
                    "opened_on": opened.isoformat(),
                }
            )

    def _open(self, township: str, on: date) -> list[int]:
        return [
            i
            for i, v in enumerate(self.plan.vacancies)
            if v["township_code"] in (None, township) and v["opened_on"] <= on.isoformat()
        ]

    def _recommend(
        self, s: Seeker, on: date, used: set[int], outcome: dict[str, Any] | None = None
    ) -> bool:
        """One recommendation of an open vacancy not yet recommended to the person."""
        if not s.working_age_on(on):
            return False
        choices = [i for i in self._open(s.township, on) if i not in used]
        if not choices:
            return False
        vacancy = self.rng.choice(choices)
        used.add(vacancy)
        self.plan.recommendations.append(
            {
                "vacancy": vacancy,
                "id_number": s.id_number,
                "recommended_on": on.isoformat(),
                "outcome": outcome,
            }
        )
        return True

    def jobs(self) -> None:
        rng = self.rng
        start, end = self.d(1, 6), self.d(12, 20)
        for s in self.people:
            seeking = s.able and s.wishes_to_work
            used: set[int] = set()
            hire = self._hire_date(s, seeking)
            if seeking:
                for _ in range(rng.choices(REC_COUNTS, REC_WEIGHTS)[0]):
                    on = self.day(start, end)
                    outcome = None
                    if rng.random() < OUTCOME_SHARE:
                        later = min(on + timedelta(days=rng.randint(3, 30)), self.as_of)
                        kind = rng.choices(("interviewed", "declined", "no_response"), (3, 4, 3))
                        outcome = {"outcome": kind[0], "on": later.isoformat()}
                    self._recommend(s, on, used, outcome)
            if hire is None:
                continue
            # The job: by a recommendation of a vacancy for a job seeker (mostly), or found
            # otherwise (own search, relatives, labour export).
            recommended = hire - timedelta(days=rng.randint(5, 25))
            by_vacancy = seeking and rng.random() < 0.65 and s.working_age_on(recommended)
            if by_vacancy:
                outcome = {
                    "outcome": "hired",
                    "on": (hire - timedelta(days=rng.randint(0, 4))).isoformat(),
                    "start_on": hire.isoformat(),
                    "note": "已签订劳动合同",
                }
                by_vacancy = self._recommend(s, recommended, used, outcome)
            if not by_vacancy:
                employer, location = rng.choice(OWN_EMPLOYERS)
                self.plan.placements.append(
                    {
                        "id_number": s.id_number,
                        "employer": employer,
                        "location": location,
                        "start_on": hire.isoformat(),
                        "monthly_wage": _money(rng.uniform(2400, 5200)),
                    }
                )
            self.placed.add(s.id_number)

    def _hire_date(self, s: Seeker, seeking: bool) -> date | None:
        """A trained person finds work within months of completing, most of them; some other job
        seekers are hired too. None: no job this year."""
        rng = self.rng
        completed = self.completed.get(s.id_number)
        if completed is not None:
            if rng.random() >= PLACED_AFTER_TRAINING:
                return None
            hire = completed + timedelta(days=rng.randint(7, 150))
        elif seeking and s.unemployed and rng.random() < HIRED_SEEKERS:
            hire = self.day(self.d(2, 15), self.d(12, 15))
        else:
            return None
        return hire if hire <= self.as_of else None

    def fairs(self) -> None:
        rng = self.rng
        for code in sorted(self.by_town):
            for quarter in range(4):
                held = self.day(self.d(3 * quarter + 1, 5), self.d(3 * quarter + 3, 25))
                attendees = rng.randint(60, 400)
                self.plan.fairs.append(
                    {
                        "township_code": code,
                        "name": f"{self.names[code]}{FAIRS[quarter]}",
                        "held_on": held.isoformat(),
                        "employers": rng.randint(6, 30),
                        "vacancies": rng.randint(80, 600),
                        "attendees": attendees,
                        "hires": rng.randint(attendees // 20, attendees // 6),
                    }
                )

    # --- public-welfare posts (EMP-4) ---------------------------------------------------------

    def posts(self) -> None:
        rng = self.rng
        taken: set[str] = set(self.placed)
        codes = sorted(self.by_town)
        rates = [rng.uniform(0.70, 0.96) for _ in codes]
        if len(rates) > 1 and min(rates) >= 0.8:  # some townships below the 80% target
            rates[rates.index(min(rates))] = 0.74
        if len(rates) > 1 and max(rates) < 0.8:
            rates[rates.index(max(rates))] = 0.9
        kinds = [t[0] for t in POST_TYPES]
        weights = [t[2] for t in POST_TYPES]
        label = {t[0]: t[1] for t in POST_TYPES}
        for code, share in zip(codes, rates, strict=True):
            people = self.by_town[code]
            positions = max(3, round(sum(s.able for s in people) * POST_POSITIONS_PER_LABOURER))
            villages = sorted({s.village for s in people})
            capacities: list[int] = []
            while sum(capacities) < positions:
                capacities.append(min(rng.randint(3, 12), positions - sum(capacities)))
            fill = round(positions * share)
            holders = [
                s
                for s in people
                if s.able and s.id_number not in taken and (s.unemployed or rng.random() < 0.3)
            ]
            rng.shuffle(holders)
            for capacity in capacities:
                kind = rng.choices(kinds, weights)[0]
                village = rng.choice(villages)
                opened = self.day(date(self.year - 1, 3, 1), self.d(4, 30))
                n = min(capacity, fill)
                fill -= n
                local = sorted(holders, key=lambda s: s.village != village)[:n]
                for s in local:
                    holders.remove(s)
                    taken.add(s.id_number)
                self.plan.posts.append(
                    {
                        "body": {
                            "township_code": code,
                            "village_code": village,
                            "post_type": kind,
                            "name": f"{self.names[code]}{label[kind]}岗位",
                            "capacity": capacity,
                            "opened_on": opened.isoformat(),
                        },
                        "assignments": [
                            {
                                "id_number": s.id_number,
                                "start_on": self.day(
                                    max(opened, self.d(1, 2)), self.d(11, 30)
                                ).isoformat(),
                            }
                            for s in sorted(local, key=lambda s: s.id_number)
                        ],
                    }
                )
        self.taken = taken

    # --- poverty workshops (EMP-5), businesses (EMP-6) ----------------------------------------

    def workshops(self, count: int = 4) -> None:
        rng = self.rng
        codes = rng.sample(sorted(self.by_town), min(count, len(self.by_town)))
        for i, code in enumerate(sorted(codes)):
            trade = WORKSHOP_TRADES[i % len(WORKSHOP_TRADES)]
            people = [
                s
                for s in self.by_town[code]
                if s.able and s.id_number not in self.taken and s.working_age_on(self.d(1, 1))
            ]
            villages: list[str | None] = [*sorted({s.village for s in people})] or [None]
            village = rng.choice(villages)
            workers = rng.sample(people, min(len(people), rng.randint(8, 16)))
            for s in workers:
                self.taken.add(s.id_number)
            self.plan.workshops.append(
                {
                    "body": {
                        "township_code": code,
                        "village_code": village,
                        "name": f"{self.names[code]}{trade}扶贫车间",
                        "operator": f"姚安县{trade}{'专业合作社' if i % 2 else '有限公司'}",
                        "opened_on": date(self.year - 1, rng.randint(3, 10), 1).isoformat(),
                    },
                    "workers": [
                        {
                            "id_number": s.id_number,
                            # most from the first months: a full employment year (EMP-5)
                            "start_on": self.day(
                                self.d(1, 2), self.d(4, 30) if n % 5 else self.d(9, 30)
                            ).isoformat(),
                        }
                        for n, s in enumerate(sorted(workers, key=lambda s: s.id_number))
                    ],
                    "claim": self.year if i == 0 else None,
                }
            )

    def businesses(self, count: int = 6) -> None:
        rng = self.rng
        pool = [
            s
            for s in self.people
            if s.able and s.id_number not in self.taken and s.person.age_on(self.as_of) >= 25
        ]
        for i, s in enumerate(sorted(rng.sample(pool, min(count, len(pool))), key=_key)):
            kind, name, trade = BUSINESSES[i % len(BUSINESSES)]
            self.taken.add(s.id_number)
            self.plan.businesses.append(
                {
                    "id_number": s.id_number,
                    "business_type": kind,
                    "name": f"{s.person.name}{name}",
                    "trade": trade,
                    "in_county": True,
                    "first_business": True,
                    "started_on": self.day(self.d(1, 10), self.d(10, 31)).isoformat(),
                }
            )


def _key(s: Seeker) -> str:
    return s.id_number


def default_share(people: int) -> float:
    """The share of the households the employment year covers unless told: all of a small
    county, about DEFAULT_PEOPLE people of a large one (the service takes one request per
    enrolment, completion, recommendation or outcome: about 2.6 per registered person)."""
    return 1.0 if people <= DEFAULT_PEOPLE else round(DEFAULT_PEOPLE / people, 3)


def plan(
    county: County,
    departments: Mapping[str, Sequence[str]],
    two_after_department: str = "",
    *,
    share: float = 1.0,
) -> EmploymentPlan:
    """The county's employment year. `departments` maps each training department to the
    township codes it may train (部门包乡镇); a township no department is assigned has no
    programme but the 两后生 one of `two_after_department` (county-wide). `share` < 1 keeps
    the records of that share of the households only (a quicker load)."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be within [0, 1]: {share}")
    planner = _Planner(county, departments, two_after_department, share)
    planner.training()
    planner.vacancies()
    planner.jobs()
    planner.fairs()
    planner.posts()
    planner.workshops()
    planner.businesses()
    return planner.plan
