"""Enrollment decisions say which of their figures are the county's own (illustrative_parameters),
and marginal households (边缘户) stay outside the registered-poor rules: the pension subsidies
(ENR-P3/P4), the ledger (ENR-P6) and the coverage targets (ENR-P1/P2, ENR-M1), in JSON and in
the exports alike. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from services.enrollment.consumers import deceased
from services.enrollment.main import build_app
from services.enrollment.models import Household, Person
from shared.bus.tables import OutboxEvent
from shared.db import make_engine
from shared.events.envelope import Envelope
from shared.events.registry import PersonDeceased
from shared.ids import make_resident_id
from shared.policy import PolicySet
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.roster import HEADER_ZH, roster_csv
from tests.support.uow import event_uow

pytestmark = pytest.mark.integration

HEADER = HEADER_ZH + ",残疾等级"
POLICY = PolicySet.load(Settings().policy_dir)


@pytest.fixture
def app_settings(db_template: str):
    return make_settings("enrollment", db_template, bus_enabled=False)


def person(
    i: int, born: date, household: str, status: str, county: str = "532325", grade: str = ""
) -> list[str]:
    number = make_resident_id(county, born, i, "M")
    return [household, f"测试{i}", number, "户主", county, f"{county}100",
            f"{county}100201", status, grade]  # fmt: skip


def roll(lines: list[str]) -> dict:
    body = "证件号码,年度,缴费档次,是否缴费\n" + "".join(f"{line}\n" for line in lines)
    return {"file": ("p.csv", body.encode())}


def funeral_event(url: str, id_number: str, county: str, deceased_on: date) -> dict:
    """Run the death handler (ENR-P8) on a committed PersonDeceased and return the
    FuneralGrantPaid payload it published."""
    engine = make_engine(url)
    with Session(engine) as s:
        who = s.exec(select(Person).where(Person.id_number == id_number)).one()
        household = s.get(Household, who.household_id)
        assert household is not None
        data = PersonDeceased(
            person_id=who.id,
            household_id=household.id,
            id_number=who.id_number,
            county_code=county,
            village_code=household.village_code,
            deceased_on=deceased_on,
        )
        envelope = Envelope.wrap(data, source="/services/enrollment", subject=who.id, key=None)
        deceased(event_uow(s, envelope, policy=POLICY, service="enrollment"), data)
        s.commit()
        rows = s.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "enrollment.funeral_grant_paid")
        ).all()
        (payload,) = [p for p in (json.loads(r.payload) for r in rows) if p["person_id"] == who.id]
    engine.dispose()
    return payload


async def test_marginal_people_are_outside_the_registered_poor_rules(app_settings) -> None:
    rows = [
        person(1, date(1980, 5, 1), "532325-A", "未脱贫"),  # registered, paid
        person(2, date(1975, 3, 1), "532325-B", "边缘户", grade="2"),  # marginal, enrolled unpaid
        person(3, date(1960, 1, 1), "532325-B", "边缘户"),  # marginal, 58 in mid-2018
        person(4, date(1961, 2, 1), "532325-C", "已脱贫"),  # registered, not enrolled, 57
    ]
    numbers = [r[2] for r in rows]
    hrss = token(app_settings, Role.county_hrss)
    async with running(build_app(app_settings)) as client:
        resp = await client.post(
            "/v1/registry/imports",
            files={"file": ("r.csv", roster_csv(rows, HEADER))},
            headers=token(app_settings, Role.county_poverty),
        )
        assert resp.status_code == 201, resp.text
        resp = await client.post(
            "/v1/rolls/pension/imports",
            files=roll([f"{numbers[0]},2018,200,是", f"{numbers[1]},2018,200,否"]),
            headers=hrss,
        )
        assert resp.status_code == 201, resp.text

        # ENR-P1/P2: the target is the registered poor (YA-HRSS §一(一)); 2 and 3 are outside.
        rec = (
            await client.get("/v1/reconciliation/pension", params={"year": 2018}, headers=hrss)
        ).json()
        assert (rec["total"]["eligible"], rec["total"]["enrolled"]) == (2, 1)
        assert (rec["total"]["not_enrolled"], rec["total"]["enrolled_not_paid"]) == (1, 0)
        found = {}
        for kind in ("not_enrolled", "not_paid"):
            page = await client.get(
                "/v1/reconciliation/pension/gaps",
                params={"year": 2018, "kind": kind},
                headers=hrss,
            )
            found[kind] = [g["id_number"] for g in page.json()["items"]]
        assert found == {"not_enrolled": [numbers[3]], "not_paid": []}
        xlsx = await client.get(
            "/v1/reconciliation/pension/export", params={"year": 2018}, headers=hrss
        )
        values = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
        listed = [v[values[2].index("证件号码")] for v in values[3:]]
        assert listed == [numbers[3]]
        csv = await client.get(
            "/v1/reconciliation/pension/export",
            params={"year": 2018, "format": "csv"},
            headers=hrss,
        )
        lines = csv.content.decode("utf-8-sig").strip().splitlines()[1:]
        assert [line.split(",")[4] for line in lines] == [numbers[3]]
        assert "边缘户" not in csv.content.decode("utf-8-sig")
        med = (
            await client.get("/v1/reconciliation/medical", params={"year": 2018}, headers=hrss)
        ).json()
        assert med["total"]["eligible"] == 2  # ENR-M1: registered poor only

        # ENR-P3/P4: 贫困人口参保 (YA-GOV §三(五)一) — no subsidy, no 200 tier for the marginal.
        marginal = (
            await client.get(
                f"/v1/persons/{numbers[1]}/pension/subsidy",
                params={"year": 2018},
                headers=hrss,
            )
        ).json()
        assert marginal["result"]["subsidy"] == "0.00"
        assert marginal["result"]["paid_on_behalf"] == "0.00"
        assert marginal["result"]["person_pays"] == "200.00"
        assert "边缘户" in marginal["result"]["trace"]["steps"][-1]["text"]
        early = (
            await client.get(
                f"/v1/persons/{numbers[1]}/pension/early-subsidy",
                params={"on": "2018-06-15"},
                headers=hrss,
            )
        ).json()
        assert early["result"]["entitled"] is False
        assert "边缘户" in early["result"]["reason"]
        poor = (
            await client.get(
                f"/v1/persons/{numbers[0]}/pension/subsidy",
                params={"year": 2018},
                headers=hrss,
            )
        ).json()
        assert poor["result"]["subsidy"] == "40.00"  # tier 200: 30 + 10 (YA-GOV §三(五)一)
        # Every 姚安 figure is its own but whether the subsidy is deducted (no seed says).
        assert poor["illustrative_parameters"] == [
            "enrollment.pension.subsidy.deducted_from_payment"
        ]

        # ENR-P6: the ledger lists 贫困人口 only; the marginal 58-year-old is not on it.
        ledger = (
            await client.get("/v1/pension/ledger", params={"on": "2018-06-15"}, headers=hrss)
        ).json()
        assert [e["id_number"] for e in ledger["items"]] == [numbers[3]]
        assert ledger["items"][0]["illustrative_parameters"] == [
            "enrollment.pension.ledger.near_from_age",
            "enrollment.pension.scheme_start",
        ]


FRESH = "522121"


async def test_decisions_list_the_figures_borrowed_for_a_fresh_county(app_settings) -> None:
    rows = [
        person(1, date(1980, 5, 1), f"{FRESH}-A", "未脱贫", county=FRESH),
        person(2, date(1980, 5, 1), "532325-A", "未脱贫"),
    ]
    fresh, yaoan = rows[0][2], rows[1][2]
    async with running(build_app(app_settings)) as client:
        for county, line in ((FRESH, rows[0]), ("532325", rows[1])):
            resp = await client.post(
                "/v1/registry/imports",
                files={"file": ("r.csv", roster_csv([line], HEADER))},
                headers=token(app_settings, Role.county_poverty, scope=county),
            )
            assert resp.status_code == 201, resp.text
            number = line[2]
            resp = await client.post(
                "/v1/rolls/pension/imports",
                files=roll([f"{number},2018,300,是"]),
                headers=token(app_settings, Role.county_hrss, scope=county),
            )
            assert resp.status_code == 201, resp.text

        hrss_fresh = token(app_settings, Role.county_hrss, scope=FRESH)
        hrss_yaoan = token(app_settings, Role.county_hrss)
        subsidy = (
            await client.get(
                f"/v1/persons/{fresh}/pension/subsidy", params={"year": 2018}, headers=hrss_fresh
            )
        ).json()
        # Base 30 is the national floor (国发〔2014〕8号 §四(三)); the step, cap and 兜底 are not.
        assert subsidy["result"]["subsidy"] == "50.00"
        assert subsidy["illustrative_parameters"] == [
            "enrollment.pension.county_pays_minimum",
            "enrollment.pension.subsidy.cap",
            "enrollment.pension.subsidy.deducted_from_payment",
            "enrollment.pension.subsidy.step",
            "enrollment.pension.subsidy.step_tier",
        ]
        flagged = {p["path"] for p in subsidy["result"]["trace"]["parameters"] if p["illustrative"]}
        assert flagged == set(subsidy["illustrative_parameters"])

        medical = (
            await client.get(
                f"/v1/persons/{fresh}/medical-contribution",
                params={"year": 2018},
                headers=token(app_settings, Role.county_medical, scope=FRESH),
            )
        ).json()
        assert medical["province"] == "132.00"  # 姚安's 60%, flagged
        assert medical["illustrative_parameters"] == [
            "enrollment.medical.individual_contribution",
            "enrollment.medical.province_share.basis",
            "enrollment.medical.province_share.not_exited",
        ]
        assert medical["trace"]["illustrative_parameters"] == medical["illustrative_parameters"]
        own = (
            await client.get(
                f"/v1/persons/{yaoan}/medical-contribution",
                params={"year": 2018},
                headers=token(app_settings, Role.county_medical),
            )
        ).json()
        # 姚安: only the contribution itself, which no seed sets, is illustrative.
        assert own["illustrative_parameters"] == ["enrollment.medical.individual_contribution"]
        totals = await client.post(
            "/v1/medical-contributions",
            params={"year": 2018},
            headers=token(app_settings, Role.county_hrss),
        )
        assert totals.status_code == 200, totals.text
        assert totals.json()["illustrative_parameters"] == [
            "enrollment.medical.individual_contribution"
        ]

        for county, auth, expected in (
            (FRESH, hrss_fresh, ["enrollment.pension.basic_pension.monthly",
                                 "enrollment.pension.long_contribution.extra_per_year"]),
            ("532325", hrss_yaoan, ["enrollment.pension.basic_pension.monthly"]),
        ):  # fmt: skip
            benefit = (
                await client.post(
                    "/v1/pension/benefit",
                    json={
                        "county_code": county,
                        "on": "2018-07-01",
                        "contribution_years": 16,
                        "account_balance": "1390",
                    },
                    headers=auth,
                )
            ).json()
            assert benefit["result"]["long_contribution_extra"] == "2.00"
            assert benefit["illustrative_parameters"] == expected
            transfer = (
                await client.post(
                    "/v1/pension/transfer-in",
                    json={
                        "county_code": county,
                        "on": "2018-07-01",
                        "employee_contribution_months": 100,
                        "employee_account_balance": "900.00",
                    },
                    headers=auth,
                )
            ).json()
            assert transfer["result"]["allowed"] is True
            assert transfer["illustrative_parameters"] == (
                ["enrollment.pension.transfer_in.max_employee_years"] if county == FRESH else []
            )

    # ENR-P8 event: 600 is 姚安's own figure, borrowed (and flagged) elsewhere.
    url = app_settings.database_url
    event = funeral_event(url, fresh, FRESH, date(2018, 5, 2))
    assert event["amount"] == "600.00"
    assert event["illustrative_parameters"] == ["enrollment.pension.funeral_grant"]
    event = funeral_event(url, yaoan, "532325", date(2018, 5, 2))
    assert event["illustrative_parameters"] == []
