"""No private name (`_x`) is used across modules: a module's underscore names are its own, so
changing one cannot break another module unseen."""

from __future__ import annotations

import ast
from pathlib import Path

from shared import REPO_ROOT

ROOTS = ("services", "shared", "deploy", "bench")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def reach_ins(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                if _private(alias.name):
                    found.append(f"{path}:{node.lineno} imports {node.module}.{alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and _private(node.attr)
        ):
            found.append(f"{path}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_used_across_modules() -> None:
    found = [
        hit
        for root in ROOTS
        for path in sorted((REPO_ROOT / root).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in reach_ins(path)
    ]
    assert found == []
