"""Integer columns refuse out-of-range and non-integer values, over TCP (issue 11, point 1).

Before: SQLite stored 128 in a TINYINT, 2^31 in an INT and ``'abc'`` in an INT. MatrixOne v4.2.0
(``pkg/sql/plan/function/func_cast.go``; its test/distributed/cases/dtype/*.result show the same
texts) answers 1690 ``data out of range: data type int8, value '128'`` and 20203 ``invalid argument
cast to int, bad value abc``, and the statement stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import tenant_connection
from tests.support.sql import DRIVERS, err
from tests.support.sql import run as q

TYPES = [  # column type, MatrixOne type name, min, max
    ("tinyint", "int8", -128, 127),
    ("smallint", "int16", -32768, 32767),
    ("int", "int32", -(2**31), 2**31 - 1),
    ("bigint", "int64", -(2**63), 2**63 - 1),
    ("tinyint unsigned", "uint8", 0, 255),
    ("smallint unsigned", "uint16", 0, 65535),
    ("int unsigned", "uint32", 0, 2**32 - 1),
    ("bigint unsigned", "uint64", 0, 2**64 - 1),
]


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    c = tenant_connection(lite_server(), request.param, "create database d", "use d")
    yield c
    c.close()


@pytest.mark.parametrize(("typ", "kind", "low", "high"), TYPES)
def test_bounds_are_stored_and_one_past_them_is_refused(conn: Any, typ: str, kind: str, low: int, high: int) -> None:
    q(conn, f"create table t (id int primary key, v {typ})")
    q(conn, f"insert into t values (1, {low}), (2, {high})")
    assert q(conn, "select v from t order by id") == [(low,), (high,)]
    for bad in (low - 1, high + 1):
        assert err(conn, f"insert into t values (3, {bad})") == (1690, f"data out of range: data type {kind}, value '{bad}'")
        assert err(conn, f"update t set v = {bad} where id = 1") == (
            1690, f"data out of range: data type {kind}, value '{bad}'")
    # a multi-row insert with one bad row stores none of them (the bulk path binds parameters)
    assert err(conn, f"insert into t values (4, 1), (5, {high + 1}), (6, 2)")[0] == 1690
    assert q(conn, "select id, v from t order by id") == [(1, low), (2, high)]


@pytest.mark.parametrize(("typ", "kind"), [("int", "int32"), ("tinyint", "int8"), ("smallint unsigned", "uint16")])
def test_strings(conn: Any, typ: str, kind: str) -> None:
    q(conn, f"create table t (id int primary key, v {typ})")
    cast = "cast to int" if kind.startswith("int") else f"cast to {kind}"
    assert err(conn, "insert into t values (1, 'abc')") == (20203, f"invalid argument {cast}, bad value abc")
    assert err(conn, "insert into t values (1, '1.1')") == (20203, f"invalid argument {cast}, bad value 1.1")
    assert err(conn, "insert into t values (1, '99999999999')") == (
        1690, f"data out of range: data type {kind}, value '99999999999'")
    q(conn, "insert into t values (1, ' 42 ')")
    assert q(conn, "select v, v + 1 from t") == [(42, 43)]


def test_expressions_and_insert_select(conn: Any) -> None:
    q(conn, "create table t (id int primary key, v tinyint)")
    q(conn, "create table src (x int)")
    q(conn, "insert into src values (100), (200)")
    q(conn, "insert into t values (1, 100)")
    assert err(conn, "update t set v = v + 100") == (1690, "data out of range: data type int8, value '200'")
    assert err(conn, "insert into t select x, x from src") == (1690, "data out of range: data type int8, value '200'")
    assert q(conn, "select id, v from t") == [(1, 100)]
    q(conn, "insert into t values (2, 1.5), (3, -2.5)")  # rounded half away from zero
    assert q(conn, "select v from t where id > 1 order by id") == [(2,), (-3,)]


def test_prepared_parameters(conn: Any) -> None:
    q(conn, "create table t (id int primary key, v smallint)")
    q(conn, "insert into t values (%s, %s)", (1, 32767))
    assert err(conn, "insert into t values (2, 40000)")[0] == 1690
    assert q(conn, "select v from t") == [(32767,)]


def test_rand_is_a_fraction_so_it_fits_an_int(conn: Any) -> None:
    """MatrixOne's rand() is a float64 in [0, 1); SQLite's RANDOM() (what it was translated to) is a
    64-bit integer, so ``floor(rand() * 1000000)`` stored ~1e24 in an INT, which the range check refuses."""
    got = [r[0] for r in q(conn, "select rand() from (select 1 union all select 2 union all select 3) x")]
    assert all(isinstance(v, float) and 0 <= v < 1 for v in got), got
    q(conn, "create table t (id int auto_increment primary key, v int)")
    q(conn, "insert into t (v) values (floor(rand() * 1000000))")
    assert 0 <= q(conn, "select v from t")[0][0] < 1000000
