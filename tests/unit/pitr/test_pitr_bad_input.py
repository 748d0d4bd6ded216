"""Bad-input corpus: one parametrized test per entry point.

Every case asserts the exception type, that the message names the field, that no raw control
character is echoed, and that no SQL string was produced (the builder never returned).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    LevelMismatch,
    MatrixOneError,
    PermissionDenied,
    Pitr,
    PitrRange,
    RangeUnit,
    Scope,
    ServerVersion,
    TimestampOutsideWindow,
    UnsupportedByServerVersion,
    check_restore_window,
    count_rows,
    create_pitr,
    create_snapshot,
    parse_login,
    parse_timestamp,
    quote_ident,
    restore_pitr,
    restore_snapshot,
    show_tables,
    time_travel_hint,
)
from airflow_provider_matrixone.pitr.models import Level

V3 = ServerVersion.parse("8.0.30-MatrixOne-v3.0.18")
V42 = ServerVersion.parse("8.0.30-MatrixOne-v4.2.0")
TS = "2024-10-28 17:30:00"
RNG = PitrRange.parse(1, "d")

_UNSET = object()


def _assert_refused(call: Callable[[], Any], exc: type[Exception], field: str) -> None:
    produced: Any = _UNSET
    with pytest.raises(exc) as info:
        produced = call()
    assert produced is _UNSET, "a SQL string was produced"
    message = str(info.value)
    assert field in message, f"{field!r} not named in {message!r}"
    assert not any(ord(ch) < 32 for ch in message), f"raw control character echoed in {message!r}"
    if isinstance(info.value, InvalidInput):
        assert info.value.field == field or field in info.value.field or field in message


# The user-name rule (reference §2.9): space, tab, back-quote, double and single quote are refused by
# MatrixOne; we also refuse empty, over 64 characters and control characters. Names MatrixOne accepts
# (``db1;drop``, ``订单``, ``select``, ...) are in test_pitr_names_rule.py's accepted list.
BAD_NAMES = [
    "", "a" * 65, "a" * 200, "db1; DROP DATABASE x", "db`1", "`db1`", "db'1", 'db"1', "db 1", " db1",
    "db1 ", "db\t1", "db\n1", "db\r1", "db\x00", "\x00", "-- x", "db1\x7f", "\x1b[31m", "a\ud800",
    1, None, b"db1", 1.5, ["db1"],
]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=[ascii(b)[:30] for b in BAD_NAMES])
def test_identifier_corpus(bad: Any) -> None:
    _assert_refused(lambda: quote_ident(bad, "database"), InvalidInput, "database")


def test_identifier_message_shape() -> None:
    with pytest.raises(InvalidInput) as info:
        quote_ident("db 1", "database")
    assert str(info.value) == ("invalid database 'db 1' (contains a space): use 1-64 characters without spaces, "
                               "tabs, quotes (` \" ') or control characters (example: db1)")


CREATE_BAD: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("reserved", lambda: create_pitr("sys_mo_catalog_pitr", Scope.build("account"), RNG, caller_account="sys"),
     InvalidInput, "pitr name"),
    ("reserved-upper", lambda: create_pitr("SYS_MO_CATALOG_PITR", Scope.build("account"), RNG, caller_account="sys"),
     InvalidInput, "pitr name"),
    ("name-quote", lambda: create_pitr("p'1", Scope.build("account"), RNG, caller_account="sys"),
     InvalidInput, "pitr name"),
    ("name-comment", lambda: create_pitr("p1 --", Scope.build("account"), RNG, caller_account="sys"),
     InvalidInput, "pitr name"),
    ("caller-bad", lambda: create_pitr("p1", Scope.build("account"), RNG, caller_account="sys'"),
     InvalidInput, "caller account"),
    ("tenant-cluster", lambda: create_pitr("p1", Scope.build("cluster"), RNG, caller_account="acc1"),
     PermissionDenied, "cluster"),
    ("tenant-other", lambda: create_pitr("p1", Scope.build("account", "acc2"), RNG, caller_account="acc1"),
     PermissionDenied, "other tenant"),
    ("db-other-account", lambda: create_pitr("p1", Scope.build("database", "acc2", "db1"), RNG,
                                             caller_account="acc1"), PermissionDenied, "account"),
    ("range-tuple", lambda: create_pitr("p1", Scope.build("account"), (1, "d"), caller_account="acc1"),  # type: ignore[arg-type]
     InvalidInput, "range"),
    ("scope-str", lambda: create_pitr("p1", "account", RNG, caller_account="acc1"),  # type: ignore[arg-type]
     InvalidInput, "scope"),
    ("ine-str", lambda: create_pitr("p1", Scope.build("account"), RNG, caller_account="acc1",
                                    if_not_exists="yes"),  # type: ignore[arg-type]
     InvalidInput, "if_not_exists"),
    ("snapshot-name", lambda: create_snapshot("s 1", Scope.build("cluster")), InvalidInput, "snapshot name"),
]


@pytest.mark.parametrize(("call", "exc", "field"), [c[1:] for c in CREATE_BAD], ids=[c[0] for c in CREATE_BAD])
def test_create_corpus(call: Callable[[], Any], exc: type[Exception], field: str) -> None:
    _assert_refused(call, exc, field)


RANGE_BAD: list[tuple[Any, Any, str]] = [
    (0, "d", "range value"), (101, "d", "range value"), (-1, "d", "range value"), (1000, "h", "range value"),
    ("0", "d", "range value"), ("-1", "d", "range value"), ("1.5", "d", "range value"), (1.5, "d", "range value"),
    (True, "d", "range value"), (False, "h", "range value"), ("", "d", "range value"), (" ", "d", "range value"),
    ("1e2", "d", "range value"), ("\uff11", "d", "range value"), (None, "d", "range value"),
    ("1; drop", "d", "range value"), (1, "day", "range unit"), (1, "d d", "range unit"), (1, "", "range unit"),
    (1, "hour", "range unit"), (1, "month", "range unit"), (1, "yy", "range unit"), (1, "m", "range unit"),
    (1, None, "range unit"), (1, "d'", "range unit"), (1, "\u0434", "range unit"), (1, 5, "range unit"),
]


@pytest.mark.parametrize(("value", "unit", "field"), RANGE_BAD, ids=[f"{ascii(v)}-{ascii(u)}" for v, u, _ in RANGE_BAD])
def test_range_corpus(value: Any, unit: Any, field: str) -> None:
    _assert_refused(lambda: create_pitr("p1", Scope.build("account"), PitrRange.parse(value, unit),
                                        caller_account="acc1"), InvalidInput, field)


SCOPE_BAD: list[tuple[dict[str, Any], str]] = [
    ({"level": "cluster", "account": "acc1"}, "level"),
    ({"level": "cluster", "database": "db1"}, "level"),
    ({"level": "account", "database": "db1"}, "level"),
    ({"level": "account", "table": "t1"}, "level"),
    ({"level": "database"}, "database"),
    ({"level": "database", "database": "db1", "table": "t1"}, "level"),
    ({"level": "table", "database": "db1"}, "table"),
    ({"level": "table", "table": "t1"}, "database"),
    ({"level": "tables", "database": "db1"}, "level"),
    ({"level": "", "database": "db1"}, "level"),
    ({"level": None}, "level"),
    ({"level": "account", "account": "acc 1"}, "account"),
    ({"level": "table", "database": "db1", "table": "t1\"x"}, "table"),
]


@pytest.mark.parametrize(("kwargs", "field"), SCOPE_BAD, ids=[str(k) for k, _ in SCOPE_BAD])
def test_scope_corpus(kwargs: dict[str, Any], field: str) -> None:
    _assert_refused(lambda: create_snapshot("s1", Scope.build(**kwargs)), InvalidInput, field)


TS_BAD: list[tuple[Any, Any, str]] = [
    ("", "UTC", "empty"), ("   ", "UTC", "empty"), ("2024-10-28 17:30:00" + " " * 60, "UTC", "too long"),
    ("x" * 10_000, "UTC", "too long"), ("yesterday", "UTC", "not a recognised"), ("now", "UTC", "not a recognised"),
    ("2024-10-28", "UTC", "not a recognised"), ("2024-10-28 17:30", "UTC", "not a recognised"),
    ("17:30:00", "UTC", "not a recognised"), ("2024/10/28 17:30:00", "UTC", "not a recognised"),
    ("2024-13-01 00:00:00", "UTC", "out of range"), ("2024-02-30 00:00:00", "UTC", "out of range"),
    ("2023-02-29 00:00:00", "UTC", "out of range"), ("2024-10-28 24:00:00", "UTC", "out of range"),
    ("2024-10-28 17:60:00", "UTC", "out of range"), ("1969-12-31 23:59:59", "UTC", "year"),
    ("9999-12-31 23:59:59", "UTC", "year"), ("2024-10-28T17:30:00+25:00", None, "offset"),
    ("2024-10-28 17:30:00", None, "has no zone"), ("2024-10-28T17:30:00", None, "has no zone"),
    ("2024-10-28 17:30:00'; drop", "UTC", "not a recognised"), ("\uff12024-10-28 17:30:00", "UTC", "not a recognised"),
    ("2024-10-28 17:30:00\x00", "UTC", "not a recognised"), ("1730107800", "UTC", "16-19 digits"),
    ("1730107800000", "UTC", "16-19 digits"), ("17301078000000000000", "UTC", "16-19 digits"), (1730107800, "UTC", "16-19"),
    (True, "UTC", "boolean"), (None, "UTC", "unsupported"), (1.5, "UTC", "unsupported"),
    (datetime(2024, 10, 28, 17, 30), None, "has no zone"),
    ("2024-10-28 17:30:00", "Mars/Base", "unknown zone"), ("2024-10-28 17:30:00", "SYSTEM", "zone"),
    ("2024-10-28 17:30:00", "../etc/passwd", "zone"),
    # DST gaps (nonexistent) and overlaps (ambiguous)
    ("2024-03-10 02:30:00", "America/New_York", "does not exist"),
    ("2024-03-10 02:00:00", "America/New_York", "does not exist"),
    ("2024-11-03 01:30:00", "America/New_York", "ambiguous"),
    ("2024-11-03 01:00:00", "America/New_York", "ambiguous"),
    ("2024-03-31 02:30:00", "Europe/Berlin", "does not exist"),
    ("2024-10-27 02:30:00", "Europe/Berlin", "ambiguous"),
    (datetime(2024, 10, 27, 2, 15), "Europe/Berlin", "ambiguous"),
    (datetime(2024, 3, 10, 2, 15), "America/New_York", "does not exist"),
]


@pytest.mark.parametrize(("value", "zone", "why"), TS_BAD, ids=[f"{ascii(v)[:40]}-{z}" for v, z, _ in TS_BAD])
def test_timestamp_corpus(value: Any, zone: Any, why: str) -> None:
    field = "zone" if why in ("unknown zone", "zone") else "restore timestamp"
    _assert_refused(lambda: parse_timestamp(value, zone=zone, field="restore timestamp"), InvalidInput, field)
    with pytest.raises(InvalidInput) as info:
        parse_timestamp(value, zone=zone, field="restore timestamp")
    assert why in str(info.value)
    assert "example" in str(info.value)


def _restore(**overrides: Any) -> Callable[[], Any]:
    kwargs: dict[str, Any] = {"name": "p1", "ts_literal": TS, "scope": Scope.build("account"),
                              "caller_account": "acc1", "version": V42}
    kwargs.update(overrides)
    return lambda: restore_pitr(kwargs.pop("name"), kwargs.pop("ts_literal"), kwargs.pop("scope"), **kwargs)


RESTORE_BAD: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("seed-typo-literal", _restore(ts_literal="2024-10-28 17:30: 00"), InvalidInput, "timestamp"),
    ("T-literal", _restore(ts_literal="2024-10-28T17:30:00"), InvalidInput, "timestamp"),
    ("zone-literal", _restore(ts_literal="2024-10-28 17:30:00+08:00"), InvalidInput, "timestamp"),
    ("no-seconds", _restore(ts_literal="2024-10-28 17:30"), InvalidInput, "timestamp"),
    ("date-only", _restore(ts_literal="2024-10-28"), InvalidInput, "timestamp"),
    ("quote-inject", _restore(ts_literal="2024-10-28 17:30:00' OR '1"), InvalidInput, "timestamp"),
    ("bad-date", _restore(ts_literal="2024-02-30 17:30:00"), InvalidInput, "timestamp"),
    ("ns-int", _restore(ts_literal=1730107800000000000), InvalidInput, "timestamp"),
    ("bad-name", _restore(name="p1`; drop"), InvalidInput, "pitr name"),
    ("reserved", _restore(name="sys_mo_catalog_pitr"), InvalidInput, "pitr name"),
    ("tenant-other-account", _restore(scope=Scope.build("account", "acc2")), PermissionDenied, "account"),
    ("tenant-cluster", _restore(scope=Scope.build("cluster")), PermissionDenied, "cluster"),
    ("tenant-source", _restore(source_account="acc1"), PermissionDenied, "account"),
    ("db-pitr-for-account", _restore(pitr_level="database"), LevelMismatch, "account"),
    ("table-pitr-for-account", _restore(caller_account="sys", scope=Scope.build("account", "acc1"),
                                        pitr_level="table"), LevelMismatch, "account"),
    ("cluster-pitr-for-db", _restore(caller_account="sys", scope=Scope.build("database", database="db1"),
                                     pitr_level="cluster"), LevelMismatch, "database"),
    ("cluster-pitr-for-table", _restore(caller_account="sys", scope=Scope.build("table", database="d", table="t"),
                                        pitr_level="cluster"), LevelMismatch, "table"),
    ("table-pitr-for-db", _restore(scope=Scope.build("database", database="db1"), pitr_level="table"),
     LevelMismatch, "database"),
    ("account-pitr-for-cluster", _restore(caller_account="sys", scope=Scope.build("cluster"), pitr_level="account"),
     LevelMismatch, "cluster"),
    ("source-with-account-pitr", _restore(caller_account="sys", scope=Scope.build("account", "acc1"),
                                          pitr_level="account", source_account="acc2"), LevelMismatch, "account"),
    ("source-on-db", _restore(scope=Scope.build("database", database="db1"), source_account="acc1"),
     InvalidInput, "source account"),
    ("bad-source", _restore(caller_account="sys", scope=Scope.build("account", "acc1"), source_account="a b"),
     InvalidInput, "source account"),
    ("prefix-old-server", _restore(scope=Scope.build("database", database="db1"), account_prefix=True, version=V3),
     UnsupportedByServerVersion, "4.1"),
    ("prefix-other-account", _restore(scope=Scope.build("database", "acc2", "db1"), account_prefix=True),
     PermissionDenied, "account"),
    ("prefix-on-account", _restore(account_prefix=True), InvalidInput, "account_prefix"),
    ("bad-level", _restore(pitr_level="schema"), InvalidInput, "pitr level"),
    ("bad-version", _restore(version="MySQL 8"), InvalidInput, "version"),
    ("caller-control", _restore(caller_account="acc1\x1b"), InvalidInput, "caller account"),
]


@pytest.mark.parametrize(("call", "exc", "field"), [c[1:] for c in RESTORE_BAD], ids=[c[0] for c in RESTORE_BAD])
def test_restore_pitr_corpus(call: Callable[[], Any], exc: type[Exception], field: str) -> None:
    _assert_refused(call, exc, field)


SNAP_BAD: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("name", lambda: restore_snapshot("s1'", Scope.build("cluster"), version=V42), InvalidInput, "snapshot name"),
    ("cluster-to", lambda: restore_snapshot("s1", Scope.build("cluster"), version=V42, to_account="acc1"),
     InvalidInput, "to account"),
    ("v4-account-missing", lambda: restore_snapshot("s1", Scope.build("account"), version=V42), InvalidInput, "account"),
    ("v3-account-missing", lambda: restore_snapshot("s1", Scope.build("database", database="d"), version=V3),
     InvalidInput, "account"),
    ("v3-db-to", lambda: restore_snapshot("s1", Scope.build("database", "a", "d"), version=V3, to_account="b"),
     UnsupportedByServerVersion, "TO ACCOUNT"),
    ("v3-table-to", lambda: restore_snapshot("s1", Scope.build("table", "a", "d", "t"), version=V3, to_account="b"),
     UnsupportedByServerVersion, "TO ACCOUNT"),
    ("bad-to", lambda: restore_snapshot("s1", Scope.build("account", "a"), version=V42, to_account="b c"),
     InvalidInput, "to account"),
]


@pytest.mark.parametrize(("call", "exc", "field"), [c[1:] for c in SNAP_BAD], ids=[c[0] for c in SNAP_BAD])
def test_restore_snapshot_corpus(call: Callable[[], Any], exc: type[Exception], field: str) -> None:
    _assert_refused(call, exc, field)


NOW = datetime(2024, 10, 28, 12, 0, tzinfo=UTC)
PITR = Pitr(name="p1", level=Level.ACCOUNT, account="acc1", database=None, table=None,
            range=PitrRange(1, RangeUnit.DAY), created=NOW - timedelta(hours=3), modified=NOW - timedelta(hours=3))
OLD_PITR = Pitr(name="p1", level=Level.ACCOUNT, account="acc1", database=None, table=None,
                range=PitrRange(1, RangeUnit.HOUR), created=NOW - timedelta(days=3),
                modified=NOW - timedelta(days=3))

WINDOW_BAD: list[tuple[str, Pitr, datetime, str]] = [
    ("before-creation", PITR, NOW - timedelta(hours=5), "less than the pitr valid time"),
    ("at-creation", PITR, PITR.created, "less than the pitr valid time"),
    ("1us-before-creation", PITR, PITR.created - timedelta(microseconds=1), "less than the pitr valid time"),
    ("older-than-range", OLD_PITR, NOW - timedelta(hours=2), "less than the pitr range minest timestamp"),
    ("1us-before-range", OLD_PITR, NOW - timedelta(hours=1, microseconds=1), "minest timestamp"),
    ("future", PITR, NOW + timedelta(seconds=1), "is bigger than now timestamp"),
    ("1us-future", PITR, NOW + timedelta(microseconds=1), "is bigger than now timestamp"),
    ("far-future", PITR, NOW + timedelta(days=365), "is bigger than now timestamp"),
]


@pytest.mark.parametrize(("pitr", "instant", "why"), [c[1:] for c in WINDOW_BAD], ids=[c[0] for c in WINDOW_BAD])
def test_window_corpus(pitr: Pitr, instant: datetime, why: str) -> None:
    _assert_refused(lambda: check_restore_window(instant, pitr, NOW, "Asia/Shanghai"), TimestampOutsideWindow,
                    "timestamp")
    with pytest.raises(TimestampOutsideWindow, match=why):
        check_restore_window(instant, pitr, NOW, "Asia/Shanghai")


LOGIN_BAD = ["", "#", "acc1#", "#admin", "acc1##role", "acc1#admin#", ":", "acc1:", ":admin", "acc1:admin:",
             "a:b:c:d", "a#b#c#d", "acc1#ad\nmin", "?x", None, 5]


@pytest.mark.parametrize("login", LOGIN_BAD, ids=[ascii(x) for x in LOGIN_BAD])
def test_login_corpus(login: Any) -> None:
    _assert_refused(lambda: parse_login(login), InvalidInput, "login")


READ_BAD: list[tuple[str, Callable[[], Any], str]] = [
    ("hint-none", lambda: time_travel_hint(), "at_ns"),
    ("hint-both", lambda: time_travel_hint(at_ns=1, snapshot="s1"), "at_ns"),
    ("hint-negative", lambda: time_travel_hint(at_ns=-1), "at_ns"),
    ("hint-str", lambda: time_travel_hint(at_ns="1; drop"), "at_ns"),  # type: ignore[arg-type]
    ("hint-bool", lambda: time_travel_hint(at_ns=True), "at_ns"),
    ("hint-snapshot", lambda: time_travel_hint(snapshot="s'1"), "snapshot"),
    ("show-tables-empty", lambda: show_tables(""), "database"),
    ("count-table-not-str", lambda: count_rows([("db1", 5)]), "table"),  # type: ignore[list-item]
    ("count-db-nul", lambda: count_rows([("db\x00", "t1")]), "database"),
    ("count-not-pair", lambda: count_rows([("db1",)]), "tables"),  # type: ignore[list-item]
    ("count-str", lambda: count_rows("db1.t1"), "tables"),  # type: ignore[arg-type]
    ("count-batch", lambda: count_rows([("d", "t")], batch_size=0), "batch_size"),
    ("count-ns", lambda: count_rows([("d", "t")], at_ns=0), "at_ns"),
]


@pytest.mark.parametrize(("call", "field"), [c[1:] for c in READ_BAD], ids=[c[0] for c in READ_BAD])
def test_read_builders_corpus(call: Callable[[], Any], field: str) -> None:
    # Names listed by the server are not user input: what no server sends is a MatrixOneError that
    # names the object, not an InvalidInput that a CLI would blame on a flag.
    _assert_refused(call, MatrixOneError if field in ("database", "table") else InvalidInput, field)
