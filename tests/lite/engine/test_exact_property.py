"""Property-style round trip (issue 11, point 1): random values of every supported type, written over
TCP by PyMySQL and mysqlclient, read back now, at T after later changes, and after a table restore
from a PITR: zero differences. Seeded, a few hundred rows, a few seconds."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import MySQLdb
import pymysql

from matrixone_lite.server import LiteServer
from tests.lite.conftest import server_now

SEED = 20261130
COLUMNS = [
    ("id", "int primary key"), ("d38", "decimal(38,10)"), ("d10", "decimal(10,2)"), ("d20", "decimal(20,0)"),
    ("ub", "bigint unsigned"), ("bi", "bigint"), ("i", "int"), ("dbl", "double"), ("flt", "float"),
    ("dt", "datetime(6)"), ("dd", "date"), ("vc", "varchar(40)"), ("ch", "char(12)"), ("tx", "text"),
    ("js", "json"), ("bl", "blob"), ("vb", "varbinary(16)"),
    ("ti", "tinyint"), ("su", "smallint unsigned"), ("iu", "int unsigned"),  # range-checked on write
]
_WIDE = Context(prec=60)
_CHARS = "abcXYZ019 '\"\\%_é中\t"


def _dec(rng: random.Random, int_digits: int, scale: int) -> tuple[str, Decimal]:
    """A literal with up to one extra digit (to exercise rounding) and the value MatrixOne stores."""
    whole = str(rng.randrange(10 ** rng.randint(0, int_digits)))
    extra = rng.random() < 0.3
    frac = "".join(rng.choice("0123456789") for _ in range(scale + (1 if extra else 0)))
    text = ("-" if rng.random() < 0.4 else "") + whole + ("." + frac if frac else "")
    stored = Decimal(text).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_WIDE)
    if len(stored.as_tuple().digits) - scale > int_digits:  # rounding carried past the precision
        return _dec(rng, int_digits, scale)
    return text, stored


def _row(rng: random.Random, rid: int) -> tuple[list[Any], tuple[Any, ...]]:
    """(values to bind, expected row as the drivers return it)."""
    def maybe(v: Any, e: Any = ...) -> tuple[Any, Any]:
        if rng.random() < 0.1:
            return None, None
        return v, v if e is ... else e

    d38, e38 = _dec(rng, 28, 10)
    d10, e10 = _dec(rng, 8, 2)
    d20, e20 = _dec(rng, 20, 0)
    ub = rng.choice([0, 1, 2**63 - 1, 2**63, 2**64 - 1, rng.randrange(2**64)])
    bi = rng.randrange(-(2**63), 2**63)
    dbl = rng.uniform(-1, 1) * 10 ** rng.randint(-300, 300)
    flt = rng.randrange(-(2**20), 2**20) / 8  # exact in single precision
    dt = datetime(2000, 1, 1) + timedelta(seconds=rng.randrange(10**9), microseconds=rng.randrange(10**6))
    dd = date(1990, 1, 1) + timedelta(days=rng.randrange(20000))
    vc = "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 30))) + " " * rng.randint(0, 3)
    ch = "".join(rng.choice("abcdef012") for _ in range(rng.randint(1, 12)))
    tx = rng.choice(["", "x", "multi\nline"])
    js = json.dumps({"k": rng.randrange(1000), "s": "é"}, ensure_ascii=False)
    bl = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) + rng.choice([b"", b"\x00", b"\xff"])
    vb = bytes(rng.randrange(256) for _ in range(rng.randint(0, 16)))
    pairs = [(rid, rid), maybe(d38, e38), maybe(d10, e10), maybe(d20, e20), maybe(ub), maybe(bi),
             maybe(rng.randrange(-(2**31), 2**31)), maybe(dbl), maybe(flt), maybe(dt), maybe(dd), maybe(vc),
             maybe(ch), (tx, tx), maybe(js), maybe(bl), maybe(vb),
             maybe(rng.choice([-128, 127, rng.randrange(-128, 128)])),
             maybe(rng.choice([0, 65535, rng.randrange(65536)])),
             maybe(rng.choice([0, 2**32 - 1, rng.randrange(2**32)]))]
    return [p[0] for p in pairs], tuple(p[1] for p in pairs)


def _normal(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(bytes(v) if isinstance(v, bytes | bytearray) else v for v in row)


def _read(conn: Any, sql: str) -> dict[int, tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql)
    out = {int(r[0]): _normal(tuple(r)) for r in cur.fetchall()}
    cur.close()
    return out


def _diff(got: dict[int, tuple[Any, ...]], want: dict[int, tuple[Any, ...]]) -> list[str]:
    out = [f"row {k}: missing" for k in want.keys() - got.keys()]
    out += [f"row {k}: unexpected" for k in got.keys() - want.keys()]
    for k in want.keys() & got.keys():
        for (name, _), g, w in zip(COLUMNS, got[k], want[k], strict=True):
            if g != w or type(g) is not type(w):
                out.append(f"row {k} {name}: got {g!r} want {w!r}")
    return out


def test_random_values_round_trip_now_at_t_and_after_restore(lite_server: Callable[..., LiteServer]) -> None:
    srv = lite_server(gc_interval=0)
    rng = random.Random(SEED)
    py = pymysql.connect(host=srv.host, port=srv.port, user="root", password="111", autocommit=True)
    my = MySQLdb.connect(host=srv.host, port=srv.port, user="root", password="111", autocommit=True)
    cur = py.cursor()
    cur.execute("create database pdb")
    cur.execute("create table pdb.t (" + ", ".join(f"{n} {t}" for n, t in COLUMNS) + ")")
    cur.execute("create pitr pp for database pdb range 1 'h'")
    insert = "insert into pdb.t values (" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    want: dict[int, tuple[Any, ...]] = {}
    for rid in range(1, 301):
        values, expected = _row(rng, rid)
        c = (py if rid % 2 else my).cursor()
        c.execute(insert, values)
        c.close()
        want[rid] = expected
    select = "select * from pdb.t"
    for conn in (py, my):
        assert _diff(_read(conn, select), want) == []

    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    after = dict(want)
    for rid in rng.sample(sorted(want), 100):  # later changes: updates, deletes, inserts
        values, expected = _row(rng, rid)
        sets = ", ".join(f"{n} = %s" for n, _ in COLUMNS[1:])
        (py if rid % 3 else my).cursor().execute(f"update pdb.t set {sets} where id = %s", [*values[1:], rid])
        after[rid] = expected
    for rid in rng.sample(sorted(want), 30):
        cur.execute("delete from pdb.t where id = %s", (rid,))
        after.pop(rid)
    for rid in range(301, 331):
        values, expected = _row(rng, rid)
        my.cursor().execute(insert, values)
        after[rid] = expected

    at_t = f"select * from pdb.t {{AS OF TIMESTAMP '{t}'}}"
    for conn in (py, my):
        assert _diff(_read(conn, select), after) == []
        assert _diff(_read(conn, at_t), want) == []
    cur.execute(f"restore database pdb table t from pitr pp '{t}'")
    for conn in (py, my):
        assert _diff(_read(conn, select), want) == []
