"""Helpers for operator/sensor tests: env-var connections, task contexts, a connection-dropping proxy.

The proxy is ``tests.support.proxy.Proxy``; logins and seed data come from tests/provider/support.py.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import Any

import pendulum

from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql
from tests.support.proxy import Proxy, proxy_to

__all__ = [
    "TENANT_PASSWORD",
    "TEST_PASSWORD",
    "context",
    "dropping_proxy",
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


def dropping_proxy(server: Any) -> AbstractContextManager[Proxy]:
    """A proxy that forwards the first statement containing RESTORE, lets the server run it to the
    end, then drops the answer and the client: what a network cut during a long RESTORE looks like
    ("Lost connection to server during query", 2013). ``proxy.fired`` is set once it happened."""
    return proxy_to(server, cut_on=b"RESTORE", after_reply=True)
