"""What a client sees: SHOW CREATE TABLE and DESC text as MatrixOne prints them, and only MatrixOne's
error texts (never SQLite's), over TCP with PyMySQL and mysqlclient.

Expected texts come from MatrixOne's ``test/distributed/cases/ddl/*.result`` (``alter_table*``,
``foreign_key*``) and ``dml/insert/*.result``. Before this change SHOW CREATE TABLE printed upper-case
types (``INT``, ``VARCHAR(100)``, ``DECIMAL(10,0)`` for a bare ``decimal``), DESC printed ``INT`` with
quoted defaults, and SQLite's messages (``no such function: FOO``, ``table t_1 has no column named
zz``, ``1 values for 3 columns``) reached the client as ``internal error: …``.
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
    c = tenant_connection(srv, request.param, "create database d", "use d")
    yield c
    c.close()


def test_show_create_table_text(conn: Any) -> None:
    # alter_table.result: sys_tbl_1(a int primary key, b decimal, c char, d varchar(20))
    q(conn, "create table sys_tbl_1(a int primary key, b decimal, c char, d varchar(20))")
    assert q(conn, "show create table sys_tbl_1") == [(
        "sys_tbl_1",
        "CREATE TABLE `sys_tbl_1` (\n  `a` int NOT NULL,\n  `b` decimal(38,0) DEFAULT NULL,\n"
        "  `c` char(1) DEFAULT NULL,\n  `d` varchar(20) DEFAULT NULL,\n  PRIMARY KEY (`a`)\n)",
    )]
    q(conn, "create table t4 (id int(11) not null, name varchar(100) not null, email varchar(200), "
            "status varchar(10) default 'active', n int not null default 10, "
            "col8 bigint unsigned, ts timestamp default current_timestamp, primary key (id))")
    assert q(conn, "show create table t4")[0][1] == (
        "CREATE TABLE `t4` (\n  `id` int NOT NULL,\n  `name` varchar(100) NOT NULL,\n"
        "  `email` varchar(200) DEFAULT NULL,\n  `status` varchar(10) DEFAULT 'active',\n"
        "  `n` int NOT NULL DEFAULT 10,\n  `col8` bigint unsigned DEFAULT NULL,\n"
        "  `ts` timestamp DEFAULT CURRENT_TIMESTAMP(),\n  PRIMARY KEY (`id`)\n)"
    )
    q(conn, "create table add01 (col1 int not null auto_increment primary key, col2 varchar(30) not null)")
    assert q(conn, "show create table add01")[0][1] == (
        "CREATE TABLE `add01` (\n  `col1` int NOT NULL AUTO_INCREMENT,\n  `col2` varchar(30) NOT NULL,\n"
        "  PRIMARY KEY (`col1`)\n)"
    )


def test_desc_columns_and_types(conn: Any) -> None:
    # alter_table.result: CREATE TABLE t1(a INTEGER, b CHAR(10), c date, d decimal(7,2), ...); desc t1
    q(conn, "create table t1 (a integer, b char(10), c date, d decimal(7,2), e int unsigned auto_increment "
            "primary key, f datetime(3), g text, h json, i bool, j float, k double, l bigint, m tinyint, "
            "n timestamp default current_timestamp, o varchar(10) default 'x', p int default 100)")
    cur = conn.cursor()
    cur.execute("desc t1")
    rows = [tuple(r) for r in cur.fetchall()]
    assert [dsc[0] for dsc in cur.description] == ["Field", "Type", "Null", "Key", "Default", "Extra", "Comment"]
    cur.close()
    assert [(r[0], r[1]) for r in rows] == [
        ("a", "INT(32)"), ("b", "CHAR(10)"), ("c", "DATE(0)"), ("d", "DECIMAL(7,2)"), ("e", "INT UNSIGNED(32)"),
        ("f", "DATETIME(3)"), ("g", "TEXT(0)"), ("h", "JSON(0)"), ("i", "BOOL(0)"), ("j", "FLOAT(0)"),
        ("k", "DOUBLE(0)"), ("l", "BIGINT(64)"), ("m", "TINYINT(8)"), ("n", "TIMESTAMP(0)"), ("o", "VARCHAR(10)"),
        ("p", "INT(32)"),
    ]
    assert rows[0] == ("a", "INT(32)", "YES", "", None, "", "")
    assert rows[4] == ("e", "INT UNSIGNED(32)", "NO", "PRI", None, "auto_increment", "")
    assert [r[4] for r in rows[13:]] == ["CURRENT_TIMESTAMP()", "x", "100"]  # defaults without quotes


def test_sqlite_texts_never_reach_the_client(conn: Any) -> None:
    q(conn, "create table t (a int, b varchar(3), c int not null)")
    q(conn, "insert into t values (1, 'x', 1)")
    assert err(conn, "insert into t values (1)") == (1136, "Column count doesn't match value count at row 1")
    assert err(conn, "insert into t (a, zz) values (1, 2)") == (1054, "Unknown column 'zz' in 'field list'")
    assert err(conn, "select foo(1)") == (20105, "not supported: function or operator 'foo'")
    assert err(conn, "select a from t t1, t t1") == (20101, "internal error: Column 'a' in field list is ambiguous")
    assert err(conn, "select * from t group by")[0] == 1064
    code, text = err(conn, "select * from t where b like 'x' escape 'ab'")
    assert (code, text) == (20101, "internal error: the storage engine could not execute the statement")
    sqlite_words = ("malformed JSON", "wrong number of arguments to function", "datatype mismatch", "no such")
    for sql in ("select count(distinct a, b) from t", "select json_extract('{', '$.a')", "select 1 from t limit 'x'"):
        code, text = err(conn, sql)
        assert code != 20101 and not text.startswith(sqlite_words), (sql, text)
        assert not text.startswith("internal error: " + sqlite_words[0])
