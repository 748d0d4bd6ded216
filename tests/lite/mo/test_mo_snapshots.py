"""Snapshots over TCP: create/show/drop messages, per-version RESTORE grammar and restores."""

from __future__ import annotations

import re

from tests.lite.conftest import connect, run
from tests.support.sql import err
from tests.support.sql import internal_error as ie


def setup(srv):
    sys_root = connect(srv)
    for acc in ("acc1", "acc2"):
        run(sys_root, f"create account {acc} admin_name 'root' identified by '111'")
    acc1 = connect(srv, "acc1#root")
    for sql in ("create database db1", "create table db1.t1 (a int)", "insert into db1.t1 values (1), (2)"):
        run(acc1, sql)
    return sys_root, acc1


def test_snapshot_messages_and_show(lite_server) -> None:
    srv = lite_server()
    sys_root, acc1 = setup(srv)
    assert err(acc1, "create snapshot s for cluster") == ie("only sys tenant can create cluster level snapshot")
    assert err(acc1, "create snapshot s for account acc2") == ie(
        "only sys tenant can create tenant level snapshot for other tenant")
    assert err(connect(srv, "acc1#root#public"), "create snapshot s for account") == ie(
        "do not have privilege to execute the statement")
    run(acc1, "create snapshot s for account acc1")  # FOR ACCOUNT <self> is fine for snapshots
    assert err(acc1, "create snapshot s for account") == ie("snapshot s already exists")
    run(acc1, "create snapshot if not exists s for account")
    assert err(acc1, "create snapshot s2 for database mo_catalog") == ie(
        "can not create snapshot for system database mo_catalog")
    assert err(acc1, "create snapshot s2 for database nodb") == ie("database nodb does not exist")
    assert err(acc1, "create snapshot s2 for table db1 nope") == ie("table db1.nope does not exist")
    run(acc1, "create snapshot s2 for table db1 t1")
    with acc1.cursor() as cur:
        cur.execute("show snapshots")
        assert [d[0] for d in cur.description] == ["SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME",
                                                  "DATABASE_NAME", "TABLE_NAME"]
        rows = cur.fetchall()
    assert [r[0] for r in rows] == ["s2", "s"]
    assert rows[0][2:] == ("table", "acc1", "db1", "t1") and rows[1][2:] == ("account", "acc1", "", "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?", rows[0][1])
    assert [r[0] for r in run(acc1, "show snapshots where snapshot_level = 'table'")] == ["s2"]
    assert run(sys_root, "show snapshots") == []  # each account sees its own
    assert err(acc1, "drop snapshot nope") == ie("snapshot nope does not exist")
    run(acc1, "drop snapshot if exists nope")
    run(acc1, "drop snapshot s2")
    assert [r[0] for r in run(acc1, "show snapshots")] == ["s"]


def test_restore_from_snapshot_v4_grammar(lite_server) -> None:
    srv = lite_server(version="4.2.0")
    sys_root, acc1 = setup(srv)
    run(acc1, "create snapshot s1 for account")
    run(acc1, "insert into db1.t1 values (3)")
    assert run(acc1, "select count(*) from db1.t1 {snapshot = 's1'}") == [(2,)]  # time-travel read
    assert err(acc1, "select * from db1.t1 {snapshot = 'nope'}") == ie(
        "find 0 snapshot records by name(nope), expect only 1")
    assert err(acc1, "restore account acc1 from snapshot s1")[0] == 1064  # v3 grammar on a v4 server
    assert err(acc1, "restore account acc1 {snapshot = nope}") == ie(
        "find 0 snapshot records by name(nope), expect only 1")
    assert err(acc1, "restore cluster {snapshot = s1}") == ie("non-sys account can't restore cluster level snapshot")
    assert err(acc1, "restore account acc1 {snapshot = s1} to account acc2") == ie(
        "non-sys account can't restore snapshot to another account")
    run(acc1, "restore table db1.t1 {snapshot = s1}")
    assert sorted(run(acc1, "select a from db1.t1")) == [(1,), (2,)]
    run(acc1, "insert into db1.t1 values (4)")
    run(acc1, "drop database db1")
    run(acc1, "restore account acc1 {snapshot = 's1'}")
    assert sorted(run(acc1, "select a from db1.t1")) == [(1,), (2,)]
    # sys copies acc1's snapshot state into acc2
    run(sys_root, "create snapshot sacc for account acc1")
    run(sys_root, "restore account acc1 {snapshot = sacc} to account acc2")
    assert sorted(run(connect(srv, "acc2#root"), "select a from db1.t1")) == [(1,), (2,)]
    run(sys_root, "create snapshot sc for cluster")
    run(sys_root, "drop account acc2")
    run(sys_root, "restore cluster {snapshot = sc}")
    assert sorted(run(connect(srv, "acc2#root"), "select a from db1.t1")) == [(1,), (2,)]


def test_restore_from_snapshot_v3_grammar(lite_server) -> None:
    srv = lite_server(version="3.0.18")
    assert run(connect(srv), "select version()") == [("8.0.30-MatrixOne-v3.0.18",)]
    _sys_root, acc1 = setup(srv)
    run(acc1, "create snapshot s1 for account")
    run(acc1, "delete from db1.t1")
    assert err(acc1, "restore account acc1 {snapshot = s1}")[0] == 1064
    assert err(acc1, "restore account acc1 database db1 from pitr p '2024-01-01 00:00:00'")[0] == 1064
    run(acc1, "restore account acc1 database db1 table t1 from snapshot s1")
    assert sorted(run(acc1, "select a from db1.t1")) == [(1,), (2,)]
    run(acc1, "delete from db1.t1")
    run(acc1, "restore account acc1 from snapshot s1")
    assert sorted(run(acc1, "select a from db1.t1")) == [(1,), (2,)]


def test_restore_from_snapshot_messages(lite_server) -> None:
    srv = lite_server()
    sys_root, acc1 = setup(srv)
    run(acc1, "create database db2")
    run(acc1, "create table db2.x (a int)")
    run(acc1, "create snapshot sd for database db1")
    run(acc1, "create snapshot st for table db1 t1")
    run(acc1, "create snapshot sa for account")
    run(sys_root, "create snapshot sysacc for account")
    run(sys_root, "create snapshot sa1 for account acc1")
    assert err(acc1, "restore account acc1 {snapshot = sd}") == ie("can't restore account from db or table level snapshot")
    assert err(acc1, "restore database db1 {snapshot = st}") == ie("can't restore db from table level snapshot")
    assert err(acc1, "restore database db2 {snapshot = sd}") == ie(
        "databaseName(db2) does not match snapshot.databaseName(db1)")
    assert err(acc1, "restore table db1.t2 {snapshot = st}") == ie("tableName(t2) does not match snapshot.tableName(t1)")
    assert err(acc1, "restore database acc2.db1 {snapshot = sd}") == ie("can't restore database from other account's snapshot")
    assert err(acc1, "restore table db2.nope {snapshot = sa}") == ie("table nope not exists at snapshot sa")
    assert err(sys_root, "restore cluster {snapshot = sysacc}") == ie("snapshot sysacc is not cluster level snapshot")
    assert err(sys_root, "restore account acc2 {snapshot = sa1}") == ie(
        "accountName(acc2) does not match snapshot.accountName(acc1)")
    assert err(sys_root, "restore account acc1 {snapshot = sa1} to account sys") == ie(
        "non-sys account's snapshot can't restore to sys account")
    assert err(sys_root, "restore account acc1 {snapshot = sa1} to account nope") == ie(
        "no such account, account name: nope")
    run(acc1, "restore database db1 {snapshot = sd}")
