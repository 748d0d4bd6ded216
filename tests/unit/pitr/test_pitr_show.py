"""SHOW PITR / SHOW SNAPSHOTS parsing: header case, str/bytes/datetime cells, `*` and empty names."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    Level,
    RangeUnit,
    parse_show_pitr,
    parse_show_snapshots,
)

PITR_COLS = ["PITR_NAME", "CREATED_TIME", "MODIFIED_TIME", "PITR_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME",
             "TABLE_NAME", "PITR_LENGTH", "PITR_UNIT"]
SNAP_COLS = ["SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("columns", [PITR_COLS, [c.lower() for c in PITR_COLS],
                                     [(c.lower(), 253, None, None, None, None, True) for c in PITR_COLS]])
@pytest.mark.parametrize("as_datetime", [False, True])
def test_show_pitr(columns: list, as_datetime: bool) -> None:
    def cell(text: str) -> object:
        return datetime.fromisoformat(text) if as_datetime else text

    rows = [
        ("pitr01", cell("2024-12-25 17:22:15"), cell("2024-12-25 18:00:00"), "cluster", "*", "*", "*", 1, "h"),
        ("p_db", cell("2024-10-28 08:00:00"), cell("2024-10-28 08:00:00"), "database", "sys", "db1", "*", "7", "d"),
        (b"p_tbl", cell("2024-10-28 08:00:00"), cell("2024-10-28 08:00:00"), b"table", b"acc1", b"db1", b"t1",
         Decimal(2), b"mo"),
    ]
    pitrs = parse_show_pitr(columns, rows, "Asia/Shanghai")
    assert [p.name for p in pitrs] == ["pitr01", "p_db", "p_tbl"]
    cluster, db, tbl = pitrs
    assert cluster.level is Level.CLUSTER
    assert (cluster.account, cluster.database, cluster.table) == (None, None, None)
    assert cluster.created == utc(2024, 12, 25, 9, 22, 15)
    assert cluster.modified == utc(2024, 12, 25, 10, 0)
    assert (cluster.range.value, cluster.range.unit) == (1, RangeUnit.HOUR)
    assert (db.level, db.account, db.database, db.table) == (Level.DATABASE, "sys", "db1", None)
    assert db.range.value == 7
    assert (tbl.level, tbl.account, tbl.database, tbl.table) == (Level.TABLE, "acc1", "db1", "t1")
    assert tbl.range.unit is RangeUnit.MONTH
    assert tbl.to_dict()["created"] == "2024-10-28T00:00:00Z"


def test_show_pitr_session_zone_with_dst() -> None:
    rows = [("p", "2024-07-01 08:00:00", "2024-01-01 08:00:00", "account", "acc1", "*", "*", 1, "d")]
    (pitr,) = parse_show_pitr(PITR_COLS, rows, "America/New_York")
    assert pitr.created == utc(2024, 7, 1, 12)  # EDT
    assert pitr.modified == utc(2024, 1, 1, 13)  # EST


def test_show_pitr_column_order_independent_and_empty() -> None:
    cols = list(reversed(PITR_COLS))
    row = tuple(reversed(("p", "2024-01-01 00:00:00", "2024-01-01 00:00:00", "account", "acc1", "*", "*", 3, "y")))
    (pitr,) = parse_show_pitr(cols, [row], "UTC")
    assert pitr.range.unit is RangeUnit.YEAR and pitr.account == "acc1"
    assert parse_show_pitr(PITR_COLS, [], "UTC") == []


def test_show_pitr_altered_to_zero() -> None:
    # ALTER PITR accepts RANGE 0 on the server (reference 2.2); listing must not crash on it.
    rows = [("p", "2024-01-01 00:00:00", "2024-01-02 00:00:00", "account", "acc1", "*", "*", "0", "h")]
    (pitr,) = parse_show_pitr(PITR_COLS, rows, "UTC")
    assert pitr.range.value == 0 and pitr.range.unit is RangeUnit.HOUR
    with pytest.raises(InvalidInput, match="PITR_LENGTH"):
        parse_show_pitr(PITR_COLS, [rows[0][:7] + ("x", "h")], "UTC")
    with pytest.raises(InvalidInput, match="PITR_UNIT"):
        parse_show_pitr(PITR_COLS, [rows[0][:8] + ("day",)], "UTC")


def test_show_pitr_missing_column() -> None:
    with pytest.raises(InvalidInput, match="PITR_UNIT"):
        parse_show_pitr(PITR_COLS[:-1], [], "UTC")


@pytest.mark.parametrize("columns", [SNAP_COLS, [c.lower() for c in SNAP_COLS]])
def test_show_snapshots(columns: list[str]) -> None:
    rows = [
        ("sp_cluster", "2024-10-28 09:30:00.123456789", "cluster", "", "", ""),
        ("sp_acc", "2024-10-28 09:30:00", "account", "acc1", "", ""),
        ("sp_tbl", datetime(2024, 10, 28, 9, 30, 0, 500000), "table", "acc1", "db1", "t1"),
        (b"sp_db", b"2024-10-28 09:30:00.5", b"database", b"acc1", b"db1", None),
    ]
    snaps = parse_show_snapshots(columns, rows)
    cluster, acc, tbl, db = snaps
    assert cluster.timestamp == utc(2024, 10, 28, 9, 30, 0, 123456)
    assert cluster.ts_ns == 1730107800123456789
    assert (cluster.account, cluster.database, cluster.table) == (None, None, None)
    assert acc.ts_ns == 1730107800000000000 and acc.level is Level.ACCOUNT and acc.account == "acc1"
    assert tbl.timestamp == utc(2024, 10, 28, 9, 30, 0, 500000) and tbl.table == "t1"
    assert db.ts_ns == 1730107800500000000 and db.name == "sp_db" and db.table is None
    assert cluster.to_dict()["timestamp"] == "2024-10-28T09:30:00.123456Z"


def test_show_snapshots_bad_cell() -> None:
    with pytest.raises(InvalidInput, match="TIMESTAMP"):
        parse_show_snapshots(SNAP_COLS, [("s", "yesterday", "cluster", "", "", "")])
