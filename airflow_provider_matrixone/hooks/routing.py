"""The Airflow side of restore routing: account connections by convention or by a Variable.

:class:`airflow_provider_matrixone.restore.routing.Router` is Airflow-free; this module feeds it
hooks. An account's connection is ``matrixone_<account>`` by default; the Airflow Variable
``matrixone_account_connections`` (JSON ``{"acc1": "my_conn_id"}``) overrides it per account, and
``pattern`` changes the convention (e.g. ``"mo_prod_{account}"``).
"""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.restore.routing import DEFAULT_PATTERN, ConnectionResolver, Router

DEFAULT_CONN_ID = "matrixone_default"
ACCOUNT_CONN_VARIABLE = "matrixone_account_connections"


def _variable_mapping() -> dict[str, str]:
    from airflow.sdk import Variable

    raw: Any = Variable.get(ACCOUNT_CONN_VARIABLE, default=None)
    if not raw:
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise errors.InvalidInput("variable", f"Variable {ACCOUNT_CONN_VARIABLE} is not JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise errors.InvalidInput("variable", f'Variable {ACCOUNT_CONN_VARIABLE} must map account names to '
                                  'connection ids (example: {"acc1": "matrixone_acc1"})')
    return value


def resolver(pattern: str = DEFAULT_PATTERN, mapping: dict[str, str] | None = None) -> ConnectionResolver:
    """``mapping`` (default: the Variable's) first, then ``pattern``."""
    return ConnectionResolver(_variable_mapping() if mapping is None else mapping, pattern)


def router(default_conn_id: str = DEFAULT_CONN_ID, *, pattern: str = DEFAULT_PATTERN,
           mapping: dict[str, str] | None = None) -> Router:
    """A :class:`Router` over MatrixOne hooks: the default connection plus one per account."""
    return Router(MatrixOneHook(matrixone_conn_id=default_conn_id), default_conn_id,
                  lambda conn_id: MatrixOneHook(matrixone_conn_id=conn_id), resolver(pattern, mapping))
