"""The one undo-point policy, and the workflow package's layering (no Airflow).

Plans come from a real matrixone_lite over TCP through PitrClient (what mo-pitr uses).
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest

from airflow_provider_matrixone.cli.connect import pymysql_connect
from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.restore import RestoreRequest, run, undo
from airflow_provider_matrixone.sql_io.operations import PitrClient
from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "undo1"
RESTORE_DIR = Path(__file__).resolve().parents[2] / "airflow_provider_matrixone" / "restore"


@pytest.fixture(scope="module")
def client(mo_server: Any) -> Iterator[tuple[PitrClient, str]]:
    make_tenant(mo_server, ACC)
    tenant_sql(mo_server, ACC, ["create pitr undo_p for account range 2 'h'"])
    time.sleep(1.1)
    t = pendulum.now("UTC").isoformat()
    time.sleep(0.05)
    login = f"{ACC}#admin"
    yield PitrClient(pymysql_connect(mo_server.host, mo_server.port, login, TENANT_PASSWORD), parse_login(login)), t
    root_sql(mo_server, [f"drop account if exists {ACC}"])


def _plan(client: PitrClient, t: str, **scope: Any) -> Any:
    return run.plan(client, RestoreRequest.build(pitr_name="undo_p", instant=pendulum.parse(t), **scope))


def test_undo_scope_is_the_restored_scope(client: tuple[PitrClient, str]) -> None:
    ops, t = client
    account = undo.undo_scope(_plan(ops, t, level="account", account=ACC), ops.account)
    database = undo.undo_scope(_plan(ops, t, level="database", database="db2"), ops.account)
    table = undo.undo_scope(_plan(ops, t, level="table", database="db1", table="products"), ops.account)
    assert account is not None and (account.level, account.account) == (Level.ACCOUNT, None)  # own account
    assert database is not None and (database.level, database.database) == (Level.DATABASE, "db2")
    assert table is not None and (table.level, table.database, table.table) == (Level.TABLE, "db1", "products")


def test_another_accounts_database_is_kept_through_its_account(client: tuple[PitrClient, str]) -> None:
    """CREATE SNAPSHOT ... FOR DATABASE snapshots the connected account's database, never another's."""
    ops, t = client
    plan = dataclasses.replace(_plan(ops, t, level="database", database="db2"), target_account="acc_other")
    scope = undo.undo_scope(plan, ops.account)
    assert scope is not None and (scope.level, scope.account) == (Level.ACCOUNT, "acc_other")


def test_nothing_to_keep_when_the_object_is_gone(client: tuple[PitrClient, str], mo_server: Any) -> None:
    ops, t = client
    tenant_sql(mo_server, ACC, ["drop table db2.orders"])
    plan = _plan(ops, t, level="table", database="db2", table="orders")
    ops.execute(plan.sql)  # put it back for the other tests
    assert [a.action for a in plan.tables] == ["recreate"]
    assert undo.undo_scope(plan, ops.account) is None


def test_undo_name_is_deterministic_per_run_and_scope(client: tuple[PitrClient, str]) -> None:
    ops, t = client
    key = undo.scope_key(_plan(ops, t, level="table", database="db1", table="products"))
    assert undo.undo_name("dag/restore/run1/-1", key) == undo.undo_name("dag/restore/run1/-1", key)
    assert undo.undo_name("dag/restore/run1/-1", key) != undo.undo_name("dag/restore/run2/-1", key)
    name = undo.undo_name("x" * 500, "table_" + "y" * 200)
    assert len(name) <= 64 and name.startswith("mo_safety_") and name.replace("_", "").isalnum()


def test_dry_run_names_the_undo_point_and_sends_nothing_mutating(client: tuple[PitrClient, str],
                                                                 mo_server: Any) -> None:
    ops, t = client
    before = len(mo_server.statement_log.mutating())
    request = RestoreRequest.build(pitr_name="undo_p", instant=pendulum.parse(t), level="database",
                                   database="db1", dry_run=True)
    result = run.run_restore(ops, request, run_key="k")
    assert result["undo"]["name"] == undo.undo_name("k", "database_undo1_db1")
    assert result["undo"]["scope"]["level"] == "database" and result["safety_snapshot"] is None
    assert mo_server.statement_log.mutating()[before:] == []


def test_request_round_trips_the_exact_instant() -> None:
    instant = pendulum.parse("2024-10-28T09:30:00.123456Z")
    request = RestoreRequest.build(pitr_name="p", level="table", database="db", table="t", instant=instant)
    again = RestoreRequest.from_dict(request.to_dict())
    assert again == request and again.at_ns == 1730107800123456000
    assert request.to_dict()["instant_utc"] == "2024-10-28T09:30:00.123456Z"


def test_the_workflow_package_imports_no_airflow() -> None:
    for path in sorted(RESTORE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] != "airflow", f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "airflow" for a in node.names), path.name
    code = ("import sys, airflow_provider_matrixone.restore; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('airflow', 'sqlalchemy')]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=RESTORE_DIR.parents[1], timeout=60)
