"""One snapshot restore through ``mo-pitr snapshot restore`` and MatrixOneSnapshotRestoreOperator.

Issue 12's "same request everywhere" for snapshots: after the same incident, the same request (an
account, a database and a table, each from its own snapshot) is run through the operator in a
one-task DAG (dag.test(), a real task context) and through ``mo-pitr snapshot restore --verify
--format json``, against matrixone_lite over TCP. Both run the provider's one workflow
(airflow_provider_matrixone.restore, T being the snapshot's instant), so they must give the same
plan, the same undo point (name and scope), the same SQL and the same verdicts. The undo point's
name comes from the run key, so mo-pitr is given the operator's key.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import conn_json, task_states, xcom
from tests.provider.support import TENANT_PASSWORD, make_tenant, tenant_sql
from tests.support.dags import register_dag

ACC = "snapsame1"

#: level -> (snapshot statement, operator arguments, mo-pitr flags, the incident the restore repairs)
CASES = {
    "account": ("create snapshot snapsame_acc for account",
                {"level": "account", "account": ACC}, ["--account", ACC],
                ["delete from db1.products where id > 4", "drop table db2.orders", "create database db3"]),
    "database": ("create snapshot snapsame_db for database db2",
                 {"level": "database", "account": ACC, "database": "db2"}, ["--account", ACC, "--db", "db2"],
                 ["delete from db2.orders where id > 1",
                  "insert into db2.orders (product_name, quantity) values ('late', 7)"]),
    "table": ("create snapshot snapsame_t for table db1 products",
              {"level": "table", "account": ACC, "database": "db1", "table": "products"},
              ["--account", ACC, "--db", "db1", "--table", "products"],
              ["update db1.products set stock_quantity = 0 where id = 3", "delete from db1.products where id = 9"]),
}
SNAPSHOT = {level: case[0].split()[2] for level, case in CASES.items()}


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture(scope="module")
def snapshots(mo_server: Any) -> Iterator[None]:
    make_tenant(mo_server, ACC)
    tenant_sql(mo_server, ACC, [case[0] for case in CASES.values()])
    yield


@pytest.fixture
def tenant_conn(mo_server: Any, airflow_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                       conn_json(mo_server, login=f"{ACC}#admin", password=TENANT_PASSWORD))
    return f"matrixone_{ACC}"


def _via_operator(level: str, conn_id: str, request: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from airflow.sdk import DAG

    from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator

    dag_id = f"same_snapshot_{level}"
    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
        MatrixOneSnapshotRestoreOperator(task_id="restore", matrixone_conn_id=conn_id, snapshot_name=SNAPSHOT[level],
                                         **request)
    register_dag(dag)
    dr = dag.test()
    assert str(dr.state) == "success", task_states(dr)
    result = xcom(dr, "restore")
    assert result is not None
    return dict(result), f"{dag_id}/restore/{dr.run_id}/-1"  # the operator's default run key


def _via_cli(server: Any, capsys: pytest.CaptureFixture[str], level: str, flags: list[str],
             run_key: str) -> dict[str, Any]:
    from airflow_provider_matrixone.cli.main import main

    capsys.readouterr()
    code = main(["snapshot", "restore", "--sname", SNAPSHOT[level], *flags, "--verify", "--yes", "--run-key", run_key,
                 "--format", "json", "--host", server.host, "--port", str(server.port), "--user", f"{ACC}#admin",
                 "--password", TENANT_PASSWORD], stdin=_Pipe(""))
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("level", list(CASES))
def test_same_snapshot_request_gives_the_same_plan_undo_point_sql_and_verdicts(
        level: str, tenant_conn: str, mo_server: Any, snapshots: None, capsys: pytest.CaptureFixture[str]) -> None:
    _statement, request, flags, incident = CASES[level]

    tenant_sql(mo_server, ACC, incident)
    op, run_key = _via_operator(level, tenant_conn, request)
    assert op["undo"]["name"] and op["safety_snapshot"]["name"] == op["undo"]["name"]
    tenant_sql(mo_server, ACC, [f"drop snapshot if exists `{op['undo']['name']}`"])

    tenant_sql(mo_server, ACC, incident)
    cli = _via_cli(mo_server, capsys, level, flags, run_key)
    tenant_sql(mo_server, ACC, [f"drop snapshot if exists `{cli['undo']['name']}`"])

    assert op["sql"] == cli["sql"] and "{SNAPSHOT = " in cli["sql"]
    assert op["plan"] == cli["plan"]
    assert op["undo"] == cli["undo"]
    assert op["check"]["verdict"] == cli["verification"]["verdict"] == "VERIFIED"
    assert op["check"]["objects"] == cli["verification"]["objects"]
    assert cli["snapshot"]["name"] == SNAPSHOT[level] == cli["plan"]["snapshot"]["name"]
    # the plan saw the incident, T is the snapshot's instant, and the undo point is the restored scope
    assert cli["plan"]["at_ns"] == cli["snapshot"]["ts_ns"] and cli["plan"]["pitr"] is None
    assert any(t["action"] != "replace" or t["rows_now"] != t["rows_at_t"] for t in cli["plan"]["tables"]) \
        or any(d["action"] != "replace" for d in cli["plan"]["databases"])
    scope = {k: v for k, v in cli["undo"]["scope"].items() if v is not None and k != "account"}
    assert scope == {k: v for k, v in request.items() if k != "account"}
    assert [p["phase"] for p in op["phases"]] == ["plan", "reference", "safety_snapshot", "restore", "check"]
