"""PITR statements over TCP: every applicable message of matrixone-pitr.md §4.7, check orders,
creator-scoped SHOW PITR, lifecycle, window edges and restore levels."""

from __future__ import annotations

import time
from datetime import datetime

import pymysql
import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run, server_now
from tests.support.sql import err
from tests.support.sql import internal_error as ie


@pytest.fixture
def env(lite_server):
    srv: LiteServer = lite_server()
    sys_root = connect(srv)
    for acc in ("acc1", "acc2"):
        run(sys_root, f"create account {acc} admin_name 'root' identified by '111'")
    acc1 = connect(srv, "acc1#root")
    for sql in ("create database db1", "create table db1.t1 (a int)", "create table db1.t2 (a int)",
                "insert into db1.t1 values (1), (2)"):
        run(acc1, sql)
    return srv, sys_root, acc1


def test_create_pitr_messages_and_check_order(env) -> None:
    srv, sys_root, acc1 = env
    # 1064 with MatrixOne's parser text and position
    code, msg = err(acc1, "create pitr p if not exists range 1 'h'")
    assert code == 1064
    assert msg == ("SQL parser error: You have an error in your SQL syntax; check the manual that corresponds to "
                   "your MatrixOne server version for the right syntax to use. syntax error at line 1 column 16 "
                   "near \" if not exists range 1 'h'\";")
    assert err(acc1, "create pitr p range -1 'h'")[0] == 1064
    # role check comes first
    public = connect(srv, "acc1#root#public")
    for sql in ("create pitr p for cluster range 0 'x'", "show pitr", "drop pitr p", "alter pitr p range 1 'h'",
                "restore from pitr p '2024-01-01 00:00:00'", "show snapshots"):
        assert err(public, sql) == ie("do not have privilege to execute the statement"), sql
    assert err(acc1, "create pitr p for cluster range 0 'x'") == ie("only sys tenant can create cluster level pitr")
    assert err(acc1, "create pitr p for account acc1 range 0 'x'") == ie(
        "only sys tenant can create tenant level pitr for other tenant")
    assert err(acc1, "create pitr p range 0 'x'") == ie("invalid pitr value 0")
    assert err(acc1, "create pitr p range 101 'h'") == ie("invalid pitr value 101")
    assert err(acc1, "create pitr p range 1 'day'") == ie("invalid pitr unit day")
    assert err(acc1, "create pitr p range 1 'YY'") == ie("invalid pitr unit yy")
    assert err(acc1, "create pitr sys_mo_catalog_pitr range 1 'h'") == ie("pitr name is reserved")
    assert err(acc1, "create pitr `a b` range 1 'h'") == ie("invalid input")
    run(acc1, "create pitr p range 1 'H'")  # the unit is lower-cased before the check
    assert err(acc1, "create pitr p range 1 'h'") == ie("pitr p already exists")
    run(acc1, "create pitr if not exists p range 5 'd'")  # no-op
    assert err(acc1, "create pitr p2 range 1 'h'") == ie("account `acc1` already has a pitr")
    assert err(acc1, "create pitr p2 for database mo_catalog range 1 'h'") == ie(
        "can not create pitr for current database mo_catalog")
    assert err(acc1, "create pitr p2 for table mysql user range 1 'h'") == ie(
        "can not create pitr for current table mysql.user")
    assert err(acc1, "create pitr p2 for database nodb range 1 'h'") == ie("database nodb does not exist")
    run(acc1, "create pitr p2 for database db1 range 1 'h'")
    assert err(acc1, "create pitr p3 for database db1 range 2 'h'") == ie("database `db1` already has a pitr")
    assert err(acc1, "create pitr p3 for table db1 nope range 1 'h'") == ie("table db1.nope does not exist")
    run(acc1, "create pitr p3 for table db1 t1 range 1 'h'")  # table + database PITR coexist (#19436)
    assert err(acc1, "create pitr p4 for database db1 table t1 range 1 'h'") == ie(
        "database `db1` table `t1` already has a pitr")
    # sys side
    assert err(sys_root, "create pitr s1 for account nope range 1 'h'") == ie("account nope does not exist")
    run(sys_root, "create pitr s1 for cluster range 1 'h'")
    assert err(sys_root, "create pitr s2 for cluster range 1 'h'") == ie("cluster level pitr already exists")
    run(sys_root, "create pitr p for account acc1 range 1 'h'")  # same name, other creator: allowed
    assert [r[0] for r in run(acc1, "show pitr")] == ["p3", "p2", "p"]  # newest first
    row = {r[0]: r for r in run(acc1, "show pitr")}["p"]
    assert row[3:] == ("account", "acc1", "*", "*", 1, "h")
    assert {r[0]: r[3:7] for r in run(acc1, "show pitr")}["p3"] == ("table", "acc1", "db1", "t1")


def test_show_pitr_is_creator_scoped_and_where_lowercases_headers(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create pitr sp for account acc1 range 2 'd'")
    run(acc1, "create pitr ap range 1 'mo'")
    assert [r[0] for r in run(sys_root, "show pitr")] == ["sp"]
    assert [r[0] for r in run(acc1, "show pitr")] == ["ap"]
    acc2 = connect(srv, "acc2#root")
    assert run(acc2, "show pitr") == []
    with acc1.cursor() as cur:
        cur.execute("show pitr")
        assert [d[0] for d in cur.description][:2] == ["PITR_NAME", "CREATED_TIME"]
        cur.execute("show pitr where CAST_RANGE_VALUE_UNIT(PITR_LENGTH, PITR_UNIT) >= CAST_RANGE_VALUE_UNIT(29, 'd')")
        assert [d[0] for d in cur.description] == ["pitr_name", "created_time", "modified_time", "pitr_level",
                                                  "account_name", "database_name", "table_name", "pitr_length",
                                                  "pitr_unit"]
        assert [r[0] for r in cur.fetchall()] == ["ap"]
        cur.execute("show pitr where pitr_name = 'nope' or (PITR_LEVEL = 'account' and not pitr_unit != 'mo')")
        assert [r[0] for r in cur.fetchall()] == ["ap"]
        cur.execute("show pitr where pitr_name like 'x%'")
        assert cur.fetchall() == ()
    created = run(acc1, "show pitr")[0][1]
    assert isinstance(created, datetime)
    # times are shown in the session time zone
    run(acc1, "set time_zone = '+00:00'")
    utc_created = run(acc1, "show pitr")[0][1]
    assert (created - utc_created).total_seconds() == 8 * 3600


def test_alter_and_drop_pitr(env) -> None:
    _srv, sys_root, acc1 = env
    run(acc1, "create pitr p range 1 'h'")
    before = run(acc1, "show pitr")[0]
    time.sleep(1.05)
    run(acc1, "alter pitr p range 0 'D'")  # ALTER accepts 0 (MatrixOne quirk)
    after = run(acc1, "show pitr")[0]
    assert after[7:] == (0, "d") and after[1] == before[1] and after[2] > before[2]
    assert err(acc1, "alter pitr p range 101 'h'") == ie("invalid pitr value 101")
    assert err(acc1, "alter pitr p range 1 'week'") == ie("invalid pitr unit week")
    assert err(acc1, "alter pitr nope range 1 'h'") == ie("pitr nope does not exist")
    assert err(acc1, "alter pitr nope range 101 'h'") == ie("invalid pitr value 101")  # value before existence
    run(acc1, "alter pitr if exists nope range 1 'h'")
    assert err(sys_root, "drop pitr p") == ie("pitr p does not exist")  # only the creator sees it
    run(sys_root, "drop pitr if exists p")
    run(acc1, "drop pitr p")
    assert run(acc1, "show pitr") == []
    assert err(acc1, "drop pitr p") == ie("pitr p does not exist")


def test_pitr_lifecycle_status_and_dropped_account(env) -> None:
    srv, sys_root, acc1 = env
    run(acc1, "create pitr pd for database db1 range 1 'h'")
    run(acc1, "drop database db1")
    status = dict(run(sys_root, "select pitr_name, pitr_status from mo_catalog.mo_pitr"))
    assert status == {"pd": 0}
    assert [r[0] for r in run(acc1, "show pitr")] == ["pd"]  # inactive PITRs are still listed
    run(acc1, "create database db1")
    run(acc1, "create pitr pd2 for database db1 range 1 'h'")  # allowed: the old one is inactive
    run(sys_root, "create pitr sacc for account acc1 range 1 'h'")
    run(sys_root, "drop account acc1")
    status = dict(run(sys_root, "select pitr_name, pitr_status from mo_catalog.mo_pitr"))
    assert status == {"sacc": 0}  # PITRs created by acc1 are deleted, the one covering it is inactive
    run(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    assert run(connect(srv, "acc1#root"), "show pitr") == []


def test_pitr_statements_refused_inside_transaction(env) -> None:
    _srv, _sys_root, acc1 = env
    run(acc1, "begin")
    assert err(acc1, "create pitr p range 1 'h'") == ie("unclassified statement appears in uncommitted transaction")
    assert err(acc1, "show snapshots") == ie("unclassified statement appears in uncommitted transaction")
    run(acc1, "rollback")
    run(acc1, "create pitr p range 1 'h'")


def test_restore_check_order_and_level_messages(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create database sdb")
    run(sys_root, "create pitr sc for cluster range 1 'h'")
    run(sys_root, "create pitr sa for account sys range 1 'h'")
    run(sys_root, "create pitr sacc1 for account acc1 range 1 'h'")
    run(acc1, "create pitr pa range 1 'h'")
    run(acc1, "create pitr pt for table db1 t1 range 1 'h'")
    run(acc1, "create database db2")
    run(acc1, "create pitr pd for database db2 range 1 'h'")
    time.sleep(0.02)
    t = server_now()
    # ts parse error comes before the PITR lookup
    assert err(acc1, "restore from pitr nope '2024-01-01'")[0] == 1105
    assert err(acc1, f"restore from pitr nope '{t}'") == ie("pitr nope does not exist")
    assert err(acc1, f"restore database mo_catalog from pitr pa '{t}'") == ie("database mo_catalog can not be restore")
    assert err(acc1, f"restore database db1 from pitr pt '{t}'") == ie(
        "restore level table is not allowed for database restore")
    assert err(acc1, f"restore database db1 from pitr pd '{t}'") == ie("pitr pd is not allowed to restore database db1")
    assert err(acc1, f"restore database db1 table t2 from pitr pt '{t}'") == ie(
        "pitr pt is not allowed to restore table db1.t2")
    assert err(acc1, f"restore database db1 table t2 from pitr pd '{t}'") == ie(
        "pitr pd is not allowed to restore database db1 table t2")
    assert err(acc1, f"restore from pitr pt '{t}'") == ie("restore level table is not allowed for account restore")
    assert err(acc1, f"restore cluster from pitr pa '{t}'") == ie("restore level account is not allowed for cluster restore")
    assert err(acc1, f"restore account acc1 from pitr pa '{t}'") == ie(
        "account acc1 is not allowed to restore other account acc1")
    assert err(acc1, f"restore account acc2 database db1 from pitr pa '{t}'") == ie(
        "account acc1 is not allowed to restore database db1")
    assert err(acc1, f"restore account acc2 database db1 table t1 from pitr pa '{t}'") == ie(
        "account acc1 is not allowed to restore table db1.t1")
    assert err(sys_root, f"restore from pitr sc '{t}'") == ie("restore level cluster is not allowed for account restore")
    assert err(sys_root, f"restore from pitr sacc1 '{t}'") == ie("pitr sacc1 is not allowed to restore account sys")
    assert err(sys_root, f"restore account sys from pitr sa '{t}'") == ie(
        "can not restore sys account to new account sys by pitr sa")
    assert err(sys_root, f"restore account acc2 from pitr sc '{t}'") == ie(
        "can not restore account acc2 by pitr sc, source account is empty")
    assert err(sys_root, f"restore account acc2 from pitr sacc1 '{t}' acc1") == ie(
        "can not restore account acc1 by pitr sacc1, the pitr level is not cluster")
    assert err(sys_root, f"restore account acc2 from pitr sc '{t}' sys") == ie(
        "can not restore sys account to new account acc2 by pitr sc")
    assert err(sys_root, f"restore account sys from pitr sc '{t}' acc1") == ie(
        "can not restore account acc1 to sys account by pitr sc")
    assert err(sys_root, f"restore database sdb from pitr sc '{t}'") == ie(
        "cluster level pitr `cluster` is not allowed for database restore")
    assert err(sys_root, f"restore database sdb table x from pitr sc '{t}'") == ie(
        "cluster level pitr `cluster` is not allowed for table restore")
    run(sys_root, "create table sdb.x (a int)")
    run(sys_root, "create pitr sdbp for database sdb range 1 'h'")
    t2 = server_now()
    assert err(sys_root, f"restore account acc1 from pitr sdbp '{t2}'") == ie("can not restore account acc1 by pitr sdbp")
    assert err(sys_root, f"restore database sdb from pitr sacc1 '{t}'") == ie(
        "pitr sacc1 is not allowed to restore account sys database sdb")
    assert err(sys_root, f"restore database sdb table x from pitr sacc1 '{t}'") == ie(
        "pitr sacc1 is not allowed to restore account sys database sdb table x")
    assert err(acc1, f"restore database nodb from pitr pa '{t}'") == ie(
        f"database 'nodb' does not exists at timestamp: {t[:19]}")
    assert err(acc1, f"restore database db1 table nope from pitr pa '{t}'") == ie(
        f"database 'db1' table 'nope' does not exists at timestamp: {t[:19]}")


def test_restore_window_edges(env) -> None:
    srv, _sys_root, acc1 = env
    before = server_now()
    time.sleep(0.02)
    run(acc1, "create pitr p range 1 'h'")
    created = run(acc1, "show pitr")[0][1].strftime("%Y-%m-%d %H:%M:%S")
    code, msg = err(acc1, f"restore from pitr p '{before}'")
    assert (code, msg) == ie(f"input timestamp {before[:19]} is less than the pitr valid time {created}")
    future = "2999-01-01 00:00:00"
    code, msg = err(acc1, f"restore from pitr p '{future}'")
    assert code == 20101 and msg.startswith(f"internal error: input timestamp {future} is bigger than now timestamp ")
    # move the PITR's creation two hours back: a 1 h range now starts after it
    srv.engine.storage.execute_system(None, "UPDATE __mo_pitr SET create_time = create_time - 7200000000000")
    old = datetime.fromtimestamp(time.time() - 5400).astimezone(srv.context.zone).strftime("%Y-%m-%d %H:%M:%S")
    code, msg = err(acc1, f"restore from pitr p '{old}'")
    assert code == 20101 and msg.startswith(f"internal error: input timestamp {old} is less than the pitr range "
                                            "minest timestamp ")
    time.sleep(0.02)
    run(acc1, f"restore from pitr p '{server_now()}'")  # inside the window: works


def test_restore_table_and_cluster(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create pitr pc for cluster range 1 'd'")
    run(acc1, "create pitr pt for database db1 table t1 range 1 'h'")
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    run(acc1, "delete from db1.t1 where a = 1")
    run(acc1, "insert into db1.t2 values (9)")
    run(sys_root, "create account acc3 admin_name 'root' identified by '111'")
    run(sys_root, "drop account acc2")
    run(acc1, f"restore database db1 table t1 from pitr pt '{t}'")
    assert sorted(run(acc1, "select a from db1.t1")) == [(1,), (2,)]
    assert run(acc1, "select a from db1.t2") == [(9,)]  # other tables untouched
    run(sys_root, f"restore cluster from pitr pc '{t}'")
    names = [r[0] for r in run(sys_root, "show accounts")]
    assert "acc2" in names and "acc3" not in names
    assert run(connect(srv, "acc1#root"), "select a from db1.t2") == []
    run(connect(srv, "acc2#root"), "select 1")  # the dropped account is back and can log in


def test_account_statements(env) -> None:
    srv, sys_root, acc1 = env
    assert err(acc1, "create account x admin_name 'a' identified by 'b'") == ie(
        "do not have privilege to execute the statement")
    assert err(acc1, "show accounts") == ie("do not have privilege to execute the statement")
    assert err(sys_root, "create account acc1 admin_name 'a' identified by 'b'") == ie("the tenant acc1 exists")
    run(sys_root, "create account if not exists acc1 admin_name 'a' identified by 'b'")
    rows = run(sys_root, "show accounts")
    assert [r[0] for r in rows] == ["sys", "acc1", "acc2"]
    assert {r[0]: r[1] for r in rows}["acc1"] == "root"
    run(sys_root, "drop account if exists nope")
    assert err(sys_root, "drop account nope") == ie("there is no account nope")
    run(sys_root, "drop account acc2")
    assert [r[0] for r in run(sys_root, "show accounts like 'acc%'")] == ["acc1"]


def test_sys_restores_a_dropped_account_in_place(env) -> None:
    srv, sys_root, acc1 = env
    run(sys_root, "create pitr pacc for account acc1 range 1 'h'")
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    run(sys_root, "drop account acc1")
    with pytest.raises(pymysql.MySQLError):
        connect(srv, "acc1#root")
    run(sys_root, f"restore account acc1 from pitr pacc '{t}'")
    back = connect(srv, "acc1#root")
    assert sorted(run(back, "select a from db1.t1")) == [(1,), (2,)]
