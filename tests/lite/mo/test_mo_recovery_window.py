"""SHOW RECOVERY_WINDOW over TCP (MatrixOne main's format, matrixone-pitr.md §3.3)."""

from __future__ import annotations

import re

import pymysql
import pytest

from tests.lite.conftest import connect, mo_error, run


def test_show_recovery_window(lite_server) -> None:
    srv = lite_server()
    run(connect(srv), "create account acc1 admin_name 'root' identified by '111'")
    a = connect(srv, "acc1#root")
    for sql in ("create database d1", "create table d1.t1 (x int)", "create table d1.t2 (x int)",
                "create database d2", "create table d2.u (x int)", "create snapshot s1 for database d1",
                "create pitr p1 range 1 'h'", "create pitr p2 for table d2 u range 2 'd'"):
        run(a, sql)
    with a.cursor() as cur:
        cur.execute("show recovery_window for account")
        assert [d[0] for d in cur.description] == ["RecoveryWindowLevel", "AccountName", "DatabaseName",
                                                  "TableName", "RecoveryWindows"]
        rows = cur.fetchall()
    assert [r[:4] for r in rows] == [("account", "acc1", "d1", "t1"), ("account", "acc1", "d1", "t2"),
                                     ("account", "acc1", "d2", "u")]
    snap = re.compile(r"\{'timestamp':'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC', 'source':'snapshot', "
                      r"'source_name':'s1'\}, ")
    assert snap.search(rows[0][4]) and rows[0][4].startswith("[") and rows[0][4].endswith(", ]")
    assert "'source_name':'p1'" in rows[0][4] and "'source_name':'p2'" not in rows[0][4]
    assert "'source_name':'p2'" in rows[2][4] and "'source':'snapshot'" not in rows[2][4]
    table_rows = run(a, "show recovery_window for table d2 u")
    assert [r[:4] for r in table_rows] == [("table", "acc1", "d2", "u")]
    assert [r[3] for r in run(a, "show recovery_window for database d1")] == ["t1", "t2"]
    for sql, msg in [("show recovery_window for account acc9", "only sys account can show other account's recovery window"),
                     ("show recovery_window for database mo_catalog", "can not show recovery window for system database")]:
        with pytest.raises(pymysql.MySQLError) as ei:
            run(a, sql)
        assert mo_error(ei) == (20101, f"internal error: {msg}")
