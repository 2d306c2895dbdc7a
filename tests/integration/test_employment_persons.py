"""A person as the employment service knows them, over HTTP on SQLite and PostgreSQL
(GET /v1/persons/{id_number}): the registry's facts with the census record, placements, post
assignments, training, workshop spells, businesses and the 低保/特困 standing; found only inside
the caller's jurisdiction (404 outside it), ID numbers masked for roles that do not act on them,
a malformed number a 422 naming the path parameter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from services.employment import clock
from services.employment.main import build_app
from services.employment.welfare.models import WelfareStanding
from shared.db import make_engine
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.employment_jobs import COUNTY, TOWN, VILLAGE, Officers, seed

pytestmark = pytest.mark.integration

TODAY = date(2018, 9, 1)
# p1 lives in VILLAGE, p3 in another township's village (tests.support.employment_jobs.PEOPLE).
P1 = make_resident_id(COUNTY, date(1980, 5, 1), 1, "M")
P3 = make_resident_id(COUNTY, date(1990, 7, 1), 3, "M")
BAD_CHECK = "0" if P1[-1] != "0" else "1"  # the check digit wrong
PROGRAMME = {
    "county_code": COUNTY,
    "name": "电工培训",
    "kind": "skills",
    "provider_department": "县妇联",
    "townships": [TOWN],
    "hours": 80,
    "starts_on": "2018-03-01",
    "ends_on": "2018-03-20",
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def ok(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


async def test_a_person_with_their_employment_records(db_template: str) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    url = settings.database_url
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(url)
        engine = make_engine(url)
        with Session(engine) as s:
            s.add(
                WelfareStanding(
                    person_id="p1", dibao=True, dibao_since=date(2017, 3, 1), source_event_id="seed"
                )
            )
            s.commit()
        engine.dispose()

        async def post(path: str, body: dict[str, Any]) -> Any:
            return ok(await client.post(path, json=body, headers=o.county))

        ok(
            await client.put(
                "/v1/census/persons/p1",
                headers=o.county,
                json={
                    "work_ability": "full",
                    "wishes_to_work": True,
                    "wishes_to_train": True,
                    "surveyed_on": "2018-01-10",
                },
            )
        )
        prog = await post("/v1/training/programmes", PROGRAMME)
        enrolment = await post(
            f"/v1/training/programmes/{prog['id']}/enrolments",
            {"person_id": "p1", "enrolled_on": "2018-03-01"},
        )
        await post(
            f"/v1/training/enrolments/{enrolment['id']}/completion",
            {"completed_on": "2018-03-20", "outcome": "passed"},
        )
        certificate = await post(
            f"/v1/training/enrolments/{enrolment['id']}/certificates",
            {"kind": "skill_level", "number": "P-CERT-1", "issued_on": "2018-04-01"},
        )
        first = await post(
            "/v1/jobs/placements",
            {"person_id": "p1", "employer": "某厂", "location": "local", "start_on": "2018-04-01"},
        )
        await post(
            f"/v1/jobs/placements/{first['id']}/loss",
            {"lost_on": "2018-05-31", "reason": "合同到期"},
        )
        second = await post(
            "/v1/jobs/placements",
            {
                "person_id": "p1",
                "employer": "某公司",
                "location": "province",
                "start_on": "2018-07-01",
            },
        )
        post_ = await post(
            "/v1/posts",
            {
                "township_code": TOWN,
                "village_code": VILLAGE,
                "post_type": "cleaning",
                "name": "保洁员",
                "capacity": 3,
                "opened_on": "2018-01-01",
            },
        )
        assignment = await post(
            f"/v1/posts/{post_['id']}/assignments", {"person_id": "p1", "start_on": "2018-02-01"}
        )
        workshop = await post(
            "/v1/workshops",
            {
                "township_code": TOWN,
                "village_code": VILLAGE,
                "name": "扶贫车间",
                "operator": "某公司",
                "opened_on": "2018-01-01",
            },
        )
        worker = await post(
            f"/v1/workshops/{workshop['id']}/workers", {"person_id": "p1", "start_on": "2018-02-01"}
        )
        business = await post(
            "/v1/businesses",
            {
                "person_id": "p1",
                "business_type": "individual",
                "name": "小卖部",
                "started_on": "2018-05-01",
            },
        )

        got = ok(await client.get(f"/v1/persons/{P1}", headers=o.cadre))
        assert got["person_id"] == "p1" and got["household_id"] == "H-1"
        assert got["village_code"] == VILLAGE and got["poverty_status"] == "not_exited"
        # Employment shows ID numbers in full to other systems only.
        assert got["id_number"] != P1 and got["id_number"].endswith(P1[-4:])
        assert got["census"]["work_ability"] == "full"
        assert got["census"]["surveyed_on"] == "2018-01-10"
        assert got["placements"]["total"] == 2
        assert [p["id"] for p in got["placements"]["items"]] == [second["id"], first["id"]]
        assert got["placements"]["items"][1]["ended_on"] == "2018-05-31"
        assert got["post_assignments"] == {
            "total": 1,
            "items": [{"id": assignment["id"], "post_id": post_["id"],
                       "start_on": "2018-02-01", "end_on": None}],
        }  # fmt: skip
        assert got["training_enrolments"]["items"][0]["id"] == enrolment["id"]
        assert got["training_enrolments"]["items"][0]["outcome"] == "passed"
        assert got["certificates"]["items"][0]["id"] == certificate["id"]
        assert got["workshop_spells"]["items"][0]["id"] == worker["id"]
        assert got["businesses"]["items"][0]["id"] == business["id"]
        assert got["welfare"]["dibao"] is True and got["welfare"]["tekun"] is False
        assert got["withheld"] == []

        # Each summary leads to the record itself.
        placement = f"/v1/jobs/placements/{second['id']}"
        assert (await client.get(placement, headers=o.cadre)).status_code == 200

        # Other systems read it with the number in full; the census and training are not theirs.
        service = token(settings, Role.service, scope=COUNTY, sub="svc")
        got = ok(await client.get(f"/v1/persons/{P1}", headers=service))
        assert got["id_number"] == P1 and got["placements"]["total"] == 2
        assert got["census"] is None and got["training_enrolments"] is None
        assert got["certificates"] is None and got["withheld"] == ["census", "training"]

        # A person of another township is not in the cadre's or the township officer's scope.
        assert (await client.get(f"/v1/persons/{P3}", headers=o.cadre)).status_code == 404
        assert (await client.get(f"/v1/persons/{P3}", headers=o.town)).status_code == 404
        assert (await client.get(f"/v1/persons/{P3}", headers=o.other_town)).status_code == 200
        other_town = await client.get(f"/v1/persons/{P1}", headers=o.other_town)
        assert other_town.status_code == 404
        other_county = token(settings, Role.county_hrss, scope="520324", sub="hrss2")
        assert (await client.get(f"/v1/persons/{P1}", headers=other_county)).status_code == 404
        # A person with no record yet: empty lists, no census.
        got = ok(await client.get(f"/v1/persons/{P3}", headers=o.county))
        assert got["census"] is None and got["placements"] == {"total": 0, "items": []}

        unknown = make_resident_id(COUNTY, date(1999, 9, 9), 99, "F")
        missing = await client.get(f"/v1/persons/{unknown}", headers=o.county)
        assert missing.status_code == 404
        bad = await client.get(f"/v1/persons/{P1[:-1]}{BAD_CHECK}", headers=o.county)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "path.id_number"
        hospital = token(settings, Role.hospital, scope=COUNTY, sub="hospital")
        assert (await client.get(f"/v1/persons/{P1}", headers=hospital)).status_code == 403
