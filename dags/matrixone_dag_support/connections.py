"""Which Airflow connection reads or restores which MatrixOne account.

MatrixOne scopes time-travel reads, SHOW PITR and database/table restores to the *connected*
account: sys cannot read a tenant's tables. So every account a DAG must read gets its own
connection, found by convention (``matrixone_<account>``) or through the Airflow Variable
``matrixone_account_connections`` (JSON ``{"acc1": "my_conn_id"}``).
"""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors, identifiers

DEFAULT_CONN_ID = "matrixone_default"
ACCOUNT_CONN_VARIABLE = "matrixone_account_connections"


def _mapping() -> dict[str, str]:
    from airflow.sdk import Variable

    raw = Variable.get(ACCOUNT_CONN_VARIABLE, default=None)
    if not raw:
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise errors.InvalidInput("variable", f"Variable {ACCOUNT_CONN_VARIABLE} is not JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise errors.InvalidInput("variable", f'Variable {ACCOUNT_CONN_VARIABLE} must map account names to '
                                  'connection ids (example: {"acc1": "matrixone_acc1"})')
    return {k.lower(): v for k, v in value.items()}


def account_conn_id(account: str) -> str:
    """The connection id for ``account``: the Variable's mapping, else ``matrixone_<account>``."""
    name = identifiers.validate_name(account, "account", "account").lower()
    return _mapping().get(name) or f"matrixone_{name}"


def hook(conn_id: str = DEFAULT_CONN_ID) -> MatrixOneHook:
    return MatrixOneHook(matrixone_conn_id=conn_id)


def account_hook(account: str, default: MatrixOneHook | None = None) -> MatrixOneHook:
    """A hook logged into ``account``; the default connection is reused when it already is."""
    if default is not None and default.login.account.lower() == account.lower():
        return default
    conn_id = account_conn_id(account)
    try:
        found = hook(conn_id)
        login = found.login
    except Exception as exc:
        if isinstance(exc, errors.MatrixOneError):
            raise
        raise errors.InvalidInput(
            "connection",
            f"reading account {account} needs a connection logged into it (MatrixOne only lets an account "
            f"read its own data): create connection {conn_id!r} or map the account in Variable "
            f"{ACCOUNT_CONN_VARIABLE} ({type(exc).__name__}: {exc})",
        ) from None
    if login.account.lower() != account.lower():
        raise errors.InvalidInput(
            "connection", f"connection {conn_id!r} logs into account {login.account}, expected {account}"
        )
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
