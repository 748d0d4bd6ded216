"""Keys and indexes over TCP with PyMySQL and mysqlclient (issue 11, point 4).

Before this, ``ALTER TABLE ... ADD/DROP INDEX`` and ``ALTER INDEX ... INVISIBLE`` answered
``not supported``, ``SHOW INDEX`` was a syntax error and ``information_schema.statistics`` did not
exist. Expected rows come from MatrixOne's ``test/distributed/cases/ddl/alter.result`` (SHOW INDEX)
and ``pkg/sql/plan/build_show_util.go`` (SHOW CREATE TABLE's key lines).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import tenant_connection
from tests.support.sql import DRIVERS, err
from tests.support.sql import run as q


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    srv = lite_server()
    c = tenant_connection(srv, request.param, "create database db1", "use db1")
    yield c
    c.close()


def test_primary_and_unique_keys_refuse_duplicates(conn: Any) -> None:
    q(conn, "create table t (a int, b int, c int unique, d int, primary key (a, b), unique key ud (d))")
    q(conn, "insert into t values (1, 1, 1, 1)")
    code, msg = err(conn, "insert into t values (1, 1, 2, 2)")  # composite primary key
    assert code == 1062 and msg.startswith("Duplicate entry")
    assert err(conn, "insert into t values (1, 2, 1, 3)") == (1062, "Duplicate entry '1' for key 'c'")
    code, _ = err(conn, "insert into t values (1, 3, 3, 1)")  # named table-level unique key
    assert code == 1062
    q(conn, "insert into t values (1, 2, 2, 2)")
    assert q(conn, "select count(*) from t") == [(2,)]
    # the named unique key keeps its name (it used to be shown under its first column's name)
    assert q(conn, "show create table t")[0][1].endswith(
        "  PRIMARY KEY (`a`,`b`),\n  UNIQUE KEY `c` (`c`),\n  UNIQUE KEY `ud` (`d`)\n)")
    assert [(r[1], r[2], r[3], r[4]) for r in q(conn, "show index from t")] == [
        (0, "PRIMARY", 1, "a"), (0, "PRIMARY", 2, "b"), (0, "c", 1, "c"), (0, "ud", 1, "d")]


def test_index_ddl_and_show_index_as_matrixone(conn: Any) -> None:
    # alter.result, index04
    q(conn, "create table index04(col1 int, col2 char, col3 varchar(10), primary key(col1, col2))")
    q(conn, "alter table index04 add index(col1)")
    q(conn, "alter table index04 alter index col1 invisible")
    pk = [
        ("index04", 0, "PRIMARY", 1, "col1", "A", 0, "NULL", "NULL", "", "", "", "", "", "YES", "col1"),
        ("index04", 0, "PRIMARY", 2, "col2", "A", 0, "NULL", "NULL", "", "", "", "", "", "YES", "col2"),
    ]
    hidden = ("index04", 1, "col1", 1, "col1", "A", 0, "NULL", "NULL", "", "", "", "", "", "NO", "col1")
    assert q(conn, "show index from index04") == [*pk, hidden]
    cur = conn.cursor()
    cur.execute("show index from index04")
    assert [d[0] for d in cur.description] == [
        "Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality", "Sub_part",
        "Packed", "Null", "Index_type", "Comment", "Index_comment", "Index_params", "Visible", "Expression",
    ]
    cur.close()
    q(conn, "alter table index04 alter index col1 visible")
    assert q(conn, "show keys from db1.index04")[2][14] == "YES"
    # CREATE [UNIQUE] INDEX / DROP INDEX / ALTER TABLE ADD UNIQUE KEY / DROP INDEX
    q(conn, "create unique index u3 on index04 (col3)")
    q(conn, "alter table index04 add unique key u23 (col2, col3)")
    q(conn, "alter table index04 drop index col1")
    assert [(r[1], r[2], r[3], r[4]) for r in q(conn, "show indexes in index04 from db1")] == [
        (0, "PRIMARY", 1, "col1"), (0, "PRIMARY", 2, "col2"), (0, "u3", 1, "col3"), (0, "u23", 1, "col2"),
        (0, "u23", 2, "col3"),
    ]
    q(conn, "insert into index04 values (1, 'a', 'x')")
    assert err(conn, "insert into index04 values (2, 'b', 'x')")[0] == 1062  # the unique index is physical
    q(conn, "drop index u3 on index04")
    q(conn, "insert into index04 values (2, 'b', 'x')")
    assert err(conn, "alter table index04 drop index nope") == (
        1091, "Can't DROP 'nope'; check that column/key exists")
    assert err(conn, "alter table index04 add index u23 (col1)") == (1061, "Duplicate key name 'u23'")
    assert err(conn, "alter table index04 alter index nope invisible")[0] == 1176


def test_show_create_table_prints_keys_and_invisible_indexes(conn: Any) -> None:
    q(conn, "create table t (a int primary key, b int unique, c int, key kc (c) invisible, unique key ubc (b, c))")
    text = q(conn, "show create table t")[0][1]
    assert text.endswith(
        "  PRIMARY KEY (`a`),\n  UNIQUE KEY `b` (`b`),\n  KEY `kc` (`c`) INVISIBLE,\n  UNIQUE KEY `ubc` (`b`,`c`)\n)"
    )


def test_information_schema_statistics(conn: Any) -> None:
    q(conn, "create table t (a int primary key, b int, key kb (b))")
    q(conn, "alter table t alter index kb invisible")
    rows = q(conn, "select table_schema, table_name, non_unique, index_name, seq_in_index, column_name, nullable, "
                   "is_visible from information_schema.statistics where table_name = 't' order by index_name")
    assert rows == [("db1", "t", 0, "PRIMARY", 1, "a", "", "YES"), ("db1", "t", 1, "kb", 1, "b", "YES", "NO")]
