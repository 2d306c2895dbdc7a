"""Each service's OpenAPI document is a valid contract a client can be generated from: it
validates (OpenAPI 3.1), names every operation once and every schema without a module path,
documents the problem documents the services send, and declares the files they answer."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from shared import SERVICES
from shared.errors import PROBLEM_JSON
from shared.tabular import XLSX_MEDIA
from tests.support.app import make_settings

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _document(service: str) -> dict[str, Any]:
    settings = make_settings(service, "sqlite:///unused-{service}.db", bus_enabled=False)
    app = importlib.import_module(f"services.{service}.main").build_app(settings)
    doc: dict[str, Any] = app.openapi()
    return doc


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_document_validates(service: str) -> None:
    errors = [str(e)[:300] for e in OpenAPIV31SpecValidator(_document(service)).iter_errors()]
    assert errors == []


@pytest.mark.parametrize("service", SERVICES)
def test_operation_ids_are_unique_and_named_for_their_area(service: str) -> None:
    ids = [op["operationId"] for _, _, op in _operations(_document(service))]
    assert len(ids) == len(set(ids))
    # FastAPI's generated default spells the path and method (`get_case_v1_dibao_cases__id__get`).
    assert [i for i in ids if "_v1_" in i] == []
    assert {"system_healthz", "policy_parameters"} <= set(ids)


def test_operation_ids_read_as_area_and_action() -> None:
    ids = {op["operationId"] for _, _, op in _operations(_document("welfare"))}
    assert {"dibao_post_decision", "payments_post_cycle", "tekun_post_certification"} <= ids


@pytest.mark.parametrize("service", SERVICES)
def test_schema_names_carry_no_module_path(service: str) -> None:
    names = list(_document(service)["components"]["schemas"])
    assert [n for n in names if "__" in n or n.startswith("Body_")] == []
    assert "HTTPValidationError" not in names


def test_models_sharing_a_class_name_get_their_area_as_prefix() -> None:
    names = set(_document("welfare")["components"]["schemas"])
    assert {"DibaoCaseOut", "ReliefCaseOut", "TekunCaseOut"} <= names


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_is_a_documented_problem(service: str) -> None:
    doc = _document(service)
    assert {"type", "title", "status"} <= set(doc["components"]["schemas"]["Problem"]["required"])
    for path, method, operation in _operations(doc):
        if path in ("/healthz", "/readyz"):
            continue
        responses = operation["responses"]
        expected = {"401", "403", "422"} | ({"409"} if method != "get" else set())
        assert expected <= set(responses), (method, path)
        for status in expected:
            content = responses[status]["content"]
            assert list(content) == [PROBLEM_JSON], (method, path, status)
            assert content[PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize("service", SERVICES)
def test_file_answers_are_declared_as_bytes(service: str) -> None:
    for path, _method, operation in _operations(_document(service)):
        formats = [
            p
            for p in operation.get("parameters", [])
            if p["name"] == "format" and "xlsx" in p["schema"].get("pattern", "")
        ]
        if not formats:
            continue
        content = operation["responses"]["200"]["content"]
        assert content[XLSX_MEDIA]["schema"] == {"type": "string", "format": "binary"}, path


def test_an_empty_division_default_matches_its_own_pattern() -> None:
    """An empty `division` means the whole jurisdiction; the pattern must admit its default."""
    import re

    for _, _, operation in _operations(_document("enrollment")):
        for p in operation.get("parameters", []):
            schema = p["schema"]
            if "default" in schema and "pattern" in schema:
                assert re.search(schema["pattern"], str(schema["default"])), p


def test_documents_are_built_once(tmp_path: Path) -> None:
    settings = make_settings("medical", f"sqlite:///{tmp_path}/{{service}}.db", bus_enabled=False)
    app = importlib.import_module("services.medical.main").build_app(settings)
    assert app.openapi() is app.openapi()


@pytest.mark.parametrize("service", SERVICES)
def test_tags_are_identifiers_described_by_their_titles(service: str) -> None:
    doc = _document(service)
    names = [t["name"] for t in doc["tags"]]
    assert all(n.isidentifier() and n.isascii() for n in names), names
    for _, _, operation in _operations(doc):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in names


def test_a_tag_keeps_its_chinese_title_as_description() -> None:
    tags = {t["name"]: t.get("description", "") for t in _document("enrollment")["tags"]}
    assert "教育扶贫资助" in tags["education"]
