"""Adversarial cases for the fingerprint fast path: each must answer what the general path answers.

Why a separate file: ``test_fast_fingerprint.py`` pins the provider's own statements; these are the
statements and data an attacker (or an unlucky schema) brings: names that fold differently in
Python and SQLite, storage classes left by ALTER, odd instants, other sessions, privileges, the
native aggregate's buffers and punts. Each statement is sent over TCP with the fast path off and on
(``_same`` from the main test file: rows and column descriptions equal, and whether it ran).
"""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_matrixone.pitr.fingerprint import Column, chunk_where, fingerprint_select
from matrixone_lite.server import LiteServer
from tests.lite.wire.test_fast_fingerprint import _now_ns, _same
from tests.support import sql


def _col(name: str, typ: str, pos: int) -> Column:
    return Column(name, typ, True, None, pos)


def test_names_python_folds_but_sqlite_does_not(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """``K`` (Kelvin sign) lowers to ``k`` and ``ẞ`` to ``ß`` in Python, not in SQLite's name lookup.

    The general path reads such a name as a string literal (SQLite's fallback for an unknown
    double-quoted name); the fast path used to find the column by ``str.lower()`` and fingerprint
    its values instead: a different digest for the same statement, as a column or as the chunk key.
    """
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.u (id int primary key, `ß` int, k int)")
    sql.run(conn, "insert into p.u values (1, 3, 4), (2, NULL, 5)")
    t1 = _now_ns(server)
    for at in (None, t1):
        for name in ("\u212a", "\u1e9e"):
            _same(conn, fingerprint_select("p", "u", [_col("id", "int", 1), _col(name, "int", 2)], at), monkeypatch,
                  expect_fast=False)
        _same(conn, fingerprint_select("p", "u", [_col("id", "int", 1)], at, where=chunk_where("\u212a", 0, 9)),
              monkeypatch, expect_fast=False)
        # ASCII case differences resolve the same in both: the fast path still answers
        _same(conn, fingerprint_select("p", "u", [_col("ID", "int", 1), _col("K", "int", 2)], at,
                                       where=chunk_where("Id", 0, 9)), monkeypatch)
    conn.close()


@pytest.mark.parametrize("call", [
    "`mo_fp_agg`('C', 'SELECT count(*), 7 FROM sqlite_master', X'FF')",  # the punt runs any SQL it is given
    "`MO_FP_AGG`('E', 'SELECT 1, 1', id)",
    "`mo_py_hex`(id)",
    "`mo_native_handle`(1)",
])
def test_a_back_quoted_name_does_not_reach_the_engine_only_functions(server: LiteServer, call: str) -> None:
    """A tenant back-quoting the function name got past the guard (sqlglot keeps an Identifier there).

    With ``mo_fp_agg`` that ran the tenant's SQL on the shared SQLite connection, outside every
    catalog and privilege check: the first call counted the whole server's ``sqlite_master``.
    """
    sql.sql_as(server, "root", "111", ["create account acc1 admin_name 'root' identified by '111'"])
    tenant = sql.connect(server, "acc1#root", "111")
    sql.run(tenant, "create database q")
    sql.run(tenant, "create table q.z (id int primary key)")
    sql.run(tenant, "insert into q.z values (1)")
    name = call.split("(", 1)[0].strip("`").lower()
    assert sql.err(tenant, f"select {call} from q.z") == (20105, f"not supported: function or operator '{name}'")
    tenant.close()


def test_more_branches_than_sqlite_allows_in_a_union(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """501 branches: the general path's UNION ALL exceeds SQLite's 500 compound terms and fails.

    The fast path used to answer it (it never builds the UNION): a result where the general path
    has an error. It now declines beyond SQLite's compound limit, so both report the same error.
    """
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.t (id int primary key)")
    sql.run(conn, "insert into p.t values (1)")
    one = fingerprint_select("p", "t", [_col("id", "int", 1)], None)
    assert len(_same(conn, " UNION ALL ".join([one] * 500), monkeypatch)) == 500
    assert _same(conn, " UNION ALL ".join([one] * 501), monkeypatch, expect_fast=False) == []  # an error, both ways
    conn.close()


def test_one_statement_reads_one_state_under_concurrent_commits(server: LiteServer) -> None:
    """Every branch of one statement sees the same snapshot, while another session keeps committing.

    At T each branch has three arms (live rows, history, own pending) and the fast path used to run
    them in SQLite statements of 500 arms: an UPDATE committed between two of them was seen by one
    arm of the straddling branch and not by the other, so that branch counted a row twice (live at
    T in the first statement, its old version in history in the next). The general path is one
    statement, so every branch of 400 identical ones must agree. The writer updates a row still
    live at T each time (only a row's first update after T moves its T version to history). On the
    old code this fails when a commit lands in the gap: very likely, not guaranteed.
    """
    import threading

    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.t (id int primary key, v int)")
    sql.run(conn, "insert into p.t values " + ", ".join(f"({i}, 0)" for i in range(1, 3001)))
    t1 = _now_ns(server)
    one = fingerprint_select("p", "t", [_col("id", "int", 1), _col("v", "int", 2)], t1)
    statement = " UNION ALL ".join([one] * 400)
    expected = sql.run(conn, one)[0]
    stop = threading.Event()

    def writer() -> None:
        w = sql.connect(server)
        k = 0
        while not stop.is_set():
            k += 1
            sql.run(w, f"update p.t set v = 1 where id = {k % 3000 + 1}")
        w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(6):
            rows = sql.run(conn, statement)
            assert {r for r in rows} == {expected}
    finally:
        stop.set()
        thread.join()
    conn.close()


@pytest.mark.parametrize("label", [b"\xff", b"\xc3", b"\xed\xa0\x80", b"a\x00b"])
def test_a_label_that_is_not_plain_utf8_text(server: LiteServer, monkeypatch: pytest.MonkeyPatch,
                                            label: bytes) -> None:
    """Label bytes that are not UTF-8, or a NUL: the general path returns the label as bytes.

    The wire decodes a statement with ``surrogateescape``; the fast path echoed such a label as a
    str, which the server could not encode: it dropped the client's connection ("Lost connection
    to MySQL server during query"). A NUL came back as VARCHAR text instead of the general path's
    bytes. Both now take the general path; the connection stays usable.
    """
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.t (id int primary key)")
    sql.run(conn, "insert into p.t values (1)")
    statement = fingerprint_select("p", "t", [_col("id", "int", 1)], None, label="LBL").encode().replace(b"LBL", label)
    rows = _same(conn, statement, monkeypatch, expect_fast=False)  # type: ignore[arg-type]
    assert rows[0][2] == label and rows[0][3] == 1
    assert sql.run(conn, "select 1") == [(1,)]
    conn.close()


def _placeholder_setup(server: LiteServer) -> tuple[Any, int, list[Column]]:
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    sql.run(conn, "create table p.t (id int primary key, s varchar(10))")
    sql.run(conn, "insert into p.t values (1, 'a')")
    t1 = _now_ns(server)
    sql.run(conn, "insert into p.t values (2, 'b')")
    sql.run(conn, "create table p.`__mohint0` (id int primary key, s varchar(10))")  # stays empty
    return conn, t1, [_col("id", "int", 1), _col("s", "varchar(10)", 2)]


def test_names_and_labels_like_the_general_paths_placeholders(server: LiteServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`__mohint<i>` (hints.py) and `__mo_ph_<k>_` (templates.py) in a statement's text.

    The general path mistook them for its own placeholders (the two tests below; its placeholders
    now carry a random per-process part, sql/hints.py); the fast path read the named table or echoed
    the label correctly, so the two paths answered differently. It still declines such statements.
    """
    conn, t1, cols = _placeholder_setup(server)
    hinted = fingerprint_select("p", "t", cols, t1)
    for other in (fingerprint_select("p", "__mohint0", cols, None), fingerprint_select("p", "__mohint1", cols, None),
                  fingerprint_select("p", "t", cols, None, label="__mo_ph_0_")):
        for statement in (f"{hinted} UNION ALL {other}", f"{other} UNION ALL {hinted}"):
            _same(conn, statement, monkeypatch, expect_fast=False)
    conn.close()


def test_general_path_reads_a_table_named_like_a_hint_placeholder(server: LiteServer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    conn, t1, cols = _placeholder_setup(server)
    monkeypatch.setenv("MO_LITE_FASTFP", "off")
    statement = fingerprint_select("p", "t", cols, t1) + " UNION ALL " + fingerprint_select("p", "__mohint0", cols, None)
    with pytest.raises(sql.driver_errors()) as err:  # was p.t's row at T under the empty table's name
        sql.run(conn, statement)
    assert err.value.args[0] == 20105 and "reserved by matrixone_lite" in str(err.value.args[1])
    # without a hint in the statement it is an ordinary table
    assert sql.run(conn, fingerprint_select("p", "__mohint0", cols, None))[0][3] == 0
    conn.close()


def test_general_path_with_a_label_like_a_template_placeholder(server: LiteServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    conn, t1, cols = _placeholder_setup(server)
    monkeypatch.setenv("MO_LITE_FASTFP", "off")
    statement = fingerprint_select("p", "t", cols, t1, label="__mo_ph_0_")
    try:
        rows = sql.run(conn, statement + " UNION ALL " + statement)
    finally:
        conn.close()
    assert [r[3] for r in rows] == [1, 1]


def test_the_recogniser_reads_exactly_the_tables_the_privilege_check_checks() -> None:
    """Privileges are checked on sqlglot's reading of the text, the fast path reads its own parse.

    If the two ever disagreed on which tables a statement names (quotes, back-quotes, comments,
    hint-like text or UNION ALL inside names and labels), a user could fingerprint a table it has
    no privilege on. Random hostile names and labels: wherever the recogniser accepts, the sets
    of (database, table) are equal.
    """
    import random

    from matrixone_lite.mo.privilege_check import needs_of
    from matrixone_lite.sql.fastfingerprint import parse_fingerprint_union

    base = fingerprint_select("DBX", "TBX", [_col("CX", "int", 1)], 5, label="LBX", where=chunk_where("CX", 1, 5))
    pieces = ["a", "`", "``", "'", "''", '"', "\\", "\n", "{", "}", "/*", "*/", "#", "-- ", ";", ".", " ", "é",
              "{MO_TS = 5}", "`.`", " UNION ALL ", "\\'", "\r", "?", "%s"]
    rng = random.Random(2)

    def rnd(k: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(1, k)))

    accepted = 0
    for _ in range(1500):
        quote = (lambda x: f"`{x}`") if rng.random() < 0.3 else (lambda x: "`" + x.replace("`", "``") + "`")
        lab = rnd(3)
        statement = (base.replace("`DBX`", quote(rnd(4))).replace("`TBX`", quote(rnd(4)))
                     .replace("`CX`", quote(rnd(3))).replace("'LBX'", "'" + lab.replace("'", "''") + "'"))
        branches = parse_fingerprint_union(statement)
        if branches is None:
            continue
        accepted += 1
        checked = {(db, t) for _, _, db, t in needs_of(statement, "SELECT", None)}
        assert checked == {(b.database.lower(), b.table.lower()) for b in branches}, statement
    assert accepted > 500


def test_values_stored_in_unexpected_classes(server: LiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Odd stored values under every encoding form, now and at T: the paths agree, the fast path runs.

    NUL inside text, invalid UTF-8 kept as bytes in a VARCHAR, 300 KB texts (rows beyond 64 KiB),
    non-canonical decimal text (``-0``), signed zero and subnormal doubles, BIGINT UNSIGNED above
    2^63, BIT(64) all ones, ENUM/SET, TIME beyond 24 h, YEAR; then each column read under the
    other forms (a reference taken before a retype), which sends rows through the per-row SQL.
    """
    conn = sql.connect(server)
    sql.run(conn, "create database p")
    types = {"s": "varchar(400000)", "m": "decimal(38,10)", "d": "double", "ub": "bigint unsigned", "bt": "bit(64)",
             "e": "enum('a','é')", "st": "set('x','y')", "tm": "time", "y": "year", "j": "json"}
    sql.run(conn, "create table p.t (id int primary key, " + ", ".join(f"{c} {t}" for c, t in types.items()) + ")")
    values: dict[str, list[Any]] = {
        "s": ["a\x00b", b"\xff\xfe", b"a\x00\xff", "x" * 300_000, "é" * 1000], "m": ["-0", "0000.1", "1e3", "-0.0000000001"],
        "d": [-0.0, 5e-324, 1.7976931348623157e308, 0.1], "ub": [2**64 - 1, 2**63], "bt": [2**64 - 1, 0],
        "e": ["é", 1], "st": ["x,y", ""], "tm": ["838:59:59", "-00:00:00.5"], "y": [1901, 2155],
        "j": ['{"a": "\\u0000"}', "[1e400]"]}
    i = 0
    for c, vs in values.items():
        for v in vs:
            i += 1
            sql.run(conn, f"insert into p.t (id, {c}) values (%s, %s)", (i, v))
    t1 = _now_ns(server)
    sql.run(conn, "update p.t set id = id + 100 where id % 3 = 0")
    every = [_col("id", "int", 1)] + [_col(c, t, k + 2) for k, (c, t) in enumerate(types.items())]
    for at in (None, t1):
        assert _same(conn, fingerprint_select("p", "t", every, at, where=chunk_where("id", 2, 120)), monkeypatch)
        for c in types:
            for typ in ("int", "double", "varchar(3)"):
                _same(conn, fingerprint_select("p", "t", [_col("id", "int", 1), _col(c, typ, 2)], at), monkeypatch)
    conn.close()
