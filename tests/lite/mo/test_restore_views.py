"""Views are part of an account's and a database's state at T (MatrixOne #26070 lost them on restore).

Restores of an account, a database and the cluster, from a PITR and from snapshots, over TCP with
PyMySQL and mysqlclient, bring views back as they were at T: defined at T -> present, created after
T -> gone, redefined after T -> the old definition, dropped after T -> back. A table-level restore
leaves views alone. Before views existed, the setup itself failed with ``not supported: CREATE VIEW``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, server_now
from tests.support.sql import connect as driver_connect
from tests.support.sql import run as q

DRIVERS = ["mysqlclient", "pymysql"]


def login(driver: str, srv: LiteServer, user: str) -> Any:
    return driver_connect(srv, user, "111", driver=driver)


BEFORE = [
    "create database db1",
    "create table db1.t1 (a int)",
    "insert into db1.t1 values (1), (2)",
    "use db1",
    "create view v_keep as select a from t1",
    "create view v_redef as select a from t1 where a = 1",
    "create view v_drop as select count(*) as n from t1",
    "create view v_on as select a from v_keep",  # a view on a view
    "create database db2",
    "create view db2.v_x as select a from t1",  # body resolves in db1 (the session's database)
]
AFTER = [
    "drop view v_drop",
    "create or replace view v_redef as select a from t1 where a = 2",
    "create view v_new as select 1 as one",
    "insert into t1 values (3)",
    "drop database db2",
]
AT_T = [("t1", "BASE TABLE"), ("v_drop", "VIEW"), ("v_keep", "VIEW"), ("v_on", "VIEW"), ("v_redef", "VIEW")]


def _script(conn: Any, stmts: list[str]) -> None:
    for sql in stmts:
        q(conn, sql)


def _changed_after_t(conn: Any, ready: Callable[[], None]) -> str:
    """Run BEFORE, call ``ready`` (creates the PITR/snapshot), take T, run AFTER; return T."""
    _script(conn, BEFORE)
    ready()
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    _script(conn, AFTER)
    assert q(conn, "show full tables from db1") == [
        ("t1", "BASE TABLE"), ("v_keep", "VIEW"), ("v_new", "VIEW"), ("v_on", "VIEW"), ("v_redef", "VIEW")]
    return t


def _assert_as_at_t(conn: Any, with_db2: bool = True) -> None:
    assert q(conn, "show full tables from db1") == AT_T
    assert q(conn, "select a from db1.v_redef") == [(1,)]
    assert q(conn, "show create view db1.v_redef")[0][1] == "create view v_redef as select a from t1 where a = 1"
    assert q(conn, "select n from db1.v_drop") == [(2,)]
    assert sorted(q(conn, "select a from db1.v_on")) == [(1,), (2,)]
    if with_db2:
        assert q(conn, "show full tables from db2") == [("v_x", "VIEW")]
        assert sorted(q(conn, "select a from db2.v_x")) == [(1,), (2,)]


@pytest.fixture
def srv(lite_server: Callable[..., LiteServer]) -> LiteServer:
    server = lite_server()
    root = connect(server)
    for acc in ("acc1", "acc2"):
        q(root, f"create account {acc} admin_name 'root' identified by '111'")
    root.close()
    return server


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_restore_from_pitr(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr p range 1 'h'"))
    q(acc1, f"restore from pitr p '{t}'")
    _assert_as_at_t(acc1)


@pytest.mark.parametrize("driver", DRIVERS)
def test_database_restore_from_pitr(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr p range 1 'h'"))
    q(acc1, f"restore database db1 from pitr p '{t}'")
    _assert_as_at_t(acc1, with_db2=False)
    assert q(acc1, "show databases like 'db2'") == []  # only db1 was restored


@pytest.mark.parametrize("driver", DRIVERS)
def test_cluster_restore_from_pitr_and_dropped_account(driver: str, srv: LiteServer) -> None:
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(sys_root, "create pitr pc for cluster range 1 'd'"))
    q(sys_root, "drop account acc1")
    q(sys_root, f"restore cluster from pitr pc '{t}'")
    _assert_as_at_t(login(driver, srv, "acc1#root"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_sys_restores_dropped_account_with_its_views(driver: str, srv: LiteServer) -> None:
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(sys_root, "create pitr pacc for account acc1 range 1 'h'"))
    q(sys_root, "drop account acc1")
    q(sys_root, f"restore account acc1 from pitr pacc '{t}'")
    _assert_as_at_t(login(driver, srv, "acc1#root"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_snapshot_restores_account_database_cluster_and_other_account(driver: str, srv: LiteServer) -> None:
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")

    def snapshots() -> None:
        q(acc1, "create snapshot sa for account")
        q(acc1, "create snapshot sd for database db1")
        q(sys_root, "create snapshot sc for cluster")
        q(sys_root, "create snapshot sacc for account acc1")

    _changed_after_t(acc1, snapshots)
    q(acc1, "restore database db1 {snapshot = 'sd'}")
    _assert_as_at_t(acc1, with_db2=False)
    _script(acc1, ["use db1", *AFTER[:3]])  # change the views again
    q(acc1, "restore account acc1 {snapshot = 'sa'}")
    _assert_as_at_t(acc1)
    q(sys_root, "restore account acc1 {snapshot = sacc} to account acc2")
    _assert_as_at_t(login(driver, srv, "acc2#root"))
    _script(acc1, ["use db1", *AFTER])
    q(sys_root, "restore cluster {snapshot = sc}")
    _assert_as_at_t(login(driver, srv, "acc1#root"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_table_restore_leaves_views_alone(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr p range 1 'h'"))
    q(acc1, f"restore database db1 table t1 from pitr p '{t}'")
    assert q(acc1, "show full tables from db1") == [
        ("t1", "BASE TABLE"), ("v_keep", "VIEW"), ("v_new", "VIEW"), ("v_on", "VIEW"), ("v_redef", "VIEW")]
    assert q(acc1, "show create view db1.v_redef")[0][1].endswith("where a = 2")  # today's definition
    assert q(acc1, "select a from db1.v_redef") == [(2,)]  # over the restored rows (1, 2)
    assert q(acc1, "select count(*) from db1.v_keep") == [(2,)]  # row 3 (after T) is gone from the table
    assert sorted(q(acc1, "select a from db1.v_on")) == [(1,), (2,)]
    assert q(acc1, "show databases like 'db2'") == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_time_travel_reads_at_t_through_views_after_they_changed(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    _script(acc1, BEFORE)
    time.sleep(0.02)
    ts = time.time_ns()
    time.sleep(0.02)
    _script(acc1, AFTER)
    assert q(acc1, f"show full tables from db1 {{MO_TS = {ts}}}") == AT_T
    assert q(acc1, f"select a from db1.v_redef {{MO_TS = {ts}}}") == [(1,)]
    assert q(acc1, f"select n from db1.v_drop {{MO_TS = {ts}}}") == [(2,)]
    assert sorted(q(acc1, f"select a from db2.v_x {{MO_TS = {ts}}}")) == [(1,), (2,)]
