"""A person as the welfare service knows them, over HTTP on SQLite and PostgreSQL
(GET /v1/persons/{id_number}): the registry's facts with the household's dibao applications and
cases, 特困 cases and care-home stays, relief cases, the disability register and its subsidies
and the registry's account (masked); a person the registry does not know found through the
disability register; 404 outside the caller's jurisdiction, ID numbers masked for roles that do
not act on the person, sections withheld from roles that do not read them, a malformed number a
422 naming the path parameter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from services.welfare.dibao.models import DibaoApplication, DibaoCase, DibaoCaseMember
from services.welfare.disability.models import DisabilitySubsidy, DisabledPerson
from services.welfare.main import build_app
from services.welfare.registry.models import RegistryAccount
from services.welfare.relief.models import ReliefCase
from services.welfare.tekun.models import CarePlacement, TekunCase
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_registry import Registered, seed_registered

pytestmark = pytest.mark.integration

COUNTY, TOWN, VILLAGE = "532325", "532325100", "532325100201"
OTHER_VILLAGE = "532325101202"
HEAD = make_resident_id(COUNTY, date(1950, 3, 1), 31, "M")
WIFE = make_resident_id(COUNTY, date(1952, 6, 1), 32, "F")
FAR = make_resident_id(COUNTY, date(1960, 1, 1), 33, "M")  # another township
DISABLED = make_resident_id(COUNTY, date(1980, 8, 8), 34, "F")  # not in the registry


def seed(url: str) -> dict[str, int]:
    seed_registered(
        url,
        [
            Registered("p-head", "H-1", VILLAGE, "张大", HEAD),
            Registered("p-wife", "H-1", VILLAGE, "李二", WIFE),
            Registered("p-far", "H-9", OTHER_VILLAGE, "王五", FAR),
        ],
    )
    engine = make_engine(url)
    ids: dict[str, int] = {}
    with Session(engine) as s:
        s.add(
            RegistryAccount(
                person_id="p-head",
                bank_name="农村信用社",
                bank_account="6221000012345678",
                source_event_id="seed",
            )
        )
        applications = [
            DibaoApplication(
                household_id="H-1",
                county_code=COUNTY,
                township_code=TOWN,
                village_code=VILLAGE,
                applicant_name="张大",
                applicant_id_number=HEAD,
                reason="年老体弱",
                bank_name="农村信用社",
                bank_account="6221000012345678",
                status=status,
                created_by="cadre",
            )
            for status in ("activated", "submitted")
        ]
        s.add_all(applications)
        s.flush()
        case = DibaoCase(
            application_id=applications[0].id or 0,
            household_id="H-1",
            county_code=COUNTY,
            township_code=TOWN,
            village_code=VILLAGE,
            payee_name="张大",
            payee_id_number=HEAD,
            bank_name="农村信用社",
            bank_account="6221000012345678",
            status="active",
            category="A",
            annual_income=Decimal("2000.00"),
            monthly_amount=Decimal("420.00"),
            effective_from=date(2026, 2, 10),
            last_review_on=date(2026, 2, 10),
            next_review_due=date(2027, 2, 10),
        )
        s.add(case)
        s.flush()
        s.add(
            DibaoCaseMember(case_id=case.id or 0, id_number=HEAD, person_id="p-head", name="张大")
        )
        tekun = TekunCase(
            person_id="p-head",
            household_id="H-1",
            county_code=COUNTY,
            township_code=TOWN,
            village_code=VILLAGE,
            route="application",
            status="certified",
            monthly_amount=Decimal("800.00"),
            effective_from=date(2026, 1, 1),
        )
        s.add(tekun)
        s.flush()
        s.add(
            CarePlacement(
                home_id=1,
                case_id=tekun.id or 0,
                person_id="p-head",
                moved_in=date(2026, 1, 5),
                created_by="civil",
            )
        )
        relief = ReliefCase(
            kind="accident",
            source="application",
            status="approved",
            household_id="H-1",
            county_code=COUNTY,
            township_code=TOWN,
            village_code=VILLAGE,
            persons=2,
            occurred_on=date(2026, 2, 20),
            amount=Decimal("3000.00"),
            opened_by="cadre",
        )
        far_relief = ReliefCase(
            kind="accident",
            source="application",
            status="applied",
            household_id="H-9",
            county_code=COUNTY,
            township_code=OTHER_VILLAGE[:9],
            village_code=OTHER_VILLAGE,
            persons=1,
            occurred_on=date(2026, 2, 21),
            opened_by="cadre",
        )
        s.add_all([relief, far_relief])
        head = DisabledPerson(
            id_number=HEAD,
            person_id="p-head",
            name="张大",
            birth_date=date(1950, 3, 1),
            household_id="H-1",
            county_code=COUNTY,
            township_code=TOWN,
            village_code=VILLAGE,
            source="registry",
            grade=2,
            created_by="civil",
        )
        other = DisabledPerson(
            id_number=DISABLED,
            name="赵六",
            birth_date=date(1980, 8, 8),
            county_code=COUNTY,
            township_code=TOWN,
            village_code=VILLAGE,
            source="application",
            grade=1,
            certificate_no="C-1",
            created_by="town",
        )
        s.add_all([head, other])
        s.flush()
        for month in (date(2026, 1, 1), date(2026, 2, 1)):
            s.add(
                DisabilitySubsidy(
                    disabled_person_id=head.id or 0,
                    scheme="nursing",
                    month=month,
                    amount=Decimal("60.00"),
                    grade=2,
                    hardship="dibao",
                    county_code=COUNTY,
                    township_code=TOWN,
                    village_code=VILLAGE,
                    basis="WEL-4",
                    status="paid",
                )
            )
        s.commit()
        ids = {
            "case": case.id or 0,
            "tekun": tekun.id or 0,
            "relief": relief.id or 0,
            "head": head.id or 0,
            "other": other.id or 0,
            "applications": applications[1].id or 0,
        }
    engine.dispose()
    return ids


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_person_with_their_welfare_records(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)

    def as_(role: Role, scope: str = COUNTY) -> dict[str, str]:
        return token(settings, role, scope=scope, sub=f"t-{role}")

    async with running(build_app(settings)) as client:
        ids = seed(settings.database_url)
        cadre = as_(Role.village_cadre, VILLAGE)
        got = ok(await client.get(f"/v1/persons/{HEAD}", headers=cadre))
        assert got["in_registry"] is True and got["person_id"] == "p-head"
        assert got["id_number"] == HEAD and got["household_id"] == "H-1"
        assert got["poverty_status"] == "not_exited" and got["village_code"] == VILLAGE
        assert got["dibao_applications"]["total"] == 2
        assert [a["status"] for a in got["dibao_applications"]["items"]] == [
            "submitted",
            "activated",
        ]
        assert got["dibao_cases"]["total"] == 1
        case = got["dibao_cases"]["items"][0]
        assert case["id"] == ids["case"] and case["monthly_amount"] == "420.00"
        assert got["tekun_cases"]["items"][0]["id"] == ids["tekun"]
        assert got["care_placements"]["items"][0]["moved_in"] == "2026-01-05"
        assert got["relief_cases"] == {
            "total": 1,
            "items": [
                {
                    "id": ids["relief"],
                    "kind": "accident",
                    "status": "approved",
                    "household_id": "H-1",
                    "persons": 2,
                    "occurred_on": "2026-02-20",
                    "amount": "3000.00",
                    "decided_on": None,
                }
            ],
        }
        assert got["disability"]["id"] == ids["head"] and got["disability"]["grade"] == 2
        subsidies = got["disability_subsidies"]
        assert subsidies["total"] == 2 and subsidies["items"][0]["month"] == "2026-02-01"
        assert got["account"] == {"bank_name": "农村信用社", "bank_account": "************5678"}
        assert got["withheld"] == []
        # Each summary leads to the record itself.
        case_url = f"/v1/dibao/cases/{ids['case']}"
        assert (await client.get(case_url, headers=cadre)).status_code == 200

        # The wife shares the household's dibao records; her own 特困 and disability are none.
        got = ok(await client.get(f"/v1/persons/{WIFE}", headers=cadre))
        assert got["dibao_cases"]["total"] == 1 and got["dibao_applications"]["total"] == 2
        assert got["tekun_cases"]["total"] == 0 and got["disability"] is None
        assert got["account"] is None

        # Auditors read with ID numbers masked; the disability federation reads its register
        # only; other systems read all but the register.
        got = ok(await client.get(f"/v1/persons/{HEAD}", headers=as_(Role.auditor)))
        assert got["id_number"] != HEAD and got["id_number"].endswith(HEAD[-4:])
        got = ok(await client.get(f"/v1/persons/{HEAD}", headers=as_(Role.county_disability)))
        assert got["id_number"] == HEAD and got["disability"]["id"] == ids["head"]
        assert got["dibao_cases"] is None and got["account"] is None
        assert got["withheld"] == ["dibao", "relief", "tekun"]
        got = ok(await client.get(f"/v1/persons/{HEAD}", headers=as_(Role.service)))
        assert got["disability"] is None and got["disability_subsidies"] is None
        assert got["withheld"] == ["disability"] and got["dibao_cases"]["total"] == 1

        # A person the registry does not know, found through the disability register.
        got = ok(await client.get(f"/v1/persons/{DISABLED}", headers=cadre))
        assert got["in_registry"] is False and got["person_id"] is None
        assert got["name"] == "赵六" and got["sex"] == "F" and got["birth_date"] == "1980-08-08"
        assert got["village_code"] == VILLAGE and got["poverty_status"] is None
        assert got["disability"]["id"] == ids["other"] and got["disability_grade"] == 1
        assert got["dibao_cases"]["total"] == 0
        # ... but not by whoever may not read the register.
        service = as_(Role.service)
        assert (await client.get(f"/v1/persons/{DISABLED}", headers=service)).status_code == 404

        # Outside the caller's jurisdiction: 404, never 403.
        assert (await client.get(f"/v1/persons/{FAR}", headers=cadre)).status_code == 404
        other_town = as_(Role.township_officer, OTHER_VILLAGE[:9])
        assert (await client.get(f"/v1/persons/{HEAD}", headers=other_town)).status_code == 404
        assert (await client.get(f"/v1/persons/{DISABLED}", headers=other_town)).status_code == 404
        got = ok(await client.get(f"/v1/persons/{FAR}", headers=other_town))
        assert got["relief_cases"]["total"] == 1
        other_county = as_(Role.county_civil, "520324")
        assert (await client.get(f"/v1/persons/{HEAD}", headers=other_county)).status_code == 404

        unknown = make_resident_id(COUNTY, date(1999, 9, 9), 99, "F")
        assert (await client.get(f"/v1/persons/{unknown}", headers=cadre)).status_code == 404
        wrong = "0" if HEAD[-1] != "0" else "1"
        bad = await client.get(f"/v1/persons/{HEAD[:-1]}{wrong}", headers=cadre)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "path.id_number"
        hospital = as_(Role.hospital)
        assert (await client.get(f"/v1/persons/{HEAD}", headers=hospital)).status_code == 403
