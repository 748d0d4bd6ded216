"""Protocol behaviour over real TCP: logins, errors, OK packets, session statements, bad input,
concurrency and durability."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pymysql
import pytest
from pymysql.constants import CLIENT

from matrixone_lite.server import LiteServer, ServerStartError
from tests.lite.conftest import connect, mo_error, run
from tests.support.sql import err


@pytest.fixture
def srv(lite_server) -> LiteServer:
    server = lite_server()
    sys_root = connect(server)
    run(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    run(sys_root, "create account acc2 admin_name 'admin' identified by 'pw2'")
    return server


def who(conn: pymysql.Connection) -> tuple:
    return run(conn, "select current_account_name(), current_user_name(), current_role()")[0]


def test_login_forms(srv: LiteServer) -> None:
    assert who(connect(srv, "root")) == ("sys", "root", "moadmin")
    assert who(connect(srv, "dump")) == ("sys", "dump", "moadmin")
    assert who(connect(srv, "acc1#root")) == ("acc1", "root", "accountadmin")
    assert who(connect(srv, "acc1:root")) == ("acc1", "root", "accountadmin")
    assert who(connect(srv, "acc1#root#public")) == ("acc1", "root", "public")
    assert who(connect(srv, "acc2:admin:accountadmin", "pw2")) == ("acc2", "admin", "accountadmin")
    with pytest.raises(pymysql.MySQLError) as ei:
        connect(srv, "acc1#root", database="nodb")
    assert mo_error(ei) == (1049, "Unknown database nodb")
    run(connect(srv), "create database sysdb")
    assert run(connect(srv, database="sysdb"), "select database()") == [("sysdb",)]
    conn = connect(srv, "acc1#root")
    assert conn.get_server_info() == "8.0.30-MatrixOne-v4.2.0"
    assert run(conn, "select version(), @@version_comment") == [("8.0.30-MatrixOne-v4.2.0", "MatrixOne")]


@pytest.mark.parametrize("user,password,code,message", [
    ("acc1#root", "wrong", 1045, "Access denied for user acc1#root"),
    ("acc2#root", "pw2", 1045, "Access denied for user acc2#root"),
    ("nope#root", "111", 1045, "Access denied for user nope#root"),
    ("#root", "111", 20101, "internal error: invalid tenant name ''"),
    ("acc1#", "111", 20101, "internal error: invalid user name ''"),
    ("acc1#root#", "111", 20101, "internal error: invalid role name ''"),
])
def test_login_failures(srv: LiteServer, user: str, password: str, code: int, message: str) -> None:
    with pytest.raises(pymysql.MySQLError) as ei:
        connect(srv, user, password)
    assert mo_error(ei) == (code, message)
    run(connect(srv, "acc1#root"), "select 1")  # the server is unaffected


def test_error_codes_keep_the_connection_usable(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root")
    code, msg = err(conn, "selec 1")
    assert code == 1064 and msg.startswith("SQL parser error: You have an error in your SQL syntax")
    assert err(conn, "use nodb") == (1049, "Unknown database nodb")
    run(conn, "create database d1")
    assert err(conn, "select * from d1.nope")[0] == 1146
    assert err(conn, "create database d1")[0] == 1007
    assert err(conn, "set @@no_such_var = 1")[0] == 1193
    assert err(conn, "set time_zone = 'Mars/Olympus'")[0] == 1298
    assert err(conn, "  ;  ")[0] == 1065
    assert run(conn, "select 1") == [(1,)]


def test_affected_rows_and_last_insert_id(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root")
    run(conn, "create database d")
    run(conn, "create table d.t (id int primary key auto_increment, v int)")
    with conn.cursor() as cur:
        assert cur.execute("insert into d.t (v) values (1), (2), (3)") == 3
        assert cur.lastrowid == 1
        assert cur.execute("insert into d.t (v) values (4)") == 1
        assert cur.lastrowid == 4
        assert cur.execute("update d.t set v = v + 1 where v >= 2") == 3
        assert cur.execute("delete from d.t where v > 3") == 2
    assert run(conn, "select last_insert_id()") == [(4,)]


def test_multi_statements(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root", client_flag=CLIENT.MULTI_STATEMENTS)
    with conn.cursor() as cur:
        cur.execute("create database m; create table m.t (a int); insert into m.t values (1), (2); select a from m.t")
        results = [cur.rowcount]
        while cur.nextset():
            results.append(cur.fetchall() if cur.description else cur.rowcount)
        assert results[-1] == ((1,), (2,))
        assert results[-2] == 2
        with pytest.raises(pymysql.MySQLError) as ei:
            cur.execute("select 1; select * from m.nope; select 3")
            while cur.nextset():
                pass
        assert mo_error(ei)[0] == 1146
    assert run(connect(srv, "acc1#root"), "select count(*) from m.t") == [(2,)]


def test_session_statements(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root", autocommit=False)
    assert run(conn, "select @@autocommit, @@session.autocommit") == [(0, 0)]
    run(conn, "SET NAMES utf8mb4 COLLATE 'utf8mb4_general_ci'")
    run(conn, "SET SESSION sql_mode = 'ANSI', @@session.wait_timeout = 100, @uv = 'x'")
    assert run(conn, "select @@sql_mode, @@wait_timeout, @uv") == [("ANSI", 100, "x")]
    assert dict(run(conn, "show variables like 'version%'"))["version"] == "8.0.30-MatrixOne-v4.2.0"
    assert run(conn, "show variables where variable_name = 'autocommit'") == [("autocommit", "OFF")]
    run(conn, "set names utf8mb3")
    assert run(conn, "select @@character_set_client") == [("utf8",)]
    run(conn, "set names utf8mb4")
    run(conn, "create database tx")
    run(conn, "create table tx.t (a int)")
    run(conn, "commit")
    run(conn, "insert into tx.t values (1)")
    # an implicit transaction is open: MatrixOne refuses PITR statements (§4.6)
    assert err(conn, "create pitr p range 1 'h'") == (
        20101, "internal error: unclassified statement appears in uncommitted transaction")
    run(conn, "rollback")
    other = connect(srv, "acc1#root")
    assert run(other, "select count(*) from tx.t") == [(0,)]
    run(conn, "start transaction")
    run(conn, "insert into tx.t values (2)")
    run(conn, "commit")
    run(conn, "set autocommit = 1")
    run(conn, "create pitr p range 1 'h'")
    assert run(other, "select a from tx.t") == [(2,)]


def test_current_database_mysql_does_not_swallow_statements(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root", database="mysql")
    run(conn, "create database real_db")
    run(conn, "create snapshot s1 for account")
    assert [r[0] for r in run(conn, "show snapshots")] == ["s1"]
    assert "real_db" in [r[0] for r in run(conn, "show databases")]
    with pytest.raises(pymysql.MySQLError):
        run(conn, "foobar baz")
    conn2 = connect(srv, "acc1#root", database="information_schema")
    assert run(conn2, "select database()") == [("information_schema",)]
    run(conn2, "use real_db")
    assert run(conn2, "select database()") == [("real_db",)]


def _raw_handshake(srv: LiteServer) -> socket.socket:
    s = socket.create_connection((srv.host, srv.port), timeout=5)
    s.recv(4096)  # server greeting
    return s


def test_malformed_packets_drop_only_that_connection(srv: LiteServer) -> None:
    witness = connect(srv, "acc1#root")
    # garbage instead of a handshake response
    s = _raw_handshake(srv)
    s.sendall(b"\x03\x00\x00\x01\xff\xff\xff")
    s.settimeout(5)
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
    # wrong sequence id after login, and an unknown command on another connection
    conn = connect(srv, "acc1#root")
    conn._write_bytes(struct.pack("<I", 1 | (7 << 24)) + b"\x03")  # type: ignore[attr-defined]
    with pytest.raises(pymysql.MySQLError):
        conn._read_packet()  # type: ignore[attr-defined]
    conn2 = connect(srv, "acc1#root")
    conn2._execute_command(0x7E, b"")  # type: ignore[attr-defined]  # no such command
    with pytest.raises(pymysql.MySQLError) as ei:
        conn2._read_packet()  # type: ignore[attr-defined]
    assert ei.value.args[0] == 1047
    assert run(conn2, "select 1") == [(1,)]
    assert run(witness, "select 2") == [(2,)]


def test_oversized_query_is_refused(lite_server) -> None:
    srv = lite_server(max_query_bytes=64 * 1024)
    witness = connect(srv)
    conn = connect(srv)
    with pytest.raises(pymysql.MySQLError) as ei:
        run(conn, "select '" + "x" * 100_000 + "'")
    assert ei.value.args[0] in (1153, 2013)
    assert run(witness, "select 1") == [(1,)]


def test_client_disconnecting_mid_statement_loses_nothing_committed(srv: LiteServer) -> None:
    conn = connect(srv, "acc1#root")
    run(conn, "create database dc")
    run(conn, "create table dc.t (a int)")
    for i in range(5):
        c = connect(srv, "acc1#root")
        c._execute_command(3, f"insert into dc.t values ({i})")  # type: ignore[attr-defined]
        c._sock.close()  # type: ignore[attr-defined]  # gone before reading the answer
    deadline = time.time() + 5
    while run(conn, "select count(*) from dc.t") != [(5,)] and time.time() < deadline:
        time.sleep(0.05)
    assert run(conn, "select count(*) from dc.t") == [(5,)]
    assert run(connect(srv, "acc1#root"), "select 1") == [(1,)]


def test_32_concurrent_connections(srv: LiteServer) -> None:
    setup = connect(srv, "acc1#root")
    run(setup, "create database cc")
    run(setup, "create table cc.t (id int primary key auto_increment, worker int, v int)")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            user, pw = ("acc1#root", "111") if n % 4 else ("root", "111")
            conn = connect(srv, user, pw)
            for i in range(5):
                if user == "acc1#root":
                    run(conn, f"insert into cc.t (worker, v) values ({n}, {i})")
                    run(conn, f"update cc.t set v = v + 1 where worker = {n}")
                    run(conn, f"select count(*) from cc.t where worker = {n}")
                else:
                    run(conn, "show databases")
                    run(conn, "show pitr")
                    run(conn, "select @@autocommit")
            conn.close()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert run(setup, "select count(*) from cc.t") == [(24 * 5,)]


def test_restart_keeps_data(lite_server, tmp_path: Path) -> None:
    data = tmp_path / "keep"
    srv = lite_server(data_dir=data)
    conn = connect(srv)
    run(conn, "create account acc1 admin_name 'root' identified by '111'")
    a = connect(srv, "acc1#root")
    run(a, "create database k")
    run(a, "create table k.t (a int)")
    run(a, "insert into k.t values (1), (2)")
    run(a, "create pitr kp range 1 'h'")
    srv.stop()
    srv2 = lite_server(data_dir=data)
    a2 = connect(srv2, "acc1#root")
    assert run(a2, "select a from k.t order by a") == [(1,), (2,)]
    assert [r[0] for r in run(a2, "show pitr")] == ["kp"]


def _serve(data: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, "-m", "matrixone_lite", "serve", "--port", "0", "--data-dir", str(data),
                             "--timezone", "UTC", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("matrixone-lite listening on 127.0.0.1:"), (line, proc.stderr.read() if proc.stderr else "")
    return proc, int(line.rsplit(":", 1)[1])


def test_sigkill_after_commit_keeps_data(tmp_path: Path) -> None:
    data = tmp_path / "kill"
    proc, port = _serve(data)
    try:
        conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password="111", autocommit=True)
        run(conn, "create database k")
        run(conn, "create table k.t (a int)")
        run(conn, "insert into k.t values (7)")
        run(conn, "create pitr kp for cluster range 1 'd'")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    proc2, port2 = _serve(data)
    try:
        conn = pymysql.connect(host="127.0.0.1", port=port2, user="root", password="111", autocommit=True)
        assert run(conn, "select a from k.t") == [(7,)]
        assert [r[0] for r in run(conn, "show pitr")] == ["kp"]
    finally:
        proc2.send_signal(signal.SIGTERM)
        assert proc2.wait(20) == 0  # clean shutdown on SIGTERM


def test_cli_errors_exit_2(tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, "-m", "matrixone_lite", "serve", "--port", str(port), "--data-dir",
                              str(tmp_path / "d")], capture_output=True, text=True, timeout=60)
    finally:
        busy.close()
    assert out.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in out.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = subprocess.run([sys.executable, "-m", "matrixone_lite", "serve", "--port", "0", "--data-dir",
                          str(blocker / "sub")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "cannot use data directory" in out.stderr
    with pytest.raises(ServerStartError):
        LiteServer(data_dir=blocker / "sub", port=0).start()


def test_statement_log(lite_server, tmp_path: Path) -> None:
    log_file = tmp_path / "statements.jsonl"
    srv = lite_server(statement_log_file=log_file)
    conn = connect(srv)
    run(conn, "create account acc1 admin_name 'root' identified by 'S3cret!'")
    a = connect(srv, "acc1#root", "S3cret!")
    srv.statement_log.clear()
    run(a, "create database lg")
    run(a, "select 1")
    run(a, "create pitr lp range 1 'h'")
    entries = srv.statement_log.entries
    assert [e["sql"] for e in entries] == ["create database lg", "select 1", "create pitr lp range 1 'h'"]
    assert {(e["account"], e["user"]) for e in entries} == {("acc1", "root")}
    assert len({e["conn"] for e in entries}) == 1 and all(isinstance(e["ts"], float) for e in entries)
    assert [e["sql"] for e in srv.statement_log.mutating()] == ["create database lg", "create pitr lp range 1 'h'"]
    srv.stop()
    text = log_file.read_text()
    assert "S3cret!" not in text and "identified by '***'" in text
