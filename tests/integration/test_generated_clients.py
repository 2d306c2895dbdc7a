"""A client generated from each service's OpenAPI document (openapi-python-client, as an
integrator would run it) drives one flow of that service, including a 422 and a 409: every
answer is parsed into the documented model, the problems into `Problem`, and nothing crashes."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.employment import clock as employment_clock
from services.employment.main import build_app as employment_app
from services.enrollment.main import build_app as enrollment_app
from services.medical.main import build_app as medical_app
from services.welfare.main import build_app as welfare_app
from shared.roles import Role
from tests.support import welfare_dibao as dibao
from tests.support.app import make_settings, running, token
from tests.support.medical_outpatient import POOR
from tests.support.medical_outpatient import seed as seed_medical
from tests.support.plan import ZA, ZA_TOWN_A, set_day

pytestmark = pytest.mark.integration

# The spreadsheet and CSV answers are bytes to a client (their schema says so); the generated
# code is not reformatted.
CONFIG = """\
content_type_overrides:
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
  "text/csv; charset=utf-8": application/octet-stream
  image/png: application/octet-stream
post_hooks: []
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("clients")
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m.split(".")[0].endswith("_client")]:
        del sys.modules[name]


def _client(root: Path, service: str, app: FastAPI) -> ModuleType:
    """Generates `<service>_client` from the app's document with the generator's command line;
    a warning (an operation or response left out) fails the test."""
    document = root / f"{service}.json"
    document.write_text(json.dumps(app.openapi()), encoding="utf-8")
    config = root / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(document), "--meta", "none", "--config", str(config),
            "--output-path", str(root / f"{service}_client"), "--overwrite",
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output and "WARNING" not in output, output
    return importlib.import_module(f"{service}_client")


def _api(service: str, tag: str, operation: str) -> Any:
    return importlib.import_module(f"{service}_client.api.{tag}.{operation}")


def _model(service: str, name: str) -> Any:
    return getattr(importlib.import_module(f"{service}_client.models"), name)


def _authenticated(package: ModuleType, http: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    """The generated client over the in-process service (the ASGI transport of `running`)."""
    client = package.AuthenticatedClient(base_url="http://test", token="unused")
    client.set_async_httpx_client(
        httpx.AsyncClient(transport=http._transport, base_url="http://test", headers=headers)
    )
    return client


def _problem(service: str, answer: Any, status: int) -> Any:
    assert answer.status_code == status, answer.content
    assert isinstance(answer.parsed, _model(service, "Problem")), answer.parsed
    assert answer.parsed.status == status
    return answer.parsed


async def test_enrollment_client(generated: Path, db_template: str) -> None:
    settings = make_settings("enrollment", db_template, bus_enabled=False)
    app = enrollment_app(settings)
    package = _client(generated, "enrollment", app)
    copy = _model("enrollment", "LedgerCopyIn")
    post_copy = _api("enrollment", "plan", "plan_post_copy")
    body = {"year": 2018, "township_code": "532325100", "holder": "township",
            "handed_on": "2018-03-01"}  # fmt: skip
    async with running(app) as http:
        client = _authenticated(package, http, token(settings, Role.county_hrss))
        created = await post_copy.asyncio_detailed(client=client, body=copy.from_dict(body))
        assert created.status_code == 201, created.content
        assert created.parsed.township_code == "532325100"
        again = await post_copy.asyncio_detailed(client=client, body=copy.from_dict(body))
        assert "recorded already" in _problem("enrollment", again, 409).detail
        person = _api("enrollment", "registry", "registry_get_person")
        bad = await person.asyncio_detailed(id_number="not-a-number", client=client)
        problem = _problem("enrollment", bad, 422)
        assert problem.errors[0].field == "path.id_number"
        listed = await _api("enrollment", "plan", "plan_list_copies").asyncio_detailed(
            client=client, county="532325", year=2018
        )
        assert listed.status_code == 200, listed.content


async def test_medical_client(generated: Path, db_template: str) -> None:
    settings = make_settings("medical", db_template, bus_enabled=False)
    app = medical_app(settings)
    package = _client(generated, "medical", app)
    stay = _model("medical", "StayData")
    post_stay = _api("medical", "stays", "stays_post_stay")
    body = {
        "claim_id": "GEN-1", "id_number": POOR, "county_code": "532325", "hospital_level": 2,
        "admin_level": "county", "admission": "2018-03-01", "discharge": "2018-03-10",
        "referral_compliant": True, "total_cost": "3000.00", "covered_cost": "2700.00",
        "diagnosis_codes": ["I63.9"],
    }  # fmt: skip
    async with running(app) as http:
        seed_medical(settings.database_url)
        client = _authenticated(package, http, token(settings, Role.hospital, sub="hospital-A"))
        created = await post_stay.asyncio_detailed(client=client, body=stay.from_dict(body))
        assert created.status_code == 201, created.content
        decision = created.parsed
        assert decision.claim_id == "GEN-1"
        changed = stay.from_dict({**body, "total_cost": "3100.00"})
        _problem("medical", await post_stay.asyncio_detailed(client=client, body=changed), 409)
        invalid = stay.from_dict({**body, "claim_id": "GEN-2", "discharge": "2018-02-01"})
        _problem("medical", await post_stay.asyncio_detailed(client=client, body=invalid), 422)
        read = await _api("medical", "stays", "stays_get_stay").asyncio_detailed(
            claim_id="GEN-1", client=client
        )
        assert read.status_code == 200, read.content


async def test_employment_client(
    generated: Path, db_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings("employment", db_template, bus_enabled=False)
    app = employment_app(settings)
    package = _client(generated, "employment", app)
    session_in = _model("employment", "LeaderSessionIn")
    employment_in = _model("employment", "EmploymentIn")
    session = {
        "county_code": ZA, "name": "2018年第1期致富带头人培训", "starts_on": "2018-03-01",
        "ends_on": "2018-03-08", "trainees": [{"name": "张三", "township_code": ZA_TOWN_A}],
    }  # fmt: skip
    hrss = token(settings, Role.county_hrss, scope=ZA)  # signed at the real time
    set_day(monkeypatch, employment_clock, date(2018, 3, 10))
    async with running(app) as http:
        client = _authenticated(package, http, hrss)
        post_session = _api("employment", "plan", "plan_post_session")
        bad = session_in.from_dict({**session, "trainees": [{"person_id": "nobody"}]})
        problem = _problem(
            "employment", await post_session.asyncio_detailed(client=client, body=bad), 422
        )
        assert problem.errors[0].field == "trainees[0].person_id"
        created = await post_session.asyncio_detailed(
            client=client, body=session_in.from_dict(session)
        )
        assert created.status_code == 201, created.content
        trainee = created.parsed.trainees[0].id
        employ = _api("employment", "plan", "plan_post_employment")
        job = employment_in.from_dict({"employed_on": "2018-03-09", "employer": "上海某服装厂"})
        first = await employ.asyncio_detailed(trainee_id=trainee, client=client, body=job)
        assert first.status_code == 200, first.content
        _problem(
            "employment",
            await employ.asyncio_detailed(trainee_id=trainee, client=client, body=job),
            409,
        )


async def test_welfare_client(generated: Path, db_template: str) -> None:
    settings = make_settings("welfare", db_template, bus_enabled=False)
    app = welfare_app(settings)
    package = _client(generated, "welfare", app)
    application_in = _model("welfare", "DibaoApplicationIn")
    objection_in = _model("welfare", "ObjectionIn")
    officers = dibao.Officers(settings)
    async with running(app) as http:
        dibao.seed(settings.database_url)
        cadre = _authenticated(package, http, officers.cadre)
        post_application = _api("welfare", "dibao", "dibao_post_application")
        bad = application_in.from_dict(dibao.application(applicant_id_number="110101"))
        problem = _problem(
            "welfare", await post_application.asyncio_detailed(client=cadre, body=bad), 422
        )
        assert problem.errors[0].field == "body.applicant_id_number"
        created = await post_application.asyncio_detailed(
            client=cadre, body=application_in.from_dict(dibao.application())
        )
        assert created.status_code == 201, created.content
        # An objection is lodged during the public notice; the application is not under one.
        objection = objection_in.from_dict({"objector": "村民王五", "content": "收入不实"})
        town = _authenticated(package, http, officers.town)
        refused = await _api("welfare", "dibao", "dibao_post_objection").asyncio_detailed(
            application_id=created.parsed.id, client=town, body=objection
        )
        _problem("welfare", refused, 409)
