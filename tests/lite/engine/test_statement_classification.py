"""One classification per statement (matrixone_lite/statements.py), and what it changed over TCP.

The engine used to route on the first 16 characters of the text while the wire layer routed on
tokenized words, so a statement opening with a comment was a DELETE to the wire and "not a write"
to the engine: its privilege check was skipped (a role without DELETE could delete) and a
``/* c */ REPLACE``, ``TRUNCATE``, ``SHOW`` or ``CREATE DATABASE`` was a syntax error. Those tests run with PyMySQL and mysqlclient and fail on
the code before the classification; the unit tests pin the routing table itself.
"""

from __future__ import annotations

from typing import Any

import MySQLdb
import pymysql
import pytest

from matrixone_lite.mo.lexer import UNCACHED_CHARS
from matrixone_lite.server import LiteServer
from matrixone_lite.statements import StatementKind as K
from matrixone_lite.statements import classify, replace_as_insert

DRIVERS = ["mysqlclient", "pymysql"]
DENIED = (20101, "internal error: do not have privilege to execute the statement")


@pytest.mark.parametrize(
    ("sql", "kind", "head", "obj"),
    [
        ("select 1", K.QUERY, "SELECT", ""),
        ("  WITH x AS (SELECT 1) SELECT * FROM x ;", K.QUERY, "WITH", ""),
        ("(select 1) union (select 2)", K.QUERY, "", ""),
        ("/* note */ delete from t", K.DML, "DELETE", ""),
        ("-- note\nupdate t set a = 1", K.DML, "UPDATE", ""),
        ("replace into t values (1)", K.DML, "REPLACE", ""),
        ("create database d", K.DDL, "CREATE", "DATABASE"),
        ("drop schema if exists d", K.DDL, "DROP", "SCHEMA"),
        ("truncate table t", K.DDL, "TRUNCATE", "TABLE"),
        ("create pitr p for account range 1 'd'", K.MO, "CREATE", ""),
        ("restore account acc1 from pitr p '2024-01-01 00:00:00'", K.MO, "RESTORE", ""),
        ("show recovery_window for account acc1", K.MO, "SHOW", ""),
        ("create user u identified by 'x'", K.MO, "CREATE", ""),
        ("grant select on table d.t to r", K.ROLE, "GRANT", ""),
        ("set role r", K.ROLE, "SET", ""),
        ("show grants", K.ROLE, "SHOW", ""),
        ("create role r", K.ROLE, "CREATE", ""),
        ("show tables", K.SHOW, "SHOW", ""),
        ("desc t", K.DESCRIBE, "DESC", ""),
        ("explain select 1", K.DESCRIBE, "EXPLAIN", ""),
        ("set autocommit = 0", K.SET, "SET", ""),
        ("use d", K.USE, "USE", ""),
        ("begin", K.TRANSACTION, "BEGIN", ""),
        ("start transaction", K.TRANSACTION, "START", ""),
        ("commit work", K.TRANSACTION, "COMMIT", ""),
        ("rollback", K.TRANSACTION, "ROLLBACK", ""),
        ("rollback to savepoint s", K.OTHER, "ROLLBACK", ""),
        ("start slave", K.OTHER, "START", ""),
        ("kill query 12", K.KILL, "KILL", ""),
        (" ; ", K.EMPTY, "", ""),
        ("/* only a comment */", K.EMPTY, "", ""),
    ],
)
def test_classify_routes_each_statement_once(sql: str, kind: K, head: str, obj: str) -> None:
    st = classify(sql)
    assert (st.kind, st.head, st.obj) == (kind, head, obj)
    assert st.sql == sql and str(st) == sql  # as received: statement log, process list
    assert st.writes == (kind in (K.DML, K.DDL))
    assert st.ddl == (kind is K.DDL)


def test_classify_text_and_cache() -> None:
    st = classify("  SELECT 1 ;; ")
    assert st.text == "SELECT 1"
    assert classify("  SELECT 1 ;; ") is st  # cached by text, like the tokenizer
    big = "insert into t values " + ",".join(["(1)"] * (UNCACHED_CHARS // 3))
    assert classify(big).kind is K.DML
    assert classify(big) is not classify(big)  # a megabyte INSERT is not kept alive by the cache
    assert st.with_text("SELECT 2").text == "SELECT 2"
    assert st.with_text("SELECT 2").kind is K.QUERY


def test_replace_as_insert_keeps_a_leading_comment() -> None:
    assert replace_as_insert("REPLACE INTO t VALUES (1)") == "INSERT INTO t VALUES (1)"
    assert replace_as_insert("/* c */ replace into t values (1)") == "/* c */ INSERT into t values (1)"
    assert replace_as_insert("select 1") == "select 1"


def _login(driver: str, srv: LiteServer, user: str, password: str = "111") -> Any:
    if driver == "pymysql":
        return pymysql.connect(host=srv.host, port=srv.port, user=user, password=password, autocommit=True)
    conn = MySQLdb.connect(host=srv.host, port=srv.port, user=user, password=password)
    conn.autocommit(True)
    return conn


def _q(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql)
    rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
    cur.close()
    return rows


def _err(conn: Any, sql: str) -> tuple[int, str]:
    with pytest.raises(Exception) as ei:  # noqa: PT011 - either driver's error class
        _q(conn, sql)
    return int(ei.value.args[0]), str(ei.value.args[1])


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_leading_comment_does_not_skip_the_privilege_check(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    root = _login(driver, srv, "root")
    _q(root, "create account acc1 admin_name 'admin' identified by '111'")
    adm = _login(driver, srv, "acc1#admin")
    for sql in ["create database db1", "create table db1.t (a int)", "insert into db1.t values (1), (2)",
                "create role r_read", "grant select on table db1.t to r_read",
                "create user app identified by 'pw' default role r_read"]:
        _q(adm, sql)
    app = _login(driver, srv, "acc1#app", "pw")
    assert _q(app, "/* read */ select a from db1.t order by a") == [(1,), (2,)]
    assert _err(app, "/* sneaky */ delete from db1.t") == DENIED
    assert _err(app, "-- sneaky\nupdate db1.t set a = 9") == DENIED
    assert _err(app, "/* sneaky */ insert into db1.t values (3)") == DENIED
    assert _err(app, "/* sneaky */ drop table db1.t") == DENIED
    assert _q(adm, "select a from db1.t order by a") == [(1,), (2,)]


@pytest.mark.parametrize("driver", DRIVERS)
def test_comment_led_writes_run_like_plain_ones(driver: str, lite_server: Any) -> None:
    srv = lite_server()
    root = _login(driver, srv, "root")
    for sql in ["create database d", "create table d.t (id int primary key, v varchar(9))",
                "/* c */ insert into d.t values (1, 'a')", "/* c */ replace into d.t values (1, 'b')",
                "/* c */ replace into d.t values (2, 'c')"]:
        _q(root, sql)
    assert _q(root, "select id, v from d.t order by id") == [(1, "b"), (2, "c")]
    _q(root, "/* c */ truncate table d.t")
    assert _q(root, "select count(*) from d.t") == [(0,)]
    assert _q(root, "/* c */ show tables from d") == [("t",)]
    assert _q(root, "/* c */ describe d.t")[0][0] == "id"
    _q(root, "/* c */ create database e")
    _q(root, "/* c */ drop database e")
    assert ("e",) not in _q(root, "show databases")


def test_the_regex_fast_path_agrees_with_the_tokenizer() -> None:
    """Plain statements take one regex for their first words; whenever it answers, it must give
    what the tokenizer gives (comments, digits, quotes, non-ASCII words make it step aside)."""
    from matrixone_lite.statements import _first_words, _plain_words

    pieces = ["select", "INSERT", "into", "t1", "1", "1abc", "1e5", "2.5", "`q`", "'s'", "@@v", "@u", "(", ")",
              ",", ";", "=", "-", "--", "-- x\n", "#c\n", "/*c*/", "/", "*", ".", ".5", "é", "$x", "_y", "\t", "\n", " ",
              "\u00a0", "\x0c", "\u2028", "Ⅻ", "٣"]
    import random

    rng = random.Random(12)
    answered = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " ", "\n", "\x0c"])
                       for _ in range(rng.randint(1, 6))).strip()
        plain = _plain_words(text)
        if plain is not None:
            answered += 1
            assert plain == _first_words(text)[0], text
    assert answered > 2_000  # the fast path is taken, not just skipped
