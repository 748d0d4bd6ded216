"""Transactions: commit/rollback, autocommit off, isolation between sessions, the write lock."""

from __future__ import annotations

import threading
import time

import pytest

from matrixone_lite.engine import Engine
from matrixone_lite.errors import MOError

from .conftest import run


def setup(connect):
    s = connect("acc1")
    run(s, "create database d; use d; create table t (id int primary key auto_increment, v int)")
    return s


def test_commit_and_rollback(connect) -> None:
    s = setup(connect)
    other = connect("acc1")
    s.begin()
    assert s.in_transaction
    s.execute("insert into t (v) values (1)")
    assert s.execute("select count(*) from t").rows == [(1,)]
    assert other.execute("select count(*) from d.t").rows == [(0,)]  # uncommitted is invisible
    s.rollback()
    assert not s.in_transaction
    assert s.execute("select count(*) from t").rows == [(0,)]
    s.execute("begin")
    s.execute("insert into t (v) values (2)")
    s.execute("commit")
    assert other.execute("select v from d.t").rows == [(2,)]


def test_autocommit_off_opens_implicit_transaction(connect) -> None:
    s = setup(connect)
    s.execute("set autocommit = 0")
    assert not s.in_transaction
    s.execute("select 1")
    assert s.in_transaction  # any statement opens one, like MatrixOne
    s.execute("insert into t (v) values (1)")
    s.rollback()
    assert s.execute("select count(*) from t").rows == [(0,)]
    s.execute("insert into t (v) values (5)")
    s.commit()
    assert not s.in_transaction
    s.autocommit = True
    assert connect("acc1").execute("select v from d.t").rows == [(5,)]


def test_failed_autocommit_statement_rolls_back(connect) -> None:
    s = setup(connect)
    s.execute("insert into t (id, v) values (1, 1)")
    with pytest.raises(MOError) as ei:
        s.execute("insert into t (id, v) values (2, 2), (1, 1)")
    assert ei.value.code == 1062
    assert s.execute("select id from t").rows == [(1,)]
    assert not s.in_transaction


def test_ddl_commits_open_transaction(connect) -> None:
    s = setup(connect)
    s.begin()
    s.execute("insert into t (v) values (1)")
    s.execute("create table u (id int)")
    s.rollback()
    assert s.execute("select count(*) from t").rows == [(1,)]


def test_writer_waits_for_other_writer_and_commit_order_is_ts_order(engine: Engine, connect) -> None:
    a = setup(connect)
    b = connect("acc1")
    b.use("d")
    a.begin()
    a.execute("insert into t (v) values (1)")
    done = threading.Event()

    def writer() -> None:
        b.execute("insert into t (v) values (2)")
        done.set()

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(0.1)
    assert not done.is_set()  # blocked on a's write lock, not failed
    assert connect("acc1").execute("select count(*) from d.t").rows == [(0,)]  # reads never block
    a.commit()
    th.join(5)
    assert done.is_set()
    rows = engine.storage.execute_system(None, "select v, __mo_ts from t_1 order by __mo_ts")
    assert [r[0] for r in rows] == [1, 2] and rows[0][1] < rows[1][1]


def test_lock_wait_timeout_is_an_error_not_a_hang(engine: Engine, connect, monkeypatch) -> None:
    import matrixone_lite.storage.storage as st

    a = setup(connect)
    b = connect("acc1")
    a.begin()
    a.execute("insert into t (v) values (1)")
    monkeypatch.setattr(st, "LOCK_TIMEOUT_S", 0.2)
    monkeypatch.setattr(engine.storage, "lock_timeout", 0.2, raising=False)
    with pytest.raises(MOError) as ei:
        b.execute("insert into d.t (v) values (2)")
    assert ei.value.code == 1205
    a.commit()
    b.execute("insert into d.t (v) values (2)")
    assert b.execute("select count(*) from d.t").rows == [(2,)]


def test_close_rolls_back(connect) -> None:
    s = setup(connect)
    s.begin()
    s.execute("insert into t (v) values (1)")
    s.close()
    assert connect("acc1").execute("select count(*) from d.t").rows == [(0,)]


def test_concurrent_sessions_many_writes(engine: Engine, connect) -> None:
    setup(connect)
    errors: list[Exception] = []

    def work(k: int) -> None:
        s = connect("acc1")
        s.use("d")
        try:
            for i in range(20):
                if i % 5 == 0:
                    s.begin()
                    s.execute(f"insert into t (v) values ({k})")
                    s.commit()
                else:
                    s.execute(f"insert into t (v) values ({k})")
                s.execute("select count(*) from t")
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert not errors
    assert connect("acc1").execute("select count(*) from d.t").rows == [(80,)]
    ts = [r[0] for r in engine.storage.execute_system(None, "select __mo_ts from t_1 order by id")]
    assert len(set(ts)) == 80
