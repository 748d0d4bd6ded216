"""Sequences in restores, per emulated version (MatrixOne #27049 lost them; #27401 restores them).

MatrixOne main after v4.2.0 brings a sequence back with a database, account or cluster restore, from
a PITR or a snapshot, with the value (``last_seq_num``, ``is_called``) it had at T, so ``nextval``
continues from there. Up to v4.2.0 MatrixOne silently dropped sequences in those restores; the
emulation does the same for those versions (the known bug, documented in docs/lite/index.md).
Over TCP with PyMySQL and mysqlclient. Before sequences existed the setup failed with
``not supported: CREATE SEQUENCE``.
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
FIXED = "4.2.1"  # any version after v4.2.0 has #27401
BUGGY = "4.2.0"


def login(driver: str, srv: LiteServer, user: str) -> Any:
    return driver_connect(srv, user, "111", driver=driver)


def make_server(lite_server: Callable[..., LiteServer], version: str) -> LiteServer:
    server = lite_server(version=version)
    root = connect(server)
    for acc in ("acc1", "acc2"):
        q(root, f"create account {acc} admin_name 'root' identified by '111'")
    root.close()
    return server


def _changed_after_t(conn: Any, ready: Callable[[], None]) -> str:
    """s_used at 12 (called) and s_fresh never called at T; both change or vanish after T."""
    for sql in (
        "create database db1",
        "use db1",
        "create table t1 (a int)",
        "create sequence s_used increment by 4 start with 8",
        "create sequence s_fresh start 100",
        "insert into t1 values (nextval('s_used')), (nextval('s_used'))",
    ):
        q(conn, sql)
    ready()
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    for sql in (
        "select nextval('s_used')",
        "select nextval('s_used')",
        "select nextval('s_fresh')",
        "create sequence s_new",
        "drop sequence s_fresh",
    ):
        q(conn, sql)
    assert q(conn, "show sequences from db1") == [("s_used", "BIGINT"), ("s_new", "BIGINT")]
    return t


def _assert_as_at_t(conn: Any) -> None:
    q(conn, "use db1")
    assert q(conn, "show sequences") == [("s_used", "BIGINT"), ("s_fresh", "BIGINT")]
    assert q(conn, "select last_seq_num, is_called from s_used") == [(12, 1)]
    assert q(conn, "select nextval('s_used')") == [("16",)]  # continues from the value at T
    assert q(conn, "select nextval('s_fresh')") == [("100",)]  # not called at T: starts at its start
    assert q(conn, "select a from t1") == [(8,), (12,)]


def _assert_dropped(conn: Any) -> None:
    """v4.2.0 and older: the restored database has its tables but no sequences (#27049)."""
    q(conn, "use db1")
    assert q(conn, "show sequences") == []
    assert q(conn, "select a from t1") == [(8,), (12,)]
    with pytest.raises(Exception) as ei:  # noqa: PT011 - driver error classes differ
        q(conn, "select nextval('s_used')")
    assert ei.value.args[0] == 1146


@pytest.mark.parametrize("driver", DRIVERS)
def test_database_restore_from_pitr_brings_sequences_back_with_their_value(
    driver: str, lite_server: Callable[..., LiteServer]
) -> None:
    acc1 = login(driver, make_server(lite_server, FIXED), "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr p range 1 'h'"))
    q(acc1, f"restore database db1 from pitr p '{t}'")
    _assert_as_at_t(acc1)


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_and_cluster_restores_from_snapshots(driver: str, lite_server: Callable[..., LiteServer]) -> None:
    srv = make_server(lite_server, FIXED)
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")

    def snapshots() -> None:
        q(acc1, "create snapshot sa for account")
        q(sys_root, "create snapshot sc for cluster")

    _changed_after_t(acc1, snapshots)
    q(acc1, "restore account acc1 {snapshot = 'sa'}")
    _assert_as_at_t(acc1)
    q(acc1, "select nextval('s_used')")  # 20
    q(sys_root, "drop account acc1")
    q(sys_root, "restore cluster {snapshot = sc}")
    _assert_as_at_t(login(driver, srv, "acc1#root"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_restore_from_pitr_into_another_account(driver: str, lite_server: Callable[..., LiteServer]) -> None:
    srv = make_server(lite_server, FIXED)
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(sys_root, "create pitr pc for cluster range 1 'd'"))
    q(sys_root, f"restore account acc2 from pitr pc '{t}' acc1")
    _assert_as_at_t(login(driver, srv, "acc2#root"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_up_to_4_2_0_restores_silently_drop_sequences(driver: str, lite_server: Callable[..., LiteServer]) -> None:
    srv = make_server(lite_server, BUGGY)
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr p range 1 'h'"))
    q(acc1, f"restore database db1 from pitr p '{t}'")
    _assert_dropped(acc1)
    q(sys_root, "create pitr pc for cluster range 1 'd'")
    q(acc1, "create sequence s_again")
    time.sleep(0.02)
    t2 = server_now()
    q(sys_root, f"restore cluster from pitr pc '{t2}'")
    assert q(acc1, "show sequences from db1") == []
