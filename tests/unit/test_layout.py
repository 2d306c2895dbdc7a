"""The services' layout (docs/conventions.md): per sub-domain, `routes.py` speaks HTTP only (no
SQL, no session), request and response models live in `schemas.py`, the work in `service.py`
and every query in `repository.py`; the same in all four services."""

from __future__ import annotations

import ast
from pathlib import Path

from shared import REPO_ROOT, SERVICES

MODEL_BASES = {"BaseModel", "RootModel", "Provenance", "TracedProvenance"}
# What a routes module may not touch: the database is the repository's, the session the unit of
# work's.
SQL_MODULES = ("sqlalchemy", "sqlmodel", "shared.db")
SQL_NAMES = {"DbSession", "Session", "select", "col", "func", "text"}


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


def sql_in(source: str) -> list[str]:
    """What in a routes module reaches the database: SQL imports, the session, a query."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(SQL_MODULES):
                found.append(f"import from {node.module}")
            found += [f"import {a.name}" for a in node.names if a.name in {"DbSession"}]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith(SQL_MODULES)]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "session":
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.arg) and node.arg == "session":
            found.append(f"line {node.lineno}: a session parameter")
    return found


def routes_modules() -> list[Path]:
    return sorted((REPO_ROOT / "services").rglob("routes.py"))


def test_no_request_or_response_model_in_routes() -> None:
    found = {
        str(path.relative_to(REPO_ROOT)): names
        for path in routes_modules()
        if (names := models_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move these to the sub-domain's schemas.py"


def test_no_sql_in_routes() -> None:
    found = {
        str(path.relative_to(REPO_ROOT)): names
        for path in routes_modules()
        if (names := sql_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "queries belong in the sub-domain's repository.py, the work in service.py"


def test_every_sub_domain_with_routes_has_the_same_modules() -> None:
    missing = {
        str(path.parent.relative_to(REPO_ROOT)): absent
        for path in routes_modules()
        if (
            absent := [
                name
                for name in ("schemas.py", "service.py", "repository.py")
                if not (path.parent / name).exists()
            ]
        )
    }
    assert missing == {}


def test_each_service_is_laid_out_alike() -> None:
    for service in SERVICES:
        root = REPO_ROOT / "services" / service
        assert (root / "main.py").exists() and (root / "clock.py").exists(), service
        assert (root / "access_policy.py").exists() and (root / "migrations").is_dir(), service
        assert not (root / "rules").exists(), f"{service}: rules live in each sub-domain"


def test_the_checks_see_a_model_and_a_query() -> None:
    source = (
        "from pydantic import BaseModel\nfrom x.schemas import CaseBase\n"
        "class A(BaseModel): ...\nclass B(CaseBase): ...\nclass C(Exception): ...\n"
    )
    assert models_in(source) == ["A", "B"]
    query = (
        "from sqlmodel import select\nfrom shared.app import DbSession\n"
        "def f(session: DbSession):\n    return session.exec(select(X)).all()\n"
    )
    assert len(sql_in(query)) == 4
    assert sql_in("from shared.app import Uow\ndef f(uow: Uow):\n    return g(uow)\n") == []


def test_tests_share_through_support_not_through_each_other() -> None:
    """Shared constants, seeding and helpers live in `tests/support`; a test module imports
    nothing from another test module or from conftest (whose fixtures pytest supplies)."""
    found = []
    for path in sorted((REPO_ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = node.module
                named = [f"{module}.{a.name}" for a in node.names]
                if any(
                    part.rsplit(".", 1)[-1].startswith(("test_", "conftest"))
                    for part in [module, *named]
                ):
                    found.append(f"{path.relative_to(REPO_ROOT)}: from {module}")
    assert found == []
