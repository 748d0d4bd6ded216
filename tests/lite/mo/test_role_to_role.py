"""GRANT role TO role over TCP with PyMySQL and mysqlclient (issue 11, point 5).

MatrixOne v4.2.0 (``pkg/frontend/authenticate.go`` doGrantRole/doRevokeRole): a role granted to
another role gives it its privileges, transitively; a loop is ``cannot grant role r1 to r2`` (4027,
ER_ROLE_GRANTED_TO_ITSELF); the grants are ``mo_catalog.mo_role_grant`` rows and come back with an
account restore as they were at T. Before: ``GRANT r1 TO r2`` answered ``there is no user r2``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.lite.conftest import server_now
from tests.lite.mo.test_roles_grants import DENIED, DRIVERS, err, login, q

SETUP = [
    "create database db1",
    "create table db1.t (a int)",
    "insert into db1.t values (1)",
    "create role r_read",
    "create role r_mid",
    "create role r_app",
    "grant select on table db1.t to r_read",
    "grant r_read to r_mid",
    "grant r_mid to r_app",
    "create user app identified by 'pw' default role r_app",
]


def _tenant(driver: str, lite_server: Any) -> tuple[Any, Any, Any]:
    srv = lite_server()
    root = login(driver, srv, "root")
    q(root, "create account acc1 admin_name 'admin' identified by '111'")
    adm = login(driver, srv, "acc1#admin")
    for sql in SETUP:
        q(adm, sql)
    return srv, root, adm


@pytest.mark.parametrize("driver", DRIVERS)
def test_inherited_privileges_and_revoke(driver: str, lite_server: Any) -> None:
    srv, _root, adm = _tenant(driver, lite_server)
    app = login(driver, srv, "acc1#app", "pw")
    assert q(app, "select a from db1.t") == [(1,)]  # through r_app <- r_mid <- r_read
    assert err(app, "insert into db1.t values (2)") == DENIED
    q(adm, "revoke r_read from r_mid")
    assert err(app, "select a from db1.t") == DENIED
    q(adm, "grant r_read to r_app")  # directly this time
    assert q(app, "select a from db1.t") == [(1,)]
    q(adm, "drop role r_read")  # its grants to other roles go with it
    assert err(app, "select a from db1.t") == DENIED
    assert q(adm, "select count(*) from mo_catalog.mo_role_grant") == [(1,)]  # r_mid -> r_app


@pytest.mark.parametrize("driver", DRIVERS)
def test_refusals_with_matrixone_texts(driver: str, lite_server: Any) -> None:
    _srv, _root, adm = _tenant(driver, lite_server)
    assert err(adm, "grant r_app to r_read") == (4027, "cannot grant role r_app to r_read")  # r_read reaches r_app
    assert err(adm, "grant r_mid to r_mid") == (4027, "cannot grant role r_mid to r_mid")
    assert err(adm, "grant r_read to nobody") == (20101, "internal error: there is no role or user nobody")
    assert err(adm, "grant nope to r_app") == (20101, "internal error: there is no role nope")
    assert err(adm, "grant accountadmin to r_app") == (
        20101, "internal error: the role accountadmin can not be granted to the other role r_app")
    assert err(adm, "grant public to r_app") == (
        20101, "internal error: the role public can not be granted to the other role r_app")
    assert err(adm, "grant r_app to public") == (20101, "internal error: the role r_app can not be granted to the role public")
    assert err(adm, "revoke public from r_app") == (20101, "internal error: the role public can not be revoked")
    assert err(adm, "grant accountadmin to app") == (
        20101, "internal error: the role accountadmin can not be granted to non administration user app")
    q(adm, "grant accountadmin to admin")  # the account's administrator: accepted, already held
    assert q(adm, "select count(*) from mo_catalog.mo_user_grant where role_id = 2") == [(1,)]
    q(adm, "revoke if exists r_read from nobody")  # IF EXISTS skips a missing grantee
    assert q(adm, "select count(*) from mo_catalog.mo_role_grant") == [(2,)]


@pytest.mark.parametrize("driver", DRIVERS)
def test_mo_role_grant_and_account_restore(driver: str, lite_server: Any) -> None:
    srv, _root, adm = _tenant(driver, lite_server)
    q(adm, "create pitr p range 1 'h'")
    ids = dict(q(adm, "select role_name, role_id from mo_catalog.mo_role"))
    assert q(adm, "select granted_id, grantee_id, with_grant_option from mo_catalog.mo_role_grant "
                  "order by granted_id") == [(ids["r_read"], ids["r_mid"], 0), (ids["r_mid"], ids["r_app"], 0)]
    assert [c[0] for c in _cols(adm, "select * from mo_catalog.mo_role_grant")] == [
        "granted_id", "grantee_id", "operation_role_id", "operation_user_id", "granted_time", "with_grant_option"]
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    q(adm, "revoke r_mid from r_app")
    q(adm, "grant r_read to r_app with grant option")
    app = login(driver, srv, "acc1#app", "pw")
    assert q(app, "select a from db1.t") == [(1,)]  # through the direct grant now
    assert q(adm, f"select count(*) from mo_catalog.mo_role_grant {{as of timestamp '{t}'}}") == [(2,)]
    q(adm, f"restore from pitr p '{t}'")
    assert q(adm, "select granted_id, grantee_id, with_grant_option from mo_catalog.mo_role_grant "
                  "order by granted_id") == [(ids["r_read"], ids["r_mid"], 0), (ids["r_mid"], ids["r_app"], 0)]
    app = login(driver, srv, "acc1#app", "pw")
    assert q(app, "select a from db1.t") == [(1,)]  # through r_mid again
    q(adm, "revoke r_mid from r_app")
    assert err(app, "select a from db1.t") == DENIED  # no direct grant: it was after T


def _cols(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    try:
        cur.execute(sql)
        cur.fetchall()
        return list(cur.description or [])
    finally:
        cur.close()
