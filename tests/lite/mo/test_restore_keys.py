"""Restores bring keys, indexes (with their visibility) and foreign keys back as they were at T.

MatrixOne's own restores lost an invisible index's visibility (#27078) and skipped FK-referenced
tables (#27117); matrixone_lite keeps the key set in each table's versioned schema. Over TCP with
PyMySQL and mysqlclient: account, database and cluster restores from a PITR and from snapshots,
and ``RESTORE TABLE`` of a referenced parent by emulated version (reference §11.2): v4.2.0 skips
it and reports success, later versions refuse it with ``not supported``. Before this, the setup
failed (``ALTER INDEX`` not supported) and the restored child accepted orphan rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, server_now
from tests.lite.mo.test_restore_views import DRIVERS, login, q

BEFORE = [
    "create database db1",
    "use db1",
    "create table p (id int primary key, v int)",
    "create table c (id int primary key, pid int, key kp (pid), "
    "constraint fk_cp foreign key (pid) references p (id) on delete cascade)",
    "alter table c alter index kp invisible",
    "insert into p values (1, 10), (2, 20)",
    "insert into c values (1, 1), (2, 2)",
]
AFTER = [
    "alter table c alter index kp visible",
    "alter table c drop foreign key fk_cp",
    "delete from p where id = 2",
    "insert into c values (3, 99)",
    "create index kv on p (v)",
]


def _changed_after_t(conn: Any, ready: Callable[[], None]) -> str:
    for sql in BEFORE:
        q(conn, sql)
    ready()
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    for sql in AFTER:
        q(conn, sql)
    assert [r[14] for r in q(conn, "show index from db1.c") if r[2] == "kp"] == ["YES"]
    return t


def _assert_as_at_t(conn: Any) -> None:
    assert [(r[2], r[14]) for r in q(conn, "show index from db1.c")] == [("PRIMARY", "YES"), ("kp", "NO")]
    assert [r[2] for r in q(conn, "show index from db1.p")] == ["PRIMARY"]
    assert "CONSTRAINT `fk_cp` FOREIGN KEY (`pid`) REFERENCES `p` (`id`) ON DELETE CASCADE" in (
        q(conn, "show create table db1.c")[0][1])
    assert q(conn, "select id from db1.p order by id") == [(1,), (2,)]
    assert q(conn, "select id, pid from db1.c order by id") == [(1, 1), (2, 2)]
    with pytest.raises(Exception) as ei:  # noqa: PT011 - each driver has its own class
        q(conn, "insert into db1.c values (5, 77)")
    assert ei.value.args[0] == 1452  # the foreign key is enforced again
    q(conn, "delete from db1.p where id = 1")
    assert q(conn, "select id from db1.c") == [(2,)]  # and cascades


@pytest.fixture
def srv(lite_server: Callable[..., LiteServer]) -> LiteServer:
    server = lite_server()
    root = connect(server)
    q(root, "create account acc1 admin_name 'root' identified by '111'")
    root.close()
    return server


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_and_database_restore_from_pitr(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(acc1, "create pitr pp range 1 'h'"))
    q(acc1, f"restore database db1 from pitr pp '{t}'")
    _assert_as_at_t(acc1)
    q(acc1, f"restore from pitr pp '{t}'")
    _assert_as_at_t(acc1)


@pytest.mark.parametrize("driver", DRIVERS)
def test_snapshot_restores_account_and_database(driver: str, srv: LiteServer) -> None:
    acc1 = login(driver, srv, "acc1#root")
    _changed_after_t(acc1, lambda: (q(acc1, "create snapshot sa for account"),
                                    q(acc1, "create snapshot sd for database db1")))
    q(acc1, "restore database db1 {snapshot = 'sd'}")
    _assert_as_at_t(acc1)
    q(acc1, "restore account acc1 {snapshot = 'sa'}")
    _assert_as_at_t(acc1)


@pytest.mark.parametrize("driver", DRIVERS)
def test_cluster_restore_from_pitr(driver: str, srv: LiteServer) -> None:
    sys_root = login(driver, srv, "root")
    acc1 = login(driver, srv, "acc1#root")
    t = _changed_after_t(acc1, lambda: q(sys_root, "create pitr pc for cluster range 1 'd'"))
    q(sys_root, f"restore cluster from pitr pc '{t}'")
    _assert_as_at_t(login(driver, srv, "acc1#root"))


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("version", ["4.2.0", "4.3.0"])
def test_restore_table_of_a_referenced_parent(
    driver: str, version: str, lite_server: Callable[..., LiteServer]
) -> None:
    server = lite_server(version=version)
    root = connect(server)
    q(root, "create account acc1 admin_name 'root' identified by '111'")
    root.close()
    acc1 = login(driver, server, "acc1#root")
    for sql in BEFORE[:3] + ["create table c (id int, pid int, foreign key (pid) references p (id))",
                             "insert into p values (1, 10)", "insert into c values (1, 1)"]:
        q(acc1, sql)
    q(acc1, "create pitr pp range 1 'h'")
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    q(acc1, "update p set v = 99")
    q(acc1, "insert into c values (2, 1)")
    if version == "4.2.0":
        q(acc1, f"restore database db1 table p from pitr pp '{t}'")  # reports success (#27117) ...
        assert q(acc1, "select v from db1.p") == [(99,)]  # ... and keeps the post-T value
    else:
        with pytest.raises(Exception) as ei:  # noqa: PT011 - each driver has its own class
            q(acc1, f"restore database db1 table p from pitr pp '{t}'")
        assert ei.value.args[0] == 20105 and ei.value.args[1].startswith("not supported: ")
        assert q(acc1, "select v from db1.p") == [(99,)]
    q(acc1, f"restore database db1 table c from pitr pp '{t}'")  # a child is not referenced: restored
    assert q(acc1, "select id from db1.c") == [(1,)]
