"""The one window (一门受理、协同办理, WEL-7) and complaints (WEL-9) over HTTP on SQLite and
PostgreSQL: requests recorded and referred (转办) with the rule's deadline, a relief request
followed through its case, tracked referrals answered by the department, overdue referrals,
status lookup by request number and by ID number, complaints answered once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.welfare.complaints.models import Complaint
from services.welfare.main import build_app
from services.welfare.window.models import WindowRequest
from shared.ids import make_resident_id
from shared.roles import Role
from tests.support.app import running, token
from tests.support.welfare_relief import (
    NUMBER,
    TOWN_A,
    TOWN_B,
    VILLAGE_A,
    app_settings,
    count,
    seed_registry,
)

pytestmark = pytest.mark.integration

OUTSIDER = make_resident_id("532325", date(1990, 6, 6), 77, "F")


def request(id_number: str, request_type: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "applicant_name": "申请人",
        "applicant_id_number": id_number,
        "request_type": request_type,
        "content": "申请帮助",
    }
    body.update(over)
    return body


async def test_window_referrals_and_tracking(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="window-a")
    county = token(settings, Role.county_civil, sub="civil")
    medical = token(settings, Role.county_medical, sub="medical")
    today = date.today()
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url

        # A medical-assistance request: a tracked referral to 医保 with the rule's deadline.
        resp = await client.post(
            "/v1/window/requests", json=request(NUMBER["p1"], "medical_assistance"), headers=town_a
        )
        assert resp.status_code == 201, resp.text
        med = resp.json()
        assert med["status"] == "referred" and med["department"] == "medical_insurance"
        assert med["channel"] == "tracked" and med["household_id"] == "H1"
        assert med["deadline"] == (today + timedelta(days=10)).isoformat()
        assert "WEL-7" in med["trace"]["rules"]
        assert [s["to_status"] for s in med["steps"]] == ["received", "referred"]
        number = med["request_no"]

        # Civil affairs cannot answer for 医保 (403); 医保 accepts then resolves.
        step = f"/v1/window/requests/{number}/steps"
        assert (await client.post(step, json={"to": "accepted"}, headers=county)).status_code == 403
        assert (
            await client.post(step, json={"to": "resolved", "note": "x"}, headers=medical)
        ).status_code == 409  # not accepted yet
        accepted = await client.post(
            step, json={"to": "accepted", "department_ref": "医保2018-12"}, headers=medical
        )
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        no_note = await client.post(step, json={"to": "resolved"}, headers=medical)
        assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "body.note"
        resolved = await client.post(
            step, json={"to": "resolved", "note": "已办理医疗救助"}, headers=medical
        )
        assert resolved.json()["status"] == "resolved"
        assert resolved.json()["resolved_on"] == today.isoformat()

        # An outside department (住建): the township officer records its answers.
        housing = (
            await client.post(
                "/v1/window/requests", json=request(NUMBER["p2"], "housing"), headers=town_a
            )
        ).json()
        assert housing["department"] == "housing"
        # A pension request stays open at 人社 and becomes overdue after its deadline.
        pension = (
            await client.post(
                "/v1/window/requests", json=request(NUMBER["p3"], "pension"), headers=town_a
            )
        ).json()
        returned = await client.post(
            f"/v1/window/requests/{housing['request_no']}/steps",
            json={"to": "returned", "note": "不属于住房救助范围"},
            headers=town_a,
        )
        assert returned.json()["status"] == "returned"

        later = (today + timedelta(days=11)).isoformat()
        overdue = (
            await client.get(
                f"/v1/window/referrals/overdue?township={TOWN_A}&on={later}", headers=county
            )
        ).json()
        assert [r["request_no"] for r in overdue["items"]] == [pension["request_no"]]
        assert overdue["items"][0]["overdue"] is True
        on_deadline = (today + timedelta(days=10)).isoformat()
        assert (
            await client.get(f"/v1/window/referrals/overdue?on={on_deadline}", headers=county)
        ).json()["total"] == 0

        # The applicant follows the request by its number, without a token; no name shown.
        tracked = await client.get(f"/v1/window/track/{number}")
        assert tracked.status_code == 200
        assert tracked.json()["status"] == "resolved"
        assert [s["status"] for s in tracked.json()["steps"]] == [
            "received",
            "referred",
            "accepted",
            "resolved",
        ]
        assert "申请人" not in tracked.text and NUMBER["p1"] not in tracked.text
        assert (await client.get("/v1/window/track/YM000")).status_code == 404
        # Officers look requests up by ID number, within their jurisdiction.
        mine = await client.get(f"/v1/window/requests?id_number={NUMBER['p1']}", headers=county)
        assert [r["request_no"] for r in mine.json()["items"]] == [number]
        town_b = token(settings, Role.township_officer, scope=TOWN_B)
        assert (
            await client.get(f"/v1/window/requests?id_number={NUMBER['p1']}", headers=town_b)
        ).json()["total"] == 0
        assert (
            await client.get(f"/v1/window/requests/{number}", headers=town_b)
        ).status_code == 404
        bad_lookup = await client.get("/v1/window/requests?id_number=123", headers=county)
        assert bad_lookup.status_code == 422

        # Validation: named fields, nothing written.
        before = count(url, WindowRequest)
        bad = await client.post(
            "/v1/window/requests",
            json=request("532325199001011111", "other", content=""),
            headers=town_a,
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "body.applicant_id_number",
            "body.content",
            "body.department",
        }
        outsider = await client.post(
            "/v1/window/requests", json=request(OUTSIDER, "employment"), headers=town_a
        )
        assert outsider.status_code == 422
        assert outsider.json()["errors"][0]["field"] == "village_code"
        assert count(url, WindowRequest) == before
        # A county medical officer does not take requests at the window.
        assert (
            await client.post(
                "/v1/window/requests", json=request(NUMBER["p1"], "pension"), headers=medical
            )
        ).status_code == 403
        # Someone outside the registry is taken with the village given.
        taken = await client.post(
            "/v1/window/requests",
            json=request(OUTSIDER, "employment", village_code=VILLAGE_A),
            headers=town_a,
        )
        assert taken.status_code == 201 and taken.json()["department"] == "hrss"


async def test_relief_request_follows_its_case(db_template: str) -> None:
    settings = app_settings(db_template)
    village = token(settings, Role.village_cadre, scope=VILLAGE_A, sub="cadre")
    county = token(settings, Role.county_civil, sub="civil")
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        missing = await client.post(
            "/v1/window/requests", json=request(NUMBER["p1"], "temporary_relief"), headers=village
        )
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "body.relief"
        resp = await client.post(
            "/v1/window/requests",
            json=request(
                NUMBER["p1"],
                "temporary_relief",
                content="交通事故致重伤",
                relief={"kind": "accident", "occurred_on": "2018-04-01", "assessed_need": "800"},
            ),
            headers=village,
        )
        assert resp.status_code == 201, resp.text
        req = resp.json()
        assert req["channel"] == "welfare_case" and req["linked_entity"] == "relief_case"
        case_id = req["linked_id"]
        case = (await client.get(f"/v1/relief/cases/{case_id}", headers=county)).json()
        assert case["source"] == "window" and case["window_request_id"] == req["id"]
        assert case["proposed_amount"] == "800.00"
        # The request moves with its case, not by hand.
        hand = await client.post(
            f"/v1/window/requests/{req['request_no']}/steps",
            json={"to": "accepted"},
            headers=county,
        )
        assert hand.status_code == 409
        await client.post(
            f"/v1/relief/cases/{case_id}/decision", json={"decision": "approved"}, headers=county
        )
        tracked = (await client.get(f"/v1/window/track/{req['request_no']}")).json()
        assert tracked["status"] == "resolved"
        detail = (
            await client.get(f"/v1/window/requests/{req['request_no']}", headers=county)
        ).json()
        assert "800.00" in detail["outcome"]


async def test_complaints_answered_once(db_template: str) -> None:
    settings = app_settings(db_template)
    town_a = token(settings, Role.township_officer, scope=TOWN_A, sub="town-a")
    town_b = token(settings, Role.township_officer, scope=TOWN_B, sub="town-b")
    county = token(settings, Role.county_civil, sub="civil")
    today = date.today()
    async with running(build_app(settings)) as client:
        seed_registry(settings.database_url)
        url = settings.database_url
        case = (
            await client.post(
                "/v1/relief/cases",
                json={
                    "kind": "serious_illness",
                    "id_number": NUMBER["p1"],
                    "occurred_on": "2018-02-01",
                    "assessed_need": "2000.00",
                    "description": "重病",
                },
                headers=town_a,
            )
        ).json()
        body = {
            "kind": "appeal",
            "complainant_name": "居民0",
            "complainant_id_number": NUMBER["p1"],
            "against_type": "relief_case",
            "against_ref": str(case["id"]),
            "content": "救助金额过低",
        }
        unknown = await client.post(
            "/v1/complaints", json={**body, "against_ref": "999"}, headers=town_a
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "against_ref"
        bad = await client.post(
            "/v1/complaints", json={**body, "kind": "praise", "content": ""}, headers=town_a
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"body.kind", "body.content"}
        assert count(url, Complaint) == 0

        resp = await client.post("/v1/complaints", json=body, headers=town_a)
        assert resp.status_code == 201, resp.text
        complaint = resp.json()
        assert complaint["status"] == "open"
        assert complaint["answer_due"] == (today + timedelta(days=15)).isoformat()
        assert complaint["trace"]["parameters"][0]["path"] == "welfare.complaints.answer_days"

        later = (today + timedelta(days=16)).isoformat()
        overdue = (
            await client.get(f"/v1/complaints?overdue=true&on={later}", headers=county)
        ).json()
        assert [c["id"] for c in overdue["items"]] == [complaint["id"]]
        unanswered = (await client.get("/v1/complaints?status=open", headers=town_a)).json()
        assert unanswered["total"] == 1 and unanswered["items"][0]["overdue"] is False

        answer = f"/v1/complaints/{complaint['id']}/answer"
        assert (
            await client.post(answer, json={"answer": "已复核"}, headers=town_b)
        ).status_code == 404
        auditor = token(settings, Role.auditor)
        assert (
            await client.post(answer, json={"answer": "已复核"}, headers=auditor)
        ).status_code == 403
        empty = await client.post(answer, json={"answer": "  "}, headers=county)
        assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body.answer"
        done = await client.post(answer, json={"answer": "经复核，金额符合规定"}, headers=county)
        assert done.status_code == 200, done.text
        answered = done.json()
        assert answered["status"] == "answered" and answered["answered_by"] == "civil"
        assert answered["answered_role"] == "county_civil" and answered["answered_at"]
        assert [s["to_status"] for s in answered["steps"]] == ["open", "answered"]
        again = await client.post(answer, json={"answer": "再次答复"}, headers=town_a)
        assert again.status_code == 409
        assert (await client.get(f"/v1/complaints?overdue=true&on={later}", headers=county)).json()[
            "total"
        ] == 0
