"""Fault-injection helpers: a killable `matrixone-lite serve` process and misbehaving TCP proxies.

Everything listens on 127.0.0.1 only; every loop is bounded; every process started here is
killed by the owner's ``close()`` (the fixtures call it even when a test fails).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pymysql

ROOT_PASSWORD = os.environ["MO_TEST_PASSWORD"]
TENANT_PASSWORD = "tenant-" + ROOT_PASSWORD
SERVE = [sys.executable, "-m", "matrixone_lite", "--log-level", "ERROR", "serve"]


class LiteProcess:
    """`matrixone-lite serve` in a subprocess on a data directory that survives kill -9."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None
        self._stderr: Any = None
        self.log_path = self.data_dir / "statements.jsonl"

    def start(self, timeout: float = 30.0) -> LiteProcess:
        assert self.proc is None or self.proc.poll() is not None
        self.close()
        self._stderr = open(self.data_dir / "stderr.log", "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [*SERVE, "--host", "127.0.0.1", "--port", "0", "--data-dir", str(self.data_dir), "--timezone", "UTC",
             "--statement-log", str(self.log_path)],
            env={**os.environ, "MO_LITE_ROOT_PASSWORD": ROOT_PASSWORD},  # not on the process list
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, cwd=str(Path(__file__).parents[2]))
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if "listening on" in line:
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    return self
                if not line and self.proc.poll() is not None:
                    break
        self.close()
        err = (self.data_dir / "stderr.log").read_text(encoding="utf-8")
        raise RuntimeError(f"matrixone-lite serve did not start: {err[-2000:]}")

    def kill9(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def statements(self) -> list[str]:
        """Every statement logged so far (across restarts: the file is appended to)."""
        if not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line)["sql"])
            except (ValueError, KeyError):
                continue  # a line torn by kill -9
        return out


def sql(server: Any, user: str, password: str, statements: list[str], *, port: int | None = None) -> list[Any]:
    conn = pymysql.connect(host=server.host, port=port or server.port, user=user, password=password,
                           autocommit=True, connect_timeout=5, read_timeout=30)
    try:
        rows: list[Any] = []
        with conn.cursor() as cur:
            for s in statements:
                cur.execute(s)
                rows = list(cur.fetchall()) if cur.description else []
        return rows
    finally:
        conn.close()


def make_account(server: Any, account: str, tables: int = 4, rows: int = 2000) -> None:
    """An account with ``tables`` tables in db1 of ``rows`` rows each, built server-side."""
    sql(server, "root", ROOT_PASSWORD, [f"drop account if exists {account}",
                                        f"create account {account} admin_name 'admin' identified by "
                                        f"'{TENANT_PASSWORD}'"])
    statements = ["create database db1"]
    for t in range(tables):
        statements += [f"create table db1.t{t} (id int primary key, v varchar(20))",
                       f"insert into db1.t{t} values " + ", ".join(f"({i}, 'v{i}')" for i in range(100))]
        have = 100
        while have < rows:
            step = min(have, rows - have)
            statements.append(f"insert into db1.t{t} select id + {have}, v from db1.t{t} where id < {step}")
            have += step
    sql(server, f"{account}#admin", TENANT_PASSWORD, statements)


def state(server: Any, account: str, *, port: int | None = None) -> dict[str, tuple[int, int]]:
    """Every user table of the account: (row count, sum of ids): cheap and order independent."""
    out: dict[str, tuple[int, int]] = {}
    user = f"{account}#admin"
    for (db,) in sql(server, user, TENANT_PASSWORD, ["show databases"], port=port):
        if db in ("information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task", "mo_debug"):
            continue
        for (tbl,) in sql(server, user, TENANT_PASSWORD, [f"show tables from `{db}`"], port=port):
            count, total = sql(server, user, TENANT_PASSWORD,
                               [f"select count(*), coalesce(sum(id), 0) from `{db}`.`{tbl}`"], port=port)[0]
            out[f"{db}.{tbl}"] = (int(count), int(total))
    return out


def set_connection(conn_id: str, host: str, port: int, login: str, password: str, **extra: Any) -> str:
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps({
        "conn_type": "matrixone", "host": host, "port": port, "login": login, "password": password,
        "extra": {"client": "pymysql", **extra}})
    return conn_id


def free_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proxy:
    """TCP proxy on 127.0.0.1 with pluggable misbehaviour.

    ``cut_on``: bytes that, when seen going upstream, cut the connection; ``forward_cut`` says
    whether the statement still reaches the server first (the server runs it, the client never
    hears back) or is swallowed (the server never sees it). ``delay``: seconds added to every
    chunk in each direction. ``blackhole``: accept and never answer.
    """

    def __init__(self, upstream_port: int, *, cut_on: bytes | None = None, forward_cut: bool = True,
                 delay: float = 0.0, blackhole: bool = False, cuts: int = 1) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.cut_on = cut_on.lower() if cut_on else None
        self.forward_cut, self.delay, self.blackhole = forward_cut, delay, blackhole
        self.cuts_left = cuts
        self.fired = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listen = socket.socket()
        self._listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listen.bind(("127.0.0.1", 0))
        self._listen.listen(32)
        self.port = int(self._listen.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _track(self, s: socket.socket) -> socket.socket:
        with self._lock:
            self._socks.append(s)
        return s

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listen.accept()
            except OSError:
                return
            self._track(client)
            if self.blackhole:
                continue
            try:
                up = self._track(socket.create_connection(self.upstream, timeout=5))
                up.settimeout(None)
            except OSError:
                _close(client)
                continue
            cut = threading.Event()  # per connection: once set, nothing more reaches the client
            threading.Thread(target=self._pump, args=(client, up, True, cut), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, False, cut), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool, cut: threading.Event) -> None:
        try:
            while data := src.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                if not upstream and cut.is_set():
                    break  # the answer to the cut statement: dropped
                if upstream and self.cut_on and self.cuts_left > 0 and self.cut_on in data.lower():
                    self.cuts_left -= 1
                    cut.set()
                    self.fired.set()
                    if self.forward_cut:
                        dst.sendall(data)
                        time.sleep(0.05)  # let the server read it before the client is cut
                    _close(src)
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(dst)
            _close(src)

    def close(self) -> None:
        self._closed = True
        _close(self._listen)
        with self._lock:
            for s in self._socks:
                _close(s)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
