"""Helpers for operator/sensor tests: env-var connections, task contexts, a connection-dropping proxy."""

from __future__ import annotations

import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pendulum

from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

__all__ = [
    "TENANT_PASSWORD",
    "TEST_PASSWORD",
    "DroppingProxy",
    "context",
    "make_tenant",
    "mutating_since",
    "new_account",
    "now_after_pitr",
    "root_sql",
    "set_connection",
    "tenant_sql",
]

_counter = itertools.count(1)


def new_account(prefix: str = "op") -> str:
    """A fresh account name per test (tests share one server)."""
    return f"{prefix}{os.getpid() % 1000}x{next(_counter)}"


def set_connection(conn_id: str, server: Any, login: str, password: str, *, port: int | None = None,
                   **extra: Any) -> str:
    """Register an Airflow connection through the AIRFLOW_CONN_<ID> JSON variable."""
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps({
        "conn_type": "matrixone", "host": server.host, "port": port or server.port, "login": login,
        "password": password, "extra": extra,
    })
    return conn_id


def context(try_number: int = 1, run_id: str = "manual__test", task_id: str = "restore") -> Any:
    """The part of a task context the operators read (direct ``op.execute(context)`` calls)."""
    ti = SimpleNamespace(dag_id="tests", task_id=task_id, run_id=run_id, map_index=-1, try_number=try_number)
    return {"ti": ti, "run_id": run_id}


def mutating_since(server: Any, mark: int) -> list[str]:
    """Mutating statements received after ``len(server.statement_log.entries) == mark``."""
    from matrixone_lite.wire.statement_log import is_mutating

    return [e["sql"] for e in server.statement_log.entries[mark:] if is_mutating(e["sql"])]


def now_after_pitr() -> pendulum.DateTime:
    """An instant strictly after everything done so far (the server compares nanoseconds)."""
    time.sleep(0.02)
    instant = pendulum.now("UTC")
    time.sleep(0.02)
    return instant


class DroppingProxy:
    """TCP proxy that forwards a statement containing ``trigger`` and then drops the client.

    The server receives and runs the statement; the client sees "Lost connection to server during
    query" (2013), exactly what a network cut during a long RESTORE looks like. Fires once.
    """

    def __init__(self, host: str, port: int, trigger: bytes = b"RESTORE") -> None:
        self.upstream = (host, port)
        self.trigger = trigger.lower()
        self.armed = True
        self.fired = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            state = {"sent": False}
            threading.Thread(target=self._pump_up, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client, state), daemon=True).start()

    def _pump_up(self, client: socket.socket, upstream: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := client.recv(65536):
                upstream.sendall(data)
                if self.armed and self.trigger in data.lower():
                    self.armed = False
                    state["sent"] = True
        except OSError:
            pass
        finally:
            _close(upstream)

    def _pump_down(self, upstream: socket.socket, client: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := upstream.recv(65536):
                if state["sent"]:
                    self.fired.set()
                    break  # the server answered the RESTORE: drop the client instead of forwarding
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)

    def close(self) -> None:
        self._stop = True
        _close(self._sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@contextmanager
def dropping_proxy(server: Any) -> Iterator[DroppingProxy]:
    proxy = DroppingProxy(server.host, server.port)
    try:
        yield proxy
    finally:
        proxy.close()
