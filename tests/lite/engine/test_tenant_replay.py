"""Detached transactions (issue 14): replay gives exactly what the client saw; DDL and restores of a
written scope wait for it; a waiting restore holds no one else up; many tenants lose no row.

Over TCP (PyMySQL, MySQLdb). A transaction is *detached* when another writer needs SQLite's write
lock while its client is idle; it is replayed from its statement log before its next statement or
at COMMIT (``matrixone_lite/transactions.py``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from matrixone_lite.server import LiteServer
from tests.lite.conftest import connect, run, server_now
from tests.lite.engine.test_tenant_isolation import _code, _login, _q

LOCK_TIMEOUT = 2.0


@pytest.fixture
def srv(lite_server: Callable[..., LiteServer]) -> LiteServer:
    server = lite_server()
    root = connect(server)
    for acc in ("acc1", "acc2"):
        run(root, f"create account {acc} admin_name 'root' identified by '111'")
        c = _login(server, acc)
        for stmt in ("create database d", "create table d.t (id int primary key auto_increment, v int)",
                     "create table d.u (id int primary key, v int)", "create pitr p for account range 1 'h'"):
            run(c, stmt)
        c.close()
    assert server.engine is not None
    server.engine.storage.lock_timeout = LOCK_TIMEOUT
    return server


def _detach(srv: LiteServer) -> None:
    """Another tenant writes: the idle transaction loses SQLite's write lock."""
    assert srv.engine is not None
    before = srv.engine.storage.physical.detaches
    c = _login(srv, "acc1", "mysqldb")
    _q(c, "insert into d.u values (1, 1) on duplicate key update v = v + 1")
    c.close()
    assert srv.engine.storage.physical.detaches == before + 1


def test_replay_keeps_now_and_auto_increment_ids_the_client_saw(srv: LiteServer) -> None:
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "create table d.e (id int primary key auto_increment, at datetime, note varchar(10))")
    _q(a, "begin")
    cur = a.cursor()
    cur.execute("insert into d.e (at, note) values (now(), 'x'), (now(), 'y')")
    first = cur.lastrowid
    seen = _q(a, "select id, at, note from d.e order by id")
    _detach(srv)
    time.sleep(1.1)  # NOW() has moved on by a second: a replay must not see it
    _q(a, "insert into d.e (at, note) values (now(), 'z')")  # replays the first insert, then runs
    _detach(srv)
    _q(a, "commit")
    got = _q(a, "select id, at, note from d.e order by id")
    assert got[:2] == seen and [r[0] for r in got] == [first, first + 1, first + 2]
    assert got[2][1] > got[0][1]


def test_ddl_and_restores_of_a_written_scope_wait_for_it(srv: LiteServer) -> None:
    t0 = server_now()
    a = _login(srv, "acc2", "mysqldb", autocommit=False)
    _q(a, "insert into d.t (v) values (1)")
    b = _login(srv, "acc2", "mysqldb")
    for stmt in ("drop table d.t", "alter table d.t add column w int", "truncate table d.t", "drop database d",
                 f"restore database d from pitr p '{t0}'", f"restore from pitr p '{t0}'",
                 "create index i on d.t (v)"):
        with pytest.raises(Exception) as ei:
            _q(b, stmt)
        assert _code(ei) == 1205, stmt
    _q(b, "create table d.other (id int)")  # the database is not locked, only the table
    _q(b, "insert into d.u values (5, 5)")
    _q(a, "commit")
    _q(b, "drop table d.t")  # free now
    assert _q(b, "show tables from d") == [("other",), ("u",)]


def test_a_waiting_restore_holds_up_no_one(srv: LiteServer) -> None:
    t0 = server_now()
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "insert into d.t (v) values (1)")
    outcome: list[Any] = []

    def restore() -> None:
        r = _login(srv, "acc2")
        try:
            _q(r, f"restore from pitr p '{t0}'")  # waits for acc2's transaction
            outcome.append("ok")
        except Exception as e:  # noqa: BLE001 - asserted below
            outcome.append(e)

    th = threading.Thread(target=restore)
    th.start()
    time.sleep(0.3)
    other = _login(srv, "acc1")
    _q(other, "insert into d.t (v) values (1)")  # while that restore waits
    still_waiting = th.is_alive()
    _q(a, "commit")  # the restore gets its locks and runs
    th.join(10)
    assert still_waiting and outcome == ["ok"]
    assert _q(other, "select count(*) from d.t") == [(1,)]
    assert _q(a, "select count(*) from d.t") == [(0,)]  # acc2 restored to before its commit


def test_a_disconnected_idle_client_frees_its_locks(srv: LiteServer) -> None:
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "insert into d.t (v) values (1)")
    _detach(srv)
    a.close()
    b = _login(srv, "acc2")
    deadline = time.monotonic() + 5
    while True:  # the server notices the closed socket asynchronously
        try:
            _q(b, "insert into d.t (v) values (2)")
            break
        except Exception as e:  # noqa: BLE001
            if _code(pytest.ExceptionInfo.from_exception(e)) != 1205 or time.monotonic() > deadline:
                raise
    assert _q(b, "select v from d.t") == [(2,)]


def test_many_tenants_with_idle_gaps_lose_nothing(srv: LiteServer) -> None:
    root = connect(srv)
    for i in range(3):
        run(root, f"create account m{i} admin_name 'root' identified by '111'")
        c = _login(srv, f"m{i}")
        run(c, "create database d")
        run(c, "create table d.t (id int primary key auto_increment, k int, v int)")
        c.close()
    accounts = ["acc1", "acc2", "m0", "m1", "m2"]
    expected: dict[tuple[str, int], int] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client(account: str, k: int) -> None:
        rng = random.Random(k)
        c = _login(srv, account, "mysqldb" if k % 2 else "pymysql", autocommit=False)
        mine = 0
        try:
            for _ in range(6):
                _q(c, "begin")
                n = rng.randint(1, 4)
                for j in range(n):
                    _q(c, f"insert into d.t (v) values ({k * 1000 + j})")
                    time.sleep(rng.random() * 0.05)  # idle between statements: detachable
                if rng.random() < 0.3:
                    _q(c, "rollback")
                else:
                    _q(c, "commit")
                    mine += n
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)
        with lock:
            expected[(account, k)] = mine
        c.close()

    threads = [threading.Thread(target=client, args=(acc, i)) for i, acc in enumerate(accounts)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors
    for (account, k), n in expected.items():
        c = _login(srv, account)
        got = _q(c, f"select count(*) from d.t where v between {k * 1000} and {k * 1000 + 999}")
        assert got == [(n,)], (account, k)
        c.close()
    assert srv.engine is not None and srv.engine.storage.physical.detaches > 0


def test_a_detached_transaction_that_used_rand_is_a_conflict(srv: LiteServer) -> None:
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "insert into d.t (v) values (floor(rand() * 1000000))")
    seen = _q(a, "select v from d.t")
    _detach(srv)  # a replay would draw another random number than the one the client saw
    with pytest.raises(Exception) as ei:
        _q(a, "commit")
    assert _code(ei) == 20619 and seen
    assert _q(a, "select count(*) from d.t") == [(0,)]


def test_an_undisturbed_transaction_with_rand_commits(srv: LiteServer) -> None:
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "insert into d.t (v) values (floor(rand() * 1000000))")
    seen = _q(a, "select v from d.t")
    _q(a, "commit")
    assert _q(a, "select v from d.t") == seen


def test_writes_arriving_while_a_restore_waits_queue_behind_it(srv: LiteServer) -> None:
    """A waiting account restore is not starved by new writers of that account: they go after it."""
    t0 = server_now()
    a = _login(srv, "acc2", autocommit=False)
    _q(a, "insert into d.t (v) values (1)")  # holds acc2's tables: the restore must wait for it
    restored: list[Any] = []

    def restore() -> None:
        r = _login(srv, "acc2")
        try:
            _q(r, f"restore from pitr p '{t0}'")
            restored.append("ok")
        except Exception as e:  # noqa: BLE001 - asserted below
            restored.append(e)

    th = threading.Thread(target=restore)
    th.start()
    time.sleep(0.3)
    wrote: list[Any] = []

    def late_writer() -> None:
        w = _login(srv, "acc2", "mysqldb")
        _q(w, "insert into d.u values (42, 42)")  # queued behind the restore, then runs after it
        wrote.append(time.monotonic())

    lw = threading.Thread(target=late_writer)
    lw.start()
    time.sleep(0.3)
    assert not wrote and th.is_alive()
    _q(a, "commit")
    th.join(10)
    lw.join(10)
    assert restored == ["ok"] and wrote
    other = _login(srv, "acc2")
    assert _q(other, "select id from d.u") == [(42,)]  # written after the restore, so it is kept
    assert _q(other, "select count(*) from d.t") == [(0,)]


def test_a_lock_cycle_is_a_deadlock_error_not_a_timeout(srv: LiteServer) -> None:
    assert srv.engine is not None
    srv.engine.storage.lock_timeout = 30.0  # a cycle must be reported at once, not after this
    a = _login(srv, "acc2", autocommit=False)
    b = _login(srv, "acc2", "mysqldb", autocommit=False)
    _q(a, "insert into d.t (v) values (1)")
    _q(b, "insert into d.u values (1, 1)")
    got: list[Any] = []

    def a_writes_u() -> None:
        try:
            _q(a, "insert into d.u values (2, 2)")  # waits for b
            got.append("ok")
        except Exception as e:  # noqa: BLE001 - asserted below
            got.append(e)

    th = threading.Thread(target=a_writes_u)
    th.start()
    time.sleep(0.3)
    with pytest.raises(Exception) as ei:
        _q(b, "insert into d.t (v) values (2)")  # b waits for a, a for b: MatrixOne's 20701
    assert _code(ei) == 20701 and "deadlock detected" in str(ei.value)
    assert th.is_alive()  # a still waits: only the statement that closed the cycle failed
    _q(b, "rollback")
    th.join(10)
    _q(a, "commit")
    assert got == ["ok"]
    assert _q(a, "select id from d.u order by id") == [(2,)]
    assert _q(a, "select count(*) from d.t") == [(1,)]


def test_failed_ddl_after_an_implicit_commit_leaves_no_transaction(srv: LiteServer) -> None:
    a = _login(srv, "acc2")
    _q(a, "begin")
    _q(a, "insert into d.t (v) values (1)")
    with pytest.raises(Exception) as ei:
        _q(a, "create table d.u (id int)")  # commits the INSERT first, then fails: 1050
    assert _code(ei) == 1050
    _q(a, "create pitr p2 for database d range 1 'h'")  # refused inside a transaction: there is none
    b = _login(srv, "acc2", "mysqldb")
    _q(b, "insert into d.t (v) values (2)")  # neither the committed INSERT nor the DDL holds d.t
    _q(b, "drop table d.u")
    assert _q(b, "select v from d.t order by v") == [(1,), (2,)]
