"""One large multi-row INSERT is fast, exact, atomic and not limited by SQLite's variable count.

Issue 14 case 4: a 0.8 MB INSERT failed with ``too many SQL variables`` after 194 s. These
statements take the streaming path of ``sql/bulk_insert.py`` (over 32 KiB); the last tests check
that its fallbacks and errors behave like the general path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import MySQLdb
import pymysql
import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run

N = 40_000


@pytest.fixture
def srv(lite_server) -> LiteServer:
    server = lite_server()
    c = connect(server)
    run(c, "create database d")
    run(c, "create table d.t (id int primary key, v varchar(60), p decimal(10,2), n int, f double, "
           "c char(3), b bool)")
    run(c, "create table d.a (id bigint primary key auto_increment, v varchar(20))")
    return server


def _row(i: int) -> tuple[Any, ...]:
    v = f"n{i} it's \\ \"q\" ;"  # quotes, backslash, a semicolon inside the literal
    return (i, v, Decimal(f"{i % 1000}.{i % 100:02d}"), None if i % 7 == 0 else -i, i / 8, "abc", i % 2)


def _sql_literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
    return str(v)


def _insert_sql(rows: list[tuple[Any, ...]], cols: str = "(id, v, p, n, f, c, b)") -> str:
    return f"INSERT INTO d.t {cols} VALUES " + ",\n".join(
        "(" + ", ".join(_sql_literal(v) for v in r) + ")" for r in rows
    )


def test_forty_thousand_rows_in_one_statement_read_back_exactly(srv: LiteServer) -> None:
    rows = [_row(i) for i in range(N)]
    sql = _insert_sql(rows)
    # 280,000 values: past SQLite's variable limit (32,766 by default, 250,000 in Debian's build)
    assert len(sql) > 2_000_000 and N * len(rows[0]) > 250_000
    c = connect(srv)
    with c.cursor() as cur:
        assert cur.execute(sql + ";") == N
    assert run(c, "select id, v, p, n, f, c, b from d.t order by id") == rows
    assert run(c, "select count(*) from d.t") == [(N,)]


def test_mysqlclient_big_insert_without_column_list(srv: LiteServer) -> None:
    rows = [_row(i) for i in range(N // 4)]
    c = MySQLdb.connect(host=srv.host, port=srv.port, user="root", password="111", autocommit=True)
    try:
        cur = c.cursor()
        assert cur.execute(_insert_sql(rows, cols="")) == len(rows)
        cur.execute("select id, v, p, n, f, c, b from d.t order by id")
        assert list(cur.fetchall()) == rows
    finally:
        c.close()


def test_duplicate_key_fails_the_whole_statement_with_the_value(srv: LiteServer) -> None:
    c = connect(srv)
    run(c, "insert into d.t (id, v) values (5, 'kept')")
    rows = [_row(i) for i in range(10, 5000)] + [_row(5)]
    with pytest.raises(pymysql.MySQLError) as ei:
        run(c, _insert_sql(rows))
    assert ei.value.args == (1062, "Duplicate entry '5' for key 'id'")
    inner = [_row(i) for i in range(10, 5000)] + [_row(20)]  # duplicate inside the statement
    with pytest.raises(pymysql.MySQLError) as ei:
        run(c, _insert_sql(inner))
    assert ei.value.args == (1062, "Duplicate entry '20' for key 'id'")
    assert run(c, "select id, v from d.t") == [(5, "kept")]


def test_failed_big_insert_in_a_transaction_keeps_earlier_statements(srv: LiteServer) -> None:
    c = connect(srv, autocommit=False)
    run(c, "insert into d.t (id, v) values (1, 'one')")
    with pytest.raises(pymysql.MySQLError):
        run(c, _insert_sql([_row(i) for i in range(100, 3000)] + [_row(1)]))
    run(c, "insert into d.t (id, v) values (2, 'two')")
    c.commit()
    assert run(connect(srv), "select id, v from d.t order by id") == [(1, "one"), (2, "two")]


def test_non_literal_values_fall_back_to_the_general_path_once(srv: LiteServer) -> None:
    rows = [_row(i) for i in range(1, 2000)]
    sql = _insert_sql(rows) + ", (0, concat('a', 'b'), 1.5, 2 + 3, null, 'x', true)"
    assert len(sql) > 32768
    c = connect(srv)
    with c.cursor() as cur:
        assert cur.execute(sql) == 2000
    assert run(c, "select count(*) from d.t") == [(2000,)]
    assert run(c, "select v, n from d.t where id = 0") == [("ab", 5)]


def test_auto_increment_ids_and_last_insert_id(srv: LiteServer) -> None:
    c = connect(srv)
    run(c, "insert into d.a (v) values ('first')")
    sql = "insert into d.a (v) values " + ", ".join(f"('row {i}')" for i in range(5000))
    with c.cursor() as cur:
        assert cur.execute(sql) == 5000
        assert cur.lastrowid == 2
    assert run(c, "select min(id), max(id), count(*) from d.a") == [(1, 5001, 5001)]


def test_reserved_column_in_a_big_insert_is_refused(srv: LiteServer) -> None:
    sql = "insert into d.t (id, __mo_ts) values " + ", ".join(f"({i}, 1)" for i in range(10_000))
    with pytest.raises(pymysql.MySQLError) as ei:
        run(connect(srv), sql)
    assert ei.value.args[0] == 1054
    assert run(connect(srv), "select count(*) from d.t") == [(0,)]
