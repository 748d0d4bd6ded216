"""Which Airflow connection reads or restores which MatrixOne account.

MatrixOne scopes time-travel reads, SHOW PITR and database/table restores to the *connected*
account: sys cannot read a tenant's tables. So every account a DAG must read gets its own
connection. Which one is the provider's resolver
(:mod:`airflow_provider_matrixone.hooks.routing`: the Airflow Variable
``matrixone_account_connections``, else ``matrixone_<account>``); this module only wires it.
"""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_matrixone.hooks import routing as hook_routing
from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.restore import routing

DEFAULT_CONN_ID = hook_routing.DEFAULT_CONN_ID
ACCOUNT_CONN_VARIABLE = hook_routing.ACCOUNT_CONN_VARIABLE
routing_resolver = hook_routing.resolver


def account_conn_id(account: str) -> str:
    """The connection id for ``account``: the provider's resolver (Variable mapping, else ``matrixone_<account>``)."""
    return routing_resolver().conn_id(account)


def hook(conn_id: str = DEFAULT_CONN_ID) -> MatrixOneHook:
    return MatrixOneHook(matrixone_conn_id=conn_id)


def account_hook(account: str, default: MatrixOneHook | None = None) -> MatrixOneHook:
    """A hook logged into ``account``; the default connection is reused when it already is."""
    router = routing.Router(default or hook(), DEFAULT_CONN_ID, hook, routing_resolver())
    found = router.account_ops(account)
    assert isinstance(found, MatrixOneHook)
    return found


def optional_account_hook(account: str, default: MatrixOneHook | None = None) -> MatrixOneHook | None:
    """Like :func:`account_hook`, but None when the account has no usable connection."""
    try:
        return account_hook(account, default)
    except errors.InvalidInput:
        return None


def direct_hook(base: MatrixOneHook, login: str, password: str, conn_id: str = "matrixone_direct") -> MatrixOneHook:
    """A hook for an account the DAG created itself (password kept in memory, never stored)."""
    from airflow.sdk import Connection

    conn = base.connection
    extra: dict[str, Any] = {"client": base.client_name}
    conn_obj = Connection(
        conn_id=conn_id,
        conn_type="matrixone",
        host=conn.host,
        port=conn.port,
        login=login,
        password=password,
        extra=json.dumps(extra),
    )
    return MatrixOneHook(connection=conn_obj)
