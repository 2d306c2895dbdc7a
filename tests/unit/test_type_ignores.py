"""`# type: ignore` is rare and explained: each names its error code and says why after it, and
the tree holds fewer than 30 (mypy runs over the whole tree in `make test`)."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

from shared import REPO_ROOT

LIMIT = 30
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<code>\[[^\]]+\])?(?P<rest>.*)")
CHECKED = ("shared", "services", "deploy", "tests", "bench")


def ignores() -> list[tuple[Path, int, str]]:
    found: list[tuple[Path, int, str]] = []
    for top in CHECKED:
        for path in sorted((REPO_ROOT / top).rglob("*.py")):
            with path.open("rb") as handle:
                for token in tokenize.tokenize(handle.readline):
                    if token.type == tokenize.COMMENT and IGNORE.search(token.string):
                        found.append((path, token.start[0], token.string))
    return found


def test_few_type_ignores() -> None:
    found = ignores()
    assert len(found) < LIMIT, [f"{p.relative_to(REPO_ROOT)}:{n}" for p, n, _ in found]


def test_each_names_its_code_and_reason() -> None:
    bad = []
    for path, line, comment in ignores():
        match = IGNORE.search(comment)
        assert match is not None
        reason = match["rest"].strip(" #:-—")
        if not match["code"] or len(reason) < 8:
            bad.append(f"{path.relative_to(REPO_ROOT)}:{line}: {comment}")
    assert bad == [], "write `# type: ignore[code]  # why`"
