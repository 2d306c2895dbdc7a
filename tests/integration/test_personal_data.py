"""Personal data over HTTP: no ID number and no name in the logs of representative flows, ID
numbers masked in answers to the roles that do not act on the person (the access policies'
`full_ids`), the bank file civil affairs' alone, and every export marked with who exported it and
when (`X-Exported-By` / `X-Exported-At`, the XLSX document's creator and date).

The flows are the access matrix's seeding (tests/integration/test_access_matrix.py): a roster
import and registry changes, hospital stays and bills, the labour census and employment
records, and a dibao household from application to payment."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from shared.ids import mask_id_number
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import make_settings, running, token
from tests.support.matrix import IN_COUNTY, NAMES, P1, P2, P3, P4, SERVICES, WELFARE_TODAY

pytestmark = pytest.mark.integration


def headers(settings: Settings, role: Role, scope: str = IN_COUNTY) -> dict[str, str]:
    return token(settings, role, scope=scope, sub=f"exporter-{role}")


def assert_marked(response: httpx.Response, role: Role) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["x-exported-by"] == f"exporter-{role}"
    assert response.headers["x-exported-at"].startswith("20")


def workbook_cells(content: bytes) -> tuple[Any, list[str]]:
    book = load_workbook(io.BytesIO(content))
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    return book.properties, cells


async def exports_enrollment(client: httpx.AsyncClient, settings: Settings) -> None:
    path = "/v1/reconciliation/pension/export"
    query = {"year": "2020", "division": IN_COUNTY, "kind": "not_paid", "format": "csv"}
    resp = await client.get(path, params=query, headers=headers(settings, Role.county_hrss))
    assert_marked(resp, Role.county_hrss)
    # A person as the poverty office sees it, and as the auditor does.
    full = await client.get(f"/v1/persons/{P1}", headers=headers(settings, Role.county_poverty))
    assert full.json()["id_number"] == P1
    masked = await client.get(f"/v1/persons/{P1}", headers=headers(settings, Role.auditor))
    assert masked.json()["id_number"] == mask_id_number(P1)
    assert masked.json()["name"] == NAMES[P1]  # names are the auditor's to check


async def exports_medical(client: httpx.AsyncClient, settings: Settings) -> None:
    campaigns = await client.get(
        "/v1/campaigns/1/forms/export", headers=headers(settings, Role.auditor)
    )
    assert_marked(campaigns, Role.auditor)
    props, cells = workbook_cells(campaigns.content)
    assert props.creator == f"exporter-{Role.auditor}"
    assert P1 not in cells and mask_id_number(P1) in cells
    officer = await client.get(
        "/v1/campaigns/1/forms/export", headers=headers(settings, Role.county_medical)
    )
    assert P1 in workbook_cells(officer.content)[1]
    stay = await client.get("/v1/hospitalizations/MX-C1", headers=headers(settings, Role.auditor))
    assert P1 not in stay.text


async def exports_employment(client: httpx.AsyncClient, settings: Settings) -> None:
    resp = await client.get(
        "/v1/census/export",
        params={"division": IN_COUNTY},
        headers=headers(settings, Role.county_hrss),
    )
    assert_marked(resp, Role.county_hrss)
    props, cells = workbook_cells(resp.content)
    assert props.creator == f"exporter-{Role.county_hrss}"
    assert P1 in cells  # the census takers export and import back full numbers
    audited = await client.get(
        "/v1/census/export",
        params={"division": IN_COUNTY},
        headers=headers(settings, Role.auditor),
    )
    assert_marked(audited, Role.auditor)
    cells = workbook_cells(audited.content)[1]
    assert P1 not in cells and mask_id_number(P1) in cells


async def exports_welfare(client: httpx.AsyncClient, settings: Settings) -> None:
    civil = headers(settings, Role.county_civil)
    approver = token(settings, Role.county_civil, scope=IN_COUNTY, sub="second-officer")
    cycle = (await client.get("/v1/payment-cycles", headers=civil)).json()[0]["id"]
    approved = await client.post(f"/v1/payment-cycles/{cycle}/approval", headers=approver)
    assert approved.status_code == 200, approved.text
    bank = await client.get(f"/v1/payment-cycles/{cycle}/bank-file", headers=civil)
    assert_marked(bank, Role.county_civil)
    assert P1 in bank.text  # the bank needs the full number
    for role in (Role.auditor, Role.county_poverty, Role.township_officer):
        refused = await client.get(
            f"/v1/payment-cycles/{cycle}/bank-file", headers=headers(settings, role)
        )
        assert refused.status_code == 403
    lines = await client.get(
        f"/v1/payment-cycles/{cycle}/lines", headers=headers(settings, Role.auditor)
    )
    assert lines.status_code == 200 and P1 not in lines.text
    application = "/v1/dibao/applications/1"
    seen = (await client.get(application, headers=headers(settings, Role.auditor))).json()
    assert seen["applicant_id_number"] == mask_id_number(P1)
    assert {m["id_number"] for m in seen["members"]} <= {mask_id_number(P1), mask_id_number(P2)}
    full = (await client.get(application, headers=civil)).json()
    assert full["applicant_id_number"] == P1
    notices = await client.get(
        "/v1/dibao/notices", params={"format": "xlsx"}, headers=headers(settings, Role.auditor)
    )
    assert_marked(notices, Role.auditor)
    assert workbook_cells(notices.content)[0].creator == f"exporter-{Role.auditor}"


EXPORTS: dict[str, Callable[..., Any]] = {
    "enrollment": exports_enrollment,
    "medical": exports_medical,
    "employment": exports_employment,
    "welfare": exports_welfare,
}


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_no_id_number_or_name_in_logs_masked_answers_marked_exports(
    service: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from services.welfare import clock

    monkeypatch.setattr(clock, "today", lambda: WELFARE_TODAY)
    build: Callable[[Settings], FastAPI]
    build, seeder = SERVICES[service]
    template = f"sqlite:///{tmp_path}/{{service}}.db"
    settings = make_settings(service, template, bus_enabled=False)
    app = build(settings)
    async with running(app) as client:
        await seeder(client, settings, template.replace("{service}", service))
        # A bad request naming a person: the problem document may echo it, the log may not.
        await client.post(
            "/v1/window/requests" if service == "welfare" else "/v1/registry/imports",
            json={"applicant_name": NAMES[P3], "applicant_id_number": P3 + "0"},
            headers=headers(settings, Role.township_officer, "532325100"),
        )
        await EXPORTS[service](client, settings)
    logs = capsys.readouterr().out
    assert logs, "the services logged nothing"
    for number in (P1, P3, P4):
        assert number not in logs, f"an ID number in the {service} log"
    for name in NAMES.values():
        assert name not in logs, f"a name in the {service} log"
