"""ROUND / FLOOR / CEIL / CEILING / TRUNCATE / ABS and SUM/AVG (DISTINCT) of DECIMALs, exact, over
TCP with PyMySQL and mysqlclient (issue 11, point 1).

Before: SQLite computed these in double, so ``ROUND(x, 2)`` of a ``DECIMAL(38,10)`` lost every digit
past the 15th and ``SUM(DISTINCT x)`` was a double. The expected values are computed here with
Python's :mod:`decimal` under MatrixOne v4.2.0's rules (result scales from ``base_binder.go`` /
``list_builtIn.go`` / ``aggexec/sumavg2.go``, see ``matrixone_lite/sql/decimal_functions.py``): random
seeded values, every function, zero differences, now and read at an instant T after later changes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import server_now, tenant_connection
from tests.support.sql import DRIVERS
from tests.support.sql import run as q

SEED = 20261201
WIDE = Context(prec=80)
COLUMNS = {"a": (38, 10), "b": (10, 2), "c": (20, 0)}


def _at(d: Decimal, digits: int, rounding: str, scale: int) -> Decimal:
    r = d.quantize(Decimal(1).scaleb(-digits), rounding=rounding, context=WIDE)
    return r.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=WIDE)


def _value(rng: random.Random, p: int, s: int) -> Decimal:
    digits = rng.randint(1, p)
    n = rng.randrange(10 ** (digits - 1), 10**digits) * rng.choice((1, -1))
    return Decimal(n).scaleb(-s, context=WIDE)


def _expected(fn: str, x: Decimal, s: int, d: int | None) -> Decimal:
    if fn == "abs":
        return x.copy_abs()  # keeps the scale s
    rounding = {"round": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "ceiling": ROUND_CEILING,
                "truncate": ROUND_DOWN}[fn]
    if fn == "truncate":
        return _at(x, d or 0, rounding, s)  # TRUNCATE keeps the scale s
    scale = 0 if d is None else min(s, max(d, 0))
    return _at(x, d or 0, rounding, scale)


def _calls(rng: random.Random) -> list[tuple[str, str, int | None]]:
    """(function, column, digits or None) for every function over every column."""
    out: list[tuple[str, str, int | None]] = []
    for col in COLUMNS:
        out.append(("abs", col, None))
        for fn in ("round", "floor", "ceil", "ceiling"):
            out.append((fn, col, None))
            out += [(fn, col, rng.randint(-4, 12)) for _ in range(3)]
        out += [("truncate", col, rng.randint(-4, 12)) for _ in range(3)]
    return out


def _sum(values: Any) -> Decimal:
    total = Decimal(0)
    for v in values:
        total = WIDE.add(total, v)  # the default context would round past 28 digits
    return total


def _sql(fn: str, col: str, d: int | None) -> str:
    return f"{fn}({col})" if d is None else f"{fn}({col}, {d})"


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    c = tenant_connection(lite_server(gc_interval=0), request.param, "create database d", "use d")
    yield c
    c.close()


def test_functions_of_random_decimals_are_exact(conn: Any) -> None:
    rng = random.Random(SEED)
    q(conn, "create table t (id int primary key, a decimal(38,10), b decimal(10,2), c decimal(20,0))")
    rows = {i: {k: _value(rng, p, s) for k, (p, s) in COLUMNS.items()} for i in range(1, 61)}
    rows[61] = {"a": Decimal("-0.5000000000"), "b": Decimal("2.50"), "c": Decimal("-5")}  # halves
    for i, r in rows.items():
        q(conn, "insert into t values (%s, %s, %s, %s)", (i, str(r["a"]), str(r["b"]), str(r["c"])))
    calls = _calls(rng)
    sql = "select id, " + ", ".join(_sql(*c) for c in calls) + " from t order by id"

    def check(got: list[tuple[Any, ...]]) -> None:
        diffs = []
        for row in got:
            for (fn, col, d), v in zip(calls, row[1:], strict=True):
                want = _expected(fn, rows[row[0]][col], COLUMNS[col][1], d)
                if v != want or str(v) != str(want):  # value and scale
                    diffs.append(f"id {row[0]} {_sql(fn, col, d)} = {v}, want {want}")
        assert diffs == []

    check(q(conn, sql))
    t = server_now()
    time.sleep(0.05)
    q(conn, "update t set a = 0, b = 0, c = 0")
    check(q(conn, sql.replace(" from t ", f" from t {{as of timestamp '{t}'}} ")))


def test_distinct_aggregates_and_avg_scale(conn: Any) -> None:
    rng = random.Random(SEED + 1)
    q(conn, "create table t (id int primary key, a decimal(38,10), b decimal(10,2), c decimal(20,0))")
    vals = [{k: _value(rng, p - 2, s) for k, (p, s) in COLUMNS.items()} for _ in range(20)]
    vals += vals[:7]  # duplicates, which DISTINCT drops
    for i, r in enumerate(vals, 1):
        q(conn, "insert into t values (%s, %s, %s, %s)", (i, str(r["a"]), str(r["b"]), str(r["c"])))
    for col, (_p, s) in COLUMNS.items():
        every = [r[col] for r in vals]
        distinct = set(every)
        avg_s = max(s, min(12, s + 6))  # MatrixOne's AvgReturnType
        q1 = Decimal(1).scaleb(-s)
        q2 = Decimal(1).scaleb(-avg_s)
        total, dtotal = _sum(every), _sum(distinct)
        want = (
            dtotal.quantize(q1, context=WIDE),
            WIDE.divide(dtotal, Decimal(len(distinct))).quantize(q2, rounding=ROUND_HALF_UP, context=WIDE),
            WIDE.divide(total, Decimal(len(every))).quantize(q2, rounding=ROUND_HALF_UP, context=WIDE),
        )
        got = q(conn, f"select sum(distinct {col}), avg(distinct {col}), avg({col}) from t")[0]
        assert tuple(str(v) for v in got) == tuple(str(v) for v in want), col
    assert q(conn, "select sum(distinct a) from t where id < 0") == [(None,)]
