"""Views and sequences in information_schema and mo_catalog over TCP (issue 11, point 6).

MatrixOne lists a view in ``mo_catalog.mo_tables`` with ``relkind 'v'`` (its ``CREATE VIEW`` text in
``rel_createsql``, its ``ViewData`` JSON in ``viewdef``) and a sequence with ``relkind 'S'``; its
``information_schema.TABLES`` (a view over mo_tables, ``pkg/util/sysview/predefined.go``) calls them
``VIEW`` and ``INTERNAL TABLE``, ``information_schema.VIEWS`` lists the views, and ``COLUMNS`` lists
a view's columns. Before this, views were missing from all of them and a sequence was a ``'r'`` /
``BASE TABLE``. Per account, and at an instant T (time travel) as well.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import server_now
from tests.support.sql import DRIVERS, connect, sql_as
from tests.support.sql import columns as cols
from tests.support.sql import run as q

VIEWS_COLUMNS = ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION", "CHECK_OPTION",
                 "IS_UPDATABLE", "DEFINER", "SECURITY_TYPE", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION"]
CREATE_V1 = "create view v1 as select id, amount from t1 where amount > 1"


@pytest.fixture(params=sorted(DRIVERS))
def two_accounts(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> tuple[Any, Any, Any]:
    """(sys root, acc1 admin, acc2 admin) connections; acc1 has db1 with t1, view v1, sequence s1."""
    srv = lite_server()
    sql_as(srv, "root", "111", [f"create account {a} admin_name 'admin' identified by '111'" for a in ("acc1", "acc2")])
    acc1 = connect(srv, "acc1#admin", driver=request.param)
    acc2 = connect(srv, "acc2#admin", driver=request.param)
    for s in ("create database db1", "use db1", "create table t1 (id int primary key, amount decimal(20,2))",
              CREATE_V1, "create sequence s1"):
        q(acc1, s)
    q(acc2, "create database db2")
    q(acc2, "create table db2.t2 (a int)")
    return connect(srv, "root", driver=request.param), acc1, acc2


def test_information_schema_tables_lists_views_and_sequences(two_accounts: tuple[Any, Any, Any]) -> None:
    _sys, acc1, acc2 = two_accounts
    sql = ("select table_name, table_type, engine, version, table_rows from information_schema.tables "
           "where table_schema = 'db1' order by table_name")
    assert q(acc1, sql) == [("s1", "INTERNAL TABLE", None, 10, 0), ("t1", "BASE TABLE", "Tae", 10, 0),
                            ("v1", "VIEW", None, None, None)]
    assert q(acc2, "select table_name, table_type from information_schema.tables where table_schema in "
                   "('db1', 'db2') order by table_name") == [("t2", "BASE TABLE")]  # per account


def test_information_schema_views(two_accounts: tuple[Any, Any, Any]) -> None:
    _sys, acc1, acc2 = two_accounts
    assert cols(acc1, "select * from information_schema.views") == VIEWS_COLUMNS
    assert q(acc1, "select table_schema, table_name, view_definition, check_option, is_updatable, security_type "
                   "from information_schema.views") == [("db1", "v1", CREATE_V1, "NONE", "YES", "DEFINER")]
    assert q(acc2, "select count(*) from information_schema.views") == [(0,)]
    q(acc1, "create or replace view v1 as select id from t1")
    assert q(acc1, "select table_name, view_definition from information_schema.views") == [
        ("v1", "create or replace view v1 as select id from t1")]
    q(acc1, "drop view v1")
    assert q(acc1, "select count(*) from information_schema.views") == [(0,)]


def test_information_schema_columns_of_a_view(two_accounts: tuple[Any, Any, Any]) -> None:
    _sys, acc1, _acc2 = two_accounts
    assert q(acc1, "select column_name, ordinal_position, data_type, column_type from information_schema.columns "
                   "where table_schema = 'db1' and table_name = 'v1' order by ordinal_position") == [
        ("id", 1, "int", "int"), ("amount", 2, "decimal", "decimal(20,2)")]


def test_mo_tables_relkind_and_viewdef(two_accounts: tuple[Any, Any, Any]) -> None:
    sys_root, acc1, acc2 = two_accounts
    got = q(acc1, "select relname, relkind, rel_createsql, viewdef from mo_catalog.mo_tables order by relname")
    assert [(r[0], r[1]) for r in got] == [("s1", "S"), ("t1", "r"), ("v1", "v")]
    assert got[2][2] == CREATE_V1
    assert json.loads(got[2][3]) == {"Stmt": CREATE_V1, "DefaultDatabase": "db1"}
    assert "\\u003e" in got[2][3]  # Go's json.Marshal escapes '>' (amount > 1)
    assert got[0][3] == got[1][3] == ""
    ids = [r[0] for r in q(acc1, "select rel_id from mo_catalog.mo_tables")]
    assert len(set(ids)) == 3
    assert q(acc2, "select relname, relkind from mo_catalog.mo_tables") == [("t2", "r")]
    assert q(sys_root, "select relname, relkind, account_id from mo_catalog.mo_tables where relkind <> 'r' "
                       "order by relname") == [("s1", "S", 1), ("v1", "v", 1)]


def test_catalog_at_an_instant(two_accounts: tuple[Any, Any, Any]) -> None:
    _sys, acc1, _acc2 = two_accounts
    time.sleep(0.05)
    t = server_now()
    time.sleep(0.05)
    q(acc1, "drop view v1")
    q(acc1, "create view v2 as select id from t1")
    assert q(acc1, "select relname from mo_catalog.mo_tables where relkind = 'v'") == [("v2",)]
    assert q(acc1, f"select relname, relkind from mo_catalog.mo_tables {{as of timestamp '{t}'}} "
                   "where relkind = 'v'") == [("v1", "v")]
    assert q(acc1, f"select table_name, table_type from information_schema.tables {{as of timestamp '{t}'}} "
                   "where table_type = 'VIEW'") == [("v1", "VIEW")]
    assert q(acc1, f"select table_name from information_schema.views {{as of timestamp '{t}'}}") == [("v1",)]


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_mo_snapshots_and_mo_pitr_have_matrixone_columns(lite_server: Callable[..., LiteServer], driver: str) -> None:
    """Column names and order of MatrixOne v4.2.0's ``MoCatalogMoSnapshotsDDL`` / ``MoCatalogMoPitrDDL``."""
    srv = lite_server()
    root = connect(srv, "root", driver=driver)
    q(root, "create snapshot sp1 for cluster")
    q(root, "create pitr p1 for cluster range 1 'd'")
    assert cols(root, "select * from mo_catalog.mo_snapshots") == [
        "snapshot_id", "sname", "ts", "level", "account_name", "database_name", "table_name", "obj_id", "kind"]
    assert [r[1] for r in q(root, "select * from mo_catalog.mo_snapshots")] == ["sp1"]
    assert cols(root, "select * from mo_catalog.mo_pitr") == [
        "pitr_id", "pitr_name", "create_account", "create_time", "modified_time", "level", "account_id",
        "account_name", "database_name", "table_name", "obj_id", "pitr_length", "pitr_unit", "pitr_status",
        "pitr_status_changed_time", "kind"]
    assert [(r[1], r[5], r[11], r[12]) for r in q(root, "select * from mo_catalog.mo_pitr")] == [
        ("p1", "cluster", 1, "d")]


def test_a_view_whose_table_is_gone_is_listed_without_columns(two_accounts: tuple[Any, Any, Any]) -> None:
    _sys, acc1, _acc2 = two_accounts
    q(acc1, "drop table t1")
    assert q(acc1, "select table_name, table_type from information_schema.tables where table_schema = 'db1' "
                   "order by table_name") == [("s1", "INTERNAL TABLE"), ("v1", "VIEW")]
    assert q(acc1, "select count(*) from information_schema.columns where table_name = 'v1'") == [(0,)]
    assert q(acc1, "select table_name from information_schema.views") == [("v1",)]
