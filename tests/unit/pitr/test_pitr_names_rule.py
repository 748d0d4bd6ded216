"""The two name rules (user-passed vs listed by the server) and the one boolean parser, as pure code."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_matrixone.pitr import InvalidInput, MatrixOneError, quote_ident, validate_name
from airflow_provider_matrixone.pitr.fingerprint import Column, fingerprint_select
from airflow_provider_matrixone.pitr.flags import parse_bool, parse_dry_run
from airflow_provider_matrixone.pitr.identifiers import quote_contained
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.pitr.statements import count_rows, restore_pitr, show_tables
from airflow_provider_matrixone.pitr.verify import Reference, parse_table_names

ACCEPTED = ["订单", "select", "$%^#", "account", "a;b", "a/*x*/b", "a#x", "a\\b", "db1.t1", "a--b", "\u0430cc1",
            "x" * 64, "订" * 64, "😀", "a\u200bb", "-", "1"]


@pytest.mark.parametrize("name", ACCEPTED, ids=ascii)
def test_names_matrixone_allows_are_accepted_and_back_quoted(name: str) -> None:
    assert validate_name(name, "table", "table") == name
    assert quote_ident(name, "table", "table") == f"`{name}`"


@pytest.mark.parametrize(("name", "reason"), [
    ("order items", "contains a space"), ("a\tb", "contains a tab"), ("a`b", "contains a back-quote"),
    ('a"b', "contains a double quote"), ("a'b", "contains a single quote"), ("", "empty"),
    ("x" * 65, "65 characters, at most 64"), ("a\x00", "control character '\\x00'"),
    ("a\nb", "control character '\\n'"), ("a\x1b", "control character '\\x1b'"), ("a\x7f", "control character"),
    ("a\ud800", "lone surrogate"),
], ids=ascii)
def test_names_matrixone_refuses_say_why(name: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_name(name, "table", "table")
    assert info.value.field == "table" and reason in str(info.value)
    assert not any(ord(ch) < 32 for ch in str(info.value))


@pytest.mark.parametrize(("name", "quoted"), [("order items", "`order items`"), ("a`b", "`a``b`"),
                                              ("``", "``````"), ("it's", "`it's`"), ("订单", "`订单`")])
def test_listed_names_are_quoted_never_validated(name: str, quoted: str) -> None:
    assert quote_contained(name) == quoted


@pytest.mark.parametrize("value", ["", None, 5, "a\x00b"], ids=ascii)
def test_listed_names_no_server_sends_name_the_object_not_a_flag(value: Any) -> None:
    with pytest.raises(MatrixOneError) as info:
        quote_contained(value, "table")
    assert not isinstance(info.value, InvalidInput)
    assert "table name" in str(info.value) and "returned by the server" in str(info.value)


def test_read_builders_take_any_listed_name() -> None:
    assert show_tables("订单", 5) == "SHOW TABLES FROM `订单` {MO_TS = 5}"
    (sql,) = count_rows([("订单", "order items"), ("d`b", "it's")])
    assert sql == ("SELECT '订单' AS db_name, 'order items' AS table_name, COUNT(*) AS row_count FROM `订单`.`order items`"
                   " UNION ALL SELECT 'd`b' AS db_name, 'it''s' AS table_name, COUNT(*) AS row_count FROM `d``b`.`it's`")
    fp = fingerprint_select("订单", "order items", [Column("order", "int", True, None, 1)], None)
    assert "FROM `订单`.`order items`" in fp and "CAST(`order` AS CHAR)" in fp and "'订单' AS db_name" in fp


def test_restore_statement_quotes_user_names() -> None:
    from airflow_provider_matrixone.pitr.versions import ServerVersion

    sql = restore_pitr("$%^#", "2024-10-28 17:30:00", Scope.build("table", database="订单", table="select"),
                       caller_account="acc1", version=ServerVersion(4, 2, 0))
    assert sql == "RESTORE DATABASE `订单` TABLE `select` FROM PITR `$%^#` '2024-10-28 17:30:00'"


def test_references_keep_listed_names_and_user_lists_follow_the_rule() -> None:
    ref = Reference.from_dict({"tables": {"订单.order items": 3, "select.a.b": 1}, "databases": ["订单", "select"]})
    assert ref.table_pairs() == [("select", "a.b"), ("订单", "order items")]
    assert ref.databases == ("订单", "select")
    assert parse_table_names(["订单.select"]) == [("订单", "select")]
    with pytest.raises(InvalidInput, match="table"):
        parse_table_names(["订单.order items"])  # a name the user passes: MatrixOne's rule applies


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (1, True), (0, False), ("true", True), ("FALSE", False), (" Yes ", True),
    ("no", False), ("1", True), ("0", False), ("\tTrue\n", True),
])
def test_parse_bool_accepts_clear_spellings(value: Any, expected: bool) -> None:
    assert parse_bool(value, "safety_snapshot") is expected
    dry = parse_dry_run(value)
    assert dry.enabled is expected and dry.note is None


@pytest.mark.parametrize("value", ["", "  ", "None", "none", "null", "NULL", None, "maybe", "on", "off", "y", 2, -1,
                                   1.0, [True], {"a": 1}, b"true"], ids=repr)
def test_ambiguous_booleans_raise_or_mean_dry_run(value: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_bool(value, "fingerprint")
    assert info.value.field == "fingerprint" and "true/false" in str(info.value)
    dry = parse_dry_run(value)
    assert dry.enabled is True and bool(dry) is True
    assert dry.note is not None and "treated as a dry run" in dry.note
