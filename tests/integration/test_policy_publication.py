"""Counties publish their own dated parameters (shared.policy.publication): one officer proposes,
a second publishes (never the proposer); a published set is immutable and listed with who, when
and why; decisions use it and their traces cite it; the parameters answer "in force on D" and
"as known on K". A proposal is checked as the shipped files are: a parameter of the service, a
number in its unit's range, a citation or the reason it is illustrative."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from services.welfare.main import build_app
from shared import clock
from shared.roles import Role
from tests.support.app import make_settings, running, token
from tests.support.welfare_dibao import COUNTY, REVIEW, Officers, application, seed

pytestmark = pytest.mark.integration

STANDARD = "welfare.dibao.rural_standard"
BASE = "/v1/policy/publications"


def figure(**over: Any) -> dict[str, Any]:
    return {
        "path": STANDARD,
        "effective_from": "2026-01-01",
        "value": "4200",
        "reference": "姚政办发〔2026〕3号 第二条",
        **over,
    }


def proposal(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "county_code": COUNTY,
        "reason": "县政府2026年3月提高农村低保标准，自1月起执行",
        "items": list(items) or [figure()],
    }


async def _standard(client: Any, headers: dict[str, str], **query: str) -> dict[str, Any]:
    resp = await client.get(
        "/v1/policy/parameters", params={"county": COUNTY, "on": "2026-02-01", **query},
        headers=headers,
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    return next(p for p in resp.json()["parameters"] if p["path"] == STANDARD)


async def test_propose_publish_and_decide_with_the_published_figure(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        before = await _standard(client, o.county)
        assert before["value"] == "3500" and before["source"] == "shipped"

        resp = await client.post(BASE, json=proposal(), headers=o.county)
        assert resp.status_code == 201, resp.text
        proposed = resp.json()
        assert proposed["status"] == "proposed" and proposed["proposed_by"] == "county-a"
        # Proposed is not yet law.
        assert (await _standard(client, o.county))["value"] == "3500"

        url = f"{BASE}/{proposed['id']}/decision"
        own = await client.post(url, json={"approve": True}, headers=o.county)
        assert own.status_code == 403 and "may not approve" in own.json()["detail"]
        resp = await client.post(url, json={"approve": True}, headers=o.county_b)
        assert resp.status_code == 200, resp.text
        published = resp.json()
        assert published["status"] == "published" and published["decided_by"] == "county-b"
        again = await client.post(url, json={"approve": False, "note": "x"}, headers=o.county_b)
        assert again.status_code == 409  # published sets never change

        now = await _standard(client, o.county)
        assert now["value"] == "4200" and now["county_override"] is True
        assert now["source"] == f"publication {proposed['id']}"
        assert now["reference"] == "姚政办发〔2026〕3号 第二条"
        # In force on a day before it takes effect: the shipped figure.
        assert (await _standard(client, o.county, on="2025-12-31"))["value"] == "3500"
        # As known yesterday (before it was published): what decisions then were based on.
        yesterday = (clock.today() - timedelta(days=1)).isoformat()
        assert (await _standard(client, o.county, known_on=yesterday))["value"] == "3500"
        assert (await _standard(client, o.county, known_on=clock.today().isoformat()))[
            "value"
        ] == "4200"

        listed = await client.get(BASE, params={"status": "published"}, headers=o.auditor)
        assert [p["id"] for p in listed.json()] == [proposed["id"]]
        assert listed.json()[0]["reason"].startswith("县政府2026年3月")

        # A decision now uses the county's figure and its trace cites the publication.
        app = await client.post("/v1/dibao/applications", json=application(), headers=o.cadre)
        app_id = app.json()["id"]
        await client.post(
            f"/v1/dibao/applications/{app_id}/acceptance", json={"accept": True}, headers=o.town
        )
        review = await client.post(
            f"/v1/dibao/applications/{app_id}/economic-review", json=REVIEW, headers=o.town
        )
        assert review.status_code == 200, review.text
        cited = [p for p in _trace_parameters(review.json()) if p["path"] == STANDARD]
        assert cited and cited[0]["value"] == "4200", cited
        assert cited[0]["source"] == f"publication {proposed['id']}"


def _trace_parameters(body: Any) -> list[dict[str, Any]]:
    """Every parameter entry anywhere in a response's traces."""
    found: list[dict[str, Any]] = []
    if isinstance(body, dict):
        if "path" in body and "reference" in body and "value" in body:
            found.append(body)
        for v in body.values():
            found.extend(_trace_parameters(v))
    elif isinstance(body, list):
        for v in body:
            found.extend(_trace_parameters(v))
    return found


@pytest.mark.parametrize(
    ("item", "field", "reason"),
    [
        (figure(path="medical.guarantee.target_ratio"), "items[0].path", "not a parameter"),
        (figure(path="welfare.dibao.no_such"), "items[0].path", "no such parameter"),
        (figure(value="-5"), "items[0].value", "yuan from 0"),
        (figure(value="4200.005"), "items[0].value", "to the fen"),
        (
            figure(path="welfare.disability.living_subsidy.ratio.A", value="1.5"),
            "items[0].value",
            "a ratio from 0 to 1",
        ),
        (figure(path="welfare.dibao.gradual_exit_months", value="2.5"), "items[0].value", "whole"),
        (
            figure(path="welfare.temporary_relief.eligible_statuses.accident", value="1"),
            "items[0].value",
            "only numeric figures",
        ),
        (figure(reference=""), "items[0].reference", "cite the document"),
        (figure(reference="", illustrative=True), "items[0].illustrative_reason", "says why"),
    ],
)
async def test_a_proposal_is_checked_as_the_shipped_files_are(
    db_template: str, item: dict[str, Any], field: str, reason: str
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        resp = await client.post(BASE, json=proposal(item), headers=o.county)
        assert resp.status_code == 422, resp.text
        errors = resp.json()["errors"]
        assert any(e["field"] == field and reason in e["reason"] for e in errors), errors
        listed = await client.get(BASE, headers=o.county)
        assert listed.json() == []  # nothing written


async def test_a_county_publishes_only_for_itself_and_rejections_need_a_reason(
    db_template: str,
) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        other = token(settings, Role.county_civil, scope="520324", sub="zhengan")
        resp = await client.post(BASE, json=proposal(), headers=other)
        assert resp.status_code == 404  # another county's: as if it did not exist
        resp = await client.post(BASE, json=proposal(), headers=o.town)
        assert resp.status_code == 403
        proposed = (await client.post(BASE, json=proposal(), headers=o.county)).json()
        url = f"{BASE}/{proposed['id']}/decision"
        assert (
            await client.post(url, json={"approve": False}, headers=o.county_b)
        ).status_code == 422
        resp = await client.post(
            url, json={"approve": False, "note": "未附县政府文件"}, headers=o.county_b
        )
        assert resp.json()["status"] == "rejected"
        assert (await _standard(client, o.county))["value"] == "3500"
        assert (await client.get(f"{BASE}/{proposed['id']}", headers=other)).status_code == 404
        assert date.fromisoformat(proposed["items"][0]["effective_from"]) == date(2026, 1, 1)
