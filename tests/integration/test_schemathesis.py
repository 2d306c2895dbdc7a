"""Every operation of each service's OpenAPI, fuzzed in process (schemathesis, ASGI transport)
with an admin token: no answer is a 5xx and every answer matches its documented schema.

Each operation is fuzzed twice: valid requests (positive) and requests that break the schema
(negative: wrong types, out-of-range values, odd Unicode; half as many examples). A bounded
number of examples per operation keeps the four services to a few minutes on two cores;
`SCHEMATHESIS_EXAMPLES` raises it for a deeper run. Operations left out are listed in EXCLUDED
with the reason."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared import SERVICES
from shared.roles import Role
from tests.support.app import make_settings, token

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]

# (service, "METHOD /path") -> why it is not fuzzed here.
EXCLUDED: dict[tuple[str, str], str] = {}


def _operations(service: str, tmp_path: Path) -> tuple[schemathesis.BaseSchema, dict[str, str]]:
    settings = make_settings(service, f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False)
    app = importlib.import_module(f"services.{service}.main").build_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return schema, token(settings, Role.admin, scope="")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("service", SERVICES)
def test_openapi_operations(service: str, mode: GenerationMode, tmp_path: Path) -> None:
    """Positive: valid requests, each answer conforming to its documented schema. Negative:
    requests that break the schema (wrong types, out-of-range and odd Unicode values), each
    answered without a 5xx."""
    schema, auth = _operations(service, tmp_path)
    checks = CHECKS if mode is GenerationMode.POSITIVE else [not_a_server_error]
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if (service, label) in EXCLUDED:
            continue

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=EXAMPLES if mode is GenerationMode.POSITIVE else max(EXAMPLES // 2, 1),
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=auth, checks=checks)

        ran += 1
        try:
            fuzz()
        except hypothesis.errors.Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            continue  # nothing to break: no parameter, or none the schema constrains
        except Exception as exc:  # every failing operation is reported, not only the first
            failures.append(f"{label}: {str(exc).strip()[:1500]}")
    assert ran > 0
    assert not failures, f"{len(failures)} operation(s) of {service} failed:\n\n" + "\n\n".join(
        failures
    )
