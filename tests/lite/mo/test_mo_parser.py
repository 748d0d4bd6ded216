"""Unit tests of the MatrixOne statement lexer, parser, WHERE evaluator and Go time parser."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from matrixone_lite.mo import ast
from matrixone_lite.mo.lexer import Kind, first_words, split_statements, tokenize
from matrixone_lite.mo.parser import MOSyntaxError, is_mo_statement, parse
from matrixone_lite.mo.timeparse import GoTimeParseError, format_ns, parse_go_timestamp, range_start_ns
from matrixone_lite.mo.where import matches

SH = ZoneInfo("Asia/Shanghai")


def test_split_respects_quotes_backquotes_and_comments() -> None:
    sql = "select 'a;b', `c;d` from t; -- x;y\n /* p;q */ insert into t values (\"e;\\\"f\"); # z;\n ;"
    assert split_statements(sql) == ["select 'a;b', `c;d` from t", '-- x;y\n /* p;q */ insert into t values ("e;\\"f")']
    assert split_statements(" ; -- only a comment\n") == []
    assert first_words("  /* c */ START transaction") == ["START", "TRANSACTION"]


def test_tokenizer_values() -> None:
    toks = tokenize("`a``b` 'it''s' \"x\\ny\" @@session.autocommit 12.5 <>")
    assert [(t.kind, t.value) for t in toks[:-1]] == [
        (Kind.QIDENT, "a`b"), (Kind.STRING, "it's"), (Kind.STRING, "x\ny"),
        (Kind.VAR, "@@session.autocommit"), (Kind.NUMBER, "12.5"), (Kind.OP, "<>")]


@pytest.mark.parametrize("sql,expected", [
    ("create pitr p1 range 1 'h'", ast.CreatePitr("p1", "account", 1, "h")),
    ("CREATE PITR IF NOT EXISTS `P1` FOR ACCOUNT RANGE 2 \"D\"",
     ast.CreatePitr("p1", "account", 2, "D", if_not_exists=True)),
    ("create pitr p for account acc01 range 1 'h'", ast.CreatePitr("p", "account", 1, "h", account="acc01")),
    ("create pitr p for cluster range 1 'd '", ast.CreatePitr("p", "cluster", 1, "d ")),
    ("create pitr p for database db range 1 'mo'", ast.CreatePitr("p", "database", 1, "mo", database="db")),
    ("create pitr p for table db t range 1 'y'", ast.CreatePitr("p", "table", 1, "y", database="db", table="t")),
    ("create pitr p for database db table t range 1 'y' internal",
     ast.CreatePitr("p", "table", 1, "y", database="db", table="t", internal=True)),
    ("alter pitr if exists p range 0 'h'", ast.AlterPitr("p", 0, "h", True)),
    ("drop pitr if exists `select`", ast.DropPitr("select", True)),
    ("create snapshot s1 for table db t", ast.CreateSnapshot("s1", "table", database="db", table="t")),
    ("drop snapshot if exists s1", ast.DropSnapshot("s1", True)),
    ("create account if not exists a1 admin_name = 'u' identified by 'p'",
     ast.CreateAccount("a1", "u", "p", True)),
    ("restore from pitr p '2024-01-01 00:00:00'", ast.RestorePitr("account", "p", "2024-01-01 00:00:00")),
    ("restore cluster from pitr p 't'", ast.RestorePitr("cluster", "p", "t")),
    ("restore database d table t from pitr p 't'", ast.RestorePitr("table", "p", "t", database="d", table="t")),
    ("restore account acc01 from pitr pitr01 '2021-01-01 00:00:00' acc02",
     ast.RestorePitr("account", "pitr01", "2021-01-01 00:00:00", "acc01", src_account="acc02")),
    ("restore account a from pitr p 't' as b", ast.RestorePitr("account", "p", "t", "a", src_account="b")),
    ("restore account a database d from pitr p 't'", ast.RestorePitr("database", "p", "t", "a", "d")),
    ("restore account a {snapshot = 'S1'} to account b", ast.RestoreSnapshot("account", "s1", "a", to_account="b")),
    ("restore table a.d.t {snapshot = s}", ast.RestoreSnapshot("table", "s", "a", "d", "t")),
    ("restore cluster {snapshot = s}", ast.RestoreSnapshot("cluster", "s")),
])
def test_parse_v42(sql: str, expected: ast.Statement) -> None:
    assert is_mo_statement(sql)
    assert parse(sql, (4, 2, 0)) == expected


def test_version_specific_grammar() -> None:
    v3 = (3, 0, 18)
    assert parse("restore account a from snapshot s to account b", v3) == ast.RestoreSnapshot(
        "account", "s", "a", to_account="b")
    assert parse("restore account a database d table t from snapshot s", v3) == ast.RestoreSnapshot(
        "table", "s", "a", "d", "t")
    for sql in ("restore account a {snapshot = s}", "restore account a database d from pitr p 't'"):
        with pytest.raises(MOSyntaxError):
            parse(sql, v3)
    with pytest.raises(MOSyntaxError):
        parse("restore account a from snapshot s", (4, 2, 0))
    with pytest.raises(MOSyntaxError):  # ACCOUNT prefix for PITR database restore is v4.1+
        parse("restore account a database d from pitr p 't'", (4, 0, 0))
    assert parse("restore account a database d from pitr p 't'", (4, 1, 0)).database == "d"
    v20 = (2, 0, 3)
    for sql in ("create pitr p for account range 1 'h'", "create pitr p for table d t range 1 'h'",
                "create pitr p range 1 'h' internal", "show recovery_window for account"):
        with pytest.raises(MOSyntaxError):
            parse(sql, v20)
    assert parse("create pitr p for account a range 1 'h'", v20) == ast.CreatePitr("p", "account", 1, "h", "a")


@pytest.mark.parametrize("sql,column,near", [
    ("create pitr pitr16 if not exists range 1 'h';", 21, " if not exists range 1 'h';"),
    ("create pitr pitr09 range -1 'h';", 26, " -1 'h';"),
    ("create pitr pitr07 for account acc01 database mo_catalog range 1 'h';", 45,
     " database mo_catalog range 1 'h';"),
])
def test_syntax_error_position_matches_matrixone(sql: str, column: int, near: str) -> None:
    with pytest.raises(MOSyntaxError) as ei:
        parse(sql)
    assert (ei.value.column, ei.value.near) == (column, near)


def test_where_evaluation() -> None:
    st = parse("show pitr where CAST_RANGE_VALUE_UNIT(PITR_LENGTH, PITR_UNIT) >= CAST_RANGE_VALUE_UNIT(29, 'd') "
               "and (Pitr_Name like 'p%' or pitr_level <> 'cluster') and not pitr_unit = 'h'")
    assert isinstance(st, ast.ShowPitr) and st.where is not None
    row = {"pitr_name": "p1", "pitr_level": "account", "pitr_length": 1, "pitr_unit": "mo"}
    assert matches(st.where, row)  # 1 mo = 720 h >= 696 h
    assert not matches(st.where, {**row, "pitr_unit": "d"})
    assert not matches(st.where, {**row, "pitr_unit": "h", "pitr_length": 100})
    assert matches(parse("show pitr where pitr_length in (1, 2) and pitr_length >= '1'").where,  # type: ignore[union-attr, arg-type]
                   row)


@pytest.mark.parametrize("text,message", [
    ("2024-10-28 17:30: 00", 'cannot parse " 00" as "05"'),
    ("2024-10-28T17:30:00", 'cannot parse "T17:30:00" as " "'),
    ("2024-10-28", 'cannot parse "" as "15"'),
    ("2024-10-28 17:30", 'cannot parse "" as ":"'),
    ("24-10-28 17:30:00", 'cannot parse "24-10-28 17:30:00" as "2006"'),
])
def test_go_time_parse_errors(text: str, message: str) -> None:
    with pytest.raises(GoTimeParseError) as ei:
        parse_go_timestamp(text, SH)
    assert str(ei.value) == f'parsing time "{text}" as "2006-01-02 15:04:05": {message}'


def test_go_time_parse_range_and_extra_errors() -> None:
    with pytest.raises(GoTimeParseError, match=r'^parsing time "2024-13-01 00:00:00": month out of range$'):
        parse_go_timestamp("2024-13-01 00:00:00", SH)
    with pytest.raises(GoTimeParseError, match=r'^parsing time "2024-02-30 00:00:00": day out of range$'):
        parse_go_timestamp("2024-02-30 00:00:00", SH)
    with pytest.raises(GoTimeParseError, match=r'extra text: "\+08:00"$'):
        parse_go_timestamp("2024-02-03 00:00:00+08:00", SH)


def test_go_time_parse_accepts_what_go_accepts() -> None:
    base = parse_go_timestamp("2024-10-28 17:30:00", SH)
    assert base == 1730107800 * 10**9  # 09:30:00 UTC
    assert parse_go_timestamp("2024-08-08 15:42:20.249966", SH) % 10**9 == 249966000
    assert parse_go_timestamp("2024-10-28 7:30:00", SH) == base - 10 * 3600 * 10**9
    assert format_ns(base, SH) == "2024-10-28 17:30:00"


def test_range_start_uses_go_calendar_arithmetic() -> None:
    mar31 = 1711843200 * 10**9  # 2024-03-31 00:00:00 UTC
    assert range_start_ns(mar31, 1, "mo") == 1709337600 * 10**9  # Go: Feb 31 -> Mar 2 (leap year)
    assert range_start_ns(mar31, 10, "h") == mar31 - 10 * 3600 * 10**9
    assert range_start_ns(mar31, 1, "y") == 1680220800 * 10**9  # 2023-03-31
