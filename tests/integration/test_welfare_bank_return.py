"""The bank's return file of a paid cycle (银行回盘): the payments it made are confirmed, those it
returned are recorded with the bank's reason and re-issued once, with the corrected account, in
the next cycle; the reconciliation shows paid, returned, re-issued and outstanding per township
and balances to the fen against the bank's totals; the same file imported again changes
nothing, and a file that does not fit the cycle is refused whole."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.welfare import clock as welfare_clock
from services.welfare.main import build_app
from services.welfare.payments.models import BankReturn
from shared.ids import make_resident_id
from tests.support.app import make_settings, running
from tests.support.concurrent import count
from tests.support.welfare_dibao import (
    COUNTY,
    Officers,
    application,
    member,
    on_dibao,
    seed,
)

pytestmark = pytest.mark.integration

LONE = make_resident_id(COUNTY, date(1948, 1, 9), 23, "M")


async def _paid_cycle(client: Any, o: Officers) -> tuple[str, list[dict[str, str]]]:
    """Two households on dibao and March's cycle paid: the cycle's URL and its bank file."""
    for body in (
        application(),
        application(applicant_id_number=LONE, applicant_name="王五",
                    bank_account="6221000099990000", members=[member(LONE, "王五")]),
    ):  # fmt: skip
        await on_dibao(client, o, body)
    cycle = await client.post(
        "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-03"}, headers=o.county
    )
    url = f"/v1/payment-cycles/{cycle.json()['id']}"
    assert (await client.post(f"{url}/approval", headers=o.county_b)).status_code == 200
    assert (await client.post(f"{url}/payment", headers=o.county)).status_code == 200
    bank_file = await client.get(f"{url}/bank-file", headers=o.county)
    rows = list(csv.DictReader(io.StringIO(bank_file.content.decode("utf-8-sig"))))
    assert {r["银行账号"] for r in rows} == {"6221000012345678", "6221000099990000"}
    return url, rows


def _return_file(rows: list[dict[str, str]], failed_account: str) -> bytes:
    out = ["序号,银行账号,户名,金额,状态,失败原因"]
    for r in rows:
        account = r["银行账号"]
        status, reason = ("失败", "账户已冻结") if account == failed_account else ("成功", "")
        out.append(f"{r['序号']},{account},{r['收款人姓名']},{r['金额（元）']},{status},{reason}")
    return ("\n".join(out) + "\n").encode()


@dataclass
class Paid:
    """March's cycle paid, on a running welfare service."""

    client: Any
    o: Officers
    url: str  # the cycle's
    rows: list[dict[str, str]]  # its bank file
    database_url: str


@pytest.fixture
async def march(db_template: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Paid]:
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 3, 20))
    settings = make_settings("welfare", db_template, bus_enabled=False)
    o = Officers(settings)
    async with running(build_app(settings)) as client:
        seed(settings.database_url)
        url, rows = await _paid_cycle(client, o)
        yield Paid(client, o, url, rows, settings.database_url)


async def test_return_file_reissue_and_reconciliation(
    march: Paid, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, o, url, rows = march.client, march.o, march.url, march.rows
    content = _return_file(rows, failed_account="6221000099990000")
    files = {"file": ("回盘.csv", content, "text/csv")}
    first = await client.post(f"{url}/bank-returns", files=files, headers=o.county)
    assert first.status_code == 201, first.text
    imported = first.json()
    returned = [r for r in rows if r["银行账号"] == "6221000099990000"]
    assert imported["failed_lines"] == len(returned)
    assert imported["paid_lines"] == len(rows) - len(returned)
    lines = (await client.get(f"{url}/lines", headers=o.county)).json()["items"]
    by_status = {line["status"]: line for line in lines}
    assert set(by_status) == {"paid", "failed"}
    assert by_status["failed"]["failure_reason"] == "账户已冻结"

    again = await client.post(f"{url}/bank-returns", files=files, headers=o.county)
    assert again.status_code == 200 and again.json()["id"] == imported["id"]
    assert (await client.get(f"{url}/lines", headers=o.county)).json()["items"] == lines
    assert count(march.database_url, BankReturn) == 1

    rec = (await client.get(f"{url}/reconciliation", headers=o.auditor)).json()
    totals = rec["totals"]
    paid, failed = Decimal(totals["paid"]["amount"]), Decimal(totals["failed"]["amount"])
    assert rec["balanced"] is True
    assert Decimal(rec["bank_paid_amount"]) == paid == Decimal(imported["paid_amount"])
    assert paid + failed == Decimal(totals["total"]["amount"])
    assert totals["awaiting_reissue"]["lines"] == len(returned)
    assert totals["unconfirmed"]["lines"] == 0

    # The account corrected, the returned payment is re-issued once, in April's cycle.
    failed_id = by_status["failed"]["id"]
    reissue = await client.post(
        f"/v1/payment-lines/{failed_id}/reissue",
        json={"bank_account": "6221000099991111"},
        headers=o.county,
    )
    assert reissue.status_code == 201, reissue.text
    twice = await client.post(f"/v1/payment-lines/{failed_id}/reissue", json={}, headers=o.county)
    assert twice.status_code == 409
    rec = (await client.get(f"{url}/reconciliation", headers=o.county)).json()
    assert rec["totals"]["reissued"]["lines"] == 1
    assert rec["totals"]["awaiting_reissue"]["lines"] == len(returned) - 1
    monkeypatch.setattr(welfare_clock, "today", lambda: date(2026, 4, 20))
    april = await client.post(
        "/v1/payment-cycles", json={"county_code": COUNTY, "month": "2026-04"},
        headers=o.county,
    )  # fmt: skip
    april_lines = (
        await client.get(f"/v1/payment-cycles/{april.json()['id']}/lines", headers=o.county)
    ).json()["items"]
    reissued = [line for line in april_lines if line["attempt"] == 2]
    assert len(reissued) == 1 and reissued[0]["amount"] == by_status["failed"]["amount"]


async def test_a_return_file_that_does_not_fit_is_refused_whole(march: Paid) -> None:
    client, o, url, rows = march.client, march.o, march.url, march.rows
    good = _return_file(rows, failed_account="")
    bad = good + "99,6221000000000000,无此人,100.00,成功,\n".encode()
    bad += f"98,{rows[0]['银行账号']},x,1.00,失败,\n".encode()
    resp = await client.post(
        f"{url}/bank-returns", files={"file": ("r.csv", bad, "text/csv")}, headers=o.county
    )
    assert resp.status_code == 422
    errors = {(e["row"], e["field"]) for e in resp.json()["errors"]}
    n = len(rows)
    assert errors == {(n + 2, "account"), (n + 3, "reason")}
    lines = (await client.get(f"{url}/lines", headers=o.county)).json()["items"]
    assert {line["status"] for line in lines} == {"sent"}  # nothing recorded
    assert count(march.database_url, BankReturn) == 0
