"""A throwaway PostgreSQL cluster for tests and benchmarks when none is given.

Uses the server binaries of Debian's `postgresql` package. As root, the cluster runs as the
`postgres` system user (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from deploy.broker import free_port


def server_bin_dir() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if Path(candidate, "initdb").exists():
                return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class LocalPostgres:
    def __init__(self) -> None:
        self.bin = server_bin_dir()
        self.port = free_port()
        self.dir: Path | None = None
        self.user = "postgres"

    @property
    def available(self) -> bool:
        return self.bin is not None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str) -> None:
        prefix: list[str] = []
        if os.geteuid() == 0:
            prefix = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *cmd], check=True, capture_output=True)

    def start(self) -> LocalPostgres:
        assert self.bin is not None, "PostgreSQL server binaries not found"
        self.dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = self.dir / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", self.user, "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8",
        )  # fmt: skip
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w",
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        import psycopg

        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user}").close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.dir is None or self.bin is None:
            return
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def database_url(admin_url: str, database: str) -> str:
    """The same server, another database (each service owns one)."""
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)
