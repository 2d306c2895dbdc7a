"""The same request posted many times at once, and what its answers must be: one effect, every
other answer the repeat's (never a 500)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import nullcontext

import httpx
import pytest
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, select

from services.enrollment.jobs import service as import_jobs
from shared import app as shared_app
from shared.db import make_engine

TIMES = 20


async def at_once(send: Callable[[], Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """`send` called TIMES times concurrently; the answers."""
    return list(await asyncio.gather(*(send() for _ in range(TIMES))))


def answered_once(answers: list[httpx.Response], first: int, repeat: int) -> httpx.Response:
    """One answer is `first` (the effect), every other one `repeat`; the first's answer."""
    codes = sorted(a.status_code for a in answers)
    expected = sorted([first] + [repeat] * (len(answers) - 1))
    assert codes == expected, sorted({f"{a.status_code} {a.text[:300]}" for a in answers})
    return next(a for a in answers if a.status_code == first)


def count(url: str, model: type, *where: ColumnElement[bool]) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        n = int(s.exec(select(func.count()).select_from(model).where(*where)).one())
    engine.dispose()
    return n


def without_process_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests and import jobs no longer queue on the process's SQLite write lock
    (shared.db.write_lock): what keeps a create once is then the database alone."""
    monkeypatch.setattr(shared_app, "process_write_lock", lambda _engine: None)
    monkeypatch.setattr(import_jobs, "write_lock", lambda _engine: nullcontext())
