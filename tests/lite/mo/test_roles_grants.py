"""Roles, grants and their enforcement over TCP (issue 11 point 5), with PyMySQL and mysqlclient.

Before this, ``CREATE ROLE`` and ``GRANT`` were syntax errors (1064) and every user of an account
could read and write every table: each test here fails on that code at its first role statement.
"""

from __future__ import annotations

from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.support.sql import connect as driver_connect
from tests.support.sql import err
from tests.support.sql import run as q

DRIVERS = ["mysqlclient", "pymysql"]
DENIED = (20101, "internal error: do not have privilege to execute the statement")


def login(driver: str, srv: LiteServer, user: str, password: str = "111") -> Any:
    return driver_connect(srv, user, password, driver=driver)


def _tenant(driver: str, srv: LiteServer) -> Any:
    root = login(driver, srv, "root")
    q(root, "create account acc1 admin_name 'admin' identified by '111'")
    adm = login(driver, srv, "acc1#admin")
    for sql in ["create database db1", "create table db1.t (a int)", "insert into db1.t values (1), (2)",
                "create table db1.u (a int)", "create database db2", "create table db2.x (a int)"]:
        q(adm, sql)
    return adm


@pytest.mark.parametrize("driver", DRIVERS)
def test_role_grants_select_through_role(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    adm = _tenant(driver, srv)
    q(adm, "create role r_read")
    q(adm, "grant select on table db1.t to r_read")
    q(adm, "create user app identified by 'pw' default role r_read")
    app = login(driver, srv, "acc1#app", "pw")
    assert q(app, "select a from db1.t order by a") == [(1,), (2,)]
    assert err(app, "select a from db1.u") == DENIED
    assert err(app, "insert into db1.t values (3)") == DENIED
    assert err(app, "update db1.t set a = 5") == DENIED
    assert err(app, "delete from db1.t") == DENIED
    assert err(app, "create table db1.n (a int)") == DENIED
    assert err(app, "drop table db1.t") == DENIED
    assert err(app, "create database dbx") == DENIED
    assert err(app, "grant select on table db1.u to r_read") == DENIED
    assert err(app, "create role r2") == DENIED
    # the grant is read again after a change (the session's cache follows the catalog version)
    q(adm, "grant insert, update, delete on table db1.* to r_read")
    q(app, "insert into db1.t values (3)")
    q(app, "update db1.t set a = 4 where a = 3")
    q(app, "delete from db1.t where a = 4")
    assert q(app, "select count(*) from db1.t") == [(2,)]
    q(adm, "revoke select on table db1.t from r_read")
    assert err(app, "select a from db1.t") == DENIED
    assert q(adm, "select a from db1.t order by a") == [(1,), (2,)]  # the admin keeps every right


@pytest.mark.parametrize("driver", DRIVERS)
def test_database_and_account_level_grants(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    adm = _tenant(driver, srv)
    q(adm, "create role if not exists r_db")
    q(adm, "create role if not exists r_db")  # IF NOT EXISTS: no error
    q(adm, "create user u2 identified by 'pw'")
    q(adm, "grant r_db to u2")
    u2 = login(driver, srv, "acc1#u2#r_db", "pw")
    assert err(u2, "select * from db1.t") == DENIED
    q(adm, "grant all on database db1 to r_db")
    assert q(u2, "select count(*) from db1.t") == [(2,)]
    q(u2, "create table db1.mine (a int)")
    assert err(u2, "select * from db2.x") == DENIED
    q(adm, "grant create database on account * to r_db")
    q(u2, "create database dbu2")
    q(adm, "grant all on account * to r_db")
    assert q(u2, "select count(*) from db2.x") == [(0,)]
    q(adm, "revoke r_db from u2")
    u2b = login(driver, srv, "acc1#u2", "pw")
    assert err(u2b, "select * from db1.t") == DENIED
    assert err(u2b, "set role r_db") == (20101, "internal error: the role r_db has not be granted to the user u2")


@pytest.mark.parametrize("driver", DRIVERS)
def test_set_role_show_grants_and_errors(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    adm = _tenant(driver, srv)
    q(adm, "create role r1")
    q(adm, "create role r2")
    q(adm, "grant select on table db1.t to r1")
    q(adm, "grant select, insert on table db2.* to r2")
    q(adm, "grant create table on database db1 to r2")
    q(adm, "create user u3 identified by 'pw'")
    q(adm, "grant r1, r2 to u3")
    u3 = login(driver, srv, "acc1#u3", "pw")  # default role public: nothing but connect
    assert err(u3, "select * from db1.t") == DENIED
    q(u3, "set role r1")
    assert q(u3, "select count(*) from db1.t") == [(2,)]
    assert err(u3, "select * from db2.x") == DENIED
    q(u3, "set role r2")
    assert q(u3, "select count(*) from db2.x") == [(0,)]
    assert err(u3, "select * from db1.t") == DENIED
    assert q(u3, "show grants") == [
        ("GRANT connect ON account  `u3`@`localhost`",),
        ("GRANT select ON table db1.t `u3`@`localhost`",),
        ("GRANT select ON table db2.* `u3`@`localhost`",),
        ("GRANT insert ON table db2.* `u3`@`localhost`",),
        ("GRANT create table ON database db1 `u3`@`localhost`",),
    ]
    cur = adm.cursor()
    cur.execute("show grants for 'u3'@'localhost'")
    assert [d[0] for d in cur.description] == ["Grants for u3@localhost"]
    assert err(u3, "show grants for admin") == DENIED
    assert err(adm, "create role r1") == (20101, "internal error: the role r1 exists")
    assert err(adm, "drop role nope") == (20101, "internal error: there is no role nope")
    q(adm, "drop role if exists nope")
    assert err(adm, "grant select on table db1.nope to r1") == (
        20101, "internal error: there is no table nope in database db1")
    assert err(adm, "grant select on table nodb.t to r1") == (20101, "internal error: there is no database nodb")
    assert err(adm, "grant r9 to u3") == (20101, "internal error: there is no role r9")
    assert err(adm, "drop role accountadmin") == (20101, "internal error: can not delete the role accountadmin")
    assert err(u3, "set role nope") == (20101, "internal error: there is no role nope")
    # DROP ROLE takes its grants and memberships with it
    q(adm, "drop role r2")
    assert err(u3, "select * from db2.x") == DENIED


@pytest.mark.parametrize("driver", DRIVERS)
def test_catalog_tables(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    adm = _tenant(driver, srv)
    q(adm, "create role r_cat")
    q(adm, "grant select on table db1.t to r_cat")
    q(adm, "create user uc identified by 'pw' default role r_cat")
    tid = q(adm, "select rel_id from mo_catalog.mo_tables where relname = 't' and reldatabase = 'db1'")[0][0]
    cur = adm.cursor()
    cur.execute("select * from mo_catalog.mo_role where role_name = 'r_cat'")
    assert [d[0] for d in cur.description] == ["role_id", "role_name", "creator", "owner", "created_time",
                                                "comments"]
    rid = cur.fetchall()[0][0]
    assert rid >= 3
    cur.execute("select * from mo_catalog.mo_role_privs where role_name = 'r_cat'")
    assert [d[0] for d in cur.description] == [
        "role_id", "role_name", "obj_type", "obj_id", "privilege_id", "privilege_name", "privilege_level",
        "operation_user_id", "granted_time", "with_grant_option"]
    row = cur.fetchall()[0]
    assert (row[0], row[2], row[3], row[4], row[5], row[6]) == (rid, "table", tid, 30, "select", "d.t")
    uid = q(adm, "select user_id from mo_catalog.mo_user where user_name = 'uc'")[0][0]
    assert (rid, uid) in q(adm, "select role_id, user_id from mo_catalog.mo_user_grant")
    assert q(adm, "select default_role from mo_catalog.mo_user where user_name = 'uc'") == [(rid,)]
    root = login(driver, srv, "root")
    assert q(root, "select count(*) from mo_catalog.mo_role where role_name = 'r_cat'") == [(0,)]  # per account


@pytest.mark.parametrize("driver", DRIVERS)
def test_ddl_and_bulk_privileges(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    adm = _tenant(driver, srv)
    q(adm, "create role r_ddl")
    q(adm, "create user ud identified by 'pw' default role r_ddl")
    ud = login(driver, srv, "acc1#ud", "pw")
    assert q(ud, "select current_role()") == [("r_ddl",)]
    assert err(ud, "truncate table db1.u") == DENIED
    assert err(ud, "create index iu on db1.u (a)") == DENIED
    assert err(ud, "alter table db1.u add column b int") == DENIED
    assert err(ud, "create view db1.v as select a from db1.t") == DENIED
    assert err(ud, "drop table db1.u, db2.x") == DENIED
    big = "insert into db1.u values " + ", ".join(f"({i})" for i in range(6000))  # > 32 KiB: the bulk path
    assert err(ud, big) == DENIED
    q(adm, "grant truncate, index, insert on table db1.u to r_ddl")
    q(adm, "grant alter table, create view, drop table on database db1 to r_ddl")
    q(ud, big)
    q(ud, "truncate table db1.u")
    q(ud, "create index iu on db1.u (a)")
    q(ud, "alter table db1.u add column b int")
    assert err(ud, "create view db1.v as select a from db1.t") == DENIED  # the body reads db1.t
    q(adm, "grant select on table db1.t to r_ddl")
    q(ud, "create view db1.v as select a from db1.t")
    assert err(ud, "drop table db1.u, db2.x") == DENIED  # db2 is not granted
    q(ud, "drop table db1.u")
    assert q(adm, "show tables from db1") == [("t",), ("v",)]
