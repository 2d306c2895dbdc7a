"""Creates that must happen once are atomic insert-or-get on both databases: the same request
posted 20 times at once creates (or pays) once, and every other answer is the one a sequential
repeat gets (200 with the same record, or 409) — never a 500 from a unique violation, never a
second effect. On SQLite every case runs twice: with the process's write lock and without it,
where the database alone keeps the create once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, col, select

from services.employment import clock as employment_clock
from services.employment.census.models import LabourCensusPerson
from services.employment.main import build_app as employment_app
from services.employment.relocation.models import RelocatedHousehold
from services.enrollment.education.models import StudentRecord
from services.enrollment.main import build_app as enrollment_app
from services.enrollment.registry.models import Household, Person
from services.medical.family_doctor.models import ChronicDiagnosis, FamilyDoctorSigning
from services.medical.main import build_app as medical_app
from services.medical.outpatient.models import OutpatientBill
from services.medical.stays.models import PersonYear
from services.welfare import clock as welfare_clock
from services.welfare.dibao.models import DibaoApplication, DibaoCase
from services.welfare.disability.models import DisabledPerson, PayeeAccount, RehabGrant
from services.welfare.main import build_app as welfare_app
from services.welfare.payments.models import PaymentLine
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support import education as edu
from tests.support import employment_census as census
from tests.support import medical_family_doctor as fd
from tests.support import welfare_dibao as dibao
from tests.support import welfare_disability as disability
from tests.support.app import make_settings, running, token
from tests.support.concurrent import (
    TIMES,
    answered_once,
    at_once,
    count,
    without_process_lock,
)
from tests.support.medical_outpatient import POOR, seed, visit
from tests.support.roster import roster_csv, roster_rows

pytestmark = pytest.mark.integration


@pytest.fixture(params=["process lock", "no process lock"], autouse=True)
def process_lock(
    request: pytest.FixtureRequest, db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.param == "no process lock":  # SQLite only (tests/conftest.py)
        without_process_lock(monkeypatch)


async def test_one_payment_cycle_prepared_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    civil = token(settings, Role.county_civil, scope="532325", sub="civil-a")
    body = {"county_code": "532325", "month": "2026-03"}
    async with running(welfare_app(settings)) as client:
        answers = await at_once(lambda: client.post("/v1/payment-cycles", json=body, headers=civil))
        answered_once(answers, 201, 200)
        assert len({a.json()["id"] for a in answers}) == 1
        listed = await client.get("/v1/payment-cycles", headers=civil)
        assert len(listed.json()) == 1


async def test_one_diagnosis_fee_visit_posted_twenty_times_at_once(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    clinic = token(settings, Role.hospital, sub="clinic-1")
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        answers = await at_once(
            lambda: client.post("/v1/general-diagnosis-fees", json=visit("V-9"), headers=clinic)
        )
        answered_once(answers, 201, 200)
        assert len({a.json()["refund"] for a in answers}) == 1


async def test_one_hospital_claim_posted_twenty_times_at_once(db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    body = {
        "claim_id": "C-20",
        "id_number": POOR,
        "county_code": "532325",
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2018-03-01",
        "discharge": "2018-03-10",
        "referral_compliant": True,
        "total_cost": "10000.00",
        "covered_cost": "9000.00",
        "diagnosis_codes": ["I63.9"],
    }
    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        answers = await at_once(
            lambda: client.post("/v1/hospitalizations", json=body, headers=hospital)
        )
        answered_once(answers, 201, 200)
        assert len({a.json()["topup"] for a in answers}) == 1


async def test_twenty_different_stays_of_one_person_at_once_all_count(db_template: str) -> None:
    """Two stays of one person settled at once must not both start from the same year-to-date
    totals: each is settled after the other, so the year's self-pay grows with every stay and
    ends as their sum."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    hospital = token(settings, Role.hospital, sub="hospital-A")
    claims = iter(range(TIMES))

    def stay() -> dict[str, object]:
        return {
            "claim_id": f"Y-{next(claims)}",
            "id_number": POOR,
            "county_code": "532325",
            "hospital_level": 2,
            "admin_level": "county",
            "admission": "2018-03-01",
            "discharge": "2018-03-10",
            "referral_compliant": True,
            "total_cost": "3000.00",
            "covered_cost": "2700.00",
            "diagnosis_codes": ["I63.9"],
        }

    async with running(medical_app(settings)) as client:
        seed(settings.database_url)
        answers = await at_once(
            lambda: client.post("/v1/hospitalizations", json=stay(), headers=hospital)
        )
        assert sorted({a.status_code for a in answers}) == [201], answers[0].text
        decisions = [a.json() for a in answers]
    running_totals = sorted(Decimal(d["ytd_self_pay"]) for d in decisions)
    assert len(set(running_totals)) == TIMES  # no two settled against the same totals
    paid_self = sum(Decimal(d["self_pay"]) for d in decisions)
    assert running_totals[-1] == paid_self
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        year = s.exec(
            select(PersonYear).where(PersonYear.id_number == POOR, PersonYear.year == 2018)
        ).one()
    engine.dispose()
    assert Decimal(year.self_pay) == paid_self
    assert Decimal(year.topup_paid) == sum(Decimal(d["topup"]) for d in decisions)


async def test_family_doctor_and_outpatient_posts_twenty_times_at_once(db_template: str) -> None:
    """A diagnosis (recorded again: 201), a signing and its renewal (once; then 409), a chronic
    bill (paid once; the repeat 200)."""
    settings = make_settings("medical", db_template, bus_enabled=False)
    url = settings.database_url
    health = token(settings, Role.county_health, scope=fd.ZA, sub="health-bureau")
    doctor = token(settings, Role.family_doctor, scope=fd.TOWN_A, sub="doc-a")
    hospital = token(settings, Role.hospital, scope=fd.ZA, sub="hospital-ZA")
    base = "/v1/family-doctor"
    async with running(medical_app(settings)) as client:
        fd.seed(url)
        a_team = fd.team("甲村团队", "village", fd.VILLAGE_A, "doc-a")
        team = await client.post(f"{base}/teams", json=a_team, headers=health)
        assert team.status_code == 201, team.text

        seen = {"id_number": fd.A1, "diagnosis_codes": ["I10"], "seen_on": "2018-03-02"}
        answers = await at_once(lambda: client.post(f"{base}/diagnoses", json=seen, headers=doctor))
        assert {a.status_code for a in answers} == {201}, {a.text for a in answers}
        assert count(url, ChronicDiagnosis, col(ChronicDiagnosis.source) == "visit") == 1

        signing = {"id_number": fd.A1, "team_id": team.json()["id"], "signed_on": "2018-04-01"}
        answers = await at_once(
            lambda: client.post(f"{base}/signings", json=signing, headers=doctor)
        )
        signed = answered_once(answers, 201, 409).json()
        assert count(url, FamilyDoctorSigning) == 1

        renewal = {"renewed_on": "2019-03-01"}
        answers = await at_once(
            lambda: client.post(
                f"{base}/signings/{signed['id']}/renew", json=renewal, headers=doctor
            )
        )
        answered_once(answers, 201, 409)
        assert count(url, FamilyDoctorSigning) == 2

        bill = fd.chronic36_bill("FD-B1", fd.A2, ["J44.9"])
        answers = await at_once(
            lambda: client.post("/v1/outpatient/chronic36-bills", json=bill, headers=hospital)
        )
        answered_once(answers, 201, 200)
        assert len({a.text for a in answers}) == 1
        assert count(url, OutpatientBill) == 1


async def test_disability_posts_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enrolment (once; then 409), a payee account (one row, the repeats 200), a case of a
    registry person (the person enters the register once) and a month of its stay paid once."""
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2018, 7, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    url = settings.database_url
    o = disability.Officers(settings)
    async with running(welfare_app(settings)) as client:
        disability.deliver(url, disability.registered("r1", 1, None), date(2018, 6, 1))

        person = {
            "id_number": disability.number(8),
            "name": "残疾人8",
            "village_code": disability.VILLAGE,
            "grade": 2,
            "certificate_no": "52032419580101",
            "hardship": "tekun",
        }
        answers = await at_once(
            lambda: client.post("/v1/disability/persons", json=person, headers=o.town)
        )
        enrolled = answered_once(answers, 201, 409).json()
        assert count(url, DisabledPerson) == 1

        account = disability.account(8)
        answers = await at_once(
            lambda: client.put(
                f"/v1/disability/persons/{enrolled['id']}/account", json=account, headers=o.cdpf
            )
        )
        assert {a.status_code for a in answers} == {200}, {a.text for a in answers}
        assert count(url, PayeeAccount) == 1

        case = {
            "kind": "mental_hospital",
            "person_id": "r1",
            "request": "县精神病院住院",
            "diagnosis": "精神分裂症",
            "stay_from": "2018-06-20",
        }
        answers = await at_once(
            lambda: client.post("/v1/disability/rehab-cases", json=case, headers=o.town)
        )
        assert {a.status_code for a in answers} == {201}, {a.text for a in answers}
        assert count(url, DisabledPerson, col(DisabledPerson.person_id) == "r1") == 1

        case_id = answers[0].json()["id"]
        decided = await client.post(
            f"/v1/disability/rehab-cases/{case_id}/decision",
            json={"approve": True, "note": "审核"},
            headers=o.cdpf,
        )
        assert decided.status_code == 200, decided.text
        month = {"kind": "hospital_month", "on": "2018-07-01", "month": "2018-06"}
        answers = await at_once(
            lambda: client.post(
                f"/v1/disability/rehab-cases/{case_id}/grants", json=month, headers=o.cdpf_b
            )
        )
        answered_once(answers, 201, 409)
        assert count(url, RehabGrant) == 1


@pytest.mark.parametrize("registered", [True, False])
async def test_one_dibao_application_submitted_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch, registered: bool
) -> None:
    """A household has one application in progress: the other nineteen are 409s naming it;
    a household not in the registry is known by its applicant."""
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = dibao.Officers(settings)
    lone = make_resident_id("532325", date(1948, 1, 9), 23, "M")
    body = (
        dibao.application()
        if registered
        else dibao.application(
            applicant_id_number=lone,
            applicant_name="王五",
            members=[dibao.member(lone, "王五")],
        )
    )
    async with running(welfare_app(settings)) as client:
        dibao.seed(settings.database_url)
        answers = await at_once(
            lambda: client.post("/v1/dibao/applications", json=body, headers=o.cadre)
        )
        first = answered_once(answers, 201, 409)
        assert count(settings.database_url, DibaoApplication) == 1
        number = first.json()["id"]
        assert all(f"no. {number}," in a.json()["detail"] for a in answers if a is not first)


async def test_dibao_activation_and_reissue_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The household goes on dibao once (one case, one dibao_granted); a failed payment is
    re-issued once (one attempt 2). Every repeat is a 409, as it is one after the other."""
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 5))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    url = settings.database_url
    o = dibao.Officers(settings)
    async with running(welfare_app(settings)) as client:
        dibao.seed(url)
        app_id = await dibao.to_notice(client, o, dibao.application(), "2026-02-02")
        answers = await at_once(
            lambda: client.post(
                f"/v1/dibao/applications/{app_id}/activation",
                json={"effective_from": "2026-02-10"},
                headers=o.county,
            )
        )
        answered_once(answers, 200, 409)
        assert count(url, DibaoCase) == 1
        granted = col(OutboxEvent.event_type) == "welfare.dibao_granted"
        assert count(url, OutboxEvent, granted) == 1

        body = {"county_code": dibao.COUNTY, "month": "2026-02"}
        cycle = (await client.post("/v1/payment-cycles", json=body, headers=o.county)).json()
        c_url = f"/v1/payment-cycles/{cycle['id']}"
        assert (await client.post(f"{c_url}/approval", headers=o.county_b)).status_code == 200
        assert (await client.post(f"{c_url}/payment", headers=o.county)).status_code == 200
        line = (await client.get(f"{c_url}/lines", headers=o.county)).json()["items"][0]["id"]
        failed = await client.post(
            f"/v1/payment-lines/{line}/failure", json={"reason": "账户已销户"}, headers=o.county
        )
        assert failed.status_code == 200, failed.text
        answers = await at_once(
            lambda: client.post(f"/v1/payment-lines/{line}/reissue", json={}, headers=o.county)
        )
        answered_once(answers, 201, 409)
        assert count(url, PaymentLine, col(PaymentLine.attempt) == 2) == 1


async def test_registry_member_and_split_twenty_times_at_once(db_template: str) -> None:
    """A birth registered once, a household split off once (every repeat a 409); a death, a new
    head and a move each made and published once."""
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    url = settings.database_url
    poverty = token(settings, Role.county_poverty)
    rows = roster_rows(6, per_household=3)
    async with running(enrollment_app(settings)) as client:
        imported = await client.post(
            "/v1/registry/imports", files={"file": ("r.csv", roster_csv(rows))}, headers=poverty
        )
        assert imported.status_code == 201, imported.text
        household, newborn = rows[0][0], make_resident_id("532325", date(2020, 1, 1), 15, "M")
        member = {"id_number": newborn, "name": "新生儿"}
        answers = await at_once(
            lambda: client.post(f"/v1/households/{household}/members", json=member, headers=poverty)
        )
        answered_once(answers, 201, 409)
        assert count(url, Person, col(Person.id_number) == newborn) == 1

        split = {"new_household_id": "NEW-1", "id_numbers": [newborn], "head_id_number": newborn}
        answers = await at_once(
            lambda: client.post(f"/v1/households/{household}/split", json=split, headers=poverty)
        )
        answered_once(answers, 201, 409)
        assert count(url, Household, col(Household.id) == "NEW-1") == 1
        splits = col(OutboxEvent.event_type) == "household.split"
        assert count(url, OutboxEvent, splits) == 1

        # Changes published once: a death and a new head (the repeats 200), a move (then 422).
        def published(event_type: str) -> int:
            return count(url, OutboxEvent, col(OutboxEvent.event_type) == event_type)

        died, head, mover = rows[1][2], rows[2][2], rows[4][2]
        death = {"deceased_on": "2018-03-01"}
        answers = await at_once(
            lambda: client.post(f"/v1/persons/{died}/death", json=death, headers=poverty)
        )
        assert {a.status_code for a in answers} == {200}, {a.text for a in answers}
        assert published("person.deceased") == 1
        answers = await at_once(
            lambda: client.post(
                f"/v1/households/{household}/head", json={"id_number": head}, headers=poverty
            )
        )
        assert {a.status_code for a in answers} == {200}, {a.text for a in answers}
        assert published("household.head_changed") == 1
        move = {"to_household_id": household}
        answers = await at_once(
            lambda: client.post(f"/v1/persons/{mover}/move", json=move, headers=poverty)
        )
        answered_once(answers, 200, 422)
        assert published("person.moved") == 1


async def test_census_record_and_relocation_twenty_times_at_once(
    db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first census record and a relocated household, each put 20 times at once: one row,
    every answer the repeat's 200."""
    monkeypatch.setattr(employment_clock, "today", lambda: census.TODAY)
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    county = token(settings, Role.county_hrss, scope=census.COUNTY, sub="hrss")
    async with running(employment_app(settings)) as client:
        census.seed(url)
        record = {
            "work_ability": "partial",
            "wishes_to_work": True,
            "wishes_to_train": False,
            "skills": ["刺绣"],
        }
        answers = await at_once(
            lambda: client.put("/v1/census/persons/p-late", json=record, headers=county)
        )
        assert {a.status_code for a in answers} == {200}, {a.text for a in answers}
        assert count(url, LabourCensusPerson) == 1

        items = {"items": [{"household_id": "H-2", "site": "瑞濠移民安置点"}]}
        answers = await at_once(
            lambda: client.post("/v1/relocated-households", json=items, headers=county)
        )
        assert {a.status_code for a in answers} == {200}, {a.text for a in answers}
        assert sum(a.json()["created"] for a in answers) == 1
        assert count(url, RelocatedHousehold) == 1


async def test_roster_and_student_register_imported_twenty_times_at_once(db_template: str) -> None:
    """A roster and a county's student register, each imported 20 times at once: every import
    is done (201) as a re-import is, and the people, households and students are there once."""
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    url = settings.database_url
    poverty = token(settings, Role.county_poverty, scope=edu.COUNTY)
    bureau = token(settings, Role.county_education, scope=edu.COUNTY)
    async with running(enrollment_app(settings)) as client:
        roster = {"file": ("roster.csv", edu.ROSTER, "text/csv")}
        answers = await at_once(
            lambda: client.post("/v1/registry/imports", files=roster, headers=poverty)
        )
        assert {a.status_code for a in answers} == {201}, {a.text[:300] for a in answers}
        created = sorted(a.json()["result"]["persons_created"] for a in answers)
        assert created == [0] * (len(answers) - 1) + [5]
        assert count(url, Person) == 5
        households = col(OutboxEvent.event_type) == "household.registered"
        assert count(url, OutboxEvent, households) == 2

        register = {"file": ("register.csv", edu.register_csv(), "text/csv")}
        params = {"school_year": str(edu.SCHOOL_YEAR), "county_code": edu.COUNTY}
        answers = await at_once(
            lambda: client.post(
                "/v1/education/registers/imports", params=params, files=register, headers=bureau
            )
        )
        assert {a.status_code for a in answers} == {201}, {a.text[:300] for a in answers}
        assert count(url, StudentRecord) == len(edu.REGISTER_ROWS)
