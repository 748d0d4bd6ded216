"""Runaway statements are cancelled (issue 14, case 3), and SIGTERM always stops the server.

Before: after a client timed out and disconnected, a recursive CTE or a 4-way cross join kept its
worker thread busy forever with a transaction open, and ``serve`` then ignored SIGTERM. Each test
runs ``matrixone-lite serve`` as a subprocess and watches it through SHOW PROCESSLIST.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.support.serve import ServeProcess

CTE = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c) SELECT count(*) FROM c"
CROSS_JOIN = "SELECT count(*) FROM d.t a, d.t b, d.t c, d.t e"
RUNAWAYS = {"recursive cte": CTE, "4-way cross join": CROSS_JOIN}


def _start(tmp_path: Path, *flags: str) -> ServeProcess:
    srv = ServeProcess(tmp_path, *flags).start()
    conn = srv.connect()
    with conn.cursor() as cur:
        cur.execute("create database d")
        cur.execute("create table d.t (id int primary key, v varchar(10))")
        cur.execute("insert into d.t values " + ", ".join(f"({i}, 'v')" for i in range(300)))
    conn.close()
    return srv


@pytest.fixture
def serve_no_limit(tmp_path: Path) -> Iterator[ServeProcess]:
    srv = _start(tmp_path, "--max-execution-time", "0")
    try:
        yield srv
    finally:
        srv.kill()


def _processlist(srv: ServeProcess) -> list[dict[str, Any]]:
    conn = srv.connect(read_timeout=10)
    try:
        with conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("show processlist")
            return list(cur.fetchall())
    finally:
        conn.close()


def _wait_for(predicate: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _query_running(srv: ServeProcess, conn_id: int) -> bool:
    return any(r["conn_id"] == conn_id and r["command"] == "Query" for r in _processlist(srv))


def _run_in_thread(conn: pymysql.Connection, sql: str) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            errors.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, errors


def _conn_id(conn: pymysql.Connection) -> int:
    with conn.cursor() as cur:
        cur.execute("select connection_id()")
        return int(cur.fetchone()[0])  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(RUNAWAYS))
def test_client_disconnect_cancels_the_statement_and_rolls_back(serve_no_limit: ServeProcess, name: str) -> None:
    srv = serve_no_limit
    victim = srv.connect(read_timeout=2)
    victim_id = _conn_id(victim)
    with victim.cursor() as cur:
        cur.execute("begin")
        cur.execute("insert into d.t values (1000, 'open tx')")  # holds the write lock until rollback
        with pytest.raises(pymysql.err.OperationalError) as err:
            cur.execute(RUNAWAYS[name])  # the client gives up after 2 s and closes its socket
    assert err.value.args[0] == 2013
    victim.close()
    # the server interrupts the statement and closes the session: the connection leaves the list
    assert _wait_for(lambda: all(r["conn_id"] != victim_id for r in _processlist(srv))), _processlist(srv)
    # ... its transaction was rolled back (the row is gone, another writer is not blocked)
    other = srv.connect(read_timeout=20)
    with other.cursor() as cur:
        cur.execute("select count(*) from d.t where id = 1000")
        assert cur.fetchone()[0] == 0  # type: ignore[index]
        cur.execute("insert into d.t values (1001, 'next')")
    other.close()
    assert srv.ping_query() == 2


def test_other_clients_are_served_while_a_runaway_runs(serve_no_limit: ServeProcess) -> None:
    srv = serve_no_limit
    runner = srv.connect(read_timeout=60)
    runner_id = _conn_id(runner)
    thread, errors = _run_in_thread(runner, CTE)
    assert _wait_for(lambda: _query_running(srv, runner_id))
    for _ in range(5):
        assert srv.ping_query() == 2
    killer = srv.connect()
    with killer.cursor() as cur:
        cur.execute(f"kill query {runner_id}")
    thread.join(timeout=15)
    assert not thread.is_alive()
    assert errors and isinstance(errors[0], pymysql.err.OperationalError), errors
    assert errors[0].args[:2] == (1317, "query interrupted")
    with runner.cursor() as cur:  # KILL QUERY leaves the connection usable
        cur.execute("select 1")
        assert cur.fetchone()[0] == 1  # type: ignore[index]
    with killer.cursor() as cur, pytest.raises(pymysql.err.OperationalError) as err:
        cur.execute("kill query 999999")
    assert err.value.args[0] == 1094
    runner.close()
    killer.close()


@pytest.mark.parametrize("name", sorted(RUNAWAYS))
def test_server_limit_interrupts_with_3024(tmp_path: Path, name: str) -> None:
    srv = _start(tmp_path, "--max-execution-time", "1")
    try:
        conn = srv.connect(read_timeout=30)
        with conn.cursor() as cur:
            started = time.monotonic()
            with pytest.raises(pymysql.err.OperationalError) as err:
                cur.execute(RUNAWAYS[name])
            assert err.value.args == (
                3024, "Query execution was interrupted, maximum statement execution time exceeded")
            assert time.monotonic() - started < 25  # interrupted, not finished
            cur.execute("select count(*) from d.t")  # the session goes on
            assert cur.fetchone()[0] == 300  # type: ignore[index]
        conn.close()
    finally:
        srv.kill()


def test_session_max_execution_time_overrides_the_server(serve_no_limit: ServeProcess) -> None:
    conn = serve_no_limit.connect(read_timeout=30)
    with conn.cursor() as cur:
        cur.execute("set max_execution_time = 500")  # milliseconds, as in MySQL
        with pytest.raises(pymysql.err.OperationalError) as err:
            cur.execute(CTE)
        assert err.value.args[0] == 3024
    conn.close()


def test_sigterm_stops_the_server_with_runaways_running(serve_no_limit: ServeProcess) -> None:
    srv = serve_no_limit
    conns = [srv.connect(read_timeout=60) for _ in range(2)]
    ids = [_conn_id(c) for c in conns]
    threads = [_run_in_thread(c, sql)[0] for c, sql in zip(conns, (CTE, CROSS_JOIN), strict=True)]
    assert _wait_for(lambda: all(_query_running(srv, i) for i in ids))
    took = srv.terminate(timeout=5.0)
    assert took is not None, "serve ignored SIGTERM for 5 s with two runaway statements running"
    for t in threads:
        t.join(timeout=10)
    for c in conns:
        c.close()


def test_tenant_sees_and_kills_only_its_own_connections(serve_no_limit: ServeProcess) -> None:
    srv = serve_no_limit
    root = srv.connect()
    root_id = _conn_id(root)
    with root.cursor() as cur:
        cur.execute("create account acc1 admin_name 'admin' identified by 'tenant-pw-1'")
    tenant = pymysql.connect(host=srv.host, port=srv.port, user="acc1#admin", password="tenant-pw-1",
                             autocommit=True, read_timeout=10)
    tenant_id = _conn_id(tenant)
    with tenant.cursor() as cur:
        cur.execute("show processlist")
        assert {r[0] for r in cur.fetchall()} == {tenant_id}
        with pytest.raises(pymysql.err.OperationalError) as err:
            cur.execute(f"kill {root_id}")
        assert err.value.args[0] == 1094
    assert {r["conn_id"] for r in _processlist(srv)} >= {root_id, tenant_id}  # sys sees every account
    with root.cursor() as cur:
        cur.execute("select 1")  # root's connection was not killed
        cur.execute(f"kill {tenant_id}")  # sys may kill a tenant's connection
    with pytest.raises(pymysql.err.OperationalError), tenant.cursor() as cur:
        cur.execute("select 1")
    root.close()
