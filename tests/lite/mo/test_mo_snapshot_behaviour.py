"""Snapshot behaviour over TCP with PyMySQL and mysqlclient (issue 11, point 8).

MatrixOne's rules (pkg/frontend/snapshot.go, pkg/sql/plan/types.go): sys re-creates a dropped
account from its account snapshot or a cluster snapshot; ``checkRestorePriv``'s refusals; the
named-snapshot scope of #27134 (after v4.2.0); the session's database across DROP and RESTORE;
snapshot statements refused inside a transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.support.sql import connect, err
from tests.support.sql import internal_error as ie
from tests.support.sql import run as q

#: driver name -> ``(server, login, password="111", **kw) -> connection``, autocommit on.
DRIVERS: dict[str, Callable[..., Any]] = {"pymysql": partial(connect, driver="pymysql"),
                                          "mysqlclient": partial(connect, driver="mysqlclient")}


@pytest.fixture(params=list(DRIVERS))
def driver(request: pytest.FixtureRequest) -> Callable[..., Any]:
    return DRIVERS[request.param]


def _setup(srv: LiteServer, driver: Callable[..., Any]) -> tuple[Any, Any]:
    """sys and acc1's admin; acc1 holds db1.t1 = {1, 2}, db1.t2, db2.x and a user u1."""
    sys_root = driver(srv, "root")
    q(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    acc1 = driver(srv, "acc1#root")
    for sql in ("create database db1", "create table db1.t1 (a int)", "insert into db1.t1 values (1), (2)",
                "create table db1.t2 (a int)", "create database db2", "create table db2.x (a int)",
                "insert into db2.x values (10)", "create user u1 identified by 'pw1'"):
        q(acc1, sql)
    return sys_root, acc1


def test_sys_recreates_dropped_account_from_its_account_snapshot(lite_server, driver) -> None:
    srv = lite_server()
    sys_root, acc1 = _setup(srv, driver)
    q(sys_root, "create snapshot sa for account acc1")
    q(acc1, "insert into db1.t1 values (3)")
    q(acc1, "drop user u1")
    acc1.close()
    q(sys_root, "drop account acc1")
    assert err(sys_root, "restore account acc2 {snapshot = sa}") == ie(
        "accountName(acc2) does not match snapshot.accountName(acc1)")
    q(sys_root, "restore account acc1 {snapshot = 'sa'}")
    assert [r[0] for r in q(sys_root, "show accounts")] == ["sys", "acc1"]
    back = driver(srv, "acc1#root")
    assert sorted(q(back, "select a from db1.t1")) == [(1,), (2,)]
    assert q(back, "select a from db2.x") == [(10,)]
    # users roll back with the account: u1 (dropped after the snapshot) logs in again
    assert q(driver(srv, "acc1#u1", password="pw1"), "select 1") == [(1,)]
    # the sys-owned snapshot survives and can restore the account again
    q(back, "insert into db1.t1 values (4)")
    q(sys_root, "restore account acc1 {snapshot = sa}")
    assert sorted(q(back, "select a from db1.t1")) == [(1,), (2,)]


def test_sys_restores_one_dropped_account_from_a_cluster_snapshot(lite_server, driver) -> None:
    srv = lite_server()
    sys_root, acc1 = _setup(srv, driver)
    q(sys_root, "create account acc2 admin_name 'root' identified by '111'")
    acc2 = driver(srv, "acc2#root")
    q(acc2, "create database d")
    q(sys_root, "create snapshot sc for cluster")
    q(acc2, "create table d.after_sc (a int)")  # another account's later work must survive
    q(sys_root, "create account acc3 admin_name 'root' identified by '111'")
    acc1.close()
    q(sys_root, "drop account acc1")
    assert err(sys_root, "restore account acc1 {snapshot = sc} to account nope") == ie(
        "no such account, account name: nope")
    code, msg = err(sys_root, "restore account acc3 {snapshot = sc}")
    assert code == 20101 and re.fullmatch(r"internal error: no such account, snapshot name: sc, ts: \d{19}", msg)
    q(sys_root, "restore account acc1 {snapshot = sc}")
    back = driver(srv, "acc1#root")
    assert sorted(q(back, "select a from db1.t1")) == [(1,), (2,)]
    assert q(driver(srv, "acc1#u1", password="pw1"), "select 1") == [(1,)]
    assert q(acc2, "show tables from d") == [("after_sc",)]  # not a cluster restore
    assert "acc3" in [r[0] for r in q(sys_root, "show accounts")]


def test_restore_refusals_follow_check_restore_priv(lite_server, driver) -> None:
    srv = lite_server()
    sys_root, acc1 = _setup(srv, driver)
    q(sys_root, "create snapshot sa for account acc1")
    q(acc1, "create snapshot st for table db1 t1")
    q(acc1, "create snapshot sd for database db1")
    # sys may not restore a database or table from another account's snapshot
    assert err(sys_root, "restore database db1 {snapshot = sa}") == ie(
        "can't restore database from other account's snapshot")
    assert err(sys_root, "restore database acc1.db1 {snapshot = sa}") == ie(
        "can't restore database from other account's snapshot")
    assert err(sys_root, "restore table acc1.db1.t1 {snapshot = sa}") == ie(
        "can't restore table from other account's snapshot")
    # a table-level snapshot restores only its own table, whatever the database
    assert err(acc1, "restore table db2.x {snapshot = st}") == ie(
        "tableName(x) does not match snapshot.tableName(t1)")
    assert err(acc1, "restore table db1.t2 {snapshot = st}") == ie(
        "tableName(t2) does not match snapshot.tableName(t1)")
    assert err(acc1, "restore database db2 {snapshot = sd}") == ie(
        "databaseName(db2) does not match snapshot.databaseName(db1)")
    assert err(acc1, "restore account acc1 {snapshot = st}") == ie(
        "can't restore account from db or table level snapshot")
    assert err(acc1, "restore account sys {snapshot = sd}") == ie("non-sys account can't restore sys account")


@pytest.mark.parametrize("version", ["4.2.0", "4.3.0"])
def test_named_snapshot_scope_by_version(lite_server, driver, version: str) -> None:
    """#27134 (MatrixOne main, after v4.2.0): a db/table snapshot serves only its own object."""
    srv = lite_server(version=version)
    _sys_root, acc1 = _setup(srv, driver)
    q(acc1, "create snapshot st for table db1 t1")
    q(acc1, "create snapshot sd for database db1")
    q(acc1, "insert into db2.x values (11)")
    # the snapshot's own objects are always served
    assert sorted(q(acc1, "select a from db1.t1 {snapshot = 'st'}")) == [(1,), (2,)]
    assert q(acc1, "select count(*) from db1.t1 {snapshot = 'sd'}") == [(2,)]
    reads = {
        "select * from db1.t2 {snapshot = 'st'}": "table-level snapshot(st) does not belong to the table(db1-t2)",
        "select count(*) from db2.x {snapshot = 'sd'}":
            "database-level snapshot(sd) does not belong to the database(db2)",
        "select a from `DB2`.`x` {snapshot = 'st'}": "table-level snapshot(st) does not belong to the table(db2-x)",
    }
    scoped = version != "4.2.0"
    for sql, text in reads.items():
        if scoped:
            assert err(acc1, sql) == ie(text), sql
        else:
            q(acc1, sql)
    use = driver(srv, "acc1#root", database="db2")
    if scoped:
        assert err(use, "select a from x {snapshot = 'sd'}") == ie(
            "database-level snapshot(sd) does not belong to the database(db2)")
        assert err(acc1, "restore table db2.x {snapshot = sd}") == ie(
            "database-level snapshot(sd) does not belong to the database(db2)")
        assert sorted(q(acc1, "select a from db2.x")) == [(10,), (11,)]
    else:
        assert q(use, "select a from x {snapshot = 'sd'}") == [(10,)]
        q(acc1, "restore table db2.x {snapshot = sd}")  # v4.2.0 restores it at sd's time (#27116)
        assert q(acc1, "select a from db2.x") == [(10,)]


def test_session_database_across_drop_and_restore(lite_server, driver) -> None:
    """MatrixOne clears the session database only on its own DROP of it; a restore never touches it."""
    srv = lite_server()
    _sys_root, acc1 = _setup(srv, driver)
    q(acc1, "create snapshot sa for account")
    q(acc1, "create pitr p for account range 1 'd'")
    s = driver(srv, "acc1#root", database="db1")
    q(acc1, "drop database db2")
    assert q(s, "select database()") == [("db1",)]
    q(s, "restore account acc1 {snapshot = sa}")  # drops and re-creates db1 under the session
    assert q(s, "select database()") == [("db1",)]
    assert sorted(q(s, "select a from t1")) == [(1,), (2,)]
    q(s, "restore database db1 {snapshot = sa}")
    assert q(s, "select database()") == [("db1",)]
    assert sorted(q(s, "select a from t1")) == [(1,), (2,)]
    q(acc1, "drop database db1")  # another session's drop leaves this one's name in place
    assert q(s, "select database()") == [("db1",)]
    assert err(s, "select a from t1") == (1049, "Unknown database db1")
    q(acc1, "restore database db1 {snapshot = sa}")
    assert sorted(q(s, "select a from t1")) == [(1,), (2,)]
    q(s, "drop database db1")  # its own drop of the current database clears it
    assert q(s, "select database()") == [(None,)]
    q(s, "restore database db1 {snapshot = sa}")
    assert q(s, "select database()") == [(None,)]


def test_snapshot_statements_refused_inside_a_transaction(lite_server, driver) -> None:
    srv = lite_server()
    _sys_root, acc1 = _setup(srv, driver)
    q(acc1, "create snapshot s0 for account")
    refused = ie("unclassified statement appears in uncommitted transaction")
    statements = ("create snapshot s1 for account", "drop snapshot s0", "show snapshots",
                  "restore account acc1 {snapshot = s0}", "restore database db1 {snapshot = s0}",
                  "restore table db1.t1 {snapshot = s0}")
    tx = driver(srv, "acc1#root")
    for sql in statements:
        q(tx, "begin")
        q(tx, "insert into db1.t1 values (7)")
        assert err(tx, sql) == refused, sql
        q(tx, "rollback")
    implicit = driver(srv, "acc1#root", autocommit=False)  # a read opens the transaction
    q(implicit, "select count(*) from db1.t1")
    for sql in statements:
        assert err(implicit, sql) == refused, sql
    q(implicit, "commit")
    assert [r[0] for r in q(acc1, "show snapshots")] == ["s0"]  # nothing created or dropped
    assert sorted(q(acc1, "select a from db1.t1")) == [(1,), (2,)]
    q(implicit, "create snapshot s1 for account")  # after COMMIT it is allowed again
    assert sorted(r[0] for r in q(acc1, "show snapshots")) == ["s0", "s1"]
