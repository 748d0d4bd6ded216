"""The restore proof's per-row functions on matrixone_lite, over TCP with both drivers.

Why: lite's ``CONCAT_WS``, ``HEX``, ``CRC32`` and ``MD5`` got fast paths for the common case (all
arguments text) and lost their per-call cache (the proof's SQL now keeps SQLite from flattening its
derived tables, ``fingerprint.ALL_ROWS``). These tests pin the MySQL/MatrixOne results on the fast
path *and* on every fallback (NULL skipped, numbers, binary, non-ASCII), and check that the
no-op ``LIMIT`` the proof emits keeps every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import MySQLdb
import pytest

from airflow_provider_matrixone.pitr.fingerprint import ALL_ROWS, Column, fingerprint_select
from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run


def _mysqldb(srv: LiteServer) -> Any:
    conn = MySQLdb.connect(host=srv.host, port=srv.port, user="root", password="111")
    conn.autocommit(True)
    return conn


DRIVERS: dict[str, Callable[[LiteServer], Any]] = {"pymysql": connect, "mysqlclient": _mysqldb}


def _text(v: Any) -> Any:
    return v.decode() if isinstance(v, (bytes, bytearray)) else v


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    srv = lite_server(root_password="111")
    c = DRIVERS[request.param](srv)
    run(c, "create database p")
    run(c, "create table p.t (id int primary key, s varchar(20), b varbinary(8), n int)")
    run(c, "insert into p.t values (1, 'a', x'ff00', 255), (2, 'é', NULL, NULL), (3, '', x'', 0)")
    yield c
    c.close()


def test_concat_ws_fast_path_and_fallbacks(conn: Any) -> None:
    rows = run(conn, "select id, concat_ws(',', 'x', s), concat_ws('-', s, NULL, n, 'z'), "
                     "concat_ws(NULL, s, 'z') from p.t order by id")
    assert [tuple(_text(v) for v in r) for r in rows] == [
        (1, "x,a", "a-255-z", None),
        (2, "x,é", "é-z", None),  # NULL arguments are skipped, not written
        (3, "x,", "-0-z", None),
    ]


def test_hex_crc32_md5_match_mysql(conn: Any) -> None:
    rows = run(conn, "select id, hex(s), hex(b), hex(n), crc32(s), md5(s) from p.t order by id")
    assert [tuple(_text(v) for v in r) for r in rows] == [
        (1, "61", "FF00", "FF", 3904355907, "0cc175b9c0f1b6a831c399e269772661"),
        (2, "C3A9", None, None, 235179326, "66ddcd97cfdeabb2f6fb8a999b4bc76f"),  # of the UTF-8 bytes C3 A9
        (3, "", "", "0", 0, "d41d8cd98f00b204e9800998ecf8427e"),
    ]


def test_all_rows_limit_keeps_every_row_and_the_digest(conn: Any) -> None:
    assert ALL_ROWS == 2**63 - 1  # the largest LIMIT SQLite takes; MatrixOne and MySQL take it too
    assert run(conn, f"select count(*) from (select id from p.t limit {ALL_ROWS}) x limit {ALL_ROWS}") == [(3,)]
    cols = [Column("id", "int", False, None, 1, "PRI"), Column("s", "varchar(20)", True, None, 2),
            Column("b", "varbinary(8)", True, None, 3), Column("n", "int", True, None, 4)]
    sql = fingerprint_select("p", "t", cols, None)
    assert sql.count(f"LIMIT {ALL_ROWS}") == 2  # both derived tables: MD5 evaluated once per row
    (row,) = run(conn, sql)
    (plain,) = run(conn, sql.replace(f" LIMIT {ALL_ROWS}", ""))
    assert row == plain and row[3] == 3
