"""The fingerprint fast path (``execution/fingerprints.py``) answers exactly what the general path answers.

Every statement is sent over TCP twice on the same connection, once with ``MO_LITE_FASTFP=off``
(the general path: sqlglot, the translator's SQL, the registered functions) and once with the fast
path on, and the rows AND the column descriptions the driver sees must be equal; a counter proves
the fast path answered (so a silently skipped fast path fails the test). Data: every type class,
extremes, NULL vs '', binary 0x00/0xFF, JSON, temporal values in the server's non-UTC zone, empty
and one-row tables, chunks, reads at T after updates and deletes, UNION ALL batches, and every
encoding form on every column (the provider's reference may name a retyped column's old form),
which drives rows through the native aggregate's per-row fallback.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from airflow_provider_matrixone.pitr.fingerprint import Column, chunk_where, encode_column, fingerprint_select
from matrixone_lite import native
from matrixone_lite.execution import fingerprints
from matrixone_lite.server import LiteServer
from matrixone_lite.sql.fastfingerprint import FORMS, parse_fingerprint_union
from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from matrixone_lite.storage.physical import row_arms, select_at, select_current
from tests.support import sql
from tests.support.sql import DRIVERS, driver_errors

DDL = ("create table p.t (id int primary key, ti tinyint, us smallint unsigned, bi bigint, ub bigint unsigned, "
       "m decimal(38,10), m0 decimal(10,0), d double, f float, s varchar(40), c char(5), tx text, "
       "b varbinary(16), bl blob, j json, dt date, dtm datetime(6), ts timestamp(3), ok bool)")
COLUMNS = [Column(n, t, True, None, i + 1) for i, (n, t) in enumerate([
    ("id", "int"), ("ti", "tinyint"), ("us", "smallint unsigned"), ("bi", "bigint"), ("ub", "bigint unsigned"),
    ("m", "decimal(38,10)"), ("m0", "decimal(10,0)"), ("d", "double"), ("f", "float"), ("s", "varchar(40)"),
    ("c", "char(5)"), ("tx", "text"), ("b", "varbinary(16)"), ("bl", "blob"), ("j", "json"), ("dt", "date"),
    ("dtm", "datetime(6)"), ("ts", "timestamp(3)"), ("ok", "bool")])]




def _row(rng: random.Random, i: int) -> tuple[Any, ...]:
    def pick(*choices: Any) -> Any:
        return rng.choice([*choices, None])

    blob = bytes(rng.randrange(256) for _ in range(rng.randint(0, 5))) + rng.choice([b"", b"\x00", b"\xff"])
    return (i, pick(-128, 127, 0), pick(0, 65535), pick(-(2**63), 2**63 - 1, 0, i),
            pick(0, 2**64 - 1, 2**63), pick("9999999999999999999999999999.9999999999", "-0.0000000001", "0", f"{i}.5"),
            pick("9999999999", "-1", "0"), pick(0.1 + 0.2, 0.3, -0.0, 1e308, 5e-324, i / 7),
            pick(1.5, -3.25, 0.0), pick("", "a ", "x,y", "é中😀", "N", "'q'"), pick("", "ab", "  "),
            pick("long text, with commas", ""), pick(blob, b""), pick(b"\x00\xff", b"x"),
            pick('{"a": [1, 2]}', '"s"', "null"), pick("2024-02-29", "1970-01-01"),
            pick("2024-10-28 17:30:00.123456", "1999-12-31 23:59:59"), pick("2024-10-28 17:30:00.123", "1970-01-02 08:00:00"),
            pick(True, False))


def _load(conn: Any, rng: random.Random) -> None:
    sql.run(conn, "create database p")
    sql.run(conn, DDL)
    sql.run(conn, "create table p.e (id int primary key, s varchar(3))")  # stays empty
    sql.run(conn, "create table p.one (id int primary key, s varchar(3))")
    sql.run(conn, "insert into p.one values (1, NULL)")
    marks = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    for i in range(1, 121):
        sql.run(conn, f"insert into p.t values {marks}", _row(rng, i))


FAST_FALLBACKS = [0]  # rows the fast path handed to the general per-row SQL (native.fallbacks() while it ran)


def _ask(conn: Any, statement: str, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[Any, ...]:
    monkeypatch.setenv("MO_LITE_FASTFP", "on" if fast else "off")
    before, handed = fingerprints.stats["runs"], native.fallbacks()
    cur = conn.cursor()
    try:
        cur.execute(statement)
        rows = [tuple(r) for r in cur.fetchall()]
        desc = [tuple(d) for d in cur.description]  # every field: name, type, length, decimals, flags
    finally:
        cur.close()
        if fast:
            FAST_FALLBACKS[0] += native.fallbacks() - handed
    return rows, desc, fingerprints.stats["runs"] - before


def _same(conn: Any, statement: str, monkeypatch: pytest.MonkeyPatch, *, expect_fast: bool = True) -> list[Any]:
    try:
        rows, desc, ran_slow = _ask(conn, statement, monkeypatch, False)
    except driver_errors() as e:  # the general path refuses it: the fast path gives the same error
        with pytest.raises(type(e)) as again:
            _ask(conn, statement, monkeypatch, True)
        assert again.value.args == e.args
        return []
    rows2, desc2, ran_fast = _ask(conn, statement, monkeypatch, True)
    assert ran_slow == 0
    assert ran_fast == (1 if expect_fast else 0), "the fast path did not run" if expect_fast else "it should not run"
    assert (rows2, desc2) == (rows, desc)
    return rows


def _now_ns(srv: LiteServer) -> int:
    assert srv.engine is not None
    return srv.engine.storage.now_ns()


@pytest.mark.parametrize("driver", DRIVERS)
def test_fast_path_equals_general_path(server: LiteServer, driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server, driver=driver)
    rng = random.Random(7)
    _load(conn, rng)
    t1 = _now_ns(server)
    sql.run(conn, "update p.t set s = concat(ifnull(s, ''), '+'), d = d / 3 where id % 4 = 0")
    sql.run(conn, "delete from p.t where id % 9 = 0")
    sql.run(conn, "insert into p.t (id, s) values (500, 'late')")
    sql.run(conn, "delete from p.one")
    small = [Column("id", "int", False, None, 1, "PRI"), Column("s", "varchar(3)", True, None, 2)]
    for at in (None, t1):
        whole = _same(conn, fingerprint_select("p", "t", COLUMNS, at), monkeypatch)
        assert whole[0][3] == (120 if at else 108)
        parts = [fingerprint_select("p", "t", COLUMNS, at, label=f"c{k}", where=chunk_where("id", lo, hi))
                 for k, (lo, hi) in enumerate([(None, 1), (1, 40), (40, 41), (41, None), (-5, 2**62)])]
        chunked = _same(conn, " UNION ALL ".join(parts), monkeypatch)
        assert sum(r[3] for r in chunked[:4]) == whole[0][3]
        empty = _same(conn, fingerprint_select("p", "e", small, at), monkeypatch)
        assert empty == [("p", "e", "", 0, None, None, None, None)]
        one = _same(conn, fingerprint_select("p", "one", small, at), monkeypatch)
        assert one[0][3] == (1 if at else 0)
        batch = " UNION ALL ".join([fingerprint_select("p", "e", small, at), *parts,
                                    fingerprint_select("p", "one", small, at, label="x'y")] * 4)
        assert len(_same(conn, batch, monkeypatch)) == 4 * (len(parts) + 2)
    conn.close()


def test_every_encoding_on_every_column_and_the_per_row_fallback(server: LiteServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server)
    _load(conn, random.Random(11))
    t1 = _now_ns(server)
    sql.run(conn, "update p.t set m = m / 7, ub = 3 where id % 5 = 0")
    before = FAST_FALLBACKS[0]
    for typ in ("double", "int", "varchar(9)", "json"):  # a reference taken when every column had this type
        cols = [Column(c.name, typ, True, None, c.position) for c in COLUMNS]
        for at in (None, t1):
            # a BLOB with X'FF' cast to text: the general path fails, and the fast path the same way
            _same(conn, fingerprint_select("p", "t", [c for c in cols if c.name in ("b", "bl")], at), monkeypatch)
            rows = _same(conn, fingerprint_select("p", "t", [c for c in cols if c.name not in ("b", "bl")], at),
                         monkeypatch)
            assert rows[0][3] == 120
    # REALs in CAST(... AS TEXT), text cast from BLOBs ...: whole rows went through the general per-row SQL
    assert FAST_FALLBACKS[0] > before
    conn.close()


def test_other_shapes_take_the_general_path(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server)
    _load(conn, random.Random(3))
    good = fingerprint_select("p", "t", COLUMNS[:4], None, where=chunk_where("id", 3, 90))
    _same(conn, good, monkeypatch)
    altered = [
        good.replace("WHERE `id` >= 3", "WHERE `id` >= 3 AND `ti` > 0"),  # an extra WHERE term
        good.replace("MD5(", "SHA1("),  # another function
        good.replace("CRC32(SUBSTRING(h, 17, 16))", "CRC32(SUBSTRING(h, 16, 16))"),
        good.replace("SUM(b) AS sb", "SUM(a) AS sb"),
        good.replace("BIT_XOR(b) AS xb", "BIT_XOR(b) AS xbb"),
        good.replace("'N'", "'n'", 1),
        good.replace("COUNT(*)", "count(*)"),
        good.replace(" LIMIT 9223372036854775807) AS fp_digest", ") AS fp_digest"),
        good.replace("`id` >= 3", "`id` >= 3.5"),
        good + " UNION SELECT 'p', 't', '', 0, 0, 0, 0, 0",
        fingerprint_select("p", "t", [Column("s", "varchar(40)", True, None, 1)], None,
                           where=chunk_where("s", "a", "m")),  # a text chunk key: general path
        fingerprint_select("p", "t", COLUMNS[:2], None, where=" WHERE `id` >= 1 AND `ti` < 9"),
    ]
    for statement in altered:
        _same(conn, statement, monkeypatch, expect_fast=False)
    conn.close()


def _error(conn: Any, statement: str, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[Any, ...]:
    monkeypatch.setenv("MO_LITE_FASTFP", "on" if fast else "off")
    try:
        return ("rows", sql.run(conn, statement))
    except driver_errors() as err:
        return int(err.args[0]), str(err.args[1])


@pytest.mark.parametrize("driver", DRIVERS)
def test_errors_are_the_general_paths(server: LiteServer, driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = sql.connect(server, driver=driver)
    _load(root, random.Random(5))
    old = _now_ns(server)
    sql.run(root, "update p.t set ti = 1")
    sql.run(root, "create account acc1 admin_name 'root' identified by '111'")
    sql.run(root, "create user reader identified by 'pw'")  # a sys user without any grant on p.t
    bad = [fingerprint_select("p", "nope", COLUMNS, None), fingerprint_select("nodb", "t", COLUMNS, None),
           fingerprint_select("p", "t", [*COLUMNS, Column("gone", "int", True, None, 99)], None),
           fingerprint_select("p", "t", COLUMNS, 1),
           fingerprint_select("p", "t", COLUMNS, 5).replace("{MO_TS = 5}", "{MO_TS = 99999999999999999999999}"),
           fingerprint_select("information_schema", "tables", [Column("table_name", "varchar", True, None, 1)], None)]
    assert server.engine is not None
    storage = server.engine.storage
    storage.set_gc_horizon_provider(lambda: old + 1)
    storage.gc(now_ns=old + 10 * 3600 * 10**9)  # history before old + 1 collected: T = old is unreadable
    bad.append(fingerprint_select("p", "t", COLUMNS, old))
    outcomes = []
    for statement in bad:
        got = _error(root, statement, monkeypatch, True)
        assert got == _error(root, statement, monkeypatch, False)
        outcomes.append(got[0])
    # a column the table does not have is 1054 both ways (SQLite's double-quoted-string rule is off,
    # tests/lite/engine/test_unknown_quoted_column.py); information_schema is a virtual table
    assert outcomes == [1146, 1049, 1054, 20101, 20101, "rows", 20101]
    reader = sql.connect(server, "reader", "pw", driver=driver)
    tenant = sql.connect(server, "acc1#root", "111", driver=driver)
    for conn in (reader, tenant):  # no privilege; another account's database
        statement = fingerprint_select("p", "t", COLUMNS, None)
        got = _error(conn, statement, monkeypatch, True)
        assert got == _error(conn, statement, monkeypatch, False)
        assert got[0] != "rows"
        conn.close()
    root.close()


def test_the_recogniser_follows_the_provider() -> None:
    """lite keeps its own copy of the encodings (it never imports the provider): they must agree."""
    for typ, form in (("double", "double"), ("int", "cast"), ("varchar(3)", "hex"), ("json", "hexcast")):
        assert encode_column(Column("a`b", typ, True, None, 1)) == FORMS[form].format(c="`a``b`")
    got = parse_fingerprint_union(fingerprint_select("d`b", "t'x", COLUMNS, 17, label="l", where=chunk_where("id", -3, 9)))
    assert got is not None and len(got) == 1
    b = got[0]
    assert (b.db_label, b.table_label, b.chunk_label, b.database, b.table, b.at) == ("d`b", "t'x", "l", "d`b", "t'x", 17)
    assert b.key == "id" and b.bounds == ((">=", "-3"), ("<", "9"))
    assert [c for _, c in b.encodings] == [c.name for c in COLUMNS]


def test_arms_are_the_history_union() -> None:
    """The fast path aggregates each arm of ``select_at`` separately: their union must be its rows."""
    schema = TableSchema([ColumnDef("a", "INT", "int"), ColumnDef("b", "VARCHAR", "varchar(3)")])
    names = '"a", "b"'
    for at in (None, 123):
        arms = [f"SELECT {names} FROM {t}" + (f" WHERE {w}" if w else "") for t, w in row_arms(7, at)]
        assert " UNION ALL ".join(arms) == (select_current(7, schema) if at is None else select_at(7, schema, at))


def test_own_uncommitted_changes_in_a_transaction(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a transaction both paths see its own pending writes now, and none of them at T."""
    setup = sql.connect(server)
    _load(setup, random.Random(9))
    setup.close()
    t1 = _now_ns(server)
    conn = sql.connect(server, autocommit=False)
    sql.run(conn, "begin")
    sql.run(conn, "update p.t set s = 'pending' where id <= 30")
    sql.run(conn, "delete from p.t where id > 100")
    sql.run(conn, "insert into p.t (id) values (1000)")
    now = _same(conn, fingerprint_select("p", "t", COLUMNS, None), monkeypatch)
    at = _same(conn, fingerprint_select("p", "t", COLUMNS, t1, where=chunk_where("id", 10, 200)), monkeypatch)
    assert now[0][3] == 101 and at[0][3] == 111  # ids 10..120 at T
    sql.run(conn, "rollback")
    conn.close()


def test_bytes_stored_in_a_text_column(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """``X'FF'`` written to a VARCHAR is kept as bytes: HEX reads them; a CAST to text fails the same way."""
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.odd (id int primary key, s varchar(10))")
    sql.run(conn, "insert into p.odd values (1, X'FF'), (2, X'00'), (3, 'x'), (4, ''), (5, NULL)")
    hexed = _same(conn, fingerprint_select("p", "odd", [Column("id", "int", False, None, 1),
                                                       Column("s", "varchar(10)", True, None, 2)], None), monkeypatch)
    assert hexed[0][3] == 5
    for typ in ("int", "json", "double"):
        cols = [Column("id", "int", False, None, 1), Column("s", typ, True, None, 2)]
        assert _same(conn, fingerprint_select("p", "odd", cols, None), monkeypatch) == []  # an error, both ways
    conn.close()


@pytest.mark.parametrize("call", ["mo_fp_agg('C', 'SELECT 1, 1', id)", "MO_FP_AGG('E', 'SELECT 1, 1', id)"])
def test_a_client_cannot_call_the_aggregate(server: LiteServer, call: str) -> None:
    """``mo_fp_agg`` runs the SQL of its second argument: only the engine may call it."""
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.one (id int primary key)")
    sql.run(conn, "insert into p.one values (1)")
    with pytest.raises(driver_errors()) as err:
        sql.run(conn, f"select {call} from p.one")
    assert err.value.args[0] == 20105 and "function or operator 'mo_fp_agg'" in str(err.value.args[1])
    conn.close()
