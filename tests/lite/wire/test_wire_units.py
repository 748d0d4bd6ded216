"""Unit tests of the wire layer's pure parts: logins, statement log, static SELECTs, parameters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from matrixone_lite.wire.login import Login, LoginError, parse_login
from matrixone_lite.wire.params import interpolate, sql_literal
from matrixone_lite.wire.statement_log import StatementLog, is_mutating, redact
from matrixone_lite.wire.static_select import parse_static_select


@pytest.mark.parametrize("raw,expected", [
    ("root", Login("sys", "root")),
    ("acc1#root", Login("acc1", "root")),
    ("acc1#root#accountadmin", Login("acc1", "root", "accountadmin")),
    ("acc1:admin", Login("acc1", "admin")),
    ("ACC1:admin:r1", Login("acc1", "admin", "r1")),
    ("acc1%3Aadmin", Login("acc1", "admin")),
    ("acc1#root?cn-label", Login("acc1", "root")),
    ("a#b:c", Login("a#b", "c")),  # a colon selects the colon form
])
def test_parse_login(raw: str, expected: Login) -> None:
    assert parse_login(raw) == expected


@pytest.mark.parametrize("raw,message", [
    ("#root", "invalid tenant name ''"),
    (":root", "invalid tenant name ''"),
    ("acc1#", "invalid user name ''"),
    ("acc1:root:", "invalid role name ''"),
    ("", "invalid user name ''"),
])
def test_parse_login_errors(raw: str, message: str) -> None:
    with pytest.raises(LoginError, match=f"^{message}$"):
        parse_login(raw)


def test_statement_log_redacts_and_classifies(tmp_path) -> None:
    assert redact("create account a admin_name 'u' identified by 's3cr''et' comment 'x'") == (
        "create account a admin_name 'u' identified by '***' comment 'x'")
    assert redact('ALTER USER u IDENTIFIED BY "p\\"w"') == "ALTER USER u IDENTIFIED BY '***'"
    for sql in ("select 1", "SHOW PITR", "set autocommit=1", "use db", "begin", "START TRANSACTION", "commit",
                "rollback", "describe t", "explain select 1", "/* c */ select 2"):
        assert not is_mutating(sql), sql
    for sql in ("insert into t values (1)", "create pitr p range 1 'h'", "restore from pitr p 't'",
                "drop snapshot s", "truncate t", "with x as (select 1) delete from t"):
        assert is_mutating(sql), sql
    path = tmp_path / "log.jsonl"
    log = StatementLog(path)
    log.record(7, "acc1", "root", "create account b admin_name 'u' identified by 'topsecret'")
    log.record(7, "acc1", "root", "select 1")
    assert [e["sql"] for e in log.mutating()] == ["create account b admin_name 'u' identified by '***'"]
    log.close()
    text = path.read_text()
    assert "topsecret" not in text and text.count("\n") == 2 and '"conn": 7' in text
    log.clear()
    assert log.entries == []


def test_static_select_detection() -> None:
    items = parse_static_select("SELECT @@version_comment LIMIT 1")
    assert items is not None and [(i.kind, i.name, i.label) for i in items] == [
        ("sysvar", "version_comment", "@@version_comment")]
    items = parse_static_select("select @@session.autocommit, version() as v, DATABASE()")
    assert items is not None and [i.label for i in items] == ["@@session.autocommit", "v", "DATABASE()"]
    for sql in ("select 1", "select @@x from t", "select version() + 1", "select now()"):
        assert parse_static_select(sql) is None, sql


def test_sql_literals_cannot_break_out() -> None:
    assert sql_literal("it's \\ ok") == "'it''s \\\\ ok'"
    assert sql_literal(None) == "NULL" and sql_literal(True) == "TRUE" and sql_literal(3) == "3"
    assert sql_literal(Decimal("1.50")) == "1.50"
    assert sql_literal(datetime(2024, 1, 2, 3, 4, 5)) == "'2024-01-02 03:04:05'"
    assert sql_literal(date(2024, 1, 2)) == "'2024-01-02'"
    assert sql_literal(timedelta(hours=1, seconds=5)) == "'01:00:05'"
    assert sql_literal(b"\xff\x00") == "X'ff00'"
    assert interpolate("select ?, '?', `?` /* ? */, ?", ["a'", 2]) == "select 'a''', '?', `?` /* ? */, 2"
