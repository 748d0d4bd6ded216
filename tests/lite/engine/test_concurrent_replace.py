"""A write racing a restore/ALTER of its table lands in the table that replaced it, never in the
dropped one (where it would be lost)."""

from __future__ import annotations

import threading
import time

from matrixone_lite.engine import Engine

from .conftest import run


def test_insert_waiting_for_a_restore_goes_to_the_restored_table(engine: Engine, connect) -> None:
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 1)")
    at = engine.storage.now_ns()
    s.execute("insert into t values (2, 2)")
    writer = connect("acc1")
    writer.execute("use d")
    st = engine.storage
    acc = st.account("acc1")
    assert acc is not None
    errors: list[BaseException] = []

    def insert() -> None:
        try:
            writer.execute("insert into t values (3, 3)")
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    with st.transaction() as tx:  # the restore holds the write lock while the INSERT arrives
        st.restore_table(tx, src_account_id=acc.id, database="d", table="t", at=at, dst_account_id=acc.id)
        th = threading.Thread(target=insert)
        th.start()
        time.sleep(0.3)  # the INSERT is now waiting for the lock
        assert th.is_alive()
    th.join(10)
    assert not errors
    assert s.execute("select id from t order by id").rows == [(1,), (3,)]


def test_open_transaction_writes_after_an_alter_go_to_the_new_table(engine: Engine, connect) -> None:
    a, b = connect("acc1"), connect("acc1")
    run(a, "create database d; use d; create table t (id int primary key, v int); insert into t values (1, 1)")
    b.execute("use d")
    b.begin()
    assert b.execute("select count(*) from t").rows == [(1,)]
    a.execute("alter table t add column w int")
    b.execute("insert into t (id, v) values (2, 2)")
    b.commit()
    assert a.execute("select id, v, w from t order by id").rows == [(1, 1, None), (2, 2, None)]


def test_failed_statement_gives_the_lock_back(engine: Engine, connect) -> None:
    a, b = connect("acc1"), connect("acc1")
    run(a, "create database d; use d; create table t (id int primary key)")
    engine.storage.lock_timeout = 2
    b.execute("use d")
    b.begin()
    for bad in ("insert into nope values (1)", "insert into t values ('x', 1)", "create table t (id int)",
                "drop table nope"):
        try:
            b.execute(bad)
        except Exception:  # noqa: BLE001, S110 - the error itself is not the point
            pass
        assert b.in_transaction == bad.startswith("insert")  # DDL commits (MySQL's implicit commit)
    a.execute("insert into t values (1)")  # would wait and fail with 1205 if b still held the lock
    assert a.execute("select count(*) from t").rows == [(1,)]


def test_pooled_connection_starts_clean(engine: Engine, connect) -> None:
    a = connect("acc1")
    run(a, "create database d; use d; create table t (id int primary key auto_increment, v int)")
    a.execute("insert into t (v) values (1)")
    assert a.execute("select last_insert_id()").rows == [(1,)]
    a.begin()
    a.execute("insert into t (v) values (2)")
    conn = a.conn
    a.close()  # rolls back; the SQLite connection goes back to the pool
    b = connect("acc1")
    assert b.conn is conn
    assert b.execute("select last_insert_id()").rows == [(0,)]  # functions are bound to the new session
    b.execute("use d")
    assert b.execute("select v from t").rows == [(1,)]
    b.execute("insert into t (v) values (3)")  # the write lock was given back by a's close
    assert b.execute("select count(*) from t").rows == [(2,)]
