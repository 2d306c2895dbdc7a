"""The bank's return file of a paid cycle (银行回盘): each row a payment the bank made (成功) or
returned (失败: closed or frozen account, name mismatch), matched to the cycle's line by account
and amount (and 序号, the bank file's row number, when the bank echoes it). A returned payment
is recorded as failed with the bank's reason and joins the re-issue worklist; a made one is
confirmed paid. The file is taken whole or not at all (422 naming every bad row), and the same
file imported again changes nothing."""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import col, select

from services.welfare.payments.models import BankReturn, PaymentCycle, PaymentLine
from services.welfare.payments.repository import Lines
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.money import ZERO
from shared.repository import insert_new
from shared.roles import Role
from shared.tabular import RowErrors, TableFormatError, column_map, read_rows
from shared.uow import UnitOfWork

COLUMNS = {
    "seq": ("序号", "seq"),
    "account": ("银行账号", "账号", "account"),
    "name": ("户名", "收款人姓名", "姓名", "name"),
    "amount": ("金额", "金额（元）", "amount"),
    "status": ("状态", "处理结果", "status"),
    "reason": ("失败原因", "原因", "reason"),
}
PAID = {"成功", "已入账", "success", "paid"}
FAILED = {"失败", "退回", "failed", "returned"}
MAX_ERRORS = 200


@dataclass(frozen=True)
class ReturnRow:
    row: int
    seq: int | None
    account: str
    name: str
    amount: Decimal
    paid: bool
    reason: str


def parse(content: bytes, filename: str, errors: RowErrors) -> list[ReturnRow]:
    rows = read_rows(content, filename)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("the file is empty", errors=[FieldError(field="file", reason="empty")])
    cols = column_map(header, COLUMNS, ("account", "amount", "status"))
    out = []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = cols.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        status, reason = cell("status"), cell("reason")
        try:
            amount = Decimal(cell("amount").replace(",", ""))
        except InvalidOperation:
            errors.add(number, "amount", "not an amount in yuan", cell("amount"))
            continue
        if status not in PAID | FAILED:
            errors.add(number, "status", "成功 or 失败", status)
            continue
        if status in FAILED and not reason:
            errors.add(number, "reason", "a returned payment needs the bank's reason")
            continue
        seq = cell("seq")
        out.append(
            ReturnRow(
                row=number,
                seq=int(seq) if seq.isdigit() else None,
                account=cell("account"),
                name=cell("name"),
                amount=amount,
                paid=status in PAID,
                reason=reason,
            )
        )
    return out


def import_return(
    uow: UnitOfWork, cycle: PaymentCycle, content: bytes, filename: str
) -> tuple[BankReturn, bool]:
    """(the import, whether it is new): the file's rows applied to the cycle's lines."""
    if not uow.principal.has(Role.county_civil):
        raise Forbidden("bank return files are imported by county_civil")
    if cycle.status != "paid":
        raise Conflict(f"the cycle is {cycle.status}: a return file follows the bank file")
    digest = hashlib.sha256(content).hexdigest()
    earlier = uow.session.exec(
        select(BankReturn).where(BankReturn.cycle_id == cycle.id, BankReturn.sha256 == digest)
    ).first()
    if earlier is not None:
        return earlier, False
    errors = RowErrors(MAX_ERRORS)
    try:
        rows = parse(content, filename, errors)
    except TableFormatError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(field="file", reason=str(exc))]) from exc
    lines = Lines(uow.session, None).for_bank(cycle)
    by_seq = dict(enumerate(lines, 1))
    queues: dict[tuple[str, Decimal], deque[PaymentLine]] = defaultdict(deque)
    for each in lines:
        queues[(each.bank_account, Decimal(each.amount))].append(each)
    matched: list[tuple[ReturnRow, PaymentLine]] = []
    taken: set[int] = set()
    for r in rows:
        line: PaymentLine | None = by_seq.get(r.seq) if r.seq is not None else None
        if line is not None and (line.bank_account, Decimal(line.amount)) != (r.account, r.amount):
            line = None  # the number does not name this payment: match by account and amount
        queue = queues[(r.account, r.amount)]
        if line is None:
            while queue and queue[0].id in taken:
                queue.popleft()
            line = queue.popleft() if queue else None
        if line is None or line.id in taken:
            errors.add(r.row, "account", "no payment of this amount to this account in the cycle",
                       r.account)  # fmt: skip
            continue
        assert line.id is not None
        taken.add(line.id)
        # A returned payment may have been re-issued since (`reissued`): still returned.
        settled = {"paid": True, "failed": False, "reissued": False}.get(line.status)
        if settled is not None and settled != r.paid:
            errors.add(r.row, "status", f"payment line {line.id} is {line.status} already")
            continue
        if line.status not in ("sent", "paid", "failed", "reissued"):
            errors.add(r.row, "status", f"payment line {line.id} is {line.status}, not sent")
            continue
        matched.append((r, line))
    if errors.count:
        errors.items.sort(key=lambda e: (e.row or 0, e.field))
        raise InvalidInput(
            f"{errors.count} error(s) in the return file; nothing was recorded", errors=errors.items
        )
    now = utcnow()
    paid, failed = (
        [(r, li) for r, li in matched if r.paid],
        [(r, li) for r, li in matched if not r.paid],
    )
    for r, line in matched:
        if line.status == "sent":
            line.status = "paid" if r.paid else "failed"
            line.failure_reason = None if r.paid else r.reason[:500]
            line.updated_at = now
            uow.session.add(line)
    record = BankReturn(
        cycle_id=cycle.id or 0,
        sha256=digest,
        filename=filename[:255],
        rows=len(rows),
        paid_lines=len(paid),
        paid_amount=sum((r.amount for r, _ in paid), ZERO),
        failed_lines=len(failed),
        failed_amount=sum((r.amount for r, _ in failed), ZERO),
        imported_by=uow.principal.subject,
    )
    if not insert_new(uow.session, record):  # the same file at the same moment
        raise Conflict("this return file is being imported by another request")
    uow.session.flush()
    return record, True


@dataclass
class Tally:
    lines: int = 0
    amount: Decimal = ZERO

    def add(self, amount: Decimal) -> None:
        self.lines += 1
        self.amount += amount


def reconciliation(uow: UnitOfWork, cycle: PaymentCycle) -> dict[str, dict[str, Tally]]:
    """Per township: every line of the cycle by what became of it."""
    lines = uow.session.exec(
        select(PaymentLine).where(PaymentLine.cycle_id == cycle.id).order_by(col(PaymentLine.id))
    ).all()
    repository = Lines(uow.session, None)
    out: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for line in lines:
        town = out[line.township_code]
        amount = Decimal(line.amount)
        town["total"].add(amount)
        if line.status == "paid":
            town["paid"].add(amount)
        elif line.status in ("failed", "reissued"):
            town["failed"].add(amount)
            if line.attempt > 1:  # a re-issue that failed again: re-issued once only
                town["failed_after_reissue"].add(amount)
            elif line.status == "reissued" or repository.reissue_of(line) is not None:
                town["reissued"].add(amount)
            else:
                town["awaiting_reissue"].add(amount)
        else:
            town["unconfirmed"].add(amount)
    return out


def bank_totals(uow: UnitOfWork, cycle: PaymentCycle) -> tuple[Decimal, Decimal]:
    """What the bank's return files of the cycle say it paid and returned."""
    found = uow.session.exec(select(BankReturn).where(BankReturn.cycle_id == cycle.id)).all()
    return (
        sum((Decimal(r.paid_amount) for r in found), ZERO),
        sum((Decimal(r.failed_amount) for r in found), ZERO),
    )
