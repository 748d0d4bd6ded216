"""A column DEFAULT cannot call SQLite's or lite's internal functions (SQLite evaluates it on INSERT).

Found by the fingerprint fast path's adversarial review: the guard checked statements, not the
DEFAULT expressions of CREATE/ALTER TABLE, so ``default (sqlite_source_id())`` stored SQLite's
build id in a tenant's rows. Over TCP with PyMySQL; each refusal is MatrixOne's unknown-function error.
"""

from __future__ import annotations

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run
from tests.support.sql import err


@pytest.fixture
def srv(lite_server) -> LiteServer:
    server = lite_server()
    run(connect(server), "create account acc1 admin_name 'root' identified by '111'")
    run(connect(server, user="acc1#root"), "create database d")
    return server


@pytest.mark.parametrize("sql", [
    "create table d.t (id int primary key, v varchar(80) default (sqlite_source_id()))",
    "create table d.t (id int primary key, v varchar(80) default (`sqlite_version`()))",
    "create table d.t (id int primary key, v varchar(80) default (mo_py_hex('a')))",
    "create table d.t (id int primary key, v varchar(80) default (load_extension('x')))",
])
def test_internal_function_in_a_default_is_refused(srv: LiteServer, sql: str) -> None:
    c = connect(srv, user="acc1#root")
    code, message = err(c, sql)
    assert code == 20105 and "function or operator" in message
    assert run(c, "show tables from d") == []


def test_internal_function_in_an_added_column_default_is_refused(srv: LiteServer) -> None:
    c = connect(srv, user="acc1#root")
    run(c, "create table d.t (id int primary key)")
    assert err(c, "alter table d.t add column v varchar(80) default (sqlite_version())")[0] == 20105


def test_ordinary_defaults_still_work(srv: LiteServer) -> None:
    c = connect(srv, user="acc1#root")
    run(c, "create table d.t (id int primary key, v varchar(8) default 'x', w int default (1 + 2), "
           "ts timestamp default current_timestamp)")
    run(c, "insert into d.t (id) values (1)")
    row = run(c, "select id, v, w, ts is not null from d.t")[0]
    assert row == (1, "x", 3, 1)
