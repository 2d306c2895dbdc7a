"""Input an attacker or a broken client sends: never a 500, always a problem naming what is
wrong, and nothing written. Text that is not valid Unicode (a lone surrogate from a JSON
`\\ud800` escape), a negative amount where none may be, token claims of the wrong shape, and a
Chinese account name that must travel in a header."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import jwt
import pytest

from services.enrollment.main import build_app as enrollment_app
from services.welfare.dibao.models import DibaoApplication
from services.welfare.main import build_app as welfare_app
from shared import clock
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.concurrent import count
from tests.support.welfare_dibao import Officers, application, seed

pytestmark = pytest.mark.integration

SURROGATE = "\\ud800"  # the six characters of the JSON escape, sent raw


def _raw(body: dict[str, Any], field: str) -> bytes:
    """`body` as JSON with `field` holding a lone surrogate (json.dumps cannot write one)."""
    text = json.dumps({**body, field: "@@"}, ensure_ascii=False)
    return text.replace('"@@"', f'"年老{SURROGATE}"').encode()


async def test_a_lone_surrogate_is_refused_with_a_422_and_writes_nothing(db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(welfare_app(settings)) as client:
        seed(settings.database_url)
        json_headers = {**o.cadre, "content-type": "application/json"}
        # A field with a pattern: the 422 names it and does not echo what it cannot encode.
        resp = await client.post(
            "/v1/dibao/applications",
            content=_raw(application(), "village_code"),
            headers=json_headers,
        )
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        [error] = resp.json()["errors"]
        assert error["field"] == "body.village_code" and "value" not in error
        # Free text: refused as text that is not Unicode, naming the field; nothing written.
        resp = await client.post(
            "/v1/dibao/applications",
            content=_raw(application(), "reason"),
            headers=json_headers,
        )
        assert resp.status_code == 422, resp.text
        [error] = resp.json()["errors"]
        assert error["field"] == "body.reason" and "unicode" in error["reason"]
        assert count(settings.database_url, DibaoApplication) == 0
        # The same application in valid text is taken.
        resp = await client.post("/v1/dibao/applications", json=application(), headers=o.cadre)
        assert resp.status_code == 201, resp.text
        assert count(settings.database_url, DibaoApplication) == 1


async def test_an_amount_that_may_not_be_negative_is_a_422_naming_it(db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    async with running(enrollment_app(settings)) as client:
        resp = await client.post(
            "/v1/pension/transfer-in",
            json={
                "county_code": "532325",
                "on": "2018-01-01",
                "employee_contribution_months": 10,
                "employee_account_balance": "100.00",
                "resident_contribution_years": 1,
                "resident_account_balance": "-5.00",
            },
            headers=token(settings, Role.county_hrss),
        )
        assert resp.status_code == 422, resp.text
        [error] = resp.json()["errors"]
        assert error["field"] == "body.resident_account_balance"
        assert "negative" in error["reason"]


def _signed(settings: Settings, **claims: Any) -> dict[str, str]:
    now = clock.now()
    body = {
        "sub": "tester", "roles": ["admin"], "scope": "", "iss": settings.auth_issuer,
        "aud": settings.auth_audience, "iat": now, "nbf": now, "exp": now + timedelta(hours=1),
        **claims,
    }  # fmt: skip
    return {"Authorization": f"Bearer {jwt.encode(body, settings.auth_secret, 'HS256')}"}


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"roles": {"admin": True}}, "roles"),
        ({"roles": "admin"}, "roles"),
        ({"roles": []}, "roles"),
        ({"roles": ["overlord"]}, "roles"),
        ({"sub": 42}, "sub"),
        ({"sub": ""}, "sub"),
        ({"sub": "a\nb"}, "sub"),
        ({"sub": "x" * 500}, "sub"),
        ({"scope": ["532325"]}, "scope"),
    ],
)
async def test_token_claims_are_checked_by_shape(
    tmp_path: Any, claims: dict[str, Any], named: str
) -> None:
    settings = make_settings(
        "enrollment", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False
    )
    async with running(enrollment_app(settings)) as client:
        resp = await client.get("/v1/policy/parameters", headers=_signed(settings, **claims))
        assert resp.status_code == 401, resp.text
        assert named in resp.json()["detail"].lower()
        assert (
            await client.get("/v1/policy/parameters", headers=_signed(settings))
        ).status_code == 200


async def test_a_chinese_account_name_travels_encoded_in_export_headers(tmp_path: Any) -> None:
    settings = make_settings(
        "enrollment", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False
    )
    async with running(enrollment_app(settings)) as client:
        resp = await client.get(
            "/v1/policy/parameters",
            params={"county": "532325", "format": "xlsx"},
            headers=token(settings, Role.county_hrss, sub="张三"),
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["x-exported-by"] == "UTF-8''%E5%BC%A0%E4%B8%89"
        assert resp.headers["content-disposition"].startswith('attachment; filename="policy-')
