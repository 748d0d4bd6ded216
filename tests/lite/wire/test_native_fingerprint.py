"""The provider's fingerprint digests over TCP are bit-identical with and without the native functions.

Each TCP connection is a new lite session, which registers the per-row functions when it starts:
with ``MO_LITE_NATIVE=off`` it gets the Python ones, otherwise the native (C) ones. The same
table (NULLs, unicode, a trailing space, binary with 0x00/0xFF, DOUBLE, DECIMAL(38,10), JSON,
TIMESTAMP, an empty string) is fingerprinted in both modes, in both orders (the pooled SQLite
connection is re-registered each time), and with chunk boundaries.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from airflow_provider_matrixone.pitr.fingerprint import Column, chunk_where, fingerprint_select
from matrixone_lite import native
from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run

COLUMNS = [Column("id", "int", False, None, 1, "PRI"), Column("s", "varchar(40)", True, None, 2),
           Column("b", "varbinary(16)", True, None, 3), Column("d", "double", True, None, 4),
           Column("m", "decimal(38,10)", True, None, 5), Column("j", "json", True, None, 6),
           Column("ts", "timestamp(3)", True, None, 7), Column("k", "bigint", True, None, 8)]


def _digests(srv: LiteServer, monkeypatch: pytest.MonkeyPatch, mode: str) -> list[tuple[object, ...]]:
    monkeypatch.setenv("MO_LITE_NATIVE", mode)
    conn = connect(srv)  # a new session: registers the functions of this mode
    try:
        out = [tuple(run(conn, fingerprint_select("p", "t", COLUMNS, None))[0])]
        for lo, hi in ((None, 50), (50, 120), (120, None)):
            out.append(tuple(run(conn, fingerprint_select("p", "t", COLUMNS, None, where=chunk_where("id", lo, hi)))[0]))
        return out
    finally:
        conn.close()


def test_fingerprint_identical_native_and_python(lite_server: Callable[..., LiteServer],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if native.mode() == "off":
        pytest.skip("MO_LITE_NATIVE=off: the native functions are not wanted in this run")
    if not native.load():
        pytest.fail("the native library did not load: nothing to compare")
    srv = lite_server(root_password="111")
    conn = connect(srv)
    run(conn, "create database p")
    run(conn, "create table p.t (id int primary key, s varchar(40), b varbinary(16), d double, "
              "m decimal(38,10), j json, ts timestamp(3), k bigint)")
    rng = random.Random(13)
    texts = ["", "a", "a ", "é中😀", "N", "x,y", "0", None]
    for i in range(1, 161):
        b = bytes(rng.randrange(256) for _ in range(rng.randint(0, 6))) + rng.choice([b"", b"\x00", b"\xff"])
        m = rng.choice(["1234567890123456789012345678.0123456789", "-0.0000000001", "0", f"{i}.5", None])
        run(conn, "insert into p.t values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (i, rng.choice(texts), rng.choice([b, None]), rng.choice([0.1 + 0.2, 0.3, -1e300, 5e-324, i / 7, None]),
             m,
             rng.choice(['{"a": [1, 2]}', '"s"', "null", None]),
             rng.choice(["2024-10-28 17:30:00.123", "1970-01-02 00:00:00", None]),
             rng.choice([2**63 - 1, -(2**63), 0, None])))
    conn.close()
    before = native.fallbacks()
    fast = _digests(srv, monkeypatch, "required")
    slow = _digests(srv, monkeypatch, "off")
    again = _digests(srv, monkeypatch, "required")  # the pooled connection gets the native ones back
    assert fast == slow == again
    assert fast[0][3] == 160 and sum(int(r[3]) for r in fast[1:]) == 160
    # every value stays on the native path (a hand-off to Python is counted), the tiny and zero
    # DECIMAL(38,10) values too: lite prints them in plain digits ('0.0000000000'), as MatrixOne does
    assert native.fallbacks() - before == 0
