"""Views over TCP with PyMySQL and mysqlclient: DDL, SHOW, DESC, reads through views and MatrixOne's errors.

Before views existed every statement here answered ``not supported: CREATE VIEW`` (or ``drop``).
Expected texts come from MatrixOne's ``test/distributed/cases/view/view.result`` and
``pkg/sql/plan/build_show.go`` / ``build_ddl.go``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import tenant_connection
from tests.support.sql import DRIVERS, err
from tests.support.sql import columns as cols


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    srv = lite_server()
    c = tenant_connection(srv, request.param)
    yield c
    c.close()


def q(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql)
    rows = list(cur.fetchall()) if cur.description else []
    cur.close()
    return rows


def _seed(conn: Any) -> None:
    for sql in (
        "create database view_db",
        "use view_db",
        "create table t1 (a int, b int)",
        "create table t2 (aa int, bb varchar(20))",
        "insert into t1 values (1, 11), (2, 22), (3, 33)",
        "insert into t2 values (1, 'aa'), (2, 'bb')",
        "create view v1 as select * from t1",
    ):
        q(conn, sql)


def test_reads_through_views_joins_and_views_on_views(conn: Any) -> None:
    _seed(conn)
    assert q(conn, "select * from v1 where a > 1 order by a") == [(2, 22), (3, 33)]
    assert cols(conn, "select * from v1") == ["a", "b"]
    assert q(conn, "select * from v1, t2 where v1.a = t2.aa order by a") == [(1, 11, 1, "aa"), (2, 22, 2, "bb")]
    assert q(conn, "select count(*) from v1") == [(3,)]
    q(conn, "create view v2 (x, total) as select a, a + b from v1 where a < 3")
    assert cols(conn, "select * from v2") == ["x", "total"]
    assert q(conn, "select x, total from v2 order by x") == [(1, 12), (2, 24)]
    # another database: the view's unqualified tables still resolve in the view's database
    q(conn, "create database db2")
    q(conn, "use db2")
    assert q(conn, "select * from view_db.v1 where a > 1 order by a") == [(2, 22), (3, 33)]
    q(conn, "insert into view_db.t1 values (4, 44)")
    assert q(conn, "select count(*) from view_db.v2") == [(2,)]
    assert q(conn, "select max(a) from view_db.v1") == [(4,)]


def test_show_tables_full_tables_create_view_and_desc(conn: Any) -> None:
    _seed(conn)
    assert q(conn, "show tables") == [("t1",), ("t2",), ("v1",)]
    assert cols(conn, "show full tables") == ["Tables_in_view_db", "Table_type"]
    assert q(conn, "show full tables") == [("t1", "BASE TABLE"), ("t2", "BASE TABLE"), ("v1", "VIEW")]
    expected = [("v1", "create view v1 as select * from t1", "utf8mb4", "utf8mb4_general_ci")]
    assert cols(conn, "show create view v1") == ["View", "Create View", "character_set_client", "collation_connection"]
    assert q(conn, "show create view v1") == expected
    assert q(conn, "show create view view_db.v1") == expected
    assert q(conn, "show create table v1") == expected  # MatrixOne answers SHOW CREATE TABLE of a view the same
    assert err(conn, "show create view t1") == (20301, "invalid input: show view 't1' is not a valid view")
    assert err(conn, "show create view vvvv") == (20301, "invalid input: show view 'vvvv' is not a valid view")
    assert [r[:3] for r in q(conn, "desc v1")] == [("a", "INT(32)", "YES"), ("b", "INT(32)", "YES")]
    assert [r[0] for r in q(conn, "show columns from v1")] == ["a", "b"]


def test_ddl_errors_and_or_replace(conn: Any) -> None:
    _seed(conn)
    assert err(conn, "create view v1 as select 1") == (1050, "table v1 already exists")
    q(conn, "create view if not exists v1 as select 1")  # no-op
    assert q(conn, "select * from v1 order by a") == [(1, 11), (2, 22), (3, 33)]
    assert err(conn, "create view t1 as select 1") == (1050, "table t1 already exists")
    assert err(conn, "create table v1 (a int)") == (1050, "table v1 already exists")
    q(conn, "create or replace view v1 as select b from t1 where a = 2")
    assert q(conn, "select * from v1") == [(22,)]
    assert q(conn, "show create view v1")[0][1] == "create or replace view v1 as select b from t1 where a = 2"
    assert err(conn, "create view v3 (x, y) as select a from t1")[0] == 20318
    assert err(conn, "create view v3 as select * from nope") == (20303, 'SQL parser error: table "nope" does not exist')
    # DROP TABLE on a view / DROP VIEW on a table, as MatrixOne answers them
    assert err(conn, "drop table v1") == (1146, "no such table view_db.v1")
    assert err(conn, "drop view t1") == (20426, "invalid view 'view_db.t1'")
    assert err(conn, "drop view nope") == (20426, "invalid view 'view_db.nope'")
    q(conn, "drop view if exists nope")
    q(conn, "drop view if exists t1")  # a same-named table is left alone
    assert q(conn, "select count(*) from t1") == [(3,)]
    q(conn, "create view v4 as select 1 as one")
    q(conn, "create view v5 as select one from v4")
    assert err(conn, "create or replace view v4 as select one from v5") == (
        20303, "SQL parser error: view v4 reference itself")
    for dml in ("insert into v4 values (2)", "update v4 set one = 2", "delete from v4"):
        assert err(conn, dml) == (20301, "invalid input: cannot insert/update/delete from view")
    q(conn, "drop view v5")
    assert err(conn, "drop view v1, v4") == (20105, "not supported: drop multiple (2) view")
    q(conn, "drop view v1")
    q(conn, "drop view view_db.v4")
    assert q(conn, "show full tables") == [("t1", "BASE TABLE"), ("t2", "BASE TABLE")]
    assert err(conn, "select * from v1")[0] == 1146


def test_view_whose_table_is_gone(conn: Any) -> None:
    _seed(conn)
    q(conn, "create view v2 as select a from v1")
    q(conn, "drop table t1")
    assert err(conn, "select * from v1") == (20303, 'SQL parser error: table "t1" does not exist')
    assert err(conn, "select * from v2") == (20303, 'SQL parser error: table "t1" does not exist')
    assert err(conn, "select count(*) from v1") == (20303, 'SQL parser error: table "t1" does not exist')
    q(conn, "create table t1 (a int, b int)")
    q(conn, "insert into t1 values (9, 99)")
    assert q(conn, "select * from v2") == [(9,)]  # the definition binds again once the table is back


def test_drop_database_drops_its_views(conn: Any) -> None:
    _seed(conn)
    q(conn, "drop database view_db")
    q(conn, "create database view_db")
    q(conn, "use view_db")
    assert q(conn, "show full tables") == []
    q(conn, "create table t1 (a int, b int)")
    assert err(conn, "select * from v1")[0] == 1146


def test_time_travel_through_a_view(conn: Any) -> None:
    """MatrixOne binds a view at the read's instant: its definition then, over its tables then."""
    _seed(conn)
    time.sleep(0.01)
    t0 = time.time_ns()
    time.sleep(0.01)
    q(conn, "insert into t1 values (4, 44)")
    q(conn, "create or replace view v1 as select a from t1 where a > 3")
    q(conn, "create view v_new as select 1 as one")
    assert q(conn, "select * from v1") == [(4,)]
    assert q(conn, f"select * from v1 {{MO_TS = {t0}}} order by a") == [(1, 11), (2, 22), (3, 33)]
    assert q(conn, f"select count(*) from v1 {{MO_TS = {t0}}}") == [(3,)]
    assert q(conn, f"show create view v1 {{MO_TS = {t0}}}")[0][1] == "create view v1 as select * from t1"
    assert q(conn, f"show full tables {{MO_TS = {t0}}}") == [
        ("t1", "BASE TABLE"), ("t2", "BASE TABLE"), ("v1", "VIEW")]
    assert err(conn, f"select * from v_new {{MO_TS = {t0}}}")[0] == 1146
    q(conn, "create snapshot sv for account acc1")
    q(conn, "drop view v1")
    assert q(conn, "select * from v1 {snapshot = 'sv'}") == [(4,)]
