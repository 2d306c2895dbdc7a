"""Roster validation (REG-1, REG-3, REG-4): every error listed, by row and column."""

from datetime import date

from services.enrollment.registry.roster import RosterFormatError, parse_roster
from shared.domain import PovertyStatus
from shared.tabular import read_rows
from tests.support.roster import HEADER_EN, roster_csv, roster_rows

TODAY = date(2024, 1, 1)  # the day the roster is read (the rows' births are all before it)


def test_chinese_headers_and_statuses() -> None:
    rows = roster_rows(6)
    roster = parse_roster(read_rows(roster_csv(rows)), today=TODAY)
    assert roster.errors == []
    assert len(roster.rows) == 6
    assert roster.rows[0].poverty_status is PovertyStatus.not_exited
    assert roster.rows[4].poverty_status is PovertyStatus.exited


def test_english_headers_and_gb18030() -> None:
    rows = roster_rows(3)
    content = roster_csv(rows, HEADER_EN).decode().encode("gb18030")
    assert len(parse_roster(read_rows(content), today=TODAY).rows) == 3


def test_every_bad_row_is_reported() -> None:
    rows = roster_rows(5)
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")  # bad check digit
    rows[2][6] = "532325999001"  # village outside its township
    rows[3][7] = "脱贫了"  # unknown status
    rows[4][2] = rows[0][2]  # same person twice
    roster = parse_roster(read_rows(roster_csv(rows)), today=TODAY)
    found = {(e.row, e.field) for e in roster.errors}
    assert found == {(3, "id_number"), (4, "village_code"), (5, "poverty_status"), (6, "id_number")}
    bad_check = next(e for e in roster.errors if e.row == 3)
    assert "check digit" in bad_check.reason
    assert "*" in str(bad_check.value)  # the number is masked in the report


def test_household_rows_must_agree() -> None:
    rows = roster_rows(2, per_household=2)
    rows[1][7] = "已脱贫"
    roster = parse_roster(read_rows(roster_csv(rows)), today=TODAY)
    assert [(e.row, e.field) for e in roster.errors] == [(3, "poverty_status")]


def test_missing_columns_are_named() -> None:
    try:
        parse_roster(iter([["姓名", "证件号码"], ["张三", "1"]]), today=TODAY)
    except RosterFormatError as exc:
        assert {e.field for e in exc.errors} >= {"household_id", "county_code", "poverty_status"}
    else:
        raise AssertionError("a header without required columns must be refused")


def test_social_security_card_account_is_optional_and_checked() -> None:
    """The roster may carry each person's 社保卡 account (开户银行, 银行账号): both or neither,
    12-30 digits; the report masks a bad number."""
    rows = roster_rows(4)
    header = roster_csv(rows).decode().splitlines()[0] + ",开户银行,银行账号"
    accounts = [
        ["农村信用社", "6221000011112222"],
        ["", ""],
        ["农村信用社", "12-34-5678901234"],
        ["农村信用社", ""],
    ]
    content = roster_csv([r + a for r, a in zip(rows, accounts, strict=True)], header)
    roster = parse_roster(read_rows(content), today=TODAY)
    assert [(e.row, e.field) for e in roster.errors] == [(4, "bank_account"), (5, "bank_account")]
    assert "1234" in str(roster.errors[0].value) and "12-34" not in str(roster.errors[0].value)
    first, second = roster.rows
    assert (first.bank_name, first.bank_account) == ("农村信用社", "6221000011112222")
    assert (second.bank_name, second.bank_account) == (None, None)
