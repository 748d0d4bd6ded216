"""Sequences over TCP with PyMySQL and mysqlclient: CREATE/DROP/SHOW SEQUENCES, nextval & co.

Before sequences existed every statement here answered ``not supported: CREATE SEQUENCE`` (or a
1064). Expected values and texts come from MatrixOne's ``test/distributed/cases/sequence/
create_sequence.result``, ``seq_func.result``, ``sequence.result`` and ``pkg/sql/compile/ddl.go`` /
``pkg/sql/plan/function/seqfunc.go``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, tenant_connection
from tests.support.sql import DRIVERS, err
from tests.support.sql import columns as cols
from tests.support.sql import run as q


@pytest.fixture(params=sorted(DRIVERS))
def conn(request: pytest.FixtureRequest, lite_server: Callable[..., LiteServer]) -> Any:
    srv = lite_server()
    c = tenant_connection(srv, request.param, "create database seq_db", "use seq_db")
    c.srv = srv if request.param == "pymysql" else None
    yield c
    c.close()


def one(conn: Any, sql: str) -> Any:
    return q(conn, sql)[0][0]


def test_nextval_currval_and_the_sequence_row(conn: Any) -> None:
    q(conn, "create sequence seq_03 increment 3")
    assert one(conn, "select nextval('seq_03')") == "1"  # MatrixOne returns VARCHAR
    assert q(conn, "select nextval('seq_03'), currval('seq_03')") == [("4", "4")]
    assert cols(conn, "select nextval('seq_03'), currval('seq_03')") == ["nextval(seq_03)", "currval(seq_03)"]
    assert one(conn, "select nextval('seq_03')") == "10"  # 7 went to the cols() call
    assert q(conn, "select * from seq_03") == [(10, 1, 9223372036854775807, 1, 3, 0, 1)]
    assert cols(conn, "select * from seq_03") == [
        "last_seq_num", "min_value", "max_value", "start_value", "increment_value", "cycle", "is_called"]
    assert cols(conn, "select nextval('seq_03') as s1") == ["s1"]


def test_descending_and_inserts(conn: Any) -> None:
    q(conn, "create sequence seq_04 increment by -10")
    q(conn, "create sequence seq_05 start 10000")
    assert one(conn, "select nextval('seq_04')") == "-1"
    assert one(conn, "select nextval('seq_04')") == "-11"
    q(conn, "create table seq_table_01(col1 int)")
    q(conn, "insert into seq_table_01 values(nextval('seq_05')),(nextval('seq_04')),(nextval('seq_05'))")
    assert q(conn, "select col1 from seq_table_01") == [(10000,), (-21,), (10001,)]


def test_bounds_cycle_setval_lastval(conn: Any) -> None:
    q(conn, "create sequence seq_09 minvalue 10 maxvalue 12 no cycle")
    assert [one(conn, "select nextval('seq_09')") for _ in range(3)] == ["10", "11", "12"]
    assert err(conn, "select nextval('seq_09')") == (20101, "internal error: Reached maximum value of sequence seq_09")
    q(conn, "create sequence s1 as smallint increment by -40 minvalue 30 maxvalue 100 cycle")
    assert [one(conn, "select nextval('s1')") for _ in range(3)] == ["100", "60", "100"]
    assert one(conn, "select lastval()") == "100"
    assert one(conn, "select setval('s1', 50)") == "50"
    assert one(conn, "select lastval()") == "50"
    assert one(conn, "select nextval('s1')") == "100"
    q(conn, "create sequence seq_17 increment 10 start with 20 no cycle")
    assert one(conn, "select nextval('seq_17')") == "20"
    assert one(conn, "select setval('seq_17',5)") == "5"
    assert q(conn, "select nextval('seq_17'),currval('seq_17')") == [("15", "15")]
    assert one(conn, "select setval('seq_17',8,false)") == "8"
    assert q(conn, "select nextval('seq_17'),currval('seq_17')") == [("18", "18")]
    assert err(conn, "select setval('seq_17', 0)") == (
        20101, "internal error: Set value is not in range (minvalue, maxvlue).")


def test_session_state_errors(conn: Any) -> None:
    q(conn, "create sequence s2")
    assert err(conn, "select lastval()") == (20101, "internal error: Last value of current session is not initialized.")
    assert err(conn, "select currval('s2')") == (
        20101, "internal error: Currvalue of s2 in current session is not initialized")
    q(conn, "create table t (a int)")
    assert err(conn, "select nextval('t')") == (20101, "internal error: Table input is not a sequence")


def test_create_checks_and_texts(conn: Any) -> None:
    q(conn, "create sequence seq_01 as int start 30")
    assert err(conn, "create sequence SEQ_01") == (1050, "table seq_01 already exists")
    q(conn, "create sequence if not exists seq_01 as bigint")
    assert err(conn, "create sequence seq_an_01 as smallint start -1000")[1] == (
        "invalid input: STARTVALUE (-1000) for sequence must between MINVALUE (1) and MAXVALUE (32767)")
    assert err(conn, "create sequence seq_an_01 as smallint maxvalue 9999999 start with -10")[1] == (
        "invalid input: MAXVALUE (-27009) of sequence must be bigger than MINVALUE (1) of it")
    assert err(conn, "create sequence seq_an_03  increment -50 start with 126 no cycle")[1] == (
        "invalid input: STARTVALUE (126) for sequence must between MINVALUE (-9223372036854775808) "
        "and MAXVALUE (-1)")
    assert err(conn, "create sequence seq_an_02 as tinyint") == (20105, "not supported: Unsupported type for sequence")
    assert err(conn, "create sequence x increment 0")[1] == "invalid input: Incr value for sequence must not be 0"
    assert err(conn, "create sequence table as bigint")[0] == 1064
    q(conn, "create sequence s_u as bigint unsigned increment by -1000 maxvalue 300")
    assert q(conn, "select * from s_u") == [(300, 0, 300, 300, -1000, 0, 0)]


def test_show_drop_and_show_tables(conn: Any) -> None:
    q(conn, "create sequence seq_05")
    q(conn, "create sequence seq_06 as smallint")
    q(conn, "create sequence s1 as bigint unsigned")
    q(conn, "create table t (a int)")
    assert cols(conn, "show sequences") == ["Names", "Data Type"]
    assert q(conn, "show sequences") == [("seq_05", "BIGINT"), ("seq_06", "SMALLINT"), ("s1", "BIGINT UNSIGNED")]
    assert q(conn, "show sequences where names in('seq_05','seq_06')") == [("seq_05", "BIGINT"), ("seq_06", "SMALLINT")]
    assert q(conn, "show tables") == [("t",)]  # sequences are not tables to SHOW TABLES
    assert err(conn, "drop table s1") == (20101, "internal error: Should use 'drop sequence' to drop a sequence")
    assert err(conn, "drop sequence seq_15") == (1146, "no such sequence seq_db.seq_15")
    q(conn, "drop sequence if exists seq_15")
    q(conn, "drop sequence seq_05")
    assert q(conn, "show sequences") == [("seq_06", "SMALLINT"), ("s1", "BIGINT UNSIGNED")]


def test_state_is_versioned_time_travel_reads_the_value_at_t(conn: Any) -> None:
    q(conn, "create sequence s increment by 5")
    q(conn, "select nextval('s')")
    q(conn, "select nextval('s')")
    time.sleep(0.01)
    ts = int(time.time() * 1e9)
    time.sleep(0.01)
    q(conn, "select nextval('s')")
    assert one(conn, "select last_seq_num from s") == 11
    assert one(conn, f"select last_seq_num from s {{MO_TS = {ts}}}") == 6


def test_nextval_in_a_rolled_back_transaction(conn: Any) -> None:
    q(conn, "create sequence s")
    q(conn, "begin")
    assert one(conn, "select nextval('s')") == "1"
    q(conn, "rollback")
    assert q(conn, "select last_seq_num, is_called from s") == [(1, 0)]
    q(conn, "begin")
    assert one(conn, "select nextval('s')") == "1"
    assert one(conn, "select nextval('s')") == "2"
    q(conn, "commit")
    assert one(conn, "select nextval('s')") == "3"


def test_unsupported_forms_answer_not_supported_and_change_nothing(conn: Any) -> None:
    q(conn, "create sequence s")
    assert err(conn, "alter sequence s increment by 2") == (20105, "not supported: ALTER SEQUENCE")
    assert err(conn, "create table t (a int default nextval('s'))") == (
        20105, "not supported: nextval() in a CREATE or ALTER statement")
    assert q(conn, "show tables") == []
    assert q(conn, "select last_seq_num, is_called from s") == [(1, 0)]  # not advanced


def test_preparing_a_statement_does_not_advance_the_sequence(lite_server: Callable[..., LiteServer]) -> None:
    """COM_STMT_PREPARE runs a read statement for its columns; nextval there must have no effect.

    Before the fix, mysql-connector's prepared ``SELECT nextval('s')`` returned 2 on its first execution.
    """
    import mysql.connector

    srv = lite_server()
    root = connect(srv)
    for sql in ("create database d", "use d", "create sequence s"):
        q(root, sql)
    m = mysql.connector.connect(host=srv.host, port=srv.port, user="root", password="111", database="d",
                                autocommit=True)
    cur = m.cursor(prepared=True)
    cur.execute("select nextval('s'), %s", (1,))
    assert cur.fetchall() == [("1", 1)]
    assert cur.column_names[0] == "nextval(s)"
    cur.execute("select nextval('s'), %s", (1,))
    assert cur.fetchall() == [("2", 1)]
    m.close()
    assert q(root, "select last_seq_num from s") == [(2,)]
    root.close()
