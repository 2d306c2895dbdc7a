"""LibreOffice, headless, as county staff would open an export: `convert` turns a spreadsheet
into a PDF (what prints) or flat ODS XML (what LibreOffice read into each cell)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

A4_LANDSCAPE = (841.89, 595.30)  # PDF points


def soffice() -> str:
    """The `soffice` binary; in CI its absence fails the test (.ci/run installs it)."""
    found = shutil.which("soffice")
    if found is None:
        reason = "no LibreOffice on this machine (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"the LibreOffice test must run in CI: {reason}")
        pytest.skip(reason)
    return found


def convert(content: bytes, fmt: str, workdir: Path, name: str = "export.xlsx") -> bytes:
    """`content` converted by LibreOffice to `fmt` (pdf, fods), with a profile of its own so
    that parallel test workers do not share one."""
    source = workdir / name
    source.write_bytes(content)
    out = workdir / "out"
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    target = out / f"{source.stem}.{fmt}"
    assert done.returncode == 0 and target.exists(), done.stderr.decode(errors="replace")
    return target.read_bytes()
