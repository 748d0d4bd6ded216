"""mo_catalog's catalog tables over TCP with PyMySQL and mysqlclient (issue 11, point 6).

Column names and order are MatrixOne's (pkg/catalog/types.go, pkg/frontend/predefined.go); a tenant
sees its own rows, sys sees every account's and alone has mo_account; hints read the catalog at T.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.support.sql import connect
from tests.support.sql import err as server_error


@pytest.fixture(params=["pymysql", "mysqlclient"])
def driver(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``(server, login) -> connection`` with one driver, password ``111``, autocommit on."""
    return partial(connect, driver=request.param)


def q(conn: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = conn.cursor()
    try:
        cur.execute(sql)
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, [tuple(r) for r in cur.fetchall()] if cur.description else []
    finally:
        cur.close()


def rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    return q(conn, sql)[1]


def err(conn: Any, sql: str) -> int:
    return server_error(conn, sql)[0]


MO_DATABASE = ["dat_id", "datname", "dat_catalog_name", "dat_createsql", "owner", "creator", "created_time",
               "account_id", "dat_type"]
MO_TABLES = ["rel_id", "relname", "reldatabase", "reldatabase_id", "relpersistence", "relkind", "rel_comment",
             "rel_createsql", "created_time", "creator", "owner", "account_id", "partitioned", "partition_info",
             "viewdef", "constraint", "rel_version", "catalog_version"]
MO_COLUMNS = ["att_uniq_name", "account_id", "att_database_id", "att_database", "att_relname_id", "att_relname",
              "attname", "atttyp", "attnum", "att_length", "attnotnull", "atthasdef", "att_default", "attisdropped",
              "att_constraint_type", "att_is_unsigned", "att_is_auto_increment", "att_comment", "att_is_hidden",
              "attr_has_update", "attr_update", "attr_is_clusterby", "attr_seqnum", "attr_enum"]
MO_ACCOUNT = ["account_id", "account_name", "admin_name", "status", "created_time", "comments", "version",
              "suspended_time", "create_version"]
MO_USER = ["user_id", "user_host", "user_name", "authentication_string", "status", "created_time",
           "expired_time", "login_type", "creator", "owner", "default_role"]


def _setup(srv: LiteServer, driver: Callable[..., Any]) -> tuple[Any, Any, Any]:
    sys_root = driver(srv, "root")
    for acc in ("acc1", "acc2"):
        q(sys_root, f"create account {acc} admin_name 'admin' identified by '111'")
    acc1, acc2 = driver(srv, "acc1#admin"), driver(srv, "acc2#admin")
    q(acc1, "create database db1")
    q(acc1, "create table db1.t1 (id int primary key, v decimal(10,2) not null default 0, n bigint unsigned)")
    q(acc2, "create database other")
    q(acc2, "create table other.o (a int)")
    return sys_root, acc1, acc2


def test_tenant_sees_its_own_catalog_with_matrixone_columns(lite_server, driver) -> None:
    srv = lite_server()
    _sys, acc1, _acc2 = _setup(srv, driver)
    cols, dbs = q(acc1, "select * from mo_catalog.mo_database")
    assert cols == MO_DATABASE
    assert [(r[1], r[2], r[7]) for r in dbs] == [("db1", "def", 1)]
    cols, tbls = q(acc1, "select * from mo_catalog.mo_tables")
    assert cols == MO_TABLES
    assert [(r[1], r[2], r[3], r[5], r[11]) for r in tbls] == [("t1", "db1", dbs[0][0], "r", 1)]
    assert "create table" in tbls[0][7].lower()
    cols, atts = q(acc1, "select * from mo_catalog.mo_columns where att_relname = 't1' order by attnum")
    assert cols == MO_COLUMNS
    assert [(r[6], r[7], r[8], r[10], r[14], r[15]) for r in atts] == [
        ("id", "int", 1, 1, "p", 0), ("v", "decimal(10,2)", 2, 1, "n", 0), ("n", "bigint unsigned", 3, 0, "n", 1)]
    assert atts[1][11:13] == (1, "0")  # atthasdef, att_default
    cols, users = q(acc1, "select * from mo_catalog.mo_user")
    assert cols == MO_USER
    assert [(r[2], r[10]) for r in users] == [("admin", 2)]  # default role accountadmin (id 2)
    assert re.fullmatch(r"\*[0-9A-F]{40}", users[0][3])  # a hash, never the password
    assert err(acc1, "select * from mo_catalog.mo_account") == 1146  # sys only
    q(acc1, "drop table db1.t1")
    assert rows(acc1, "select relname from mo_catalog.mo_tables") == []
    assert rows(acc1, "select count(*) from mo_catalog.mo_columns") == [(0,)]


def test_sys_sees_every_account_and_mo_account(lite_server, driver) -> None:
    srv = lite_server()
    sys_root, _acc1, _acc2 = _setup(srv, driver)
    cols, accs = q(sys_root, "select * from mo_catalog.mo_account order by account_id")
    assert cols == MO_ACCOUNT
    assert [(r[0], r[1], r[2], r[3]) for r in accs] == [(0, "sys", "root", "open"), (1, "acc1", "admin", "open"),
                                                       (2, "acc2", "admin", "open")]
    assert rows(sys_root, "select count(*) from mo_catalog.mo_tables where account_id = 2") == [(1,)]
    assert rows(sys_root, "select datname, account_id from mo_catalog.mo_database order by account_id") == [
        ("db1", 1), ("other", 2)]
    # sys's own users only (root and dump, as in MatrixOne), not the tenants' admins
    assert sorted(r[0] for r in rows(sys_root, "select user_name from mo_catalog.mo_user")) == ["dump", "root"]


def test_catalog_tables_are_read_only(lite_server, driver) -> None:
    srv = lite_server()
    _sys, acc1, _acc2 = _setup(srv, driver)
    for sql in ("insert into mo_catalog.mo_tables (rel_id) values (99)", "delete from mo_catalog.mo_database",
                "update mo_catalog.mo_user set user_name = 'x'"):
        err(acc1, sql)
    assert rows(acc1, "select datname from mo_catalog.mo_database") == [("db1",)]
    assert rows(acc1, "select user_name from mo_catalog.mo_user") == [("admin",)]


def test_catalog_tables_time_travel(lite_server, driver) -> None:
    srv = lite_server()
    _sys, acc1, _acc2 = _setup(srv, driver)
    q(acc1, "create snapshot sa for account")
    q(acc1, "create table db1.t2 (a int)")
    q(acc1, "drop table db1.t1")
    assert rows(acc1, "select relname from mo_catalog.mo_tables") == [("t2",)]
    assert rows(acc1, "select relname from mo_catalog.mo_tables {snapshot = 'sa'}") == [("t1",)]
    assert rows(acc1, "select count(*) from mo_catalog.mo_columns {snapshot = 'sa'} where att_relname = 't1'") == [
        (3,)]
