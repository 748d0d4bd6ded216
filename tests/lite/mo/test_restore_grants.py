"""Roles, grants and memberships are part of an account's state at T (MatrixOne #26640 lost them).

An app user reads ``db1.t`` through a role. After an account restore to T (from a PITR and from a
snapshot; in place, into the dropped account, and into another account) the app user still reads
the restored ``db1.t`` (grants bind to the restored table, not the replaced one), a grant added after
T is gone, and a role dropped after T is back with its grant. Over TCP with PyMySQL and mysqlclient.
Before roles existed the setup itself failed (``CREATE ROLE`` was a 1064 syntax error).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.lite.conftest import server_now
from tests.lite.mo.test_roles_grants import DENIED, DRIVERS, err, login, q

SETUP = [
    "create database db1",
    "create table db1.t (a int)",
    "insert into db1.t values (1), (2)",
    "create table db1.later (a int)",
    "create role r_app",
    "grant select on table db1.t to r_app",
    "create role r_gone",
    "grant select on table db1.later to r_gone",
    "create user app identified by 'pw' default role r_app",
    "grant r_gone to app",
]
AFTER_T = [
    "insert into db1.t values (3)",
    "grant insert on table db1.t to r_app",  # added after T: gone after the restore
    "drop role r_gone",  # dropped after T: back after the restore
]


def _prepare(driver: str, srv: Any, ready: Callable[[Any, Any], None]) -> tuple[Any, Any, str]:
    root = login(driver, srv, "root")
    q(root, "create account acc1 admin_name 'admin' identified by '111'")
    adm = login(driver, srv, "acc1#admin")
    for sql in SETUP:
        q(adm, sql)
    ready(root, adm)
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    for sql in AFTER_T:
        q(adm, sql)
    app = login(driver, srv, "acc1#app", "pw")
    q(app, "insert into db1.t values (4)")  # the later grant works before the restore
    assert err(app, "set role r_gone")[0] == 20101
    return root, adm, t


def _check_at_t(driver: str, srv: Any, account: str = "acc1") -> None:
    app = login(driver, srv, f"{account}#app", "pw")
    assert q(app, "select a from db1.t order by a") == [(1,), (2,)]  # restored table, old grant
    assert err(app, "insert into db1.t values (5)") == DENIED  # the grant added after T is gone
    q(app, "set role r_gone")  # the role dropped after T is back, with its membership and grant
    assert q(app, "select count(*) from db1.later") == [(0,)]
    adm = login(driver, srv, f"{account}#admin")
    roles = [r[0] for r in q(adm, "select role_name from mo_catalog.mo_role order by role_id")]
    assert roles == ["public", "accountadmin", "r_app", "r_gone"]
    tid = q(adm, "select rel_id from mo_catalog.mo_tables where reldatabase = 'db1' and relname = 't'")[0][0]
    assert q(adm, "select obj_id, privilege_name from mo_catalog.mo_role_privs where role_name = 'r_app'") == [
        (tid, "select")]


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_restore_in_place_from_pitr(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    _, adm, t = _prepare(driver, srv, lambda root, adm: q(adm, "create pitr p range 1 'h'"))
    q(adm, f"restore from pitr p '{t}'")
    _check_at_t(driver, srv)


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_restore_from_snapshot(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    _, adm, _ = _prepare(driver, srv, lambda root, adm: q(adm, "create snapshot s1 for account"))
    q(adm, "restore account acc1 {snapshot = 's1'}")
    _check_at_t(driver, srv)


@pytest.mark.parametrize("driver", DRIVERS)
def test_dropped_account_restored_by_sys(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    root, _, t = _prepare(driver, srv, lambda root, adm: q(root, "create pitr pa for account acc1 range 1 'h'"))
    q(root, "drop account acc1")
    q(root, f"restore account acc1 from pitr pa '{t}'")
    _check_at_t(driver, srv)


@pytest.mark.parametrize("driver", DRIVERS)
def test_restore_into_another_account(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    root, _, _ = _prepare(driver, srv, lambda root, adm: q(root, "create snapshot sacc for account acc1"))
    q(root, "create account acc2 admin_name 'admin' identified by '111'")
    adm2 = login(driver, srv, "acc2#admin")
    q(adm2, "create user app identified by 'pw'")  # the target keeps its own users
    q(root, "restore account acc1 {snapshot = sacc} to account acc2")
    app2 = login(driver, srv, "acc2#app", "pw")
    assert err(app2, "select a from db1.t") == DENIED  # its active role is its default, public
    q(app2, "set role r_app")  # the copied membership (acc2 has a user app) and role with its grant
    assert q(app2, "select a from db1.t order by a") == [(1,), (2,)]


@pytest.mark.parametrize("driver", DRIVERS)
def test_cluster_restore_brings_back_roles(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    root, _, t = _prepare(driver, srv, lambda root, adm: q(root, "create pitr pc for cluster range 1 'd'"))
    q(root, f"restore cluster from pitr pc '{t}'")
    _check_at_t(driver, srv)


@pytest.mark.parametrize("driver", DRIVERS)
def test_database_restore_keeps_current_roles(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    _, adm, t = _prepare(driver, srv, lambda root, adm: q(adm, "create pitr p range 1 'h'"))
    q(adm, f"restore database db1 from pitr p '{t}'")  # roles are account state, not database state
    app = login(driver, srv, "acc1#app", "pw")
    assert q(app, "select a from db1.t order by a") == [(1,), (2,)]  # grant bound to the restored table
    q(app, "insert into db1.t values (5)")  # the grant added after T stays
    assert err(app, "set role r_gone")[0] == 20101  # the role dropped after T stays dropped
