"""A back-quoted column name that the table does not have is an error, never the text of the name.

lite writes every identifier as a double-quoted SQLite name, and SQLite's legacy rule reads a
double-quoted name no column has as a string literal: ``SELECT `nosuch` FROM t`` returned
``'nosuch'``, and ``DELETE FROM t WHERE `nosuch` = 'nosuch'`` deleted every row, where MatrixOne
(and MySQL) refuse the statement. The native library turns the rule off on each connection
(``SQLITE_DBCONFIG_DQS_DML``), so these tests need it (``make test`` requires it).
A double-quoted *string* in the client's SQL stays a string, as in MySQL.
"""

from __future__ import annotations

import pytest

from matrixone_lite import native
from matrixone_lite.server import LiteServer
from tests.lite.conftest import acc1_with_table, connect, run
from tests.support.sql import err

pytestmark = pytest.mark.skipif(native.mode() == "off", reason="MO_LITE_NATIVE=off asks for the Python-only engine")


@pytest.fixture
def srv(lite_server) -> LiteServer:
    return acc1_with_table(lite_server)


@pytest.mark.parametrize("driver", ["pymysql", "mysqlclient"])
@pytest.mark.parametrize("sql", [
    "select `nosuch` from d.t",
    "select id from d.t where `nosuch` = 'nosuch'",
    "select md5(concat_ws(',', `nosuch`)) from d.t",
    "select count(*) from d.t where `Nosuch` is not null",
])
def test_unknown_back_quoted_column_is_an_error(srv: LiteServer, sql: str, driver: str) -> None:
    c = connect(srv, user="acc1#root", driver=driver)
    assert err(c, sql)[0] == 1054


@pytest.mark.parametrize("sql", [
    "delete from d.t where `nosuch` = 'nosuch'",
    "update d.t set v = 'zz' where `nosuch` = 'nosuch'",
    "update d.t set v = `nosuch`",
])
def test_a_mistyped_column_changes_nothing(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    assert err(c, sql)[0] == 1054
    assert run(c, "select id, v from d.t order by id") == [(1, "a"), (2, "b")]


def test_double_quoted_string_is_still_a_string(srv: LiteServer) -> None:
    c = connect(srv, user="acc1#root")
    assert run(c, 'select "nosuch", id from d.t where v = "a"') == [("nosuch", 1)]
    assert run(c, "select `v` from d.t where `id` = 2") == [("b",)]
