"""Verification fails closed: sys restoring another account's data verifies it or does not start.

MatrixOne lets an account read only its own data, so when sys restores a tenant's snapshot or
PITR (or into another account) the reference at T and the restored scope must be read through
logins of those accounts. Before the merge of issues 12 and 13 the snapshot restore operator then
restored **unverified** (``check_skipped``), a green task with nothing proved. Now the readers are
the connections given, else the provider's account-connection resolver (``matrixone_<account>``
or the ``matrixone_account_connections`` Variable), else the task is refused before any statement
that changes anything (no RESTORE, no safety snapshot). ``verify=False`` (snapshot) /
``capture_reference=False`` (PITR) is the explicit way to restore unverified.

Real matrixone_lite over TCP, real Airflow connections (AIRFLOW_CONN_* / AIRFLOW_VAR_* env vars).
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator
from tests.operators.support import (
    TENANT_PASSWORD,
    context,
    mutating_since,
    new_account,
    now_after_pitr,
    root_sql,
    tenant_sql,
)


def _conn_env(server: Any, login: str) -> str:
    return json.dumps({"conn_type": "matrixone", "host": server.host, "port": server.port, "login": login,
                       "password": TENANT_PASSWORD})


def _snapshot(server: Any, tenant: SimpleNamespace) -> str:
    snap = f"s_fc_{tenant.name}"
    root_sql(server, [f"create snapshot {snap} for account {tenant.name}"])
    tenant_sql(server, tenant.name, ["delete from db1.products where id > 2"])
    return snap


def _restores(sqls: list[str]) -> list[str]:
    return [s for s in sqls if s.strip().lower().startswith("restore")]


def _snapshots_created(sqls: list[str]) -> list[str]:
    return [s for s in sqls if s.strip().lower().startswith("create snapshot")]


def test_sys_restoring_a_tenant_snapshot_without_its_login_is_refused_before_anything_changes(
        tenant: SimpleNamespace, mo_server: Any, root_conn: str) -> None:
    snap = _snapshot(mo_server, tenant)
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn,
                                         snapshot_name=snap).execute(context())
    text = str(info.value)
    sent = mutating_since(mo_server, mark)
    assert _restores(sent) == [] and _snapshots_created(sent) == [] and sent == [], sent
    assert f"verification must read account '{tenant.name}' but connection '{root_conn}' is logged in to account " \
           "'sys'" in text, text
    assert f"create connection 'matrixone_{tenant.name}'" in text, text  # what the resolver looked for
    assert "give reference_conn_id" in text and "or verify=False to restore unverified on purpose" in text, text
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(2,)]  # untouched


def test_verify_false_restores_unverified_on_purpose(tenant: SimpleNamespace, mo_server: Any,
                                                     root_conn: str) -> None:
    snap = _snapshot(mo_server, tenant)
    mark = len(mo_server.statement_log.entries)
    result = MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn, snapshot_name=snap,
                                              verify=False).execute(context())
    assert len(_restores(mutating_since(mo_server, mark))) == 1
    assert result["request"]["verify"] is False and "check" not in result and "assets" not in result
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]


def test_the_account_connection_convention_verifies_it(tenant: SimpleNamespace, mo_server: Any, root_conn: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``matrixone_<account>`` exists: sys's restore reads the tenant through it and verifies."""
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{tenant.name.upper()}", _conn_env(mo_server, f"{tenant.name}#admin"))
    snap = _snapshot(mo_server, tenant)
    result = MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn,
                                              snapshot_name=snap).execute(context())
    check = result["check"]
    assert check["verdict"] == "VERIFIED", check["reasons"]
    assert check["account"] == tenant.name
    assert {o["table"] for o in check["objects"] if o["object"] == "table"} == {"db1.products", "db2.orders"}
    assert result["safety_snapshot"] is not None  # the undo point was still taken, by sys
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]


def test_the_account_connections_variable_verifies_it(tenant: SimpleNamespace, mo_server: Any, root_conn: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``matrixone_account_connections`` Variable maps the tenant to a connection of another name."""
    monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_ACCOUNT_CONNECTIONS", json.dumps({tenant.name: tenant.conn_id}))
    snap = _snapshot(mo_server, tenant)
    check = MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn,
                                             snapshot_name=snap).execute(context())["check"]
    assert check["verdict"] == "VERIFIED", check["reasons"]


def test_restore_into_another_account_needs_a_login_of_that_account(
        tenant: SimpleNamespace, mo_server: Any, root_conn: str) -> None:
    """``to_account``: the reference is the tenant's (given), the restored scope the target's (missing)."""
    snap = _snapshot(mo_server, tenant)
    target = new_account("fct")
    root_sql(mo_server, [f"create account {target} admin_name 'admin' identified by '{TENANT_PASSWORD}'"])
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=root_conn, snapshot_name=snap,
                                         to_account=target, reference_conn_id=tenant.conn_id).execute(context())
    assert mutating_since(mo_server, mark) == []
    assert f"verification must read account '{target}'" in str(info.value)
    assert "give verify_conn_id" in str(info.value), str(info.value)


def test_pitr_operator_resolves_the_accounts_connection_too(tenant: SimpleNamespace, mo_server: Any,
                                                           root_conn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same rule for the PITR restore: refused without a login of the account, verified through the resolver."""
    root_sql(mo_server, [f"create pitr pfc_{tenant.name} for account {tenant.name} range 1 'd'"])
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 2"])

    def restore() -> Any:
        return MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=root_conn,
                                            pitr_name=f"pfc_{tenant.name}", timestamp=t.isoformat(), level="account",
                                            account=tenant.name).execute(context())

    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        restore()
    assert mutating_since(mo_server, mark) == []
    assert "or capture_reference=False to restore unverified on purpose" in str(info.value), str(info.value)
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{tenant.name.upper()}", _conn_env(mo_server, f"{tenant.name}#admin"))
    check = restore()["check"]
    assert check["verdict"] == "VERIFIED", check["reasons"]
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]
