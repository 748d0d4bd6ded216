"""A tenant cannot reach the engine's internal columns, catalog tables or SQLite's own machinery.

Issue 14 case 5: ``INSERT INTO d.t (id, v, __mo_ts) VALUES (7, 'x', 5)`` used to be accepted and
forged history (time travel showed the row at an earlier instant), and
``SELECT * FROM pragma_table_info('__mo_users')`` listed the internal catalog. Every path is
exercised over TCP with PyMySQL, and the pragma path with mysqlclient too.
"""

from __future__ import annotations

import MySQLdb
import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import acc1_with_table, connect, run
from tests.support.sql import err


@pytest.fixture
def srv(lite_server) -> LiteServer:
    return acc1_with_table(lite_server)


def test_forged_commit_timestamp_is_refused_and_history_untouched(srv: LiteServer) -> None:
    c = connect(srv, user="acc1#root")
    assert err(c, "insert into d.t (id, v, __mo_ts) values (7, 'x', 5)") == (
        1054, "Unknown column '__mo_ts' in 'field list'")
    assert err(c, "INSERT INTO d.t (id, v, `__MO_TS`) VALUES (8, 'y', 5)")[0] == 1054
    assert run(c, "select id from d.t order by id") == [(1,), (2,)]


@pytest.mark.parametrize("sql", [
    "update d.t set __mo_ts = 5 where id = 1",
    "update d.t set v = 'z', `__mo_ts` = 5",
    "update d.t set v = __mo_ts where id = 1",
    "delete from d.t where __mo_ts > 0",
    "select __mo_ts from d.t",
    "select id, t.__mo_ts from d.t as t",
    "select id from d.t where id in (select __mo_ts from d.t)",
    "insert into d.t values (3, 'c') on duplicate key update __mo_ts = 1",
    "insert into d.t (id, v) select id + 10, __mo_ts from d.t",
])
def test_internal_columns_are_unknown(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    code, msg = err(c, sql)
    assert code == 1054 and "__mo_ts" in msg.lower()
    assert run(c, "select id, v from d.t order by id") == [(1, "a"), (2, "b")]


@pytest.mark.parametrize("sql, name", [
    ("select * from pragma_table_info('__mo_users')", "pragma_table_info"),
    ("select name from d.pragma_table_list", None),
    ("select * from d.t, pragma_table_info('t_1') p", "pragma_table_info"),
    ("select * from d.t where v in (select name from pragma_table_info('__mo_users'))", "pragma_table_info"),
    ("select * from json_each('[1,2]')", "json_each"),
    ("select sqlite_version()", "sqlite_version"),
    ("select id, sqlite_source_id() from d.t", "sqlite_source_id"),
    ("update d.t set v = sqlite_version() where id = 1", "sqlite_version"),
    ("select load_extension('x')", "load_extension"),
    # lite's native plumbing: the connection-handle entry point and the Python fallbacks (engine only)
    ("select mo_native_handle(1)", "mo_native_handle"),
    ("select id, mo_py_md5(v) from d.t", "mo_py_md5"),
])
def test_sqlite_functions_and_pragmas_are_unknown(srv: LiteServer, sql: str, name: str | None) -> None:
    c = connect(srv, user="acc1#root")
    code, msg = err(c, sql)
    if name is None:  # a bare pragma table name goes through the catalog: no such table
        assert code == 1146
    else:
        assert (code, msg) == (20105, f"not supported: function or operator '{name}'")


@pytest.mark.parametrize("sql", [
    "select * from sqlite_master",
    "select * from d.sqlite_master",
    "select * from sqlite_schema",
    "select * from __mo_users",
    "select * from d.__mo_tables",
    "select * from t_1",
    "select * from d.h_1",
    "insert into t_1 values (1, 'x', 5)",
    "select * from d.t where id in (select id from t_1)",
])
def test_physical_and_system_tables_are_unknown(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    run(c, "use d")
    code, _ = err(c, sql)
    assert code in (1146, 1049)


@pytest.mark.parametrize("sql", [
    "pragma table_info(t)",
    "attach database '/tmp/x.db' as y",
    "detach database main",
])
def test_pragma_and_attach_statements_are_refused(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    run(c, "use d")
    code, _ = err(c, sql)
    assert code in (1064, 20105)


def test_pragma_via_mysqlclient(srv: LiteServer) -> None:
    c = MySQLdb.connect(host=srv.host, port=srv.port, user="acc1#root", password="111")
    try:
        assert err(c, "SELECT * FROM pragma_table_info('__mo_users')")[0] == 20105
        cur = c.cursor()
        cur.execute("select id from d.t order by id")
        assert cur.fetchall() == ((1,), (2,))
    finally:
        c.close()


@pytest.mark.parametrize("sql", [
    "create table d.x (id int, __mo_ts bigint)",
    "create table d.x (id int, `__Mo_end` bigint)",
    "create table d.x as select id as __mo_ts from d.t",
    "alter table d.t add column __mo_begin int",
    "alter table d.t rename column v to __mo_ts",
])
def test_reserved_column_names_cannot_be_defined(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    code, msg = err(c, sql)
    assert code == 20301 and "is reserved" in msg, (code, msg)
    assert [r[0] for r in run(c, "show tables from d")] == ["t"]
    assert run(c, "select id, v from d.t order by id") == [(1, "a"), (2, "b")]


@pytest.mark.parametrize("sql", [
    "select * from pragma_table_info('__mo_users')",
    "pragma table_info('__mo_users')",
    "select * from json_each('[1]')",
    "select sqlite_version()",
    "attach database ':memory:' as x",
])
def test_session_connections_refuse_sqlite_internals_even_untranslated(tmp_path, sql: str) -> None:
    """Second line of defence: SQLite's authorizer on every session connection refuses these
    even if some path handed SQL to SQLite without the guard (here: the connection directly)."""
    import sqlite3

    from matrixone_lite.engine import Engine

    e = Engine(tmp_path / "data", timezone="UTC", version="4.2.0", root_password="111")
    try:
        s = e.session("sys", "root", None)
        s.execute("select 1")
        with pytest.raises(sqlite3.DatabaseError, match="not authorized|prohibited"):
            s.conn.execute(sql).fetchall()
        # the engine's own work on the same connection is unaffected
        s.execute("create database d")
        s.execute("create table d.t (id int primary key)")
        s.execute("insert into d.t values (1)")
        assert s.execute("select id from d.t").rows == [(1,)]
    finally:
        e.close()
