"""The services' layout (docs/conventions.md): request and response models live in a sub-domain's
`schemas.py`, never in its `routes.py`."""

from __future__ import annotations

import ast

from shared import REPO_ROOT

MODEL_BASES = {"BaseModel", "RootModel", "Provenance", "TracedProvenance"}


def models_in(source: str) -> list[str]:
    tree = ast.parse(source)
    schema_names = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("schemas")
        for alias in node.names
    }
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(
            getattr(base, "id", getattr(base, "attr", None)) in MODEL_BASES | schema_names
            for base in node.bases
        )
    ]


def test_no_request_or_response_model_in_routes() -> None:
    found = {
        str(path.relative_to(REPO_ROOT)): names
        for path in sorted((REPO_ROOT / "services").rglob("routes.py"))
        if (names := models_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move these to the sub-domain's schemas.py"


def test_the_check_sees_a_model() -> None:
    source = (
        "from pydantic import BaseModel\nfrom x.schemas import CaseBase\n"
        "class A(BaseModel): ...\nclass B(CaseBase): ...\nclass C(Exception): ...\n"
    )
    assert models_in(source) == ["A", "B"]
